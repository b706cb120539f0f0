"""Tables, relationships and small derived properties. Nothing here commits."""
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .workflow import INITIAL_STATUS, EmailPreference, Role


MAX_ID = 2**31 - 1  # ids from URLs and forms beyond this are simply not found
# The condition of the partial indexes over items waiting for a response (triage.waiting_conditions).
UNANSWERED = text("status = 'new' AND first_response_at IS NULL")


def in_language(locale: str, en: str, de: str) -> str:
    """Of a name kept in both languages (a category's), the one for `locale`."""
    return de if locale == "de" else en


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


team_leaders = db.Table(
    "team_leaders",
    db.Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["User"]] = relationship(back_populates="team", foreign_keys="User.team_id")
    leaders: Mapped[list["User"]] = relationship(secondary=team_leaders, back_populates="led_teams")

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.EMPLOYEE)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    email_preference: Mapped[str] = mapped_column(String(16), default=EmailPreference.IMMEDIATE,
                                                  server_default=EmailPreference.IMMEDIATE)
    active: Mapped[bool] = mapped_column(default=True)
    # Changes whenever the password changes or the account is deactivated, so that
    # sessions and remember-me cookies issued before stop working.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person showed they read this address (the link of the confirmation email);
    # None until then, and only for someone who registered while the app sends email.
    # Accounts made by an admin, the command line or the demo are confirmed as they are made.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    led_teams: Mapped[list[Team]] = relationship(secondary=team_leaders, back_populates="leaders")
    # Unread notifications, for the bell: loaded with the signed-in user (services.load_user),
    # None where a user is loaded otherwise.
    unread_count: Mapped[int | None] = query_expression()
    # The ids of the teams this person leads, comma-separated ("" for none): loaded the same
    # way, since most pages ask whether the reader leads the item's team. See led_team_ids.
    led_team_list: Mapped[str | None] = query_expression()
    # The number in catalog_version as this user's statement read it (see CatalogVersion);
    # None where a user is loaded otherwise.
    catalog_version: Mapped[int | None] = query_expression()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def led_team_ids(self) -> list[int]:
        """The ids of the teams this person leads: from the user's own statement where it
        loaded them (the signed-in user), otherwise from led_teams (a statement)."""
        if self.led_team_list is not None:
            return [int(team_id) for team_id in self.led_team_list.split(",") if team_id]
        return [team.id for team in self.led_teams]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Category(db.Model):
    """A cause of bureaucracy pain. Admins edit the list; items keep their category."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_de: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name_for(self, locale: str) -> str:
        return in_language(locale, self.name_en, self.name_de)


class TeamStatusCount(db.Model):
    """How many items each team has in each status, for the board's column totals: counting
    the items themselves took time in proportion to them (a board of every team counted all
    of them on each view: 6 ms at 10,000 items on PostgreSQL). Triggers on `ideas` keep it
    exact in the same transaction as the insert, move or hand-over (migration 0011), whatever
    writes the items: the app, the seed commands or SQL by hand."""

    __tablename__ = "team_status_counts"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class CatalogVersion(db.Model):
    """One row whose number the database itself moves on every change to teams or categories
    (triggers, migration 0010): whatever writes them, the app's forms, the command line or
    SQL by hand. A process keeps the team and category lists it read with the number it saw
    and reads them again when the number has moved (services.organisation). It starts at a
    random number and moves by random steps, so that a database restored from a backup, its
    own or another's, does not come back to a number a running process kept lists for."""

    __tablename__ = "catalog_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


class Idea(db.Model):
    """A pain point or an improvement idea.

    vote_count, comment_count and minutes_total are counters kept exact in the
    same transaction (or statement) as the vote or comment that changes them (atomic
    UPDATE ... SET n = n + 1), so lists can sort by them with an index.
    """

    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint("minutes_per_week >= 0", name="minutes_not_negative"),
        Index("ix_ideas_status_votes", "status", "vote_count"),
        # the board: each column's top cards of the chosen teams, and its counts, from the index alone
        Index("ix_ideas_team_status_votes", "team_id", "status", "vote_count", "minutes_total", "id"),
        # the waiting list: New items nobody has answered yet, per team, oldest first
        Index("ix_ideas_unanswered", "team_id", "created_at",
              sqlite_where=UNANSWERED, postgresql_where=UNANSWERED),
        # ... and of the whole company (admins, the list's "waiting" filter without a team), oldest first
        Index("ix_ideas_unanswered_age", "created_at",
              sqlite_where=UNANSWERED, postgresql_where=UNANSWERED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    minutes_per_week: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=INITIAL_STATUS, index=True)

    vote_count: Mapped[int] = mapped_column(default=0, index=True)
    comment_count: Mapped[int] = mapped_column(default=0)
    minutes_total: Mapped[int] = mapped_column(default=0, index=True)

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The first status move or comment by a leader of the owning team (or an admin).
    first_response_at: Mapped[datetime | None] = mapped_column()
    # Set when marked Implemented: the realised saving, an estimate in minutes per week.
    implemented_at: Mapped[datetime | None] = mapped_column(index=True)
    saving_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"), index=True)
    # The reader's own vote (its minutes per week; None without one): loaded with the item for
    # its page (services.item_page), None where an item is loaded otherwise.
    reader_vote_minutes: Mapped[int | None] = query_expression()

    category: Mapped[Category] = relationship()
    duplicate_of: Mapped["Idea | None"] = relationship(remote_side=[id], back_populates="duplicates")
    duplicates: Mapped[list["Idea"]] = relationship(back_populates="duplicate_of", order_by="Idea.id")
    team: Mapped[Team] = relationship()
    author: Mapped[User] = relationship()
    comments: Mapped[list["Comment"]] = relationship(
        back_populates="idea", order_by="(Comment.created_at, Comment.id)", cascade="all, delete-orphan"
    )
    history: Mapped[list["StatusChange"]] = relationship(
        back_populates="idea", order_by="(StatusChange.created_at, StatusChange.id)", cascade="all, delete-orphan"
    )

    def waiting_since(self, now: datetime, response_days: int) -> bool:
        """Still New and unanswered after the response time: flagged "waiting"."""
        return self.status == INITIAL_STATUS and self.first_response_at is None and \
            (now - self.created_at).days >= response_days

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.title!r}>"


class Vote(db.Model):
    """One person's "me too". The primary key makes it one per person per idea."""

    __tablename__ = "votes"
    __table_args__ = (CheckConstraint("minutes_per_week >= 0", name="minutes_not_negative"),)

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    minutes_per_week: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class StatusChange(db.Model):
    """One step of an item's history. actor is None for the submission itself,
    so that the history never names an anonymous author. A hand-over to another team keeps
    the status and names both teams."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    from_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    to_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))

    idea: Mapped[Idea] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class Notification(db.Model):
    """Something that happened to an item, for one person. Rendered in the reader's
    language when shown or mailed, so it stores codes and a short text, not sentences."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(24))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    target_idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    # A deleted comment takes its notifications with it.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column()
    emailed_at: Mapped[datetime | None] = mapped_column()  # sent, or settled unsent (arrived under "never")
    email_attempts: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    idea: Mapped[Idea] = relationship(foreign_keys=[idea_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_idea: Mapped[Idea | None] = relationship(foreign_keys=[target_idea_id])
    comment: Mapped[Comment | None] = relationship()
