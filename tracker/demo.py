"""The demo company behind `flask --app app seed-demo`: six departments, 21 people, 42 items.

Every demo login uses the password `nebenan-demo`; the three to try first are
employee@example.com, leader@example.com and admin@example.com. Items, votes and
comments go through the service functions, so the counters are exact; afterwards
the timestamps are spread over the last 90 days and the status histories filled in.
Everything comes from random.Random(2026), so every run creates the same company
(relative to the moment it runs).
"""
import random
from datetime import datetime, timedelta

import click
from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from . import services, triage
from .extensions import db
from .models import Category, Comment, Idea, Notification, StatusChange, Team, User, Vote, utcnow
from .workflow import CLOSED_STATUSES, Kind, Role, Status

PASSWORD = "nebenan-demo"
PAIN, IDEA = Kind.PAIN_POINT, Kind.IDEA
NEW, REVIEW, PLANNED, IN_PROGRESS = Status.NEW, Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS
IMPLEMENTED, DECLINED, DUPLICATE = Status.IMPLEMENTED, Status.DECLINED, Status.DUPLICATE

TEAMS = ("Einkauf", "Vertrieb", "IT", "Personal (HR)", "Finanzen", "Kundenservice")

# key, email, name, role, own team, teams led
PEOPLE = (
    ("admin", "admin@example.com", "Sabine Hoffmann", Role.ADMIN, "IT", ()),
    ("thomas", "leader@example.com", "Thomas Becker", Role.LEADER, "Vertrieb", ("Vertrieb", "Kundenservice")),
    ("erika", "employee@example.com", "Erika Mustermann", Role.EMPLOYEE, "Einkauf", ()),
    ("claudia", "claudia.wagner@example.com", "Claudia Wagner", Role.LEADER, "Einkauf", ("Einkauf",)),
    ("james", "james.oconnor@example.com", "James O'Connor", Role.LEADER, "IT", ("IT",)),
    ("petra", "petra.schulz@example.com", "Petra Schulz", Role.LEADER, "Personal (HR)", ("Personal (HR)",)),
    ("markus", "markus.weber@example.com", "Markus Weber", Role.LEADER, "Finanzen", ("Finanzen",)),
    ("jonas", "jonas.fischer@example.com", "Jonas Fischer", Role.EMPLOYEE, "Einkauf", ()),
    ("julia", "julia.neumann@example.com", "Julia Neumann", Role.EMPLOYEE, "Einkauf", ()),
    ("laura", "laura.schneider@example.com", "Laura Schneider", Role.EMPLOYEE, "Vertrieb", ()),
    ("mehmet", "mehmet.yilmaz@example.com", "Mehmet Yılmaz", Role.EMPLOYEE, "Vertrieb", ()),
    ("emily", "emily.clarke@example.com", "Emily Clarke", Role.EMPLOYEE, "Vertrieb", ()),
    ("lukas", "lukas.meyer@example.com", "Lukas Meyer", Role.EMPLOYEE, "IT", ()),
    ("priya", "priya.nair@example.com", "Priya Nair", Role.EMPLOYEE, "IT", ()),
    ("anna", "anna.koch@example.com", "Anna Koch", Role.EMPLOYEE, "Personal (HR)", ()),
    ("olivia", "olivia.brown@example.com", "Olivia Brown", Role.EMPLOYEE, "Personal (HR)", ()),
    ("sophie", "sophie.bauer@example.com", "Sophie Bauer", Role.EMPLOYEE, "Finanzen", ()),
    ("felix", "felix.wolf@example.com", "Felix Wolf", Role.EMPLOYEE, "Finanzen", ()),
    ("david", "david.miller@example.com", "David Miller", Role.EMPLOYEE, "Kundenservice", ()),
    ("katharina", "katharina.schmitz@example.com", "Katharina Schmitz", Role.EMPLOYEE, "Kundenservice", ()),
    ("stefan", "stefan.krueger@example.com", "Stefan Krüger", Role.EMPLOYEE, "Kundenservice", ()),
)

# author, kind, owning team, category, minutes per week, anonymous, status, language, title, description
# and, optionally, the note of the last status change (the reason for declined/duplicate).
ITEMS = (
    ("erika", PAIN, "Finanzen", "paperwork", 60, False, REVIEW, "de",
     "Reisekostenabrechnung braucht drei Unterschriften",
     "Für jede Dienstreise brauche ich die Unterschrift meiner Teamleitung, der Kostenstellenverantwortlichen "
     "und am Ende noch von Finanzen – auch für ein Bahnticket über 12 €.\n\n- Formular ausdrucken\n"
     "- drei Leuten hinterherlaufen\n- Original per Hauspost schicken\n\nWarum reicht nicht **eine** Freigabe?"),
    ("erika", PAIN, "Einkauf", "transparency", 30, True, NEW, "de",
     "Niemand weiß, wo meine Bestellanforderung gerade hängt",
     "Nach dem Absenden sehe ich nichts mehr. Ob die Anforderung bei der Kostenstelle, im Einkauf oder bei "
     "Finanzen liegt, erfahre ich nur durch Nachfragen. Ein einfacher Status (*eingegangen / in Freigabe / "
     "bestellt*) würde viele Mails sparen."),
    ("laura", PAIN, "Vertrieb", "unclear_requirements", 120, False, REVIEW, "de",
     "Vorgaben für Angebote ändern sich jede Woche",
     "Seit Januar gab es vier Angebotsvorlagen und zwei neue Rabattregeln. Änderungen kommen per Mail, oft nur "
     "an einen Teil des Teams – Kunden bekommen dadurch unterschiedliche Konditionen.\n\n"
     "**Wunsch:** eine gültige Vorlage an einem festen Ort, Änderungen mit Datum."),
    ("jonas", PAIN, "Finanzen", "standardisation", 45, False, PLANNED, "de",
     "Lieferantenanlage: 14-seitiges Formular auch für Einmalbestellungen",
     "Auch für ein Ersatzteil für 80 € bei einem kleinen Händler läuft die komplette Lieferantenanlage mit "
     "Selbstauskunft, Compliance-Erklärung und Bankbestätigung. Das dauert im Schnitt zwei Wochen.",
     "Wir führen eine vereinfachte Anlage für Einmallieferanten bis 1.000 € ein."),
    ("mehmet", PAIN, "IT", "cooperation", 90, False, IN_PROGRESS, "de",
     "CRM und ERP zeigen unterschiedliche Kundendaten",
     "Ansprechpartner und Adressen pflegen wir im CRM, die Rechnungen kommen aber mit alten Daten aus dem ERP. "
     "Jede Woche korrigiere ich Rechnungsadressen von Hand und schreibe Tickets an die IT."),
    ("sophie", PAIN, "Finanzen", "paperwork", 180, False, IMPLEMENTED, "de",
     "Eingangsrechnungen werden ausgedruckt, abgestempelt und wieder eingescannt",
     "Rechnungen kommen als PDF per Mail, werden ausgedruckt, mit dem Kontierungsstempel versehen, "
     "unterschrieben und wieder eingescannt. Pro Rechnung ca. 5 Minuten, bei uns **40–50 Rechnungen pro Woche**.",
     "Die Freigabe läuft jetzt digital im Rechnungsworkflow. Danke an alle, die getestet haben!"),
    ("katharina", PAIN, "Kundenservice", "not_heard", 60, True, NEW, "de",
     "Verbesserungsvorschläge aus dem Kundenservice verschwinden im Postfach",
     "Wir hören jeden Tag, was Kunden an unseren Abläufen stört. Unsere Vorschläge gehen an die Teamleitung, "
     "danach hören wir nie wieder etwas. Eine kurze Rückmeldung – auch ein Nein – wäre schon viel wert."),
    ("anna", IDEA, "Personal (HR)", "rewards", 0, False, REVIEW, "de",
     "Spontanprämie für Kolleginnen und Kollegen vorschlagen können",
     "Heute kann nur die Führungskraft eine Prämie beantragen. Idee: Jede/r darf einmal im Quartal eine kleine "
     "Anerkennung (z. B. Gutschein über 50 €) für jemanden aus einem **anderen** Team vorschlagen."),
    ("felix", PAIN, "Finanzen", "standardisation", 30, False, DECLINED, "de",
     "Einheitliche Forecast-Vorlage passt nicht zum Projektgeschäft",
     "Die neue Excel-Vorlage hat feste Monatsspalten und keine Meilensteine. Für Projekte mit Teilrechnungen "
     "rechne ich jeden Monat alles von Hand um.",
     "Die Vorlage ist für das Konzernreporting verbindlich, das können wir nicht ändern. "
     "Wir stellen aber ein Hilfsblatt für die Umrechnung bereit."),
    ("stefan", PAIN, "IT", "paperwork", 40, False, NEW, "de",
     "Passwort-Reset fürs Ticketsystem nur per unterschriebenem Formular",
     "Wer sein Passwort vergisst, muss ein Formular ausdrucken, von der Teamleitung unterschreiben lassen und "
     "an die IT faxen (!). So lange kann man keine Kundentickets bearbeiten."),
    ("julia", PAIN, "Einkauf", "unclear_requirements", 60, False, NEW, "de",
     "Ab welchem Betrag braucht man drei Vergleichsangebote?",
     "In der Einkaufsrichtlinie stehen 5.000 €, im Intranet 2.500 €, und in Schulungen heißt es 1.000 €. "
     "Je nachdem, wer prüft, wird die Bestellung zurückgewiesen."),
    ("laura", IDEA, "Kundenservice", "cooperation", 0, False, PLANNED, "de",
     "Kurze Übergabe Vertrieb → Kundenservice bei jedem Neukunden",
     "Der Kundenservice erfährt von Neukunden oft erst beim ersten Anruf. Vorschlag: 15 Minuten Übergabe mit\n\n"
     "- Ansprechpartnern\n- Sonderkonditionen\n- offenen Zusagen"),
    ("lukas", PAIN, "IT", "standardisation", 30, False, REVIEW, "de",
     "Jede Softwareanfrage muss durch das Architekturboard",
     "Auch für kleine Werkzeuge wie einen PDF-Editor braucht es einen Antrag beim Architekturboard, "
     "das nur einmal im Monat tagt."),
    ("anna", PAIN, "Personal (HR)", "paperwork", 45, False, IN_PROGRESS, "de",
     "Urlaubsanträge auf Papier und zusätzlich in der Zeiterfassung",
     "Urlaub wird auf Papier beantragt und genehmigt und danach von HR noch einmal in die Zeiterfassung "
     "übertragen. Dabei passieren Fehler, und niemand sieht seinen aktuellen Resturlaub."),
    ("mehmet", PAIN, "Vertrieb", "transparency", 30, True, NEW, "de",
     "Provisionsabrechnung ist nicht nachvollziehbar",
     "Am Monatsende kommt eine Zahl, aber keine Aufstellung, welche Aufträge mit welchem Satz eingerechnet "
     "wurden. Nachfragen dauern Wochen."),
    ("katharina", PAIN, "Kundenservice", "rewards", 30, True, REVIEW, "de",
     "Zielvereinbarung belohnt nur die Anzahl geschlossener Tickets",
     "Wer einem Kunden gründlich hilft, steht in der Statistik schlechter da als jemand, der fünf Tickets schnell "
     "schließt, die danach wieder aufgehen. Die **Wiederöffnungsquote** sollte mitzählen."),
    ("jonas", PAIN, "Einkauf", "cooperation", 60, False, NEW, "de",
     "Rahmenverträge werden am Einkauf vorbei abgeschlossen",
     "Wir erfahren von neuen Verträgen erst, wenn die Rechnung kommt, und sollen dann nachträglich Bestellungen "
     "anlegen, damit Finanzen buchen kann."),
    ("sophie", IDEA, "Finanzen", "paperwork", 0, False, REVIEW, "de",
     "Kleinbeträge bis 100 € per Firmenkreditkarte",
     "Für Fachbuch, Kabel oder Porto ist der Bestellprozess teurer als die Ware. Vorschlag: eine Kreditkarte pro "
     "Abteilung mit Limit und monatlicher Sammelabrechnung."),
    ("petra", IDEA, "Personal (HR)", "transparency", 0, False, PLANNED, "de",
     "Offene Stellen zuerst intern ausschreiben",
     "Kolleginnen und Kollegen erfahren von freien Stellen oft erst über LinkedIn. Wir könnten jede Stelle eine "
     "Woche lang zuerst im Intranet veröffentlichen."),
    ("felix", PAIN, "Finanzen", "unclear_requirements", 90, False, NEW, "de",
     "Anforderungen der Wirtschaftsprüfer kommen scheibchenweise",
     "Beim Jahresabschluss kommen die Nachweislisten in fünf Runden, jedes Mal mit neuen Formaten. Eine "
     "vollständige Liste zu Beginn würde uns Wochen sparen."),
    ("stefan", IDEA, "Kundenservice", "other", 0, False, NEW, "de",
     "Telefonboxen im Großraumbüro",
     "Bei Kundentelefonaten ist es im Großraum oft zu laut. Zwei kleine Telefonboxen würden schon reichen."),
    ("julia", PAIN, "Finanzen", "paperwork", 30, False, DUPLICATE, "de",
     "Dienstreise: zu viele Unterschriften",
     "Selbst für eine Tagesreise nach Stuttgart brauche ich drei Unterschriften auf Papier.",
     "Gleiches Anliegen wie „Reisekostenabrechnung braucht drei Unterschriften“ – bitte dort abstimmen."),
    ("lukas", PAIN, "Personal (HR)", "not_heard", 60, True, NEW, "de",
     "Ergebnisse der Mitarbeiterbefragung wurden nie besprochen",
     "Im Herbst haben alle an der Befragung teilgenommen. Außer einer Folie im Town Hall ist nichts passiert. "
     "Welche Maßnahmen wurden beschlossen?"),
    ("thomas", IDEA, "Vertrieb", "standardisation", 0, False, REVIEW, "de",
     "Rabatte bis 10 % direkt im CRM freigeben",
     "Heute geht jeder Rabatt über ein Excel-Formular an die Vertriebsleitung. Bis 10 % könnte das CRM die "
     "Freigabe selbst dokumentieren."),
    ("claudia", PAIN, "Finanzen", "cooperation", 60, False, IN_PROGRESS, "de",
     "Zahlungsziele werden ohne Absprache mit dem Einkauf geändert",
     "Finanzen stellt Lieferanten auf 60 Tage Zahlungsziel um, ohne dass wir es wissen. In der nächsten "
     "Verhandlung stehen wir dann ohne Argumente da."),
    ("katharina", IDEA, "IT", "cooperation", 0, False, IMPLEMENTED, "de",
     "Feste Ansprechperson in der IT für den Kundenservice",
     "Bei Störungen im Ticketsystem suchen wir jedes Mal jemanden in der IT. Eine feste Ansprechperson und ein "
     "eigener Chat-Kanal würden reichen.",
     "Ab sofort gibt es eine feste Ansprechperson und den Kanal #it-kundenservice."),
    ("laura", PAIN, "Personal (HR)", "standardisation", 30, False, DECLINED, "de",
     "Pflichtschulungen auch für Rollen, die sie nicht betreffen",
     "Im Vertrieb müssen wir jedes Jahr die Schulung zum Umgang mit Gefahrstoffen absolvieren.",
     "Die Unterweisung ist für alle am Standort gesetzlich vorgeschrieben. Wir kürzen sie aber auf 20 Minuten."),
    ("mehmet", IDEA, "Personal (HR)", "paperwork", 0, False, IMPLEMENTED, "de",
     "Gehaltsabrechnung digital statt per Post",
     "Die Abrechnung kommt jeden Monat per Post nach Hause. Ein Abruf im Mitarbeiterportal wäre schneller und "
     "spart Porto.",
     "Die Gehaltsabrechnungen stehen jetzt im Mitarbeiterportal bereit."),
    ("david", PAIN, "Einkauf", "paperwork", 30, False, REVIEW, "en",
     "Every purchase over 50 EUR needs a PDF form printed and scanned",
     "To buy a headset for a new colleague I fill in the purchase request PDF, print it, sign it, get my lead to "
     "sign it and scan it back in. The scanner is on another floor.\n\nCould we just approve requests in the ERP?"),
    ("emily", PAIN, "IT", "transparency", 45, False, NEW, "en",
     "No way to see the status of an IT ticket",
     "Tickets disappear into a queue. I only find out something happened when the ticket is closed – "
     "sometimes without a fix."),
    ("priya", PAIN, "Personal (HR)", "paperwork", 60, True, REVIEW, "en",
     "Onboarding checklist is a 6-page Word document passed around by email",
     "Every new hire starts a Word file that travels between HR, IT, facilities and the team lead. Versions get "
     "lost, laptops are ordered late and new colleagues **sit without accounts on day one**."),
    ("olivia", IDEA, "Personal (HR)", "not_heard", 0, False, NEW, "en",
     "Quarterly 'ask the leadership' session with anonymous questions",
     "Collect questions anonymously for two weeks, then answer the top ten in a 30-minute call that is recorded "
     "for colleagues in the warehouse and on shifts."),
    ("david", PAIN, "Kundenservice", "unclear_requirements", 60, False, NEW, "en",
     "Refund rules differ between the handbook and the CRM macros",
     "The handbook says refunds up to 100 EUR need no approval, the CRM macro says 50 EUR. Customers get "
     "different answers depending on who picks up the phone."),
    ("priya", IDEA, "IT", "standardisation", 0, False, IMPLEMENTED, "en",
     "Self-service for standard software installs",
     "Most of our tickets are installs of the same dozen tools. A self-service portal for pre-approved software "
     "would free both sides.",
     "The software portal is live: 35 standard tools can now be installed without a ticket."),
    ("emily", PAIN, "Vertrieb", "cooperation", 90, False, IN_PROGRESS, "en",
     "Trade fair leads arrive as photos of business cards",
     "After every fair we get a shared folder of phone photos. Typing them into the CRM takes hours and half of "
     "the leads have no note on what the customer was interested in."),
    ("olivia", PAIN, "Finanzen", "rewards", 30, True, DECLINED, "en",
     "Overtime is paid out only once a year",
     "Overtime hours are settled in December. People who leave in spring wait months for their money.",
     "Payout timing is part of the works council agreement. We will raise it in the next negotiation round, "
     "but we cannot change it on our own."),
    ("priya", PAIN, "IT", "unclear_requirements", 120, False, PLANNED, "en",
     "Security requirements for new tools change during the review",
     "Twice this quarter the security checklist changed while our request was being reviewed, and we had to "
     "start over.",
     "From next month, each review uses the checklist version valid on the day it was requested."),
    ("james", IDEA, "IT", "transparency", 0, False, REVIEW, "en",
     "Publish the IT project backlog on the intranet",
     "Many tickets ask 'when will X happen?'. A public list of planned IT projects with rough dates would "
     "answer most of them."),
    ("david", PAIN, "Personal (HR)", "cooperation", 30, False, DUPLICATE, "en",
     "New colleagues start without laptop and accounts",
     "Our last two new hires spent their first three days shadowing because nothing was ready.",
     "Same root cause as 'Onboarding checklist is a 6-page Word document passed around by email' – "
     "please vote there."),
    ("david", PAIN, "IT", "other", 20, True, NEW, "en",
     "VPN drops every 30 minutes when working from home",
     "Since the last client update the VPN disconnects regularly and every open CRM session is lost."),
    ("emily", IDEA, "Finanzen", "paperwork", 0, False, PLANNED, "en",
     "Accept photos of receipts instead of paper originals",
     "Taxi and hotel receipts get lost on the way back. A photo in the expense app should be enough."),
    ("lukas", PAIN, "IT", "other", 20, False, NEW, "en",
     "Meeting rooms can only be booked through the assistants",
     "Booking a room for a 30-minute call means an email and waiting for an answer. "
     "Could we book rooms in the calendar ourselves?"),
)

# Title of the item, author, text – in the order they were written.
COMMENTS = (
    ("Reisekostenabrechnung braucht drei Unterschriften", "felix",
     "Aus Sicht Finanzen hilft uns eine digitale Freigabe auch – die Originale stapeln sich bei uns."),
    ("Reisekostenabrechnung braucht drei Unterschriften", "markus",
     "Wir prüfen, ob die zweite Unterschrift bis 250 € entfallen kann. Rückmeldung bis Monatsende."),
    ("Vorgaben für Angebote ändern sich jede Woche", "emily",
     "Same here – last week I sent two offers with the old discount table."),
    ("Vorgaben für Angebote ändern sich jede Woche", "thomas",
     "Berechtigter Punkt. Die gültige Vorlage liegt ab sofort im Ordner **Aktuell**, "
     "Änderungen kündige ich im Montagsmeeting an."),
    ("Every purchase over 50 EUR needs a PDF form printed and scanned", "erika",
     "Geht uns im Einkauf genauso – die Scans sind oft kaum lesbar."),
    ("Every purchase over 50 EUR needs a PDF form printed and scanned", "jonas",
     "Eine Freigabe direkt im ERP fänden wir im Einkauf auch besser."),
    ("Eingangsrechnungen werden ausgedruckt, abgestempelt und wieder eingescannt", "laura",
     "Super, das spart uns auch die Rückfragen zu verschollenen Rechnungen!"),
    ("Onboarding checklist is a 6-page Word document passed around by email", "olivia",
     "We know – HR is piloting a shared checklist in the HR system next month."),
    ("CRM und ERP zeigen unterschiedliche Kundendaten", "lukas",
     "Die Schnittstelle ist beauftragt, Go-live ist für Ende des Quartals geplant."),
    ("Zielvereinbarung belohnt nur die Anzahl geschlossener Tickets", "david",
     "Agree, the reopen rate would be a much fairer measure."),
    ("Security requirements for new tools change during the review", "james",
     "Fair point. We will freeze the checklist per request from now on."),
    ("Einheitliche Forecast-Vorlage passt nicht zum Projektgeschäft", "felix",
     "Danke für das Hilfsblatt, das hilft schon mal."),
    ("Passwort-Reset fürs Ticketsystem nur per unterschriebenem Formular", "priya",
     "A fax? Really? +1"),
    ("Ergebnisse der Mitarbeiterbefragung wurden nie besprochen", "petra",
     "Danke für den Hinweis. Wir stellen Ergebnisse und Maßnahmen in den nächsten Abteilungsrunden vor."),
)

# Notes for the steps on the way, in the item's language; the last step may bring its own note.
STEP_NOTES = {
    "de": {
        REVIEW: ("Danke! Wir schauen uns das im nächsten Teamtermin an.",
                 "Nehmen wir in die Prüfung, Rückmeldung folgt."),
        PLANNED: ("Ist für das nächste Quartal eingeplant.", "Wir setzen das um – eingeplant."),
        IN_PROGRESS: ("Die Umsetzung hat begonnen.", "Wir sind dran."),
        IMPLEMENTED: ("Umgesetzt – gebt gern Rückmeldung, ob es hilft.",),
        DECLINED: ("Das können wir leider nicht ändern.",),
        DUPLICATE: ("Wird bereits in einem anderen Eintrag behandelt.",),
    },
    "en": {
        REVIEW: ("Thanks! We'll look at this in our next team meeting.",
                 "Taking this into review, we'll get back to you."),
        PLANNED: ("Planned for next quarter.", "We'll do this – it's on the plan."),
        IN_PROGRESS: ("Work has started.", "We're on it."),
        IMPLEMENTED: ("Done – let us know whether it helps.",),
        DECLINED: ("Unfortunately we cannot change this.",),
        DUPLICATE: ("Already covered by another item.",),
    },
}

# The steps from "new" to each status.
PATHS = {
    NEW: (),
    REVIEW: (REVIEW,),
    PLANNED: (REVIEW, PLANNED),
    IN_PROGRESS: (REVIEW, PLANNED, IN_PROGRESS),
    IMPLEMENTED: (REVIEW, PLANNED, IN_PROGRESS, IMPLEMENTED),
    DECLINED: (REVIEW, DECLINED),
    DUPLICATE: (DUPLICATE,),
}

DAYS = 90

# Each duplicate and the item it merges into (titles as above).
DUPLICATE_OF = {
    "Dienstreise: zu viele Unterschriften": "Reisekostenabrechnung braucht drei Unterschriften",
    "New colleagues start without laptop and accounts":
        "Onboarding checklist is a 6-page Word document passed around by email",
}


def has_users() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def seed() -> dict[str, int]:
    """The demo company, told to nobody: its history is made with the app's own use cases,
    which email the people concerned; the demo's people get none of it (they may be real
    addresses at a company trying Nebenan with its mail server configured)."""
    mail_server = current_app.config.get("MAIL_SERVER")
    current_app.config["MAIL_SERVER"] = None
    try:
        counts = _seed()
        # Settled for email: neither send-pending nor a digest mails the demo's past later.
        db.session.execute(update(Notification).where(Notification.emailed_at.is_(None)).values(emailed_at=utcnow()))
        db.session.commit()
    finally:
        current_app.config["MAIL_SERVER"] = mail_server
    return counts


def _seed() -> dict[str, int]:
    rng = random.Random(2026)
    now = utcnow().replace(microsecond=0)
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    missing = {row[3] for row in ITEMS} - set(categories)
    if missing:
        raise click.ClickException(f"Categories missing ({', '.join(sorted(missing))}); run `flask db upgrade` first.")
    emails = [email for _, email, *_ in PEOPLE]
    if db.session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)):
        raise click.ClickException("The demo company already exists (its demo logins are taken).")

    teams = _create_teams(now)
    people = _create_people(teams, now)
    ideas = [_submit(row, people, teams, categories) for row in ITEMS]
    votes = sum(_vote(rng, idea, row[6], people) for idea, row in zip(ideas, ITEMS))
    by_title = {idea.title: idea for idea in ideas}
    for title, author, body in COMMENTS:
        services.add_comment(by_title[title], people[author], body)
    for idea, row in zip(ideas, ITEMS):
        _make_lived_in(rng, now, idea, row, people["admin"])
    db.session.flush()
    for title, target in DUPLICATE_OF.items():
        by_title[title].duplicate_of = by_title[target]
        triage.merge_votes(by_title[title], by_title[target])
    db.session.commit()
    return {"teams": len(teams), "people": len(people), "items": len(ideas), "votes": votes,
            "comments": len(COMMENTS)}


def _create_teams(now: datetime) -> dict[str, Team]:
    teams = {name: services.get_or_create_team(name) for name in TEAMS}
    for team in teams.values():
        team.created_at = now - timedelta(days=DAYS + 30)
    return teams


def _create_people(teams: dict[str, Team], now: datetime) -> dict[str, User]:
    """Built like services.create_user, but in one commit and with one password hash for all:
    hashing is deliberately slow, and every demo login shares the password anyway."""
    password_hash = generate_password_hash(PASSWORD)  # what User.set_password does
    people = {}
    for n, (key, email, name, role, team, led) in enumerate(PEOPLE):
        user = User(email=services.normalise_email(email), name=name, role=role, team=teams[team],
                    password_hash=password_hash, session_token=services.new_session_token(),
                    created_at=now - timedelta(days=DAYS + 30) + timedelta(minutes=17 * n))
        user.led_teams = [teams[t] for t in led]
        db.session.add(user)
        people[key] = user
    db.session.commit()
    return people


def _submit(row: tuple, people: dict[str, User], teams: dict[str, Team], categories: dict[str, Category]) -> Idea:
    author, kind, team, category, minutes, anonymous, _status, _lang, title, description, *_note = row
    return services.submit_idea(
        people[author], kind=kind, title=title, description=description, category=categories[category],
        team=teams[team], minutes_per_week=minutes, anonymous=anonymous,
    )


def _vote(rng: random.Random, idea: Idea, status: str, people: dict[str, User]) -> int:
    """A handful of "me too"s from anyone but the author, cast while the item is still open.
    Items that leaders took on got a few more: that is partly why they were taken on."""
    others = [user for user in people.values() if user.id != idea.author_id]
    popular = 4 if status in (PLANNED, IN_PROGRESS, IMPLEMENTED) else 0
    count = min(len(others), popular + int(rng.triangular(0, 16, 3)))
    cast = 0
    for user in rng.sample(others, count):
        minutes = 0
        if idea.kind == PAIN and rng.random() > 0.2:
            minutes = max(15, round(idea.minutes_per_week * rng.uniform(0.25, 1.5) / 15) * 15)
        cast += services.cast_vote(idea, user, minutes) is not None
    return cast


def _make_lived_in(rng: random.Random, now: datetime, idea: Idea, row: tuple, admin: User) -> None:
    """Spreads the item over the last DAYS days and walks it along its path to its status."""
    status, lang, note = row[6], row[7], (row[10] if len(row) > 10 else "")
    steps = PATHS[status]
    if status == NEW:
        age = rng.uniform(0.5, 45)
    else:
        age = rng.uniform(min(DAYS - 5, 10 + 15 * len(steps)), DAYS)
    created = _at(now - timedelta(days=age))
    span = now - timedelta(hours=rng.uniform(2, 72)) - created
    times = sorted(_at(created + span * rng.uniform(0.08, 1)) for _ in steps)

    idea.created_at = idea.updated_at = created
    idea.history[0].created_at = created
    leaders = idea.team.leaders or [admin]
    previous = NEW
    for n, (step, when) in enumerate(zip(steps, times)):
        actor = admin if rng.random() < 0.15 else rng.choice(leaders)
        text = note if note and n == len(steps) - 1 else rng.choice(STEP_NOTES[lang][step])
        idea.history.append(StatusChange(from_status=previous, to_status=step, actor=actor, note=text,
                                         created_at=when))
        previous = step
    idea.status = status
    if times:
        idea.first_response_at = times[0]
    if status == IMPLEMENTED:
        idea.implemented_at = times[-1]
        # pain points save part of the hours they cost; ideas an estimate per supporter
        basis = idea.minutes_total if idea.kind == PAIN else idea.vote_count * 20
        idea.saving_minutes = max(15, round(basis * rng.uniform(0.4, 0.9) / 15) * 15)

    # Votes arrive while the item is open; comments answer its latest status (they mention it).
    open_until = times[-1] if status in CLOSED_STATUSES else now
    activity = [created, *times]
    votes = db.session.scalars(select(Vote).where(Vote.idea_id == idea.id).order_by(Vote.user_id))
    for vote in votes:
        vote.created_at = _at(created + (open_until - created) * rng.uniform(0.02, 1))
        activity.append(vote.created_at)
    since = times[-1] if times else created
    comments = db.session.scalars(select(Comment).where(Comment.idea_id == idea.id).order_by(Comment.id)).all()
    for comment, when in zip(comments, sorted(since + (now - since) * rng.uniform(0.1, 0.9) for _ in comments)):
        comment.created_at = _at(when)
        activity.append(comment.created_at)
    idea.last_activity_at = max(activity)


def _at(when: datetime) -> datetime:
    return when.replace(microsecond=0)
