"""What the benchmark requests: the pages, and which items and words it uses for them."""
import random
from dataclasses import dataclass

from tracker.workflow import CLOSED_STATUSES

from .data import Company

# Prefix searches over title and description, each matching a few percent of the items.
SEARCH_TERMS = ["fax", "parking permit", "invoice approval", "visitor badge", "software licence", "wet ink",
                "freight", "key handover"]


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    paths: tuple[str, ...] = ()   # rotated through; empty for the vote toggle
    vote: bool = False
    reference: bool = False       # measured for comparison; the targets are not asked of it


@dataclass
class Targets:
    idea_ids: list[int]
    vote_ids: list[int]


def choose_targets(company: Company, seed: int = 3) -> Targets:
    """A random sample of items for the item page, and open items the bench user may
    vote on and has not voted on yet, for the vote toggle."""
    rng = random.Random(seed)
    ids = [idea["id"] for idea in company.ideas]
    voted = {v["idea_id"] for v in company.votes if v["user_id"] == company.bench_user_id}
    votable = [idea["id"] for idea in company.ideas if idea["status"] not in CLOSED_STATUSES
               and idea["author_id"] != company.bench_user_id and idea["id"] not in voted]
    return Targets(idea_ids=rng.sample(ids, 100), vote_ids=rng.sample(votable, 200))


def pages(targets: Targets) -> list[Page]:
    return [
        Page("ping", "Trivial route (ceiling)", ("/_bench/ping",), reference=True),
        Page("floor", "Empty page, logged in (reference)", ("/_bench/floor",), reference=True),
        Page("list", "List, most votes (default)", ("/",)),
        Page("list_newest", "List, newest", ("/?sort=newest",)),
        Page("list_hours", "List, most hours lost", ("/?sort=hours",)),
        Page("list_active", "List, recently active", ("/?sort=active",)),
        Page("board", "Board (leader, my teams)", ("/board",)),
        Page("idea", "Item page", tuple(f"/ideas/{i}" for i in targets.idea_ids)),
        Page("search", "Search", tuple("/?q=" + term.replace(" ", "+") for term in SEARCH_TERMS)),
        Page("vote", "Vote toggle (vote / withdraw)", vote=True),
    ]
