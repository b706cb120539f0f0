"""The leader journey in real Chromium: triage on the board by dragging cards (mouse events,
as SortableJS's fallback mode listens for them), a reason to decline, a saving for
Implemented, a refused move, a duplicate merged through the card's form; then the
anonymous author reads what happened, in the app and in the email a real SMTP server got."""
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from tests.browser.conftest import log_in, log_out
from tests.factories import make_idea, make_team, make_user
from tracker import notifications, services, triage
from tracker.extensions import db
from tracker.models import Idea, Notification, StatusChange, Vote
from tracker.workflow import NotificationType, Role, Status

LEADER = ("lena@example.com", "Lena Leiterin")
AUTHOR = ("erika@example.com", "Erika Mustermann")  # writes the anonymous item
VOTER = ("max@example.com", "Max Muster")           # votes on both the duplicate and its target
COLLEAGUE = ("paula@example.com", "Paula Probst")   # writes the target of the merge
NEWCOMER = ("jonas@example.com", "Jonas Jung")      # writes the duplicate

TO_REVIEW = "The printer asks for a PIN"
TO_DECLINE = "Purchase orders go by fax"            # the author's anonymous item
TO_IMPLEMENT = "Holiday requests on paper"
REFUSED = "Meeting rooms booked by phone"
TARGET = "Travel expenses need three signatures"
DUPLICATE = "Three signatures for every trip"
OTHER_TEAM = "Sales forms in triplicate"

REASON = "Orders go through the purchasing portal since March; the fax is gone."
WHAT_CHANGED = "Formular abgeschafft"
SAVING_HOURS = "1.3"  # not a quarter hour: the dialog takes what the move page takes
SAVING_MINUTES = 78

# Seven columns of at least 15rem need a wide window, or the right-hand ones scroll out of reach.
WIDE = {"viewport": {"width": 1920, "height": 1080}}


@dataclass
class Company:
    leader_id: int
    author_id: int
    voter_id: int
    colleague_id: int
    newcomer_id: int
    to_review: int
    to_decline: int
    to_implement: int
    refused: int
    target: int
    duplicate: int
    other_team: int


@pytest.fixture
def company(smtp) -> Company:
    """A team Lena leads, items in each state the journey needs, votes and a comment.

    Made after `smtp` has started: the setup's own notification emails reach the SMTP
    server too, and the anonymity check at the end reads them as well."""
    purchasing, sales = make_team("Einkauf"), make_team("Vertrieb")
    leader = make_user(*LEADER, role=Role.LEADER, team=purchasing, leads=[purchasing])
    make_user("otto@example.com", "Otto Other", role=Role.LEADER, team=sales, leads=[sales])
    author = make_user(*AUTHOR, team=purchasing)
    voter = make_user(*VOTER, team=purchasing)
    colleague = make_user(*COLLEAGUE, team=purchasing)
    newcomer = make_user(*NEWCOMER, team=purchasing)

    to_review = make_idea(colleague, title=TO_REVIEW, description="Every print job needs a PIN at the device.")
    to_decline = make_idea(author, title=TO_DECLINE, description="Every order is faxed to purchasing.",
                           anonymous=True)
    services.cast_vote(to_decline, voter, 20)
    services.add_comment(to_decline, voter, "The fax machine is in the basement.")
    triage.move_idea(to_decline, leader, Status.REVIEW)
    to_implement = make_idea(colleague, title=TO_IMPLEMENT, description="A paper form for every day off.")
    services.cast_vote(to_implement, voter, 15)
    for step in (Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS):
        triage.move_idea(to_implement, leader, step)
    refused = make_idea(voter, title=REFUSED, description="Only by phone, only in the morning.")
    target = make_idea(colleague, title=TARGET, description="Three signatures on paper per trip.")
    duplicate = make_idea(newcomer, title=DUPLICATE, description="Why three signatures?", minutes_per_week=45)
    services.cast_vote(target, voter, 30)
    services.cast_vote(duplicate, voter, 40)
    services.cast_vote(duplicate, colleague, 10)  # the target's own author: no vote on her own item
    other = make_idea(voter, team=sales, title=OTHER_TEAM, description="Three copies of every form.")

    # What the author heard before the journey is read: the bell then counts only what Lena does.
    notifications.mark_read(author)
    return Company(leader.id, author.id, voter.id, colleague.id, newcomer.id, to_review.id, to_decline.id,
                   to_implement.id, refused.id, target.id, duplicate.id, other.id)


# --- helpers ---------------------------------------------------------------------------

def column(page: Page, status: str) -> Locator:
    return page.locator(f"[data-column='{status}']")


def cards(page: Page, status: str) -> Locator:
    return page.locator(f"[data-cards][data-status='{status}']")


def card(page: Page, idea_id: int) -> Locator:
    return page.locator(f"[data-card][data-idea-id='{idea_id}']:not(.sortable-fallback)")


def count(page: Page, status: str) -> Locator:
    return column(page, status).locator(".column-count")


def drag(page: Page, idea_id: int, to_status: str) -> None:
    """Press on the card (not on its link, which SortableJS leaves alone), move in small
    steps to the other column's list, wait until SortableJS has put the card there, release.

    SortableJS ignores a press on a card while it still animates (150 ms after a drop or a
    snap back), so wait for that first: a person never presses that fast, a test does."""
    page.wait_for_function("id => { const el = document.querySelector(`[data-card][data-idea-id='${id}']`);"
                           " return el && !el.animated; }", arg=idea_id)
    grip = card(page, idea_id).locator(".card-numbers")
    grip.scroll_into_view_if_needed()
    start = grip.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    target = cards(page, to_status)
    end = target.bounding_box()
    tx, ty = end["x"] + end["width"] / 2, end["y"] + end["height"] - 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 8, steps=4)  # past fallbackTolerance: the drag starts
    expect(card(page, idea_id)).to_have_class(re.compile(r"\bsortable-chosen\b"))
    page.mouse.move(tx, ty, steps=25)
    expect(target.locator(f"[data-idea-id='{idea_id}']")).to_have_count(1)
    page.mouse.up()


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def changes(idea_id: int) -> list[tuple]:
    db.session.expire_all()
    return [(c.from_status, c.to_status, c.actor_id, c.note) for c in db.session.scalars(
        select(StatusChange).where(StatusChange.idea_id == idea_id).order_by(StatusChange.id))]


def votes(idea_id: int) -> dict[int, int]:
    db.session.expire_all()
    return {v.user_id: v.minutes_per_week for v in db.session.scalars(select(Vote).where(Vote.idea_id == idea_id))}


# --- the journey -----------------------------------------------------------------------

@pytest.mark.browser_context_args(**WIDE)
def test_journey_leader_triages_on_the_board_and_the_anonymous_author_hears_of_it(page: Page, company: Company,
                                                                                 smtp):
    c = company
    moves = []  # every move the browser posts
    page.on("request", lambda r: moves.append(r.url) if r.method == "POST" and r.url.endswith("/move") else None)

    # 1. Lena logs in and opens the board: her own team by default.
    log_in(page, LEADER[0])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board")
    expect(page.get_by_label("Owning team")).to_have_value("mine")
    expect(card(page, c.other_team)).to_have_count(0)
    for status, ids in {Status.NEW: [c.to_review, c.refused, c.target, c.duplicate],
                        Status.REVIEW: [c.to_decline], Status.IN_PROGRESS: [c.to_implement]}.items():
        expect(cards(page, status).locator("[data-card]")).to_have_count(len(ids))
        for idea_id in ids:
            expect(cards(page, status).locator(f"[data-idea-id='{idea_id}']")).to_have_count(1)
    expect(count(page, Status.NEW)).to_have_text("4")
    expect(count(page, Status.REVIEW)).to_have_text("1")
    # At 1920 px the seven columns fit side by side; at 1280 px those that do not fit wrap below,
    # and none is cut off or needs a sideways scroll to be found.
    boxes = "[...document.querySelectorAll('.board-column')].map(c => c.getBoundingClientRect().toJSON())"
    assert len({round(box["top"]) for box in page.evaluate(boxes)}) == 1 and len(page.evaluate(boxes)) == 7
    page.set_viewport_size({"width": 1280, "height": 800})
    assert max(box["right"] for box in page.evaluate(boxes)) <= 1280
    assert page.evaluate("document.documentElement.scrollWidth <= 1280")
    page.set_viewport_size(WIDE["viewport"])
    html = page.content()
    for secret in (*AUTHOR, "Mustermann"):
        assert secret not in html, f"the anonymous author leaks into the board: {secret!r}"
    message = page.locator("[data-board-message]")
    page.evaluate("window.__marker = 1")  # drags must not reload the page

    # 2. New -> Under review: no dialog, the server moves it, the counts follow.
    drag(page, c.to_review, Status.REVIEW)
    expect(message).to_have_text("Moved to “Under review”.")
    expect(message).not_to_have_class(re.compile(r"\berror\b"))
    expect(cards(page, Status.REVIEW).locator(f"[data-idea-id='{c.to_review}']")).to_have_attribute(
        "data-status", Status.REVIEW)
    expect(cards(page, Status.NEW).locator(f"[data-idea-id='{c.to_review}']")).to_have_count(0)
    expect(count(page, Status.NEW)).to_have_text("3")
    expect(count(page, Status.REVIEW)).to_have_text("2")
    expect(page.locator("[data-move-dialog]")).not_to_be_visible()
    assert fresh(Idea, c.to_review).status == Status.REVIEW
    assert changes(c.to_review) == [(None, Status.NEW, None, ""), (Status.NEW, Status.REVIEW, c.leader_id, "")]

    # 3. Under review -> Declined: the dialog wants the reason before anything is sent.
    dialog = page.locator("[data-move-dialog]")
    posted = len(moves)
    drag(page, c.to_decline, Status.DECLINED)
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-dialog-status]")).to_have_text("Declined")
    expect(dialog.get_by_label("Reason (shown publicly)")).to_be_focused()
    expect(dialog.get_by_label("Realised saving (hours per week)")).to_be_hidden()
    expect(dialog.get_by_label("Duplicate of item number")).to_be_hidden()
    required_note = page.locator("[data-texts]").get_attribute("data-required-note")
    assert required_note == "Please give the reason."
    dialog.get_by_role("button", name="Save move").click()
    expect(dialog.locator("[data-dialog-error]")).to_have_text(required_note)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Reason (shown publicly)")).to_be_focused()
    assert len(moves) == posted, "an empty reason was sent to the server"
    assert fresh(Idea, c.to_decline).status == Status.REVIEW
    assert [row[1] for row in changes(c.to_decline)] == [Status.NEW, Status.REVIEW]
    dialog.get_by_label("Reason (shown publicly)").fill(REASON)
    dialog.get_by_role("button", name="Save move").click()
    expect(dialog).not_to_be_visible()
    expect(message).to_have_text("Moved to “Declined”.")
    assert len(moves) == posted + 1
    expect(cards(page, Status.DECLINED).locator(f"[data-idea-id='{c.to_decline}']")).to_have_attribute(
        "data-status", Status.DECLINED)
    expect(count(page, Status.REVIEW)).to_have_text("1")
    expect(count(page, Status.DECLINED)).to_have_text("1")
    assert fresh(Idea, c.to_decline).status == Status.DECLINED
    assert changes(c.to_decline)[-1] == (Status.REVIEW, Status.DECLINED, c.leader_id, REASON)

    # 4. In progress -> Implemented: what changed and the realised saving.
    drag(page, c.to_implement, Status.IMPLEMENTED)
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-dialog-status]")).to_have_text("Implemented")
    expect(dialog.get_by_label("Duplicate of item number")).to_be_hidden()
    dialog.get_by_label("What changed (shown publicly)").fill(WHAT_CHANGED)
    dialog.get_by_label("Realised saving (hours per week)").fill(SAVING_HOURS)
    dialog.get_by_role("button", name="Save move").click()
    expect(dialog).not_to_be_visible()
    expect(message).to_have_text("Moved to “Implemented”.")
    expect(cards(page, Status.IMPLEMENTED).locator(f"[data-idea-id='{c.to_implement}']")).to_have_count(1)
    expect(cards(page, Status.IN_PROGRESS).locator("[data-card]")).to_have_count(0)
    expect(count(page, Status.IN_PROGRESS)).to_have_text("0")
    expect(count(page, Status.IMPLEMENTED)).to_have_text("1")
    implemented = fresh(Idea, c.to_implement)
    assert (implemented.status, implemented.saving_minutes) == (Status.IMPLEMENTED, SAVING_MINUTES)
    assert implemented.implemented_at is not None
    assert changes(c.to_implement)[-1] == (Status.IN_PROGRESS, Status.IMPLEMENTED, c.leader_id, WHAT_CHANGED)

    # 5. New -> Implemented skips the flow: the server refuses, the card snaps back.
    drag(page, c.refused, Status.IMPLEMENTED)
    expect(message).to_contain_text("cannot move")
    expect(message).to_have_class(re.compile(r"\berror\b"))
    expect(dialog).not_to_be_visible()
    expect(cards(page, Status.NEW).locator(f"[data-idea-id='{c.refused}']")).to_have_count(1)
    expect(cards(page, Status.IMPLEMENTED).locator(f"[data-idea-id='{c.refused}']")).to_have_count(0)
    expect(count(page, Status.NEW)).to_have_text("3")
    expect(count(page, Status.IMPLEMENTED)).to_have_text("1")
    assert fresh(Idea, c.refused).status == Status.NEW
    assert len(changes(c.refused)) == 1
    assert page.evaluate("window.__marker") == 1, "the board reloaded during the drags"

    # 6. A duplicate, merged through the card's "Move…" page (the way without dragging).
    card(page, c.duplicate).get_by_role("link", name=re.compile(r"^Move…")).click()
    expect(page).to_have_url(re.compile(rf"/ideas/{c.duplicate}/move\?next=/board"))
    page.get_by_label("Move to").select_option(label="Duplicate")
    page.get_by_label("Duplicate of item number").fill(str(c.target))
    with page.expect_navigation():
        page.get_by_role("button", name="Move", exact=True).click()
    expect(page).to_have_url(re.compile(r"/board\b"))
    expect(page.locator(".flashes").get_by_role("status")).to_have_text("Moved to “Duplicate”.")
    expect(cards(page, Status.DUPLICATE).locator(f"[data-idea-id='{c.duplicate}']")).to_have_count(1)
    page.goto(f"/ideas/{c.duplicate}")
    merged = page.locator(".idea-header").get_by_text("Merged into")
    expect(merged).to_be_visible()
    merged.get_by_role("link", name=f"#{c.target} {TARGET}").click()
    expect(page).to_have_url(re.compile(rf"/ideas/{c.target}$"))
    duplicates = page.get_by_role("region", name="Merged duplicates")
    expect(duplicates.get_by_role("link", name=f"#{c.duplicate} {DUPLICATE}")).to_be_visible()
    # Votes moved: Max, who voted on both, keeps one; the duplicate's author joins; Paula, who
    # wrote the target, gets no vote on her own item.
    assert votes(c.duplicate) == {}
    assert votes(c.target) == {c.voter_id: 30, c.newcomer_id: 45}
    target, duplicate = fresh(Idea, c.target), db.session.get(Idea, c.duplicate)
    assert target.vote_count == len(votes(c.target)) == 2
    assert target.minutes_total == target.minutes_per_week + 30 + 45
    assert (duplicate.status, duplicate.duplicate_of_id, duplicate.vote_count) == (Status.DUPLICATE, c.target, 0)
    expect(page.locator("[data-vote-count]")).to_have_text("2")
    log_out(page)

    # 7. The anonymous author: history with Lena's name and the reason, the bell, the list, "you said, we did".
    log_in(page, AUTHOR[0])
    bell = page.locator(".bell")
    expect(bell).to_have_attribute("data-unread", "1")
    expect(bell.locator(".bell-count")).to_have_text("1 unread")
    page.goto(f"/ideas/{c.to_decline}")
    expect(page.locator(".byline")).to_contain_text("by you (anonymous)")
    history = page.get_by_role("region", name="Status history")
    step = history.get_by_role("listitem").filter(has_text="by Lena Leiterin").filter(has=page.locator(
        ".badge.status-declined"))
    expect(step).to_have_count(1)
    expect(step.locator(".note")).to_have_text(REASON)
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    news = page.locator(".notification.unread")
    expect(news).to_have_count(1)
    expect(news.locator(".notification-text")).to_contain_text(
        f"Lena Leiterin moved “{TO_DECLINE}” from Under review to Declined.")
    expect(news.locator(".note")).to_have_text(REASON)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="You said, we did").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You said, we did")
    expect(page.locator(".total-saving .total-number")).to_have_text(SAVING_HOURS)
    done = page.locator(".implemented-item").filter(has=page.get_by_role("link", name=TO_IMPLEMENT))
    expect(done).to_have_count(1)
    expect(done.locator(".note")).to_have_text(f"What changed: {WHAT_CHANGED}")
    expect(done.locator(".saving")).to_contain_text(f"Saving: {SAVING_HOURS} hours per week")
    db.session.expire_all()
    assert db.session.scalar(select(Notification).where(
        Notification.user_id == c.author_id, Notification.idea_id == c.to_decline,
        Notification.to_status == Status.DECLINED)).type == NotificationType.STATUS_CHANGED

    # 8. Email, as the local SMTP server received it.
    decline_mails = [m for m in smtp.to(AUTHOR[0]) if TO_DECLINE in m["Subject"] and "Declined" in m["Subject"]]
    assert len(decline_mails) == 1, [m["Subject"] for m in smtp.to(AUTHOR[0])]
    assert REASON in smtp.body(decline_mails[0])
    for address, _name in (VOTER, COLLEAGUE, NEWCOMER):  # the duplicate's followers
        merge_mails = [m for m in smtp.to(address) if "continues there" in smtp.body(m)]
        assert len(merge_mails) == 1, f"{address}: {[m['Subject'] for m in smtp.to(address)]}"
        assert DUPLICATE in smtp.body(merge_mails[0]) and TARGET in smtp.body(merge_mails[0])
        assert f"/ideas/{c.target}" in smtp.body(merge_mails[0])
    assert not [m for m in smtp.to(LEADER[0]) if "continues there" in smtp.body(m)], "the actor was told"
    # The voter also heard of the decline; like every email to others, it must not name the author.
    assert [m for m in smtp.to(VOTER[0]) if TO_DECLINE in m["Subject"] and "Declined" in m["Subject"]]
    others = [m for m in smtp.messages if AUTHOR[0] not in m["To"]]
    assert any(TO_DECLINE in m["Subject"] for m in others if LEADER[0] in m["To"])  # "new in your team"
    for mail in others:
        text = " ".join([*(f"{k}: {v}" for k, v in mail.items()), smtp.body(mail)])
        for secret in (*AUTHOR, "Mustermann", "Erika"):
            assert secret not in text, f"email to {mail['To']} names the anonymous author: {secret!r}"
