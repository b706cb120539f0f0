"""A synthetic company as plain rows: users, teams, items, votes, comments, history.

Pure Python, no database: `company(ideas=10_000)` returns dicts ready for bulk inserts.
The full size is the issue's: 2,000 users, 50 teams, 10,000 ideas, 200,000 votes,
30,000 comments, 40,000 status changes. Smaller sizes scale ideas, votes, comments and
history together (same people, same per-item distributions), so that a page costs the
same per item at every size and only the amount of data changes.

The counters on ideas (vote_count, minutes_total, comment_count) are computed here from
the very rows that are returned, so they are exact; seed.py checks them again in SQL.
"""
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from tracker.workflow import BOARD_COLUMNS, CLOSED_STATUSES, Kind, Role, Status, carries_minutes

USERS = 2_000
TEAMS = 50
FULL_IDEAS = 10_000
VOTES_PER_IDEA = 20          # 200,000 at 10,000 ideas
COMMENTS_PER_IDEA = 3        # 30,000
STATUS_CHANGES_PER_IDEA = 4  # 40,000, the submission included
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "nebenan-bench"
BENCH_TEAMS = 3              # the bench user leads this many teams
BENCH_NOTIFICATIONS = 300
MAX_VOTES_PER_IDEA = 1_500

DEPARTMENTS = ["Einkauf", "Vertrieb", "Kundenservice", "Buchhaltung", "Personal", "IT-Betrieb", "Logistik",
               "Produktion", "Qualität", "Recht", "Marketing", "Controlling", "Facility", "Entwicklung",
               "Innenrevision", "Reisestelle", "Poststelle"]
FIRST = ["Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Katrin", "Lukas",
         "Mia", "Noah", "Olga", "Paul", "Rosa", "Simon", "Tanja", "Uwe", "Vera", "Yusuf", "Zoe", "Mehmet"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Yilmaz", "Kaya", "Braun", "Zimmermann"]
SUBJECTS = ["Travel expense form", "Purchase order", "Holiday request", "Invoice approval", "Laptop request",
            "Onboarding checklist", "Meeting room booking", "Contract review", "Overtime report", "Budget planning",
            "Supplier onboarding", "Access request", "Training approval", "Customer refund", "Sick note upload",
            "Shift swap", "Quarterly report", "Parking permit", "Expense receipt", "Software licence",
            "Project kick-off", "Team offsite", "Archive request", "Price quote", "Mobile phone contract",
            "Workstation setup", "Key handover", "Visitor badge", "Freight booking", "Marketing brochure"]
PROBLEMS = ["needs three signatures", "is printed, signed and scanned", "waits weeks for approval",
            "asks for the same data twice", "has no owner", "changes its template every quarter",
            "goes through four departments", "is only possible on Tuesdays", "needs a fax",
            "requires a cost centre nobody knows", "gets lost between teams", "has unclear requirements",
            "is approved by someone on leave", "must be resubmitted after every change",
            "needs a separate spreadsheet", "is not visible to the requester", "blocks the whole team",
            "duplicates the ERP entry", "uses an outdated form", "needs a wet-ink signature",
            "is rejected without a reason", "takes a full morning", "has a 40-field form", "depends on one person",
            "cannot be tracked", "is reviewed by the wrong team", "is standardised for no reason",
            "ignores the actual workload", "is only explained in an old wiki page", "needs a meeting every time"]
SENTENCES = ["Every month we fill in the same form again.", "Nobody could tell us who decides.",
             "The approval takes longer than the work itself.", "We asked three times and heard nothing back.",
             "The template changed again without notice.", "Half of the fields are never read by anyone.",
             "Customers wait while we collect signatures.", "It could be a single click in the ERP.",
             "Die Freigabe dauert oft zwei Wochen.", "Das Formular verlangt Angaben, die längst bekannt sind.",
             "Niemand weiß, wer zuständig ist.", "Wir drucken, unterschreiben und scannen es wieder ein.",
             "A shared checklist would save everyone time.", "The rule made sense years ago, not any more.",
             "Other sites solved this with a simple web form.", "Please let the team lead decide directly.",
             "**Proposal:** drop the second approval below 500 euros.",
             "See also the discussion in the last all-hands.",
             "It costs me about an hour every week.", "New colleagues are lost without help."]
COMMENTS = ["Same here, every single week.", "We solved this in Logistik with a shared list.",
            "Bei uns genauso.", "Is there an owner for this?", "I would add: the deadline is never clear.",
            "Thanks for raising it!", "This also affects our customers.", "+1, and it got worse this year.",
            "We are looking into it.", "Could we try a pilot in one team first?"]


@dataclass
class Company:
    ideas_count: int
    teams: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    team_leaders: list[dict] = field(default_factory=list)
    ideas: list[dict] = field(default_factory=list)
    votes: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    status_changes: list[dict] = field(default_factory=list)
    notifications: list[dict] = field(default_factory=list)
    bench_user_id: int = 1
    bench_team_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in
                ("users", "teams", "ideas", "votes", "comments", "status_changes", "notifications")}


def _path_to(status: str, rng: random.Random) -> list[str]:
    """The statuses an item passed through, from New to `status`, along the allowed moves."""
    main = [Status.NEW, Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.IMPLEMENTED]
    if status in main:
        return [str(s) for s in main[:main.index(status) + 1]]
    # Declined or Duplicate: from any open status.
    depth = rng.choice([0, 0, 1, 1, 2, 3])
    return [str(s) for s in main[:depth + 1]] + [str(status)]


STATUS_WEIGHTS = {Status.NEW: 30, Status.REVIEW: 15, Status.PLANNED: 12, Status.IN_PROGRESS: 10,
                  Status.IMPLEMENTED: 13, Status.DECLINED: 12, Status.DUPLICATE: 8}


def company(ideas: int = FULL_IDEAS, password_hash: str = "", seed: int = 42,
            now: datetime | None = None) -> Company:
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    c = Company(ideas_count=ideas)

    # Teams and people. User 1 is the bench user, a leader of BENCH_TEAMS teams.
    for t in range(1, TEAMS + 1):
        c.teams.append({"id": t, "name": f"{DEPARTMENTS[(t - 1) % len(DEPARTMENTS)]} {(t - 1) // len(DEPARTMENTS) + 1}",
                        "created_at": now - timedelta(days=800)})
    leaders_of: dict[int, list[int]] = {t: [] for t in range(1, TEAMS + 1)}
    c.bench_team_ids = list(range(1, BENCH_TEAMS + 1))
    for u in range(1, USERS + 1):
        team_id = (u - 1) % TEAMS + 1
        role = Role.EMPLOYEE
        if u == 1:
            role = Role.LEADER
        elif u == 2:
            role = Role.ADMIN
        elif u <= 2 + 2 * TEAMS:  # two leaders per team
            role = Role.LEADER
            leaders_of[(u - 3) % TEAMS + 1].append(u)
        c.users.append({
            "id": u, "email": BENCH_EMAIL if u == 1 else f"user{u}@example.com",
            "name": "Bench Leader" if u == 1 else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "password_hash": password_hash, "role": str(role), "team_id": team_id, "locale": None,
            "email_preference": "none", "active": True, "session_token": secrets.token_hex(16),
            "created_at": now - timedelta(days=rng.uniform(30, 800)),
        })
    for t in c.bench_team_ids:
        leaders_of[t].append(1)
    c.team_leaders = [{"team_id": t, "user_id": u} for t, users in leaders_of.items() for u in users]

    # Items, oldest first, with a popularity that decides their votes and comments.
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    span = timedelta(days=730).total_seconds()
    created = sorted(now - timedelta(seconds=rng.uniform(0, span)) for _ in range(ideas))
    paths, popularity = [], []
    for i in range(1, ideas + 1):
        status = rng.choices(statuses, weights)[0]
        kind = Kind.PAIN_POINT if rng.random() < 0.6 else Kind.IDEA
        minutes = rng.randrange(0, 245, 5) if carries_minutes(kind) else 0
        team_id = rng.randint(1, TEAMS)
        author_id = rng.randint(1, USERS)
        c.ideas.append({
            "id": i, "kind": str(kind),
            "title": f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}",
            "description": " ".join(rng.sample(SENTENCES, rng.randint(2, 7))),
            "category_id": None,  # filled in by seed.py from the migrated categories
            "team_id": team_id, "author_id": author_id, "anonymous": rng.random() < 0.1,
            "minutes_per_week": minutes, "status": str(status),
            "vote_count": 0, "comment_count": 0, "minutes_total": minutes if status != Status.DUPLICATE else 0,
            "created_at": created[i - 1], "updated_at": created[i - 1], "last_activity_at": created[i - 1],
            "first_response_at": None, "implemented_at": None, "saving_minutes": 0, "duplicate_of_id": None,
        })
        paths.append(_path_to(status, rng))
        popularity.append(min(rng.paretovariate(1.3), 60.0))

    # History: the submission, then the moves of each path; declined-and-reopened cycles
    # (review -> declined -> review) bring the total to STATUS_CHANGES_PER_IDEA per item.
    target_moves = ideas * (STATUS_CHANGES_PER_IDEA - 1)
    moves = sum(len(p) - 1 for p in paths)
    reviewed = [i for i, p in enumerate(paths) if str(Status.REVIEW) in p]
    while target_moves - moves >= 2:
        p = paths[rng.choice(reviewed)]
        at = p.index(str(Status.REVIEW))
        p[at + 1:at + 1] = [str(Status.DECLINED), str(Status.REVIEW)]
        moves += 2
    if target_moves - moves == 1:  # one New item gets its first look
        i = next(i for i, p in enumerate(paths) if p == [str(Status.NEW)])
        paths[i].append(str(Status.REVIEW))
        c.ideas[i]["status"] = str(Status.REVIEW)
    sc_id = 0
    for idea, path in zip(c.ideas, paths):
        leaders = leaders_of[idea["team_id"]]
        t = idea["created_at"]
        sc_id += 1
        c.status_changes.append({"id": sc_id, "idea_id": idea["id"], "from_status": None, "to_status": path[0],
                                 "actor_id": None, "note": "", "created_at": t})
        step = (now - t) / (len(path) + 1)
        for before, after in zip(path, path[1:]):
            t = t + step * rng.uniform(0.5, 1.0)
            sc_id += 1
            note = "Thanks, we are changing it." if after == Status.IMPLEMENTED else \
                "Not our process, sorry." if after == Status.DECLINED else ""
            c.status_changes.append({"id": sc_id, "idea_id": idea["id"], "from_status": before, "to_status": after,
                                     "actor_id": rng.choice(leaders), "note": note, "created_at": t})
            idea["first_response_at"] = idea["first_response_at"] or t
            idea["last_activity_at"] = t
            if after == Status.IMPLEMENTED:
                idea["implemented_at"], idea["saving_minutes"] = t, rng.randrange(0, 600, 15)
    assert len(c.status_changes) == ideas * STATUS_CHANGES_PER_IDEA

    # Duplicates point at a nearby item that is not a duplicate; their votes were merged away.
    for idea in c.ideas:
        if idea["status"] == Status.DUPLICATE:
            candidates = [j for j in range(max(1, idea["id"] - 100), min(ideas, idea["id"] + 100) + 1)
                          if c.ideas[j - 1]["status"] != Status.DUPLICATE]
            idea["duplicate_of_id"] = rng.choice(candidates)

    # Votes: popular items get many, duplicates none, nobody votes on their own item.
    _votes(c, rng, popularity, ideas * VOTES_PER_IDEA, now)
    # Comments, spread more evenly than votes.
    _comments(c, rng, popularity, ideas * COMMENTS_PER_IDEA, now)

    # The bench user's bell: some notifications, a few unread.
    for n in range(1, BENCH_NOTIFICATIONS + 1):
        idea = c.ideas[rng.randrange(ideas)]
        at = idea["created_at"] + (now - idea["created_at"]) * rng.random()
        c.notifications.append({"id": n, "user_id": 1, "type": "comment_added", "idea_id": idea["id"],
                                "actor_id": rng.randint(3, USERS), "from_status": None, "to_status": None,
                                "target_idea_id": None, "text": rng.choice(COMMENTS), "created_at": at,
                                "read_at": None if n % 10 == 0 else at, "emailed_at": None, "email_attempts": 0})
    return c


def _votes(c: Company, rng: random.Random, popularity: list[float], total: int, now: datetime) -> None:
    open_ideas = [i for i, idea in enumerate(c.ideas) if idea["status"] != Status.DUPLICATE]
    weight = sum(popularity[i] for i in open_ideas)
    wanted = {i: min(MAX_VOTES_PER_IDEA, int(total * popularity[i] / weight)) for i in open_ideas}
    short = total - sum(wanted.values())
    while short > 0:  # hand out the rounding remainder, one vote at a time
        i = rng.choice(open_ideas)
        if wanted[i] < MAX_VOTES_PER_IDEA:
            wanted[i] += 1
            short -= 1
    everyone = range(1, USERS + 1)
    for i, n in wanted.items():
        idea = c.ideas[i]
        voters = [u for u in rng.sample(everyone, n + 1) if u != idea["author_id"]][:n]
        pain = carries_minutes(idea["kind"])
        for u in voters:
            minutes = rng.randrange(0, 125, 5) if pain else 0
            at = idea["created_at"] + (now - idea["created_at"]) * rng.random()
            c.votes.append({"idea_id": idea["id"], "user_id": u, "minutes_per_week": minutes, "created_at": at})
            idea["minutes_total"] += minutes
            if at > idea["last_activity_at"] and idea["status"] not in CLOSED_STATUSES:
                idea["last_activity_at"] = at
        idea["vote_count"] = len(voters)
    assert len(c.votes) == total


def _comments(c: Company, rng: random.Random, popularity: list[float], total: int, now: datetime) -> None:
    weights = [p ** 0.5 for p in popularity]
    picks = rng.choices(range(len(c.ideas)), weights, k=total)
    picks.sort()
    for n, i in enumerate(picks, start=1):
        idea = c.ideas[i]
        at = idea["created_at"] + (now - idea["created_at"]) * rng.random()
        c.comments.append({"id": n, "idea_id": idea["id"], "author_id": rng.randint(1, USERS),
                           "body": rng.choice(COMMENTS), "created_at": at})
        idea["comment_count"] += 1
        idea["last_activity_at"] = max(idea["last_activity_at"], at)


assert set(BOARD_COLUMNS) == set(STATUS_WEIGHTS), "a new status: give it a weight in STATUS_WEIGHTS"
