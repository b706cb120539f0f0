"""axe-core on every main page: no violation of impact serious or critical.

axe-core ships inside axe-playwright-python's wheel, so this runs offline."""
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, require_compiled_catalog, switch_language
from tests.factories import make_idea, make_team, make_user
from tracker import services
from tracker.workflow import Role

BLOCKING = {"serious", "critical"}
AUTHOR, VOTER, READER, ADMIN = "erika@example.com", "max@example.com", "rita@example.com", "ada@example.com"
LEADER = "lena@example.com"


@dataclass
class Company:
    idea_id: int


@pytest.fixture
def company(db) -> Company:
    """Two teams, one person per role we look through, and an item with a comment and a vote."""
    purchasing, finance = make_team("Einkauf"), make_team("Finanzen")
    author = make_user(AUTHOR, "Erika Mustermann", team=purchasing)
    voter = make_user(VOTER, "Max Muster", team=purchasing)
    make_user(READER, "Rita Reader", team=finance)
    make_user(ADMIN, "Ada Admin", role=Role.ADMIN, team=finance)
    make_user(LEADER, "Lena Leiterin", role=Role.LEADER, team=finance, leads=[finance])
    idea = make_idea(author, team=finance, minutes_per_week=30)
    make_idea(voter, title="The printer asks for a PIN", description="Every print job needs a PIN.", anonymous=True)
    services.cast_vote(idea, voter, 60)
    services.add_comment(idea, voter, "Same here: **twice** a month.")
    return Company(idea_id=idea.id)


@dataclass(frozen=True)
class Screen:
    path: str
    user: str | None = None  # who is logged in
    heading: str | None = None  # the h1 that proves we are on the right page
    german: bool = False


SCREENS = {
    "login": Screen("/login", heading="Log in to Nebenan"),
    "register": Screen("/register", heading="Create an account"),
    "forgot-password": Screen("/password/forgot", heading="Forgot your password?"),
    "list": Screen("/", READER, "What slows us down"),
    "new-item-form": Screen("/ideas/new", READER, "Report a pain point or an idea"),
    "idea-voter-view": Screen("/ideas/{idea_id}", VOTER, "Travel expenses need three signatures"),
    "idea-colleague-view": Screen("/ideas/{idea_id}", READER, "Travel expenses need three signatures"),
    "settings": Screen("/settings", READER, "Settings"),
    "board-leader": Screen("/board", LEADER, "Board"),
    "move-page": Screen("/ideas/{idea_id}/move?next=/board", LEADER, "Move “Travel expenses need three signatures”"),
    "admin-users": Screen("/admin/users", ADMIN, "People"),
    "admin-teams": Screen("/admin/teams", ADMIN, "Teams"),
    "admin-categories": Screen("/admin/categories", ADMIN, "Categories"),
    "list-german": Screen("/", READER, "Was uns ausbremst", german=True),
}


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1].strip()}"
                         if node.get("failureSummary") else f"    {node['target']}")
        if len(v["nodes"]) > 3:
            lines.append(f"    ... and {len(v['nodes']) - 3} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name", SCREENS)
def test_page_has_no_serious_accessibility_violations(page: Page, company: Company, name: str):
    screen = SCREENS[name]
    if screen.user:
        log_in(page, screen.user)
    page.goto(screen.path.format(idea_id=company.idea_id))
    if screen.german:
        require_compiled_catalog("de")
        switch_language(page, "Deutsch", "de")
    if screen.heading:
        expect(page.get_by_role("heading", level=1)).to_have_text(screen.heading)

    violations = Axe().run(page).response["violations"]

    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {name} ({page.url}):\n{describe(blocking)}"


LAYOUT = """() => Array.from(document.querySelectorAll('.idea-layout > *'), element => {
    const box = element.getBoundingClientRect();
    return [element.querySelector('h2').textContent.trim(), Math.round(box.top), Math.round(box.left),
            Math.round(box.bottom)];
})"""


def test_the_item_page_shows_its_parts_in_the_order_they_are_read(page: Page, company: Company):
    """Screen readers and the Tab key follow the page's order: the description, the vote box
    with the rest of the side, then the comments. A phone shows them in that order; a wide
    screen puts the side to the right of the description and the comments."""
    log_in(page, VOTER)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/ideas/{company.idea_id}")
    phone = page.evaluate(LAYOUT)
    assert [heading for heading, *_box in phone] == ["Description", "Your vote", "Comments (1)"]
    assert phone[0][1] < phone[1][1] < phone[2][1]
    page.set_viewport_size({"width": 1366, "height": 900})
    (_, text_top, text_left, text_bottom), (_, side_top, side_left, side_bottom), (_, comments_top, comments_left, _) \
        = page.evaluate(LAYOUT)
    assert side_top == text_top and side_left > text_left
    # The comments follow the description closely, however tall the side is.
    assert side_bottom > comments_top and comments_left == text_left and 0 < comments_top - text_bottom < 48


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_a_page_asks_before_a_comment_is_deleted(page: Page, company: Company):
    log_in(page, VOTER)
    page.goto(f"/ideas/{company.idea_id}")
    page.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete comment")
    expect(page.locator("blockquote.comment-body strong")).to_have_text("twice")
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator(".comment-body")).to_have_count(1)
    page.get_by_role("button", name="Delete comment").click()
    page.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_role("status").filter(has_text="The comment is deleted.")).to_be_visible()
    expect(page.locator(".comment-body")).to_have_count(0)


def test_the_page_that_asks_before_a_comment_is_deleted_is_accessible(page: Page, company: Company):
    log_in(page, VOTER)
    page.goto(f"/ideas/{company.idea_id}")
    page.locator("form[data-confirm]").evaluate("form => form.removeAttribute('data-confirm')")  # as without script
    page.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete comment")
    blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on the deletion's question:\n{describe(blocking)}"
