"""An anonymous author's name and email appear to nobody else, on any page or fragment."""
import re

import pytest

from tests.conftest import login
from tests.factories import make_idea, make_team, make_user
from tracker import services, triage
from tracker.extensions import db
from tracker.workflow import Kind, Role, Status


@pytest.fixture
def hidden_authors(team, other_team, smtp):
    """Three people whose items are anonymous and who comment on them. The third leads the team
    that owns her anonymous item; another leader of it moves it (she may not: tests/views/
    test_board.py). Email goes to a real local SMTP server."""
    first = make_user("hanna.hidden@example.com", "Hanna Verborgen", team=team)
    second = make_user("ian.incognito@example.com", "Ian Incognito", team=other_team)
    third_team = make_team("Controlling")
    third = make_user("lea.leise@example.com", "Lea Leise", role=Role.LEADER, team=third_team, leads=[third_team])
    ideas = [
        make_idea(first, title="Anonymous pain about approvals", anonymous=True),
        make_idea(first, title="Anonymous idea about forms", kind=Kind.IDEA, anonymous=True, team=other_team),
        make_idea(second, title="Second anonymous pain", anonymous=True, minutes_per_week=120),
        make_idea(third, title="A leader's anonymous pain", anonymous=True, team=third_team),
    ]
    services.add_comment(ideas[0], first, "More details from me, the author")
    services.add_comment(ideas[2], second, "Still happening every week")
    co_leader = make_user("max.mitleiter@example.com", "Max Mitleiter", role=Role.LEADER, team=third_team,
                          leads=[third_team])
    triage.move_idea(ideas[3], co_leader, Status.REVIEW, note="Taking this on")
    services.add_comment(ideas[3], third, "Answering my own item")
    return [first, second, third], ideas


def _pages(app, ideas):
    """Every GET page that shows items, filled in for every item, plus list variants."""
    urls = {"/", "/?sort=newest", "/?sort=hours", "/?sort=active", "/?mine=1", "/?q=anonymous",
            "/?kind=pain_point", "/?status=new"}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("admin.", "static")):
            continue  # the admin's people list names everyone, without saying who wrote what
        if "<int:idea_id>" in rule.rule:
            urls.update(rule.rule.replace("<int:idea_id>", str(idea.id)) for idea in ideas)
        elif "<" not in rule.rule:
            urls.add(rule.rule)
    return sorted(urls)


@pytest.mark.parametrize("role", ["employee", "leader of the owning team", "other leader", "admin"])
def test_no_page_or_email_names_an_anonymous_author(app, client, hidden_authors, role, employee, leader,
                                                    other_leader, admin, smtp):
    authors, ideas = hidden_authors
    viewer = {"employee": employee, "leader of the owning team": leader, "other leader": other_leader,
              "admin": admin}[role]
    for idea in ideas:  # the viewer follows every item, so notifications about them reach the viewer
        services.add_comment(idea, viewer, "Looking into it")
    services.add_comment(ideas[0], authors[0], "And once more, after the viewer")
    services.add_comment(ideas[2], authors[1], "Answering the viewer")
    login(client, viewer)
    seen = []
    for url in _pages(app, ideas):
        response = client.get(url)
        seen.append((url, response.get_data(as_text=True)))
    for idea in ideas:  # the vote box the script asks for, after voting and withdrawing
        for action in ("vote", "unvote"):
            response = client.post(f"/ideas/{idea.id}/{action}", data={"minutes_per_week": "15"},
                                   headers={"X-Fragment": "vote"})
            seen.append((f"{action} {idea.id}", response.get_data(as_text=True)))
    assert len(seen) > 15
    seen += [(f"email to {m['To']}", m["Subject"] + smtp.body(m)) for m in smtp.messages
             if not any(a.email in m["To"] for a in authors)]
    assert any(url.startswith("email") for url, _ in seen)
    for url, html in seen:
        for author in authors:
            for secret in (author.name, author.email, author.email.split("@")[0]):
                assert secret.lower() not in html.lower(), f"{secret} leaks on {url}"
    detail = dict(seen)[f"/ideas/{ideas[0].id}"]
    assert "Anonymous" in detail and "the author (anonymous)" in detail
    assert "More details from me, the author" in detail


def test_the_author_sees_you_anonymous_and_can_edit(client, hidden_authors):
    authors, ideas = hidden_authors
    login(client, authors[0])
    page = client.get(f"/ideas/{ideas[0].id}").get_data(as_text=True)
    assert "you (anonymous)" in page
    assert f'/ideas/{ideas[0].id}/edit' in page
    assert client.get(f"/ideas/{ideas[0].id}/edit").status_code == 200
    mine = client.get("/?mine=1").get_data(as_text=True)
    assert "Anonymous pain about approvals" in mine and "Second anonymous pain" not in mine


def test_mine_filter_does_not_reveal_others(client, hidden_authors, employee):
    login(client, employee)
    page = client.get("/?mine=1").get_data(as_text=True)
    assert "Anonymous pain about approvals" not in page
    assert re.search(r"0 items", page)


def test_a_leader_who_moved_their_own_item_cannot_make_it_anonymous(client, leader, team):
    """The history names who moved it: made anonymous, it would say "the author" did, one of the
    team's few leaders. The edit page says why and keeps what was typed; nothing is saved."""
    from tracker.models import Idea

    idea = make_idea(leader, title="Mine, signed", team=team)
    triage.move_idea(idea, leader, Status.REVIEW)
    login(client, leader)
    refused = client.post(f"/ideas/{idea.id}/edit", data={
        "kind": idea.kind, "title": "Mine, edited", "description": idea.description, "category_id": idea.category_id,
        "team_id": team.id, "minutes_per_week": "30", "anonymous": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "it can no longer be made anonymous" in page and "Mine, edited" in page
    db.session.expire_all()
    assert (db.session.get(Idea, idea.id).anonymous, db.session.get(Idea, idea.id).title) == (False, "Mine, signed")


def test_a_leaders_or_admins_comment_on_their_own_item_is_no_first_response(leader, admin, team, colleague):
    """Adding to one's own item answers nobody: it keeps waiting for its team, and its author
    may still make it anonymous (no answer of theirs tells that "the author" leads the team)."""
    def fields(idea):
        return dict(kind=idea.kind, title=idea.title, description=idea.description, category=idea.category,
                    team=idea.team, minutes_per_week=30, anonymous=True)

    for author in (leader, admin):
        own = make_idea(author, title="Mine", team=team)
        services.add_comment(own, colleague, "Same here")
        services.add_comment(own, author, "More detail from me")
        db.session.refresh(own)
        assert own.first_response_at is None
        services.update_idea(own, author, **fields(own))
        assert own.anonymous


def test_an_author_whose_own_comment_once_counted_as_first_response_stays_named(leader, team, colleague):
    """Before an author's own comment stopped counting, a leader's comment on their own item
    set the first response; such an item shows a leader answered as "the author": refused."""
    from tracker.errors import DomainError
    from tracker.models import Comment

    older = make_idea(leader, title="Answered by me, back then", team=team)
    services.add_comment(older, colleague, "Same here")
    mine = services.add_comment(older, leader, "We are on it")
    older.first_response_at = db.session.get(Comment, mine.id).created_at  # as add_comment once set it
    db.session.commit()
    with pytest.raises(DomainError, match="it can no longer be made anonymous"):
        services.update_idea(older, leader, kind=older.kind, title=older.title, description=older.description,
                             category=older.category, team=older.team, minutes_per_week=30, anonymous=True)


def test_older_hand_overs_by_an_author_now_anonymous_name_nobody(client, leader, team, other_team, colleague):
    """Made anonymous before that was refused (above): the hand-over reads "A leader", as moves do."""
    idea = make_idea(leader, title="Handed on", team=team)
    services.cast_vote(idea, colleague)
    triage.hand_over(idea, leader, other_team)
    login(client, colleague)
    assert f"Lena Leiterin handed “Handed on” over to team {other_team.name}." in client.get("/notifications").get_data(
        as_text=True)
    idea.anonymous = True
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "Lena" not in page and f"A leader handed “Handed on” over to team {other_team.name}." in page


def test_an_author_who_turns_anonymous_later_is_not_named_in_older_notifications(client, employee, colleague):
    idea = make_idea(employee, title="Signed at first")
    services.cast_vote(idea, colleague)
    services.add_comment(idea, employee, "Some more detail")  # tells the voter, naming the author
    login(client, colleague)
    assert "Erika Mustermann commented" in client.get("/notifications").get_data(as_text=True)
    fields = dict(kind=idea.kind, title=idea.title, description=idea.description, category=idea.category,
                  team=idea.team, minutes_per_week=30, anonymous=True)
    services.update_idea(idea, employee, **fields)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Erika" not in page and "The author (anonymous) commented" in page
