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


class Role(StrEnum):
    EMPLOYEE = "employee"
    LEADER = "leader"
    ADMIN = "admin"


INITIAL_STATUS = Status.NEW
CLOSED_STATUSES = frozenset({Status.IMPLEMENTED, Status.DECLINED, Status.DUPLICATE})

# Minutes lost per week that one person may claim for one item: a whole working week.
MAX_MINUTES_PER_WEEK = 40 * 60


def carries_minutes(kind: str) -> bool:
    """Only pain points cost time; ideas are votes without minutes."""
    return kind == Kind.PAIN_POINT


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
