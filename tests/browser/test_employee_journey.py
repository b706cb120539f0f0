"""The employee journey in real Chromium: report a pain point anonymously, a colleague finds
it, says "me too" with their own minutes, and reads it in German."""
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import log_in, log_out, require_compiled_catalog, switch_language
from tests.factories import make_idea, make_team, make_user
from tracker.extensions import db
from tracker.models import Idea, User, Vote
from tracker.workflow import Kind

AUTHOR_MINUTES = 30
VOTER_MINUTES = 60
TITLE = "Travel expenses need three signatures"
DESCRIPTION = "Every business trip needs three wet signatures on a paper form, and the form gets lost."
SEARCH_WORD = "business"  # in the description only, not in the title


def hours(minutes: int) -> str:
    """Hours as the page shows them in English: at most one decimal, no trailing zero."""
    return f"{minutes / 60:.1f}".removesuffix(".0")


def idea_id_from(page: Page) -> int:
    match = re.search(r"/ideas/(\d+)", page.url)
    assert match, f"not on an idea page: {page.url}"
    return int(match.group(1))


def test_journey_anonymous_pain_point_is_found_voted_on_without_reload_and_read_in_german(page: Page):
    purchasing = make_team("Einkauf")
    finance = make_team("Finanzen")
    author = make_user("erika@example.com", "Erika Mustermann", team=purchasing)
    voter = make_user("max@example.com", "Max Muster", team=purchasing)
    author_id, voter_id, finance_id = author.id, voter.id, finance.id
    # Someone else's entry that the search must leave out.
    make_idea(voter, title="The printer asks for a PIN", description="Every print job needs a PIN at the device.")

    # The author reports an anonymous pain point through the form.
    log_in(page, author.email)
    page.get_by_role("link", name="Report something").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a pain point or an idea")
    page.get_by_label("Pain point", exact=True).check()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill(DESCRIPTION)
    page.get_by_label("Category", exact=True).select_option(label="Internal paperwork and bureaucracy")
    page.get_by_label("Team that owns the process", exact=True).select_option(label="Finanzen")
    page.get_by_label("Minutes lost per week", exact=True).fill(str(AUTHOR_MINUTES))
    page.get_by_label("Submit anonymously", exact=True).check()
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_role("status").filter(has_text="Thank you! Your entry is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".byline")).to_contain_text("by you (anonymous)")
    idea_id = idea_id_from(page)
    idea = db.session.get(Idea, idea_id)
    assert (idea.kind, idea.anonymous, idea.author_id, idea.team_id, idea.minutes_per_week, idea.category.code) == \
        (Kind.PAIN_POINT, True, author_id, finance_id, AUTHOR_MINUTES, "paperwork")
    log_out(page)

    # A colleague finds it by a word of its description.
    log_in(page, voter.email)
    search = page.get_by_role("searchbox", name="Search")
    search.fill(SEARCH_WORD)
    search.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]q={SEARCH_WORD}\b"))
    expect(page.locator(".result-count")).to_have_text("1 item")
    expect(page.get_by_role("link", name="The printer asks for a PIN")).to_have_count(0)
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}$"))

    # ... and cannot learn who wrote it.
    expect(page.locator(".byline")).to_contain_text("by Anonymous")
    html = page.content()
    for secret in ("Erika", "Mustermann", "erika@example.com"):
        assert secret not in html, f"the anonymous author leaks into the page: {secret!r}"

    # "Me too" with the colleague's own minutes: the vote box updates in place.
    votes = page.locator("[data-vote-count]")
    hours_lost = page.locator("[data-hours-lost]")
    expect(votes).to_have_text("0")
    expect(hours_lost).to_have_text(hours(AUTHOR_MINUTES))
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.evaluate("window.__marker = 1")
    minutes = page.get_by_label("Your minutes lost per week", exact=True)
    minutes.fill("99999")  # refused in place: the answer in the box, the field keeps it and has the focus
    page.get_by_role("button", name="Me too").click()
    expect(page.locator("[data-vote-box]").get_by_role("alert")).to_contain_text("Enter between 0 and 2400")
    expect(minutes).to_be_focused()
    expect(minutes).to_have_value("99999")
    expect(votes).to_have_text("0")
    minutes.fill(str(VOTER_MINUTES))
    page.get_by_role("button", name="Me too").click()

    expect(votes).to_have_text("1")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    assert navigations == [], f"the page navigated: {navigations}"
    expect(hours_lost).to_have_text(hours(AUTHOR_MINUTES + VOTER_MINUTES))
    expect(page.locator("[data-vote-box]").get_by_role("status")).to_have_text("Your vote is counted.")
    expect(page.get_by_role("button", name="Withdraw my vote")).to_be_visible()

    db.session.expire_all()
    assert [(v.idea_id, v.user_id, v.minutes_per_week) for v in db.session.scalars(select(Vote))] == \
        [(idea_id, voter_id, VOTER_MINUTES)]
    idea = db.session.get(Idea, idea_id)
    assert (idea.vote_count, idea.minutes_total) == (1, AUTHOR_MINUTES + VOTER_MINUTES)

    # The footer's language switch: the same page in German, remembered for the account.
    require_compiled_catalog("de")
    switch_language(page, "Deutsch", "de")
    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}\b"))
    expect(page.get_by_role("contentinfo").get_by_role("button", name="Deutsch")).to_have_attribute(
        "aria-pressed", "true")
    expect(page.locator(".idea-meta")).to_contain_text("Interner Bürokratieaufwand")  # category, from the database
    expect(hours_lost).to_have_text(hours(AUTHOR_MINUTES + VOTER_MINUTES).replace(".", ","))  # German numbers
    expect(page.locator(".idea-meta .badge.status-new")).to_have_text("Neu")  # from the catalog from here on
    vote_box = page.locator("[data-vote-box]")
    expect(vote_box).to_contain_text("Stimmen")
    expect(vote_box).to_contain_text("Verlorene Stunden pro Woche")
    db.session.expire_all()
    assert db.session.get(User, voter_id).locale == "de"


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_vote_without_javascript_posts_the_form_and_reloads_the_page(page: Page):
    team = make_team("Einkauf")
    author = make_user("erika@example.com", "Erika Mustermann", team=team)
    voter = make_user("max@example.com", "Max Muster", team=team)
    idea = make_idea(author, minutes_per_week=AUTHOR_MINUTES)
    idea_id, voter_id = idea.id, voter.id

    log_in(page, voter.email)
    page.goto(f"/ideas/{idea_id}")
    expect(page.locator("[data-vote-count]")).to_have_text("0")
    minutes = page.get_by_label("Your minutes lost per week", exact=True)
    minutes.fill("99999")
    with page.expect_navigation():  # refused: the page again, with the answer beside the field it concerns
        page.get_by_role("button", name="Me too").click()
    expect(minutes).to_be_focused()
    expect(minutes).to_have_value("99999")
    expect(page.locator("[data-vote-box]").get_by_role("alert")).to_be_in_viewport()
    minutes.fill(str(VOTER_MINUTES))
    with page.expect_navigation():  # no script intercepts the form: the browser posts it
        page.get_by_role("button", name="Me too").click()

    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}#vote$"))
    expect(page.locator("[data-vote-box]").get_by_role("status")).to_have_text("Your vote is counted.")
    expect(page.locator("[data-vote-box]").get_by_role("status")).to_be_in_viewport()  # seen where the page opens
    expect(page.locator("[data-vote-count]")).to_have_text("1")
    expect(page.locator("[data-hours-lost]")).to_have_text(hours(AUTHOR_MINUTES + VOTER_MINUTES))
    expect(page.get_by_role("button", name="Withdraw my vote")).to_be_visible()
    db.session.expire_all()
    assert [(v.idea_id, v.user_id, v.minutes_per_week) for v in db.session.scalars(select(Vote))] == \
        [(idea_id, voter_id, VOTER_MINUTES)]


def test_a_refused_form_focuses_its_first_wrong_field_and_deleting_a_comment_asks_first(page: Page):
    from tracker.models import Comment

    team = make_team("Einkauf")
    author = make_user("erika@example.com", "Erika Mustermann", team=team)
    idea = make_idea(author)
    idea_id = idea.id

    log_in(page, author.email)
    page.get_by_role("link", name="Report something").click()
    page.get_by_label("Description", exact=True).fill(DESCRIPTION)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the marked fields.")
    expect(page.get_by_label("Title", exact=True)).to_be_focused()
    expect(page.get_by_label("Description", exact=True)).to_have_value(DESCRIPTION)

    page.goto(f"/ideas/{idea_id}")
    page.get_by_label("Comment", exact=True).fill("Same here, twice a week.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-body")).to_have_text("Same here, twice a week.")
    page.wait_for_load_state()  # the deferred script that asks first has run: a click before it deletes at once
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Delete comment").click()
    expect(page.locator(".comment-body")).to_have_text("Same here, twice a week.")
    assert questions == ["Delete this comment? It cannot be restored."]
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_role("status").filter(has_text="The comment is deleted.")).to_be_visible()
    expect(page.locator(".comment-body")).to_have_count(0)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_on_a_phone_the_list_filters_fold_away_unless_in_use(page: Page):
    team = make_team("Einkauf")
    author = make_user("erika@example.com", "Erika Mustermann", team=team)
    make_idea(author, title="The printer asks for a PIN")
    log_in(page, author.email)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    more = page.get_by_role("button", name="More filters")
    expect(page.get_by_label("Search", exact=True)).to_be_visible()
    expect(page.get_by_label("Category", exact=True)).to_be_hidden()
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    expect(page.get_by_label("Category", exact=True)).to_be_visible()
    page.get_by_label("Kind", exact=True).select_option(label="Pain point")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"kind=pain_point"))
    expect(page.get_by_label("Kind", exact=True)).to_be_visible()  # a filter in use stays in view
    expect(page.get_by_role("button", name="Fewer filters")).to_have_attribute("aria-expanded", "true")

    page.goto("/?sort=newest")
    expect(page.get_by_label("Sort by", exact=True)).to_be_visible()  # so is a chosen order

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    expect(page.get_by_label("Category", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="More filters")).to_be_hidden()
