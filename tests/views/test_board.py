import re

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.factories import make_idea
from tracker import services, triage
from tracker.extensions import db
from tracker.models import Notification
from tracker.workflow import Kind, Status


def test_board_shows_columns_cards_and_the_leaders_teams(login_as, employee, leader, other_team):
    mine = make_idea(employee, title="In my team")
    make_idea(employee, title="Elsewhere", team=other_team)
    services.cast_vote(mine, leader, 30)
    page = login_as(leader).get("/board").get_data(as_text=True)
    for label in ("New", "Under review", "Planned", "In progress", "Implemented", "Declined", "Duplicate"):
        assert f">{label}" in page
    assert "In my team" in page and "Elsewhere" not in page
    assert "1 vote" in page and "1 h/week lost" in page and "Move…" in page
    everything = login_as(leader).get("/board?team=").get_data(as_text=True)
    assert "Elsewhere" in everything


def test_move_on_a_card_opens_the_move_page_and_returns_to_the_board(login_as, employee, leader):
    idea = make_idea(employee, title="Travel form")
    client = login_as(leader)
    board = client.get("/board?kind=pain_point").get_data(as_text=True)
    link = f'href="/ideas/{idea.id}/move?next=/board%3Fkind%3Dpain_point"'
    assert link in board
    page = client.get(f"/ideas/{idea.id}/move?next=/board%3Fkind%3Dpain_point").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/board?kind=pain_point"' in page
    assert '<a href="/board?kind=pain_point">Cancel</a>' in page
    refused = client.post(f"/ideas/{idea.id}/move", data={"to_status": "declined", "next": "/board?kind=pain_point"})
    assert refused.status_code == 422 and '<a href="/board?kind=pain_point">Cancel</a>' in refused.get_data(as_text=True)
    moved = client.post(f"/ideas/{idea.id}/move", data={"to_status": "review", "next": "/board?kind=pain_point"})
    assert moved.status_code == 302 and moved.headers["Location"] == "/board?kind=pain_point"
    alone = client.get(f"/ideas/{idea.id}/move").get_data(as_text=True)
    assert f'<a href="/ideas/{idea.id}">Cancel</a>' in alone


def test_an_idea_card_claims_no_hours_lost(login_as, employee, colleague):
    idea = make_idea(employee, title="Shared calendar", kind=Kind.IDEA, minutes_per_week=None)
    services.cast_vote(idea, colleague)
    client = login_as(colleague)
    card = client.get("/board").get_data(as_text=True).split('data-idea-id="%d"' % idea.id)[1].split("</li>")[0]
    assert "1 vote" in card and "h/week lost" not in card
    vote_box = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "You voted for this idea." in vote_box and "me too" not in vote_box


def test_employees_see_the_board_without_controls(login_as, colleague, employee):
    make_idea(employee, title="Visible")
    page = login_as(colleague).get("/board").get_data(as_text=True)
    assert "Visible" in page
    assert "Move…" not in page and "data-movable" not in page and "board.js" not in page


def test_columns_show_the_top_cards_and_link_to_all(app, login_as, employee, leader):
    saved, app.config["BOARD_CARDS_PER_COLUMN"] = app.config["BOARD_CARDS_PER_COLUMN"], 3
    try:
        ideas = [make_idea(employee, title=f"Card {i}") for i in range(6)]
        triage.move_idea(ideas[0], leader, Status.REVIEW)
        page = login_as(leader).get("/board").get_data(as_text=True)
    finally:
        app.config["BOARD_CARDS_PER_COLUMN"] = saved
    assert page.count("data-card ") == 3 + 1
    assert "Show all 5" in page and "status=new" in page
    counts = re.findall(r'class="column-count">(\d+)<', page)
    assert counts[:2] == ["5", "1"], counts  # New, Under review; the other columns are empty
    assert set(counts[2:]) == {"0"}, counts


def test_move_without_javascript(login_as, employee, leader):
    idea = make_idea(employee)
    client = login_as(leader)
    response = client.post(f"/ideas/{idea.id}/move", data={"to_status": "review", "note": "On it",
                                                           "next": "/board"})
    assert response.status_code == 302 and response.location == "/board"
    db.session.refresh(idea)
    assert idea.status == "review"
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Lena Leiterin" in page and "On it" in page
    assert "Time to first response: 1 minute" in page  # answered at once: not rounded up to an hour


def test_a_refused_move_is_explained_and_keeps_the_input(login_as, employee, leader):
    idea = make_idea(employee)
    client = login_as(leader)
    response = client.post(f"/ideas/{idea.id}/move", data={"to_status": "implemented", "note": "My typed note"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "An item cannot move from “New” to “Implemented”." in page and "My typed note" in page
    response = client.post(f"/ideas/{idea.id}/move", data={"to_status": "declined", "note": ""})
    assert "Please give the reason." in response.get_data(as_text=True)
    db.session.refresh(idea)
    assert idea.status == "new"


@pytest.mark.parametrize("field,typed,message", [
    ("saving_hours", "sNaN", "Enter between 0 and 10000 hours per week."),  # broke the range check: a 500
    ("saving_hours", "NaN", "Enter between 0 and 10000 hours per week."),
    ("saving_hours", "zwei", "Enter between 0 and 10000 hours per week."),
    ("duplicate_of", "zwölf", "Please give the number of the item this one duplicates."),
    ("duplicate_of", "١٢", "Please give the number of the item this one duplicates."),  # Arabic-Indic 12
])
def test_a_number_that_cannot_be_read_gets_one_message(login_as, employee, leader, field, typed, message):
    idea = make_idea(employee)
    for step in (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS):
        triage.move_idea(idea, leader, step)
    to_status = "implemented" if field == "saving_hours" else "duplicate"
    response = login_as(leader).post(f"/ideas/{idea.id}/move", data={"to_status": to_status, "note": "My typed note",
                                                                     field: typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count(message) == 1 and "Not a valid" not in page and "My typed note" in page
    db.session.refresh(idea)
    assert idea.status == "in_progress"


@pytest.mark.parametrize("typed,minutes", [
    ("1,5", 90),  # the German decimal comma
    ("120", 120 * 60),  # for the whole company: it was capped at 40 hours, one person's week
])
def test_a_saving_is_read_as_leaders_write_it(login_as, employee, leader, typed, minutes):
    idea = make_idea(employee)
    for step in (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS):
        triage.move_idea(idea, leader, step)
    login_as(leader).post(f"/ideas/{idea.id}/move", data={"to_status": "implemented", "note": "Online",
                                                         "saving_hours": typed})
    db.session.refresh(idea)
    assert (idea.status, idea.saving_minutes) == ("implemented", minutes)


def test_implemented_without_note_and_saving_hears_of_both_at_once(login_as, employee, leader):
    idea = make_idea(employee)
    for step in (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS):
        triage.move_idea(idea, leader, step)
    client = login_as(leader)
    page = client.post(f"/ideas/{idea.id}/move", data={"to_status": "implemented"}).get_data(as_text=True)
    assert "Please describe what changed." in page and "Please estimate the saving" in page
    for field in ("note", "saving_hours"):  # each sentence marks its own field
        tag = page[page.index(f'id="{field}"') - 300:page.index(f'id="{field}"') + 300]
        assert 'aria-invalid="true"' in tag, field
    answer = client.post(f"/ideas/{idea.id}/move", data={"to_status": "implemented"},
                         headers={"Accept": "application/json"}).json
    assert "Please describe what changed." in answer["message"] and "Please estimate the saving" in answer["message"]
    db.session.refresh(idea)
    assert idea.status == "in_progress"


def test_move_answers_json_for_the_board_script(login_as, employee, leader):
    idea = make_idea(employee)
    client = login_as(leader)
    refused = client.post(f"/ideas/{idea.id}/move", data={"to_status": "planned"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 422 and "cannot move" in refused.json["message"]
    moved = client.post(f"/ideas/{idea.id}/move", data={"to_status": "review", "next": "/board"},
                        headers={"Accept": "application/json"})
    assert moved.json["ok"] and moved.json["status"] == "review"
    assert f'data-idea-id="{idea.id}"' in moved.json["card"] and 'data-status="review"' in moved.json["card"]


def test_implemented_with_saving_and_the_you_said_we_did_page(login_as, employee, leader):
    idea = make_idea(employee, title="Paper travel forms")
    for step in (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS):
        triage.move_idea(idea, leader, step)
    client = login_as(leader)
    client.post(f"/ideas/{idea.id}/move", data={"to_status": "implemented", "note": "Online form now",
                                               "saving_hours": "2.5"})
    db.session.refresh(idea)
    assert (idea.status, idea.saving_minutes) == ("implemented", 150)
    page = client.get("/implemented").get_data(as_text=True)
    assert "Paper travel forms" in page and "Online form now" in page and "2.5" in page
    client.post("/language", data={"locale": "de"})
    german = client.get("/implemented").get_data(as_text=True)
    assert "2,5" in german


def test_duplicate_by_number_links_both_ways(login_as, employee, colleague, leader):
    original = make_idea(colleague, title="Original")
    copy = make_idea(employee, title="Copy")
    client = login_as(leader)
    client.post(f"/ideas/{copy.id}/move", data={"to_status": "duplicate", "duplicate_of": original.id,
                                               "note": "Same"})
    copy_page = client.get(f"/ideas/{copy.id}").get_data(as_text=True)
    assert "Merged into" in copy_page and f"#{original.id} Original" in copy_page
    original_page = client.get(f"/ideas/{original.id}").get_data(as_text=True)
    assert "Merged duplicates" in original_page and f"#{copy.id} Copy" in original_page
    bad = client.post(f"/ideas/{original.id}/move", data={"to_status": "duplicate", "duplicate_of": 99999999})
    assert "There is no item #99999999." in bad.get_data(as_text=True)


def test_a_duplicate_number_may_be_written_as_the_pages_write_it(login_as, employee, colleague, leader):
    original = make_idea(colleague, title="Original")
    copy = make_idea(employee, title="Copy")
    login_as(leader).post(f"/ideas/{copy.id}/move", data={"to_status": "duplicate", "duplicate_of": f"#{original.id}",
                                                         "note": "Same"})
    db.session.refresh(copy)
    assert (copy.status, copy.duplicate_of_id) == ("duplicate", original.id)


def test_employees_cannot_move_on_the_server(login_as, employee, colleague):
    idea = make_idea(employee)
    client = login_as(colleague)
    assert client.post(f"/ideas/{idea.id}/move", data={"to_status": "review"}).status_code == 403
    assert "Move this item" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_notifications_page_bell_and_read(login_as, client, employee, colleague, leader):
    idea = make_idea(employee, title="Printer queue")
    services.add_comment(idea, colleague, "Same here")
    triage.move_idea(idea, leader, Status.REVIEW, note="Looking")
    login_as(employee)
    home = client.get("/").get_data(as_text=True)
    assert "2 unread" in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "Max Muster commented on “Printer queue”." in page
    assert "Lena Leiterin moved “Printer queue” from New to Under review." in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == employee.id))
    response = client.post(f"/notifications/{note.id}/open")
    assert response.location == f"/ideas/{idea.id}"
    assert "1 unread" in client.get("/").get_data(as_text=True)
    client.post("/notifications/read-all")
    assert "0 unread" in client.get("/").get_data(as_text=True)


def test_notes_and_comments_read_as_markdown_on_the_page_and_as_words_in_excerpts(login_as, client, employee,
                                                                                 colleague, leader):
    idea = make_idea(employee, title="Stamp")
    services.add_comment(idea, colleague, "**Same** here, see [the form](https://example.com/f)")
    triage.move_idea(idea, leader, Status.DECLINED, note="**Nicht** möglich: <i>Recht</i>")
    page = login_as(employee).get(f"/ideas/{idea.id}").get_data(as_text=True)
    history = page.split('class="timeline"')[1]
    assert "<p><strong>Nicht</strong> möglich: &lt;i&gt;Recht&lt;/i&gt;</p>" in history
    assert "Declined: Nicht möglich: &lt;i&gt;Recht&lt;/i&gt;</p>" in page  # in a sentence: the words
    notes = client.get("/notifications").get_data(as_text=True)
    assert "Same here, see the form</p>" in notes and "Nicht möglich: &lt;i&gt;Recht&lt;/i&gt;</p>" in notes
    assert "**" not in notes


def test_leaders_start_page_lists_waiting_items(login_as, employee, leader):
    from datetime import timedelta

    from tracker.models import utcnow

    idea = make_idea(employee, title="Old unanswered")
    idea.created_at = utcnow() - timedelta(days=20)
    db.session.commit()
    page = login_as(leader).get("/").get_data(as_text=True)
    assert "Waiting for a response" in page and "Old unanswered" in page
    assert "Show all" not in page.split('id="waiting-heading"')[1].split("</section>")[0]  # all shown
    for n in range(6):
        make_idea(employee, title=f"Also old {n}").created_at = utcnow() - timedelta(days=19)
    db.session.commit()
    page = login_as(leader).get("/").get_data(as_text=True)
    panel = page.split('id="waiting-heading"')[1].split("</section>")[0]
    assert '<span class="column-count">7</span>' in panel and panel.count("<li>") == 5
    assert "Old unanswered" in panel and "Also old 5" not in panel  # the oldest first
    assert "/?waiting=1&amp;team=mine" in panel and "Show all 7" in panel
    listed = login_as(leader).get("/?waiting=1&team=mine").get_data(as_text=True)
    assert "7 items" in listed and "Old unanswered" in listed and 'id="waiting" name="waiting" value="1" checked' in listed
    fresh = make_idea(employee, title="Fresh today")
    answered = make_idea(employee, title="Answered long ago")
    answered.created_at, answered.first_response_at = utcnow() - timedelta(days=30), utcnow()
    db.session.commit()
    listed = login_as(leader).get("/?waiting=1").get_data(as_text=True)
    assert "7 items" in listed and fresh.title not in listed and answered.title not in listed
    board = login_as(leader).get("/board").get_data(as_text=True)
    assert "Waiting for a response" in board


def test_email_preference_in_settings(login_as, employee):
    client = login_as(employee)
    client.post("/settings", data={"locale": "en", "email_preference": "daily"})
    db.session.refresh(employee)
    assert employee.email_preference == "daily"
    assert client.post("/settings", data={"locale": "en", "email_preference": "hourly"}).status_code == 200
    db.session.refresh(employee)
    assert employee.email_preference == "daily"


def test_nobody_moves_their_own_anonymous_item(app, client, leader, team, other_leader):
    """That "the author" moved it would tell everyone a leader of the team wrote it: another
    leader or an admin moves it, and the author's own comment is no first response."""
    from tracker.models import Idea
    from tracker.workflow import Role

    idea = make_idea(leader, title="My own quiet complaint", anonymous=True, team=team)
    someone_elses = make_idea(other_leader, title="A colleague's complaint", anonymous=True, team=team)
    services.add_comment(idea, leader, "More from me")
    login(client, leader)
    board = client.get("/board").get_data(as_text=True)
    cards = {int(m.group(1)): m.group(0) for m in re.finditer(r'<li class="board-card"[^>]*data-idea-id="(\d+)".*?</li>',
                                                             board, re.S)}
    assert "data-may-move" not in cards[idea.id] and "Move…" not in cards[idea.id]
    assert "data-may-move" in cards[someone_elses.id] and "Move…" in cards[someone_elses.id]
    refused = client.post(f"/ideas/{idea.id}/move", data={"to_status": "review"}, follow_redirects=True)
    assert "You wrote this item anonymously." in refused.get_data(as_text=True)
    script = client.post(f"/ideas/{idea.id}/move", data={"to_status": "review"},
                         headers={"Accept": "application/json"})
    assert script.status_code == 403 and "another leader of its team or an admin" in script.get_json()["message"]
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f"/ideas/{idea.id}/move" not in page and "Time to first response" not in page
    db.session.expire_all()
    assert (db.session.get(Idea, idea.id).status, db.session.get(Idea, idea.id).first_response_at) == ("new", None)
    other_leader.role = Role.LEADER
    other_leader.led_teams.append(team)
    db.session.commit()
    client.post("/logout")
    login(client, other_leader)
    assert client.post(f"/ideas/{idea.id}/move", data={"to_status": "review"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "review"


def test_a_move_returning_to_an_address_with_a_line_break_goes_to_the_list(client, employee, leader):
    """A crafted ?next= with a line break cannot be a redirect's header: the move is saved
    and the answer is the list, not an error page after the change."""
    from tracker.models import Idea

    idea = make_idea(employee)
    login(client, leader)
    done = client.post(f"/ideas/{idea.id}/move", data={"to_status": "review", "next": "/board\r\nX-Injected: 1"})
    assert done.status_code == 302 and done.location == "/" and "X-Injected" not in done.headers
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "review"


def test_a_leader_hands_an_item_over_to_another_team(client, employee, leader, team, other_team, other_leader):
    """An open item filed with the wrong team goes to the right one: its leaders hear of it as of
    a new item, it keeps status and votes, and the boards' totals follow."""
    from tracker.models import Idea, TeamStatusCount

    idea = make_idea(employee, title="Wrong desk", team=team)
    triage.move_idea(idea, leader, Status.REVIEW)
    login(client, leader)
    page = client.get(f"/ideas/{idea.id}/move").get_data(as_text=True)
    assert "Hand over to another team" in page and f'value="{other_team.id}"' in page
    assert f'<option value="{team.id}"' not in page  # not to the team it is with
    refused = client.post(f"/ideas/{idea.id}/hand-over", data={"team_id": "0"})
    assert refused.status_code == 422 and "Choose the team that owns the process." in refused.get_data(as_text=True)
    done = client.post(f"/ideas/{idea.id}/hand-over", data={"team_id": other_team.id}, follow_redirects=True)
    assert f"Handed over to team “{other_team.name}”." in done.get_data(as_text=True)
    db.session.expire_all()
    moved = db.session.get(Idea, idea.id)
    assert (moved.team_id, moved.status) == (other_team.id, "review")
    counts = {(c.team_id, c.status): c.n for c in db.session.scalars(select(TeamStatusCount))}
    assert counts.get((other_team.id, "review")) == 1 and counts.get((team.id, "review"), 0) == 0
    [told] = db.session.scalars(select(Notification).where(Notification.user_id == other_leader.id)).all()
    assert told.type == "new_item"
    # It is the other team's now: its former leader may move it no more, and reads why.
    assert client.post(f"/ideas/{idea.id}/hand-over", data={"team_id": team.id}).status_code == 403
    again = client.get(f"/ideas/{idea.id}/move")
    assert again.status_code == 403
    assert "Only leaders of the owning team and admins can move this item." in again.get_data(as_text=True)
    script = client.post(f"/ideas/{idea.id}/move", data={"to_status": "planned"}, headers={"Accept": "application/json"})
    assert script.status_code == 403 and script.get_json()["message"].startswith("Only leaders of the owning team")


def test_a_hand_over_from_the_board_returns_to_the_board(client, employee, leader, team, other_team):
    idea = make_idea(employee, title="Wrong desk", team=team)
    login(client, leader)
    page = client.get(f"/ideas/{idea.id}/move?next=/board%3Fteam%3D").get_data(as_text=True)
    assert page.count('name="next" type="hidden" value="/board?team="') == 2  # the move's form and the hand-over's
    done = client.post(f"/ideas/{idea.id}/hand-over", data={"team_id": other_team.id, "next": "/board?team="})
    assert done.status_code == 302 and done.location == "/board?team="


def test_a_hand_over_shows_in_the_history_and_its_followers_hear_where_it_went(
        app, client, smtp, employee, colleague, leader, team, other_team, other_leader):
    idea = make_idea(employee, title="Wrong desk", team=team)
    services.cast_vote(idea, colleague, 15)
    smtp.messages.clear()
    login(client, leader)
    client.post(f"/ideas/{idea.id}/hand-over", data={"team_id": other_team.id})
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f"Handed over from team {team.name} to team {other_team.name}" in page
    said = f"{leader.name} handed “Wrong desk” over to team {other_team.name}."
    for follower in (employee, colleague):
        [email] = smtp.to(follower.email)
        assert email["Subject"] == f"Nebenan: {said}", follower
        reader = app.test_client()
        login(reader, follower)
        assert said in reader.get("/notifications").get_data(as_text=True)
    [to_leader] = smtp.to(other_leader.email)  # the new team's leader: a new item for them
    assert "New in team" in to_leader["Subject"]
    assert smtp.to(leader.email) == []  # not to the one who handed it over


def test_a_closed_item_stays_with_its_team(client, employee, leader, team, other_team):
    idea = make_idea(employee, team=team)
    triage.move_idea(idea, leader, Status.DECLINED, note="Not ours")
    login(client, leader)
    response = client.post(f"/ideas/{idea.id}/hand-over", data={"team_id": other_team.id})
    assert response.status_code == 422
    assert "This item is closed; it moves no further." in response.get_data(as_text=True)
    db.session.refresh(idea)
    assert idea.team_id == team.id
