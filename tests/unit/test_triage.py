"""Duplicates, notifications and the email that follows them (to a real local SMTP server)."""
import re
from email.header import decode_header, make_header

from sqlalchemy import func, select

from tests.factories import make_idea, make_user
from tracker import notifications, services, triage
from tracker.extensions import db
from tracker.models import Notification, Vote
from tracker.workflow import EmailPreference, Kind, Status


def votes_of(idea) -> dict[int, int]:
    return dict(db.session.execute(select(Vote.user_id, Vote.minutes_per_week).where(Vote.idea_id == idea.id)).all())


def notes_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_merging_moves_votes_without_doubles_and_recounts(employee, colleague, leader, admin, team):
    both = make_user("both@example.com", "Both Voter", team=team)
    target = make_idea(colleague, title="Original", minutes_per_week=30)
    duplicate = make_idea(employee, title="Copy", minutes_per_week=45)
    services.cast_vote(target, both, 10)
    services.cast_vote(duplicate, both, 20)
    services.cast_vote(duplicate, admin, 60)
    services.cast_vote(duplicate, colleague, 5)  # the target's own author: no vote on their own item
    triage.move_idea(duplicate, leader, Status.DUPLICATE, note="Same thing", duplicate_of=target)
    db.session.refresh(target)
    db.session.refresh(duplicate)
    # both keeps their one vote on the target; admin's vote moves; the duplicate's author joins with 45 minutes
    assert votes_of(target) == {both.id: 10, admin.id: 60, employee.id: 45}
    assert (target.vote_count, target.minutes_total) == (3, 30 + 10 + 60 + 45)
    assert votes_of(duplicate) == {} and (duplicate.vote_count, duplicate.minutes_total) == (0, 0)
    assert duplicate.duplicate_of_id == target.id and [d.id for d in target.duplicates] == [duplicate.id]


def test_a_merge_with_an_anonymous_item_counts_the_same_whoever_wrote_it(employee, colleague, leader, team):
    """Were the duplicate's author to join the target's voters, an anonymous duplicate by the
    target's own author would add no vote and one by anybody else would: the count would tell."""
    grown = []
    for duplicate_author, anonymous_item in ((colleague, "duplicate"), (employee, "duplicate"), (colleague, "target"),
                                             (employee, "target")):
        target = make_idea(colleague, title="Original", anonymous=anonymous_item == "target", team=team)
        duplicate = make_idea(duplicate_author, title="Copy", anonymous=anonymous_item == "duplicate", team=team)
        triage.move_idea(duplicate, leader, Status.DUPLICATE, duplicate_of=target)
        db.session.refresh(target)
        grown.append((target.vote_count, set(votes_of(target))))
    assert grown == [(0, set())] * 4


def test_merging_into_an_idea_carries_no_minutes(employee, colleague, leader, admin):
    target = make_idea(colleague, title="Idea", kind=Kind.IDEA)
    duplicate = make_idea(employee, title="Pain", minutes_per_week=45)
    services.cast_vote(duplicate, admin, 60)
    triage.move_idea(duplicate, leader, Status.DUPLICATE, duplicate_of=target)
    db.session.refresh(target)
    assert (target.vote_count, target.minutes_total) == (2, 0)


def test_followers_hear_of_moves_but_not_the_mover(employee, colleague, leader, admin):
    idea = make_idea(employee, anonymous=True)
    services.cast_vote(idea, colleague, 10)
    services.add_comment(idea, admin, "Noted")
    triage.move_idea(idea, leader, Status.DECLINED, note="Legal requires it")
    [author_note] = [n for n in notes_for(employee) if n.type == "status_changed"]
    assert (author_note.from_status, author_note.to_status, author_note.text) == ("new", "declined",
                                                                                   "Legal requires it")
    assert any(n.type == "status_changed" for n in notes_for(colleague))
    assert any(n.type == "status_changed" for n in notes_for(admin))
    assert not any(n.type == "status_changed" for n in notes_for(leader))


def test_leaders_hear_of_new_items_in_their_teams(employee, leader, other_leader):
    make_idea(employee, anonymous=True)
    [note] = notes_for(leader)
    assert note.type == "new_item" and note.actor_id is None
    assert notes_for(other_leader) == []


def test_comments_notify_followers(employee, colleague, admin):
    idea = make_idea(employee)
    services.cast_vote(idea, colleague)
    services.add_comment(idea, admin, "What exactly?")
    assert [n.type for n in notes_for(employee)] == ["comment_added"]
    assert [n.type for n in notes_for(colleague)] == ["comment_added"]
    assert notes_for(admin) == []


def test_unread_count_and_mark_read(employee, colleague):
    idea = make_idea(employee)
    services.add_comment(idea, colleague, "One")
    services.add_comment(idea, colleague, "Two")
    assert notifications.unread_count(employee) == 2
    first = notes_for(employee)[0]
    notifications.mark_read(colleague, first.id)  # someone else's: nothing happens
    assert notifications.unread_count(employee) == 2
    notifications.mark_read(employee, first.id)
    assert notifications.unread_count(employee) == 1
    notifications.mark_read(employee)
    assert notifications.unread_count(employee) == 0


def test_email_arrives_right_away_in_the_readers_language(smtp, employee, colleague, leader):
    employee.locale = "de"
    db.session.commit()
    idea = make_idea(employee, title="Reisekosten", anonymous=True)
    services.cast_vote(idea, colleague)
    triage.move_idea(idea, leader, Status.DECLINED, note="Gesetzlich vorgeschrieben")
    [to_author] = smtp.to(employee.email)
    assert "Reisekosten" in to_author["Subject"]
    body = smtp.body(to_author)
    assert "Hallo Erika Mustermann" in body and "Gesetzlich vorgeschrieben" in body and "/ideas/" in body
    [to_voter] = smtp.to(colleague.email)
    voter_body = smtp.body(to_voter)
    assert "moved" in voter_body and "Erika" not in voter_body and employee.email not in voter_body
    [to_leader] = smtp.to(leader.email)  # the new item, without its anonymous author
    assert "New in team" in smtp.body(to_leader) and "Erika" not in smtp.body(to_leader)
    assert all(n.emailed_at is not None for n in notes_for(employee))


def test_someone_without_a_language_reads_email_in_the_companys_language(app, monkeypatch, smtp, employee,
                                                                         leader):
    """DEFAULT_LANGUAGE: a colleague who never logged in has no language of their own yet."""
    assert employee.locale is None
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "de")
    idea = make_idea(employee, title="Reisekosten")
    triage.move_idea(idea, leader, Status.REVIEW)
    [to_author] = smtp.to(employee.email)
    assert "von Neu nach In Prüfung verschoben" in to_author["Subject"] and "Hallo" in smtp.body(to_author)


def test_a_default_language_the_app_does_not_speak_stops_it_at_start():
    import pytest

    from tracker import create_app

    with pytest.raises(RuntimeError, match="DEFAULT_LANGUAGE must be one of de, en"):
        create_app({"BABEL_DEFAULT_LOCALE": "fr", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})


def test_a_subject_shortens_a_long_title_not_the_move_it_is_about(smtp, employee, leader):
    """The subject was cut at 120 characters: "… von Neu nach In..." did not say where to."""
    employee.locale = "de"
    db.session.commit()
    short = make_idea(employee, title="Dienstwagen-Buchung über drei Systeme, Übermäßige Prüfschritte")
    long = make_idea(employee, title="Reisekostenabrechnung für den Außendienst dauert viel zu lange, weil jede "
                                     "Quittung dreimal geprüft wird")
    triage.move_idea(short, leader, Status.REVIEW)
    triage.move_idea(long, leader, Status.REVIEW)
    subjects = [m["Subject"] for m in smtp.to(employee.email)]
    # As sent: every encoded word stands apart (RFC 2047), or strict readers show "f=?utf-8?q?=C3=BCr".
    for raw in smtp.raw:
        header = re.search(rb"^Subject: (.*?)\r?\n(?=\S)", raw, re.S | re.M).group(1).decode("ascii")
        assert all(re.fullmatch(r"=\?utf-8\?[bq]\?[^?]*\?=", word) for word in header.split() if "=?" in word), header
        assert str(make_header(decode_header(re.sub(r"\r?\n", "", header)))) in [m["Subject"] for m in smtp.messages]
    assert subjects == [
        "Nebenan: Lena Leiterin hat „Dienstwagen-Buchung über drei Systeme, Übermäßige Prüfschritte“ von Neu nach "
        "In Prüfung verschoben.",
        "Nebenan: Lena Leiterin hat „Reisekostenabrechnung für den Außendienst dauert viel zu…“ von Neu nach "
        "In Prüfung verschoben.",
    ]


def test_emails_carry_titles_comments_and_notes_as_they_were_typed(app, smtp, employee, colleague, leader):
    """Plain-text emails: no HTML entities (&amp;, &#39;) for what people typed."""
    colleague.email_preference = EmailPreference.DAILY
    db.session.commit()
    idea = make_idea(employee, title='Tom & Jerry\'s "urgent" <forms>')
    services.cast_vote(idea, colleague)
    services.add_comment(idea, leader, "Don't <b>panic</b> & wait")
    triage.move_idea(idea, leader, Status.DECLINED, note="R&D's <rule>")
    right_away = [smtp.body(m).replace("\r\n", "\n") for m in smtp.to(employee.email)]
    subjects = [m["Subject"] for m in smtp.to(employee.email)]
    assert any("Don't <b>panic</b> & wait" in body for body in right_away)
    assert any("R&D's <rule>" in body for body in right_away)
    assert all('Tom & Jerry\'s "urgent" <forms>' in subject for subject in subjects)
    assert app.test_cli_runner().invoke(args=["send-digests"]).exit_code == 0
    [digest] = smtp.to(colleague.email)
    body = smtp.body(digest).replace("\r\n", "\n")
    assert "\n  Don't <b>panic</b> & wait\n" in body and "\n  R&D's <rule>\n" in body
    assert 'Tom & Jerry\'s "urgent" <forms>' in body and "&amp;" not in body and "&#39;" not in body


def test_the_implemented_email_says_the_saving_with_the_note(smtp, employee, leader, login_as):
    idea = make_idea(employee)
    for status in (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS):
        triage.move_idea(idea, leader, status)
    triage.move_idea(idea, leader, Status.IMPLEMENTED, note="The form is **digital** now.", saving_minutes=150)
    body = smtp.body(smtp.to(employee.email)[-1]).replace("\r\n", "\n")
    assert "\nRealised saving: 2.5 hours per week.\nThe form is **digital** now.\n" in body
    listed = login_as(employee).get("/notifications").get_data(as_text=True)
    assert "Realised saving: 2.5 hours per week. The form is digital now.</p>" in listed


def test_a_comment_does_not_wait_for_the_mail_server(smtp, employee, colleague, login_as):
    """A slow or unreachable mail server must not hold the page (nor, with it, the worker)."""
    import threading

    idea = make_idea(employee)
    smtp.hold = threading.Event()  # the mail server takes the email only when told
    response = login_as(colleague).post(f"/ideas/{idea.id}/comments", data={"body": "Same here"})
    assert response.status_code == 302 and smtp.raw == []  # answered while the email still waits
    smtp.hold.set()
    assert len(smtp.to(employee.email)) == 1
    db.session.expire_all()
    assert notes_for(employee)[0].emailed_at is not None


def test_what_the_sender_cannot_take_any_more_is_left_to_send_pending(app, smtp, employee, colleague, login_as,
                                                                    monkeypatch, caplog):
    """The mail server holds the first email; one more waits; the next is not queued without
    end but left in the database, and `flask send-pending` sends it."""
    import threading
    import time
    from datetime import timedelta

    monkeypatch.setattr(notifications._outbox, "maxsize", 1)
    smtp.hold = threading.Event()
    client = login_as(colleague)
    ideas = [make_idea(employee, title=f"Item {n}") for n in range(3)]
    for n, idea in enumerate(ideas):
        assert client.post(f"/ideas/{idea.id}/comments", data={"body": "Same here"}).status_code == 302
        for _ in range(500):  # the first is taken (and held by the server) before the others come
            if n or not notifications._outbox.qsize():
                break
            time.sleep(0.01)
    assert "left for send-pending" in caplog.text
    smtp.hold.set()
    assert len(smtp.to(employee.email)) == 2
    db.session.expire_all()
    [left] = [n for n in notes_for(employee) if n.emailed_at is None]
    assert left.email_attempts == 0
    left.created_at -= timedelta(minutes=2)  # send-pending leaves the last minute to the requests
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["send-pending"]).exit_code == 0
    assert len(smtp.to(employee.email)) == 3


def test_a_long_line_reaches_the_reader_whole(smtp, employee, colleague):
    """Mail servers refuse lines over 998 characters: the text goes as quoted-printable,
    short lines on the wire, the link whole in the reader's mail program."""
    link = "https://sharepoint.example.com/sites/vertrieb/" + "Freigaben/Reisekosten-%C3%9Cbersicht-" * 32
    idea = make_idea(employee)
    services.add_comment(idea, colleague, f"Die Vorlage liegt hier: {link} – bitte ansehen")
    [email] = smtp.to(employee.email)
    assert f"Die Vorlage liegt hier: {link} – bitte ansehen" in smtp.body(email)
    assert max(len(line) for line in smtp.raw[-1].split(b"\r\n")) <= 78
    assert notes_for(employee)[0].emailed_at is not None


def test_a_refused_address_holds_up_nobody_elses_email(app, smtp, employee, colleague, leader):
    """A mailbox that no longer exists (550) is counted and retried later; the emails after it
    in the same run still go out."""
    idea = make_idea(employee)
    services.cast_vote(idea, colleague)
    smtp.gone.add(employee.email)
    triage.move_idea(idea, leader, Status.REVIEW)
    assert smtp.to(employee.email) == [] and len(smtp.to(colleague.email)) == 1
    [refused] = [n for n in notes_for(employee) if n.type == "status_changed"]
    [delivered] = [n for n in notes_for(colleague) if n.type == "status_changed"]
    assert (refused.emailed_at, refused.email_attempts) == (None, 1)
    assert delivered.emailed_at is not None


def test_a_dead_mail_server_breaks_nothing_and_is_retried(app, dead_smtp, employee, colleague, leader, caplog):
    idea = make_idea(employee)
    services.cast_vote(idea, colleague)
    triage.move_idea(idea, leader, Status.REVIEW)  # must not raise
    db.session.refresh(idea)
    assert idea.status == Status.REVIEW
    [note] = [n for n in notes_for(employee) if n.type == "status_changed"]
    assert (note.emailed_at, note.email_attempts) == (None, 1)
    assert "will be retried" in caplog.text
    from datetime import timedelta

    note.created_at -= timedelta(minutes=2)  # send-pending leaves the last minute to the requests
    db.session.commit()
    # the server comes back: `flask send-pending` delivers what failed
    from tests.conftest import _Inbox, _MailHandler, _point_mail_at
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(_MailHandler(inbox), hostname="127.0.0.1", port=dead_smtp)
    controller.start()
    try:
        result = app.test_cli_runner().invoke(args=["send-pending"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert any("moved" in _Inbox.body(m) for m in inbox.to(employee.email))
    db.session.refresh(note)
    assert note.emailed_at is not None
    assert _point_mail_at  # imported helper stays in use


def test_daily_digest_and_none(app, smtp, employee, colleague, admin, leader):
    employee.email_preference = EmailPreference.DAILY
    colleague.email_preference = EmailPreference.NONE
    db.session.commit()
    idea = make_idea(employee)
    services.cast_vote(idea, colleague)
    services.add_comment(idea, admin, "First")
    services.add_comment(idea, admin, "Second")
    triage.move_idea(idea, leader, Status.DECLINED, note="The auditors need the signatures.\nSee the policy.")
    assert smtp.to(employee.email) == [] and smtp.to(colleague.email) == []
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    [digest] = smtp.to(employee.email)
    assert "3 news items" in digest["Subject"]
    body = smtp.body(digest).replace("\r\n", "\n")
    assert body.count("commented on") == 2
    # What was said and why, as in the email sent right away: under each line, indented.
    assert "\n  First\n" in body and "\n  Second\n" in body
    assert "\n  The auditors need the signatures.\n  See the policy.\n" in body
    assert smtp.to(colleague.email) == []
    app.test_cli_runner().invoke(args=["send-digests"])
    assert len(smtp.to(employee.email)) == 1  # nothing new, nothing sent
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == employee.id, Notification.emailed_at.is_(None))) == 0


def test_never_stays_never_and_nothing_read_is_mailed(app, smtp, employee, colleague, admin):
    """Switching from "never" to a digest or to right away mails what arrives from then on: not
    what came while the answer was never, and nothing already read in the app."""
    colleague.email_preference = EmailPreference.NONE
    employee.email_preference = EmailPreference.DAILY
    db.session.commit()
    idea = make_idea(employee)
    services.add_comment(idea, colleague, "Same here")   # tells the author
    services.cast_vote(idea, colleague)
    services.add_comment(idea, admin, "Under way")        # tells the author and the voter
    services.update_settings(colleague, "en", EmailPreference.DAILY)
    [seen, unseen] = notes_for(employee)
    notifications.mark_read(employee, seen.id)
    assert app.test_cli_runner().invoke(args=["send-digests"]).exit_code == 0
    assert smtp.to(colleague.email) == []                   # arrived under "never"
    [digest] = smtp.to(employee.email)
    assert smtp.body(digest).count("commented on") == 1     # the unread one only
    services.add_comment(idea, admin, "Done soon")          # after the switch: mailed
    assert app.test_cli_runner().invoke(args=["send-digests"]).exit_code == 0
    assert len(smtp.to(colleague.email)) == 1


def test_a_busy_move_leaves_the_rest_of_its_emails_to_send_pending(app, smtp, employee, leader, team, monkeypatch):
    from datetime import timedelta

    monkeypatch.setattr(notifications, "MAX_EMAILS_IN_REQUEST", 2)
    idea = make_idea(employee)
    voters = [make_user(f"fan{n}@example.com", f"Fan {n}", team=team) for n in range(4)]
    for voter in voters:
        services.cast_vote(idea, voter)
    triage.move_idea(idea, leader, Status.REVIEW)
    moved = [m for m in smtp.messages if "moved" in smtp.body(m)]
    assert len(moved) == 2  # the author and one fan right away
    for n in db.session.scalars(select(Notification)):
        n.created_at -= timedelta(minutes=2)
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["send-pending"]).exit_code == 0
    moved = [m for m in smtp.messages if "moved" in smtp.body(m)]
    assert sorted(m["To"] for m in moved) == sorted([employee.email] + [v.email for v in voters])


def test_the_board_offers_a_move_on_exactly_the_cards_each_person_may_move(employee, leader, other_leader, admin,
                                                                              team, other_team):
    from flask_login import AnonymousUserMixin

    from tracker.permissions import can_move_idea, movable_ids

    ideas = [make_idea(employee, title="Ours"), make_idea(employee, title="Theirs", team=other_team)]
    cards = triage.board(triage.BoardFilters(team=""), admin)[0].cards
    assert {card.title for card in cards} == {"Ours", "Theirs"}
    for person in (employee, leader, other_leader, admin, AnonymousUserMixin()):
        assert movable_ids(cards, person) == {idea.id for idea in ideas if can_move_idea(idea, person)}
    assert movable_ids(cards, leader) == {ideas[0].id} and movable_ids(cards, admin) == {i.id for i in ideas}
