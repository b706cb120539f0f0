import re

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import category, make_idea
from tracker import services, triage
from tracker.extensions import db
from tracker.models import Comment, Idea, Vote
from tracker.workflow import Status


def idea_form(team, **kw):
    data = {"kind": "pain_point", "title": "Travel expenses", "description": "Three **signatures**",
            "category_id": category().id, "team_id": team.id, "minutes_per_week": "45"}
    data.update(kw)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_submit_a_pain_point(login_as, employee, team):
    client = login_as(employee)
    assert client.get("/ideas/new").status_code == 200
    response = client.post("/ideas/new", data=idea_form(team))
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert (idea.title, idea.minutes_total, idea.author_id, idea.status) == ("Travel expenses", 45, employee.id, "new")
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>signatures</strong>" in page
    assert "Erika Mustermann" in page


@pytest.mark.parametrize("field,value,message", [
    ("title", "", "This field is required."),
    ("title", "x" * 161, "Field cannot be longer than 160 characters."),
    ("description", "", "This field is required."),
    ("minutes_per_week", "-5", "Enter between 0 and 2400 minutes per week."),
    ("minutes_per_week", "lots", "Enter whole minutes: a number between 0 and 2400."),
    ("minutes_per_week", "12,5", "Enter whole minutes: a number between 0 and 2400."),
    ("minutes_per_week", "\u0663\u0660", "Enter whole minutes: a number between 0 and 2400."),  # Arabic-Indic digits
    ("minutes_per_week", "5" * 5000, "Enter whole minutes: a number between 0 and 2400."),  # more than int() reads
    ("category_id", "99999", "Not a valid choice."),
    ("team_id", "abc", "Invalid Choice: could not coerce."),
    ("kind", "bribe", "Not a valid choice."),
    ("title", "Bell\x07", "Please remove the invisible control characters."),
    ("title", "Delete\x7f and C1\x9b", "Please remove the invisible control characters."),
    ("title", "Invoice \u202egnirts", "Please remove the invisible control characters."),  # the rest backwards
    ("title", "\u200b\u200b \ufeff", "This field is required."),  # nothing visible
    ("title", "\u2800\u3164 \U000e0041\u180e", "This field is required."),  # blank Braille, Hangul filler, a tag
])
def test_bad_input_is_explained_kept_and_nothing_saved(login_as, employee, team, field, value, message):
    client = login_as(employee)
    data = idea_form(team, **{"description": "My typed description stays", field: value})
    response = client.post("/ideas/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "Not a valid integer value." not in page
    if field != "description":
        assert "My typed description stays" in page
    assert count(Idea) == 0


def test_a_description_may_mix_writing_directions(login_as, employee, team):
    """Isolates around right-to-left words are refused in a title (one line, inside sentences)
    but kept in a description, a block of its own."""
    client = login_as(employee)
    text = "Der Lieferant \u2067\u05e9\u05dc\u05d5\u05dd\u2069 schickt Rechnungen nur per Fax."
    assert client.post("/ideas/new", data=idea_form(team, description=text)).status_code == 302
    assert db.session.scalar(select(Idea.description)) == text


def test_an_empty_form_marks_every_missing_answer_at_once(login_as, employee, team):
    client = login_as(employee)
    response = client.post("/ideas/new", data={"kind": "pain_point", "title": "", "description": "",
                                               "category_id": "0", "team_id": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("This field is required.") == 2  # title and description
    assert "Choose one of the categories." in page and "Choose the team that owns the process." in page
    assert count(Idea) == 0


def test_hostile_text_is_rendered_escaped(login_as, employee, colleague, team):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)> [link](javascript:alert(1))'
    client = login_as(employee)
    client.post("/ideas/new", data=idea_form(team, title=payload, description=payload))
    idea = db.session.scalar(select(Idea))
    services.add_comment(idea, colleague, payload)
    for url in ("/", f"/ideas/{idea.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
        assert 'href="javascript:' not in page


def test_very_long_text_is_refused_with_a_message(login_as, employee, team):
    client = login_as(employee)
    response = client.post("/ideas/new", data=idea_form(team, description="a" * 20001))
    assert response.status_code == 422
    assert b"Field cannot be longer than 20000 characters." in response.data
    response = client.post("/ideas/new", data=idea_form(team, description="a" * 3_000_000))
    assert response.status_code == 413
    assert count(Idea) == 0


def test_the_author_edits_and_others_may_not(login_as, client, employee, colleague, team):
    idea = make_idea(employee)
    login_as(colleague)
    refused = client.get(f"/ideas/{idea.id}/edit")
    assert refused.status_code == 403
    assert "Only the author can edit this, and only while it is open." in refused.get_data(as_text=True)
    assert f'href="/ideas/{idea.id}"' in refused.get_data(as_text=True)  # back to the item
    assert client.post(f"/ideas/{idea.id}/edit", data=idea_form(team, title="Hijacked")).status_code == 403
    client.post("/logout")
    login_as(employee)
    response = client.post(f"/ideas/{idea.id}/edit", data=idea_form(team, title="Better title", minutes_per_week="60"))
    assert response.status_code == 302
    db.session.refresh(idea)
    assert (idea.title, idea.minutes_total) == ("Better title", 60)


def test_vote_without_javascript_redirects_back(login_as, employee, colleague):
    idea = make_idea(employee, minutes_per_week=30)
    client = login_as(colleague)
    response = client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "60"})
    assert response.status_code == 302 and response.location == f"/ideas/{idea.id}#vote"
    page = client.get(response.location).get_data(as_text=True)
    # The answer sits in the vote box, where the page opens (#vote), not at the top of the page.
    vote_box = page[page.index('id="vote"'):page.index("</section>", page.index('id="vote"'))]
    assert 'role="status">Your vote is counted.</p>' in vote_box
    assert page.count("Your vote is counted.") == 1 and 'class="flashes"' not in page
    assert 'data-vote-count>1<' in page and 'data-hours-lost>1.5<' in page
    client.post(f"/ideas/{idea.id}/unvote")
    assert "Your vote is withdrawn." not in client.get("/").get_data(as_text=True)  # not carried to other pages
    db.session.refresh(idea)
    assert (idea.vote_count, idea.minutes_total, count(Vote)) == (0, 30, 0)


def test_a_vote_sent_again_from_an_outdated_tab_says_the_first_one_stays(login_as, employee, colleague):
    idea = make_idea(employee, minutes_per_week=30)
    client = login_as(colleague)
    client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "20"}, headers={"X-Fragment": "vote"})
    again = client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "90"},  # the other tab's form
                        headers={"X-Fragment": "vote"}).get_data(as_text=True)
    assert "You had voted on this already; your vote stays as it was." in again and "Your vote is counted." not in again
    assert "You lose 20 minutes per week." in again and "data-vote-count>1<" in again
    client.post(f"/ideas/{idea.id}/unvote", headers={"X-Fragment": "vote"})
    client.post("/language", data={"locale": "de", "next": "/"})
    gone = client.post(f"/ideas/{idea.id}/unvote", headers={"X-Fragment": "vote"}).get_data(as_text=True)
    assert "Sie hatten hier nicht abgestimmt; es gibt nichts zurückzuziehen." in gone
    db.session.refresh(idea)
    assert (idea.vote_count, idea.minutes_total, count(Vote)) == (0, 30, 0)


def test_vote_fragment_for_the_script(login_as, employee, colleague):
    idea = make_idea(employee, minutes_per_week=30)
    client = login_as(colleague)
    response = client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "90"}, headers={"X-Fragment": "vote"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<section") and "<html" not in html
    assert "data-vote-count>1<" in html and "data-hours-lost>2<" in html
    assert "Withdraw my vote" in html


def test_an_idea_counts_votes_and_no_hours(login_as, employee, colleague):
    """An improvement idea costs nobody time: its vote box, like the list, shows no hours lost."""
    idea = make_idea(employee, kind="idea", minutes_per_week=None)
    client = login_as(colleague)
    html = client.post(f"/ideas/{idea.id}/vote", data={}, headers={"X-Fragment": "vote"}).get_data(as_text=True)
    assert "data-vote-count>1<" in html and "Hours lost per week" not in html
    assert "Hours lost per week" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


@pytest.mark.parametrize("typed,message", [("99999", "Enter between 0 and 2400 minutes per week."),
                                           ("lots", "Enter whole minutes: a number between 0 and 2400.")])
def test_vote_with_bad_minutes_is_explained(login_as, employee, colleague, typed, message):
    idea = make_idea(employee)
    client = login_as(colleague)
    html = client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": typed},
                       headers={"X-Fragment": "vote"}).get_data(as_text=True)
    assert f'role="alert">{message}</p>' in html  # one sentence, once
    field = html[html.index('<input type="number" id="vote-minutes"'):]
    field = field[:field.index(">")]
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="vote-message vote-minutes-help"' in field  # the script focuses it
    assert count(Vote) == 0


def test_vote_with_bad_minutes_without_javascript_keeps_them_and_marks_the_field(login_as, employee, colleague):
    idea = make_idea(employee)
    response = login_as(colleague).post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "99999"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page[page.index('<input type="number" id="vote-minutes"'):]
    field = field[:field.index(">")]
    assert 'value="99999"' in field and 'aria-invalid="true"' in field and "autofocus" in field
    assert 'aria-describedby="vote-message vote-minutes-help"' in field
    assert 'id="vote-message" role="alert">Enter between 0 and 2400 minutes per week.' in page
    assert count(Vote) == 0


def test_the_author_sees_no_vote_button(login_as, employee):
    idea = make_idea(employee)
    page = login_as(employee).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "This is your own entry." in page and "Me too" not in page
    assert login_as(employee).post(f"/ideas/{idea.id}/vote").status_code == 302
    assert count(Vote) == 0


def test_comments_add_and_delete_own(login_as, client, employee, colleague):
    idea = make_idea(employee)
    login_as(colleague)
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Same in **our** team"})
    comment = db.session.scalar(select(Comment))
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Same in <strong>our</strong> team" in page and "Delete comment" in page
    client.post("/logout")
    login_as(employee)
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    client.post("/logout")
    login_as(colleague)
    asked = client.post(f"/comments/{comment.id}/delete")  # without JavaScript: a page asks first
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Delete this comment? It cannot be restored." in page
    assert "Same in <strong>our</strong> team" in page and 'name="confirmed" value="1"' in page
    assert count(Comment) == 1
    assert client.post(f"/comments/{comment.id}/delete", data={"confirmed": "1"}).status_code == 302
    assert count(Comment) == 0


def test_empty_comment_is_explained(login_as, employee):
    idea = make_idea(employee)
    response = login_as(employee).post(f"/ideas/{idea.id}/comments", data={"body": "   "})
    assert response.status_code == 422
    assert b"This field is required." in response.data
    assert count(Comment) == 0


def test_idea_page_shows_history(login_as, employee):
    idea = make_idea(employee)
    page = login_as(employee).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Status history" in page and "Submitted" in page


def test_list_shows_the_row_facts(login_as, employee, colleague, team):
    idea = make_idea(employee, title="Expense report", minutes_per_week=90)
    services.cast_vote(idea, colleague, 30)
    services.add_comment(idea, colleague, "Yes")
    page = login_as(colleague).get("/").get_data(as_text=True)
    for text in ("Expense report", "Pain point", "Internal paperwork and bureaucracy", team.name, "2", "New"):
        assert text in page


def test_list_search_and_pagination(app, login_as, employee):
    for i in range(25):
        make_idea(employee, title=f"Form number {i}")
    client = login_as(employee)
    page = client.get("/?sort=newest").get_data(as_text=True)
    assert "25 items" in page and "Page 1 of 2" in page and "Form number 24" in page
    page = client.get("/?sort=newest&page=2").get_data(as_text=True)
    assert "Form number 0" in page
    page = client.get("/?q=number+7").get_data(as_text=True)
    assert "1 item" in page and "Form number 7" in page


def test_searching_an_items_number_opens_it(login_as, employee):
    """"#43" as the pages write it; a plain number is searched for as text (a year, an amount)."""
    idea = make_idea(employee, title="Form 2024 needs three signatures")
    other = make_idea(employee, title=f"Printer #{idea.id}")
    client = login_as(employee)
    for query in (f"%23{idea.id}", f"%23+{idea.id}", f"+%23{idea.id}+"):  # as a form sends "#7"
        found = client.get(f"/?q={query}")
        assert found.status_code == 302 and found.location == f"/ideas/{idea.id}", query
    assert "Form 2024 needs three signatures" in client.get("/?q=2024").get_data(as_text=True)
    missing = client.get("/?q=%2399999").get_data(as_text=True)
    assert "0 items" in missing
    assert client.get(f"/?q=%23{idea.id}+printer").status_code == 200  # more than a number: a search
    symbols = client.get("/?q=%2A+%25").get_data(as_text=True)
    assert "“* %” holds no word to search for: here is every item." in symbols and "2 items" in symbols
    assert "holds no word" not in client.get("/?q=printer").get_data(as_text=True)
    assert "“&lt;&gt;” holds no word" in client.get("/?q=%3C%3E").get_data(as_text=True)
    assert other.id != idea.id


@pytest.mark.parametrize("query", ["page=-1", "page=abc", "page=99999999999999999999", "team=abc",
                                   "category=99999999999999999999", "sort=nonsense", "kind=x", "status=x",
                                   "q=%00%ff", "q=" + "a" * 5000])
def test_list_takes_any_query_string(login_as, employee, query):
    make_idea(employee)
    assert login_as(employee).get(f"/?{query}").status_code == 200


@pytest.mark.parametrize("url", ["/ideas/0", "/ideas/999999", "/ideas/99999999999999999999999",
                                 "/ideas/99999999999999999999999/edit"])
def test_unknown_items_are_404(login_as, employee, url):
    response = login_as(employee).get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_the_author_of_a_closed_item_reads_that_it_is_closed(login_as, employee, leader):
    idea = make_idea(employee)
    triage.move_idea(idea, leader, Status.DECLINED, note="Required by law")
    page = login_as(employee).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "This item is closed and takes no more votes." in page and "Colleagues can vote on it." not in page


def test_closed_items_show_no_vote_button(login_as, employee, colleague):
    idea = make_idea(employee)
    idea.status = Status.DECLINED
    db.session.commit()
    page = login_as(colleague).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "This item is closed and takes no more votes." in page


def test_a_closed_item_shows_the_readers_vote_without_a_withdraw_button(login_as, employee, colleague):
    idea = make_idea(employee)
    services.cast_vote(idea, colleague, 20)
    idea.status = Status.DECLINED
    db.session.commit()
    page = login_as(colleague).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "You voted “me too”." in page and "You lose 20 minutes per week." in page
    assert "Withdraw my vote" not in page and "This item is closed; its votes stay as they are." in page


def test_the_list_counts_only_as_far_as_one_can_page(login_as, employee, colleague, monkeypatch):
    from tracker import paging

    monkeypatch.setattr(paging, "COUNT_AHEAD", 4)
    for n in range(9):
        make_idea(colleague, title=f"Item {n}")
    client = login_as(employee)
    monkeypatch.setitem(client.application.config, "IDEAS_PER_PAGE", 2)
    # (A filter by kind counts the items themselves; see the next test for those it need not.)
    first = client.get("/?sort=newest&kind=pain_point").get_data(as_text=True)
    assert "More than 4 items" in first and "Page 1 of more than 2" in first
    # Further on, it counts further: from page 4 (items 7 and 8) four ahead reaches the end.
    fourth = client.get("/?sort=newest&kind=pain_point&page=4").get_data(as_text=True)
    assert "9 items" in fourth and "More than" not in fourth and "Page 4 of 5" in fourth
    last = client.get("/?sort=newest&kind=pain_point&page=5").get_data(as_text=True)
    assert "Item 0" in last and 'rel="next"' not in last
    beyond = client.get("/?sort=newest&kind=pain_point&page=50").get_data(as_text=True)
    assert "Page 5 of 5" in beyond and "Item 0" in beyond


def _result_count(html: str) -> str:
    """The line above the list that says how many items it holds."""
    return re.search(r'<p class="result-count" role="status">([^<]*)</p>', html).group(1)


def test_the_whole_list_and_its_team_and_status_filters_show_the_exact_number(app, login_as, employee, colleague,
                                                                              leader, other_team, monkeypatch):
    from tracker import paging

    monkeypatch.setattr(paging, "COUNT_AHEAD", 4)
    items = [make_idea(colleague, title=f"Item {n}") for n in range(9)]
    for n in range(3):
        make_idea(colleague, title=f"Elsewhere {n}", team=other_team)
    triage.move_idea(items[0], leader, Status.REVIEW)
    triage.move_idea(items[1], leader, Status.REVIEW)
    triage.move_idea(items[2], leader, Status.DECLINED, note="The law asks for it")
    triage.move_idea(items[3], leader, Status.DUPLICATE, duplicate_of=items[4])
    client = login_as(employee)
    monkeypatch.setitem(client.application.config, "IDEAS_PER_PAGE", 2)
    whole = client.get("/?sort=newest").get_data(as_text=True)
    assert _result_count(whole) == "12 items" and "Page 1 of 6" in whole
    everything = "".join(client.get(f"/?sort=newest&page={page}").get_data(as_text=True) for page in range(1, 7))
    assert all(f"Item {n}<" in everything for n in range(9))  # the declined and the merged one too
    team = items[0].team_id
    assert _result_count(client.get(f"/?team={team}").get_data(as_text=True)) == "9 items"
    assert _result_count(client.get(f"/?team={other_team.id}").get_data(as_text=True)) == "3 items"
    in_review = client.get(f"/?status=review&team={team}").get_data(as_text=True)
    assert _result_count(in_review) == "2 items" and "Item 1<" in in_review and "Item 5<" not in in_review
    assert _result_count(client.get("/?status=new").get_data(as_text=True)) == "8 items"
    assert _result_count(client.get("/?status=declined").get_data(as_text=True)) == "1 item"
    assert _result_count(client.get(f"/?status=planned&team={team}").get_data(as_text=True)) == "0 items"
    beyond = client.get("/?sort=newest&page=50").get_data(as_text=True)
    assert "Page 6 of 6" in beyond and "Item 0" in beyond
    # A leader's own teams (leader leads only the employee's team).
    leaders = app.test_client()
    login(leaders, leader)
    assert _result_count(leaders.get("/?team=mine").get_data(as_text=True)) == "9 items"
    assert _result_count(leaders.get("/?team=mine&status=review").get_data(as_text=True)) == "2 items"


def test_a_search_pages_and_counts_its_matches_in_every_sort(login_as, employee, colleague, admin, other_team,
                                                              monkeypatch):
    from tracker import paging

    monkeypatch.setattr(paging, "COUNT_AHEAD", 4)
    matching = [make_idea(colleague, title=f"Fax form {n}", minutes_per_week=10 * (n % 3)) for n in range(9)]
    elsewhere = make_idea(colleague, title="Fax machine in the hall", team=other_team)
    for n in range(5):
        make_idea(colleague, title=f"Paper form {n}")
    services.cast_vote(matching[3], employee)
    services.cast_vote(matching[3], admin)
    services.cast_vote(matching[6], employee)
    client = login_as(employee)
    monkeypatch.setitem(client.application.config, "IDEAS_PER_PAGE", 2)
    first = client.get("/?q=fax").get_data(as_text=True)
    assert _result_count(first) == "More than 4 items" and "Page 1 of more than 2" in first
    assert first.index("Fax form 3") < first.index("Fax form 6") and "Paper form" not in first
    fourth = client.get("/?q=fax+form&sort=newest&page=4").get_data(as_text=True)
    assert _result_count(fourth) == "9 items" and "Page 4 of 5" in fourth
    assert fourth.index("Fax form 2") < fourth.index("Fax form 1") and "Fax form 0" not in fourth
    # Most hours lost: 20 minutes for 2, 5 and 8, then 10 minutes for 1, 4 and 7; the id breaks ties.
    second = client.get("/?q=fax+form&sort=hours&page=2").get_data(as_text=True)
    assert second.index("Fax form 2") < second.index("Fax form 7") and "Fax form 8" not in second
    beyond = client.get("/?q=fax+form&sort=newest&page=50").get_data(as_text=True)
    assert "Page 5 of 5" in beyond and "Fax form 0" in beyond and "Fax form 1<" not in beyond
    other = client.get(f"/?q=fax&team={other_team.id}").get_data(as_text=True)
    assert _result_count(other) == "1 item" and elsewhere.title in other and "Fax form" not in other
    assert _result_count(client.get("/?q=telex").get_data(as_text=True)) == "0 items"


def test_the_item_page_shows_each_reader_their_own_vote(app, employee, colleague, leader):
    idea = make_idea(employee, title="Badge photo on paper")
    services.cast_vote(idea, colleague, 45)
    voters, others = app.test_client(), app.test_client()
    login(voters, colleague)
    login(others, leader)
    mine = voters.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "You voted “me too”." in mine and "You lose 45 minutes per week." in mine and "Withdraw my vote" in mine
    theirs = others.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "You voted" not in theirs and 'name="minutes_per_week"' in theirs and ">Me too</button>" in theirs
    services.withdraw_vote(idea, colleague)
    assert "You voted" not in voters.get(f"/ideas/{idea.id}").get_data(as_text=True)
