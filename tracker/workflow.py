"""The product's vocabulary and rules as plain Python: kinds, statuses, roles, voting.

Statuses are stored as the short strings of these StrEnums, so adding a column to
the board is a code change, not a schema change. Their translated names live in
tracker/i18n.py.
"""
from enum import StrEnum


class Kind(StrEnum):
    PAIN_POINT = "pain_point"
    IDEA = "idea"


class Status(StrEnum):
    NEW = "new"
    REVIEW = "review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    DECLINED = "declined"
    DUPLICATE = "duplicate"


class EmailPreference(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    NONE = "none"


class NotificationType(StrEnum):
    NEW_ITEM = "new_item"          # to leaders of the owning team
    STATUS_CHANGED = "status_changed"
    COMMENT_ADDED = "comment_added"
    MERGED = "merged"              # the item was marked a duplicate of another
    HANDED_OVER = "handed_over"    # to another team (its name in the notification's text)


class Role(StrEnum):
    EMPLOYEE = "employee"
    LEADER = "leader"
    ADMIN = "admin"


INITIAL_STATUS = Status.NEW
OPEN_STATUSES = (Status.NEW, Status.REVIEW, Status.PLANNED, Status.IN_PROGRESS)
CLOSED_STATUSES = frozenset({Status.IMPLEMENTED, Status.DECLINED, Status.DUPLICATE})

# The board's columns, left to right.
BOARD_COLUMNS = (*OPEN_STATUSES, Status.IMPLEMENTED, Status.DECLINED, Status.DUPLICATE)

# Where each status may go. Forward one step along the main line; Declined and
# Duplicate from any open status; a declined item may be reopened for review.
_FORWARD = {
    Status.NEW: Status.REVIEW,
    Status.REVIEW: Status.PLANNED,
    Status.PLANNED: Status.IN_PROGRESS,
    Status.IN_PROGRESS: Status.IMPLEMENTED,
}
TRANSITIONS: dict[Status, frozenset[Status]] = {
    **{status: frozenset({_FORWARD[status], Status.DECLINED, Status.DUPLICATE}) for status in OPEN_STATUSES},
    Status.DECLINED: frozenset({Status.REVIEW}),
    Status.IMPLEMENTED: frozenset(),
    Status.DUPLICATE: frozenset(),
}

# Moves into these statuses need a public note: the reason, or what changed.
NOTE_REQUIRED = frozenset({Status.DECLINED, Status.IMPLEMENTED})
# Implemented asks for the realised saving; Duplicate for the item it duplicates.
SAVING_REQUIRED = frozenset({Status.IMPLEMENTED})
TARGET_REQUIRED = frozenset({Status.DUPLICATE})


def allowed_targets(status: str) -> list[Status]:
    """The statuses an item in `status` may move to, in board order."""
    targets = TRANSITIONS.get(Status(status), frozenset()) if status in set(Status) else frozenset()
    return [s for s in BOARD_COLUMNS if s in targets]


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in allowed_targets(from_status)


def can_merge_into(status: str) -> bool:
    """A duplicate's votes and discussion move to an item that is still open."""
    return status in OPEN_STATUSES

# Minutes lost per week that one person may claim for one item: a whole working week.
MAX_MINUTES_PER_WEEK = 40 * 60
# The saving a leader estimates when an item is implemented is for the whole company: many
# people's hours (the hours lost on one item add up past 40 with a few dozen voters).
MAX_SAVING_HOURS_PER_WEEK = 10_000


KIND_WITH_MINUTES = Kind.PAIN_POINT  # the one kind whose votes carry minutes (also written in SQL)


def carries_minutes(kind: str) -> bool:
    """Only pain points cost time; ideas are votes without minutes."""
    return kind == KIND_WITH_MINUTES


def can_vote_on(status: str) -> bool:
    """Closed items keep their votes but take no new ones."""
    return status not in CLOSED_STATUSES


# The causes of bureaucracy pain a new company starts with: (code, English, German).
# Admins edit the list afterwards; the first migration inserts these rows.
DEFAULT_CATEGORIES = (
    ("standardisation", "Useless standardisation", "Unnütze Standardisierung"),
    ("paperwork", "Internal paperwork and bureaucracy", "Interner Bürokratieaufwand"),
    ("unclear_requirements", "Unclear or changing requirements", "Unklare oder wechselnde Vorgaben"),
    ("transparency", "Missing transparency", "Fehlende Transparenz"),
    ("not_heard", "Not being heard", "Kein Gehör für Anliegen"),
    ("rewards", "Reward system", "Entlohnungs- und Anerkennungssystem"),
    ("cooperation", "Cooperation between departments", "Zusammenarbeit der Abteilungen"),
    ("other", "Other", "Sonstiges"),
)
