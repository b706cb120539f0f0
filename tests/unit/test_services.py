import threading
import unicodedata

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text, update

from tests.factories import category, make_idea, make_user
from tracker import _Flask, services
from tracker.errors import DomainError, NotAllowed
from tracker.extensions import db
from tracker.models import Comment, Idea, StatusChange, Team, Vote
from tracker.workflow import Kind, Status


def vote_rows(idea) -> int:
    return db.session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id))


def test_submit_idea_starts_as_new_with_an_anonymous_history(employee):
    idea = make_idea(employee, anonymous=True, minutes_per_week=45)
    assert idea.status == Status.NEW
    assert idea.minutes_total == 45
    [change] = db.session.scalars(select(StatusChange).where(StatusChange.idea_id == idea.id)).all()
    assert (change.from_status, change.to_status, change.actor_id) == (None, Status.NEW, None)


def test_submit_idea_ignores_minutes_for_improvement_ideas(employee):
    idea = make_idea(employee, kind=Kind.IDEA, minutes_per_week=90)
    assert idea.minutes_per_week == 0 and idea.minutes_total == 0


@pytest.mark.parametrize("minutes", [-1, 2401])
def test_submit_idea_refuses_minutes_out_of_range_and_saves_nothing(employee, minutes):
    with pytest.raises(DomainError) as error:
        make_idea(employee, minutes_per_week=minutes)
    assert error.value.field == "minutes_per_week"
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_submit_idea_refuses_a_retired_category(employee):
    retired = category("other")
    retired.active = False
    db.session.commit()
    with pytest.raises(DomainError):
        make_idea(employee, category=retired)


def test_cast_vote_counts_once_and_adds_minutes(employee, colleague):
    idea = make_idea(employee, minutes_per_week=30)
    assert services.cast_vote(idea, colleague, 60).minutes_per_week == 60
    assert services.cast_vote(idea, colleague, 60) is None
    db.session.refresh(idea)
    assert (idea.vote_count, idea.minutes_total, vote_rows(idea)) == (1, 90, 1)


def test_withdraw_vote_takes_back_count_and_minutes(employee, colleague):
    idea = make_idea(employee, minutes_per_week=30)
    services.cast_vote(idea, colleague, 60)
    assert services.withdraw_vote(idea, colleague) is True
    assert services.withdraw_vote(idea, colleague) is False
    db.session.refresh(idea)
    assert (idea.vote_count, idea.minutes_total, vote_rows(idea)) == (0, 30, 0)


def test_after_a_vote_the_item_holds_what_the_database_holds_without_reading_it_again(employee, colleague, leader):
    idea = make_idea(employee, minutes_per_week=30)
    services.cast_vote(idea, leader, 15)
    db.session.expire_all()
    assert idea.vote_count == 1 and colleague.id and leader.id  # read back, as a request loads them
    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        services.cast_vote(idea, colleague, 60)
        after_vote = (idea.vote_count, idea.minutes_total, idea.last_activity_at, idea.title)
        services.withdraw_vote(idea, leader)
        after_withdrawal = (idea.vote_count, idea.minutes_total, idea.last_activity_at)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert not any(statement.lstrip().upper().startswith("SELECT") for statement in statements), statements
    assert after_vote[:2] == (2, 105) and after_vote[3] == "Travel expenses need three signatures"
    db.session.expire_all()
    assert after_withdrawal == (idea.vote_count, idea.minutes_total, idea.last_activity_at) == (1, 90, after_vote[2])


@pytest.mark.parametrize("action", ["vote", "withdraw"])
def test_the_minutes_follow_the_kind_the_item_has_when_the_vote_is_written(employee, colleague, action):
    """Between the moment a vote's request read the item and the moment it writes, the author
    made the pain point an idea (which recounts its minutes without the voters'): the vote's
    minutes must not move the new total."""
    idea = make_idea(employee, minutes_per_week=30)
    if action == "withdraw":
        services.cast_vote(idea, colleague, 15)
    assert idea.kind == Kind.PAIN_POINT  # as the vote's request read it
    with db.engine.begin() as edit:  # the author's edit, committed meanwhile
        edit.execute(update(Idea).where(Idea.id == idea.id).values(kind=Kind.IDEA, minutes_per_week=0,
                                                                       minutes_total=0))
    if action == "vote":
        services.cast_vote(idea, colleague, 15)
    else:
        services.withdraw_vote(idea, colleague)
    db.session.expire_all()
    assert (idea.kind, idea.vote_count, idea.minutes_total) == (Kind.IDEA, 1 if action == "vote" else 0, 0)


def test_vote_on_an_idea_carries_no_minutes(employee, colleague):
    idea = make_idea(employee, kind=Kind.IDEA)
    services.cast_vote(idea, colleague, 120)
    db.session.refresh(idea)
    assert (idea.vote_count, idea.minutes_total) == (1, 0)


def test_author_cannot_vote_on_own_item(employee):
    idea = make_idea(employee)
    with pytest.raises(NotAllowed):
        services.cast_vote(idea, employee, 10)
    assert vote_rows(idea) == 0


@pytest.mark.parametrize("status", [Status.IMPLEMENTED, Status.DECLINED, Status.DUPLICATE])
def test_closed_items_take_no_votes(employee, colleague, status):
    idea = make_idea(employee)
    idea.status = status
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.cast_vote(idea, colleague, 10)


@pytest.mark.parametrize("action", ["vote", "withdraw"])
def test_an_item_closed_after_the_request_read_it_takes_no_vote_and_keeps_its_votes(employee, colleague, action):
    """A leader declines the item between the moment a vote's request read it (open) and the
    moment the vote is written: refused with the reason, and nothing changes."""
    idea = make_idea(employee, minutes_per_week=30)
    if action == "withdraw":
        services.cast_vote(idea, colleague, 15)
    assert idea.status == Status.NEW  # as the request read it
    before = (idea.vote_count, idea.minutes_total, vote_rows(idea))
    with db.engine.begin() as leader:  # the move, committed meanwhile
        leader.execute(update(Idea).where(Idea.id == idea.id).values(status=Status.DECLINED))
    act = services.cast_vote if action == "vote" else services.withdraw_vote
    with pytest.raises(NotAllowed, match="closed"):
        act(idea, colleague, *([15] if action == "vote" else []))
    assert idea.status == Status.DECLINED  # the item as it is now, for the answer
    db.session.expire_all()
    assert (idea.vote_count, idea.minutes_total, vote_rows(idea)) == before


def test_a_withdrawal_waits_for_a_merge_instead_of_deadlocking(app, employee, colleague, leader):
    """PostgreSQL: a merge locks both items, then moves the votes; a withdrawal on the duplicate
    that took its vote row first and then waited for the item deadlocked with it (one of them
    got an error page). Now the withdrawal waits for the item, then finds it merged."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's row locks (SQLite has one writer at a time)")
    duplicate, target = make_idea(employee), make_idea(employee, title="The original")
    services.cast_vote(duplicate, colleague, 15)
    duplicate_id, voter_id = duplicate.id, colleague.id
    outcome = []

    def withdraw():
        with app.app_context():
            try:
                services.withdraw_vote(db.session.get(Idea, duplicate_id), services.user_by_id(voter_id))
                outcome.append("withdrawn")
            except Exception as error:
                outcome.append(error)
            finally:
                db.session.remove()

    with db.engine.connect() as merge:
        with merge.begin():
            merge.execute(text("SET LOCAL lock_timeout = '5s'"))  # a deadlock fails in 1 s; a bug waits no longer
            merge.execute(select(Idea.id).where(Idea.id.in_([duplicate_id, target.id])).order_by(Idea.id)
                          .with_for_update(key_share=True)).all()
            merge.execute(update(Idea).where(Idea.id == duplicate_id).values(status=Status.DUPLICATE))
            thread = threading.Thread(target=withdraw)
            thread.start()
            thread.join(0.5)  # the withdrawal is waiting now
            assert thread.is_alive() and outcome == []
            # the merge's next step: the duplicate's votes (the old withdrawal held the voter's row)
            merge.execute(text("DELETE FROM votes WHERE idea_id = :id"), {"id": duplicate_id})
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], NotAllowed), outcome
    assert "closed" in str(outcome[0].message)


def test_concurrent_votes_are_counted_exactly(app, employee, team):
    idea_id = make_idea(employee).id
    voters = [make_user(f"voter{i}@example.com", f"Voter {i}", team=team).id for i in range(12)]
    errors = []

    def vote(user_id):
        with app.app_context():
            try:
                idea, user = db.session.get(Idea, idea_id), services.user_by_id(user_id)
                for _ in range(3):  # the same person clicking repeatedly counts once
                    services.cast_vote(idea, user, 15)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(uid,)) for uid in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    idea = db.session.get(Idea, idea_id)
    assert (idea.vote_count, vote_rows(idea), idea.minutes_total) == (12, 12, 30 + 12 * 15)


def test_comments_keep_their_count(employee, colleague, admin):
    idea = make_idea(employee)
    first = services.add_comment(idea, colleague, "Same here")
    services.add_comment(idea, employee, "Thanks")
    with pytest.raises(NotAllowed):
        services.delete_comment(first, employee)
    services.delete_comment(first, colleague)
    db.session.refresh(idea)
    assert idea.comment_count == 1
    [remaining] = db.session.scalars(select(Comment)).all()
    services.delete_comment(remaining, admin)
    db.session.refresh(idea)
    assert idea.comment_count == 0


def test_update_idea_moves_the_hours_by_the_difference(employee, colleague):
    idea = make_idea(employee, minutes_per_week=30)
    services.cast_vote(idea, colleague, 60)
    services.update_idea(idea, employee, kind=Kind.PAIN_POINT, title="New title", description="d",
                         category=idea.category, team=idea.team, minutes_per_week=10, anonymous=True)
    db.session.refresh(idea)
    assert (idea.title, idea.minutes_total, idea.anonymous) == ("New title", 70, True)


def test_only_the_author_may_edit(employee, admin):
    idea = make_idea(employee)
    with pytest.raises(NotAllowed):
        services.update_idea(idea, admin, kind=Kind.IDEA, title="x", description="y", category=idea.category,
                             team=idea.team, minutes_per_week=0, anonymous=False)


def test_authenticate_says_the_same_for_unknown_and_wrong_and_tells_the_owner_of_an_inactive(employee, colleague):
    from tests.factories import PASSWORD
    from tracker.services.accounts import AccountDeactivated

    colleague.active = False
    db.session.commit()
    assert services.authenticate("ERIKA@example.com ", PASSWORD) == employee
    assert services.authenticate("nobody@example.com", PASSWORD) is None
    assert services.authenticate(employee.email, "wrong-password") is None
    assert services.authenticate(colleague.email, "wrong-password") is None  # without the password: nothing
    with pytest.raises(AccountDeactivated):
        services.authenticate(colleague.email, PASSWORD)


def test_register_respects_allowed_domains(app, team):
    app.config["ALLOWED_EMAIL_DOMAINS"] = ["nebenan.example"]
    try:
        with pytest.raises(DomainError):
            services.register_user("someone@gmail.example", "Some One", "long-enough-pw", team)
        user = services.register_user("Someone@Nebenan.example", "Some One", "long-enough-pw", team)
        assert user.email == "someone@nebenan.example"
    finally:
        app.config["ALLOWED_EMAIL_DOMAINS"] = []


def test_register_refuses_a_taken_email(employee, team):
    with pytest.raises(DomainError):
        services.register_user(employee.email.upper(), "Again", "long-enough-pw", team)


def _titles(viewer, **filters):
    page = services.list_ideas(services.IdeaFilters(**filters), viewer, 1, 50)
    return [idea.title for idea in page.items]


def test_search_finds_words_and_prefixes_in_title_and_description(employee):
    make_idea(employee, title="Reisekostenabrechnung braucht drei Unterschriften", description="Papier")
    make_idea(employee, title="Purchase form", description="Every order needs a printed PDF form")
    make_idea(employee, title="Meetings", description="Too many status meetings")
    assert _titles(employee, q="reisekosten") == ["Reisekostenabrechnung braucht drei Unterschriften"]
    assert _titles(employee, q="printed pdf") == ["Purchase form"]
    assert _titles(employee, q="Unterschriften Papier") == ["Reisekostenabrechnung braucht drei Unterschriften"]
    assert _titles(employee, q="nothing-like-this") == []


def test_search_finds_german_spellings_either_way(employee):
    """ß and ss, umlauts and their plain letters, capitals: a colleague in Zurich writes
    "Strasse", one in Munich "Straße"; both find each other's items, on both databases."""
    make_idea(employee, title="Straßenbahn-Tickets für den Außendienst", description="Größe der Belege")
    make_idea(employee, title="Strasse vor dem Werk gesperrt", description="Umleitung über Grossbaustelle")
    make_idea(employee, title="Café-Rechnungen", description="ÜBERSTUNDEN werden nicht erfasst")
    both = ["Straßenbahn-Tickets für den Außendienst", "Strasse vor dem Werk gesperrt"]
    for query in ("strasse", "Straße", "STRASSE", "STRAẞE"):
        assert sorted(_titles(employee, q=query)) == sorted(both), query
    for query in ("aussendienst", "Außendienst", "grösse belege", "grosse belege", "Größe", "fur aussendienst"):
        assert _titles(employee, q=query) == ["Straßenbahn-Tickets für den Außendienst"], query
    for query in ("cafe", "Café", "uberstunden", "Überstunden", "überstunden"):
        assert _titles(employee, q=query) == ["Café-Rechnungen"], query
    assert _titles(employee, q="grossbaustelle") == ["Strasse vor dem Werk gesperrt"]
    assert _titles(employee, q="Großbaustelle") == ["Strasse vor dem Werk gesperrt"]


def test_search_finds_umlauts_written_out_and_back(employee):
    """Typed without umlauts ("Gebuehr", "Aerger") or written so by the author ("Schluessel"),
    a word is found either way, on both databases; "ue" after a q stays as it is."""
    make_idea(employee, title="Gebühren für Überweisungen", description="Ärger mit dem Formular")
    make_idea(employee, title="Schluessel fuer das Lager", description="Herr Moeller hat ihn")
    make_idea(employee, title="Quellen im Ticketsystem", description="Zwei Queues")
    first, second = ["Gebühren für Überweisungen"], ["Schluessel fuer das Lager"]
    for query in ("Gebuehren", "GEBUEHREN", "ueberweisungen", "aerger formular", "Ärger", "fuer ueberweisung"):
        assert _titles(employee, q=query) == first, query
    for query in ("Schlüssel", "schluessel", "für lager", "Möller", "MÖLLER"):
        assert _titles(employee, q=query) == second, query
    assert sorted(_titles(employee, q="für")) == sorted(first + second)
    assert _titles(employee, q="quellen queues") == ["Quellen im Ticketsystem"]
    assert _titles(employee, q="gebuehr schluessel") == []


def test_a_word_is_looked_up_as_typed_and_the_other_german_way():
    from tracker.search import search_query, spellings

    assert spellings("Müller") == ["Muller", "Mueller"]
    assert spellings("Mueller") == ["Mueller", "Muller"]
    assert spellings("Quelle") == ["Quelle"]
    assert spellings("neue") == ["neue"] and spellings("Bauer") == ["Bauer"] and spellings("Steuer") == ["Steuer"]
    assert spellings("Aerger") == ["Aerger", "Arger"] and spellings("UEBER") == ["UEBER", "UBER"]
    assert spellings("due") == ["due"] and spellings("Joe") == ["Joe"] and spellings("ue") == ["ue"]  # "du*", "Jo*"
    assert spellings("Straße") == ["Strasse"]
    assert search_query("Müller fax", "postgresql") == "(Muller:* | Mueller:*) & fax:*"
    assert search_query("Müller fax", "sqlite") == '("Muller"* OR "Mueller"*) AND "fax"*'


def test_the_query_is_folded_as_the_migration_folds_the_index():
    """PostgreSQL's index folds with the migration's letters, the query with tracker/search.py's."""
    from importlib import util
    from pathlib import Path

    from tracker.search import ACCENTED, fold

    path = Path(__file__).parents[2] / "migrations" / "versions" / "0014_search_folds_spellings.py"
    spec = util.spec_from_file_location("migration_0014", path)
    migration = util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.FOLD_FROM == ACCENTED and len(ACCENTED) > 400
    assert fold(migration.FOLD_FROM) == migration.FOLD_TO


def test_every_accented_latin_letter_is_found_by_its_plain_one(employee):
    """On the database itself, one item per letter (upper and lower case, two accents, the
    Turkish dotted İ): its word is found by the word with the plain letter, and by itself."""
    from tracker.search import ACCENTED

    sample = ACCENTED[::4] + "İǖệẞ"
    for n, letter in enumerate(sample):
        make_idea(employee, title=f"Letter {n}", description=f"q{letter}q")
    for n, letter in enumerate(sample):
        plain = "ss" if letter == "ẞ" else unicodedata.normalize("NFD", letter)[0]
        assert f"Letter {n}" in _titles(employee, q=f"q{plain}q"), letter
        assert f"Letter {n}" in _titles(employee, q=f"q{letter}q"), letter


def test_sqlites_full_text_index_agrees_with_what_it_indexes(employee):
    """FTS5 reads the folded view as its content: its own integrity check holds with ß in the
    text, and its 'rebuild' indexes the same folded words the triggers do."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's FTS5 table (PostgreSQL folds in its generated column)")
    make_idea(employee, title="Straßenbahn", description="Größe")
    db.session.execute(text("INSERT INTO ideas_fts(ideas_fts, rank) VALUES ('integrity-check', 1)"))
    db.session.execute(text("INSERT INTO ideas_fts(ideas_fts) VALUES ('rebuild')"))
    db.session.commit()
    assert _titles(employee, q="strassenbahn grosse") == ["Straßenbahn"]


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "NEAR(a b)", "*", "a AND", "ä ö ü", "\x00", "-"])
def test_search_takes_any_text(employee, query):
    make_idea(employee)
    assert isinstance(_titles(employee, q=query), list)


def test_votes_leave_nothing_for_searches_to_read_through_on_postgresql(employee, colleague):
    """Each vote writes the item's row anew, and its search words into the full-text index
    again: straight into the index (migration 0012), not into a pending list every search
    would read until the next vacuum. (The index's setting is what this checks; the vote and
    the search after it only show that both still work with it.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's GIN index (SQLite searches its FTS5 table)")
    options = db.session.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'ix_ideas_fts'"))
    assert options == ["fastupdate=off"]
    idea = make_idea(employee, title="Fax cover sheets")
    services.cast_vote(idea, colleague, 15)
    services.withdraw_vote(idea, colleague)
    assert _titles(employee, q="fax") == ["Fax cover sheets"]


def test_edited_items_are_found_by_their_new_words(employee):
    idea = make_idea(employee, title="Old words")
    services.update_idea(idea, employee, kind=idea.kind, title="Fresh wording", description=idea.description,
                         category=idea.category, team=idea.team, minutes_per_week=10, anonymous=False)
    assert _titles(employee, q="fresh") == ["Fresh wording"]
    assert _titles(employee, q="old") == []


def test_list_sorts_and_filters(employee, colleague, admin, other_team):
    cheap = make_idea(employee, title="Cheap", minutes_per_week=10)
    costly = make_idea(employee, title="Costly", minutes_per_week=300, team=other_team)
    idea = make_idea(colleague, title="Idea", kind=Kind.IDEA)
    services.cast_vote(cheap, colleague, 0)
    services.cast_vote(cheap, admin, 0)
    services.cast_vote(idea, employee)
    assert _titles(employee, sort="votes") == ["Cheap", "Idea", "Costly"]
    assert _titles(employee, sort="hours") == ["Costly", "Cheap", "Idea"]
    assert _titles(employee, sort="newest") == ["Idea", "Costly", "Cheap"]
    assert _titles(employee, sort="active")[0] == "Idea"
    assert _titles(employee, kind=Kind.IDEA) == ["Idea"]
    assert _titles(employee, team=other_team.id) == ["Costly"]
    assert _titles(colleague, mine=True) == ["Idea"]
    assert _titles(employee, status=Status.REVIEW) == []
    assert set(_titles(employee, category=category().id)) == {"Cheap", "Costly", "Idea"}
    assert costly.id


def test_load_user_checks_the_session_token_and_counts_unread(employee, colleague):
    from tracker import notifications

    idea = make_idea(employee)
    services.add_comment(idea, colleague, "Same here")  # tells the author
    ident = employee.get_id()
    db.session.expunge_all()
    user = services.load_user(ident)
    assert user.email == employee.email and user.unread_count == notifications.unread_count(user) == 1
    number, _, token = ident.partition(":")
    assert services.load_user(f"{number}:wrong-token") is None
    assert services.load_user(f"{number}") is None
    assert services.load_user("99999999999999999999:" + token) is None  # beyond any id: no query, no error
    assert services.load_user("x:" + token) is None


def test_the_signed_in_user_brings_the_teams_they_lead(leader, team, other_team, employee):
    """The loader's led team ids agree with led_teams, none for an employee, and a change of
    teams shows after the commit (the loaded ids are not kept past it)."""
    ident, employee_ident = leader.get_id(), employee.get_id()
    mine, other, other_name = team.id, other_team.id, other_team.name
    db.session.expunge_all()
    user = services.load_user(ident)
    assert user.led_team_list == str(mine) and user.led_team_ids == [mine]
    assert services.load_user(employee_ident).led_team_ids == []
    services.update_team(db.session.get(Team, other), other_name, [user.id])
    assert sorted(user.led_team_ids) == sorted([mine, other])
    db.session.expunge_all()
    assert sorted(services.load_user(ident).led_team_ids) == sorted([mine, other])


def test_core_execute_runs_in_the_sessions_transaction():
    """Reads without the ORM see what the session has pending (flushed first), and a rollback
    takes back what a statement run that way changed."""
    from sqlalchemy import update

    from tracker.extensions import core_execute

    db.session.add(Team(name="Pending team"))
    assert "Pending team" in core_execute(select(Team.name)).scalars().all()
    db.session.commit()
    core_execute(update(Team).where(Team.name == "Pending team").values(name="Renamed"))
    db.session.rollback()
    assert db.session.scalars(select(Team.name)).all() == ["Pending team"]


def test_item_page_reads_history_comments_and_duplicates_in_order(employee, colleague, leader):
    from datetime import datetime

    from tracker import triage

    idea = make_idea(employee)
    copy = make_idea(colleague, title="The same again")
    later = make_idea(colleague, title="And once more")
    triage.move_idea(idea, leader, Status.REVIEW, note="Looking into it")
    body = 'Quotes " and \\ backslash, tab\tand newline\n, ümlaut, emoji 🙂, <b>tags</b>'
    first = services.add_comment(idea, colleague, body)
    second = services.add_comment(idea, leader, "Second")
    # Same moment for both comments: the older id comes first. Microseconds survive the trip.
    moment = datetime(2026, 3, 1, 12, 30, 15, 123456)
    for comment in (second, first):
        comment.created_at = moment
    for duplicate in (later, copy):
        duplicate.duplicate_of_id = idea.id
    db.session.commit()

    page = services.item_page(idea.id, colleague)

    assert page.idea.id == idea.id and page.idea.category.code == "paperwork"
    assert [(c.from_status, c.to_status, c.actor and (c.actor.id, c.actor.name), c.note) for c in page.history] == [
        (None, Status.NEW, None, ""), (Status.NEW, Status.REVIEW, (leader.id, leader.name), "Looking into it")]
    assert [(c.id, c.author_id, c.author.name, c.body, c.created_at) for c in page.comments] == [
        (first.id, colleague.id, colleague.name, body, moment), (second.id, leader.id, leader.name, "Second", moment)]
    assert [(d.id, d.title) for d in page.duplicates] == [(copy.id, copy.title), (later.id, later.title)]


def test_item_page_of_a_fresh_item_has_empty_lists_and_none_for_a_missing_one(employee):
    idea = make_idea(employee)
    page = services.item_page(idea.id, employee)
    assert (len(page.history), page.comments, page.duplicates) == (1, [], [])
    assert services.item_page(idea.id + 1000, employee) is None


def test_views_and_hooks_are_asked_once_whether_they_are_async(monkeypatch):
    """ensure_sync asks Flask once per function and answers the same function after that; the
    memo stops growing at its limit (and still answers)."""
    asked = []

    def ask(self, func):
        asked.append(func)
        return func

    monkeypatch.setattr(Flask, "ensure_sync", ask)
    app = _Flask("memo")
    app.MEMO_LIMIT = 3

    def view():
        return "ok"

    assert [app.ensure_sync(view) for _ in range(3)] == [view] * 3
    assert asked == [view]
    made = [lambda: None for _ in range(5)]
    assert [app.ensure_sync(f) for f in made] == made
    assert len(app._synced) == 3 and len(asked) == 6
    assert app.ensure_sync(made[-1]) is made[-1] and len(asked) == 7  # past the limit: asked again
