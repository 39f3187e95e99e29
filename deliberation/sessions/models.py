"""Live sessions (เวทีระดมความคิดเห็น): a brainstorm on a meeting, joined by code — its
participants, ideas and votes, themes, quick polls and what was taken forward."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from forum.db import utcnow


def _str(length: int) -> Any:
    return sa.String(length)


# -- live forum sessions (issue 4): a brainstorm on a meeting, joined by code -----------------


class LiveSessionStatus(StrEnum):
    open = "open"  # ideas and votes come in
    paused = "paused"  # read-only for the moment
    closed = "closed"  # archived: still viewable, nothing more comes in


class IdeaStatus(StrEnum):
    pending = "pending"  # waiting for the facilitator (pre-moderation on)
    shown = "shown"
    hidden = "hidden"
    merged = "merged"  # folded into another idea (merged_into_id); its votes moved there


class LiveSession(SQLModel, table=True):
    """A live session (เวทีระดมความคิดเห็น) on a meeting, optionally on one agenda item,
    joined with a 6-digit code."""

    __tablename__ = "live_session"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    prompt: str = Field(sa_type=_str(300))  # the question put to the hall
    code: str = Field(sa_type=_str(6), unique=True)  # digits only: a Thai keyboard needs no switch
    status: LiveSessionStatus = Field(default=LiveSessionStatus.open, sa_type=_str(20))
    premoderation: bool = False
    idea_limit: int = 280  # characters
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    version: int = 1
    # The countdown shown on the projector and the phones: running until timer_ends_at;
    # stopped with timer_left seconds (paused) or none.
    timer_ends_at: datetime | None = None
    timer_left: int | None = None


class LiveParticipant(SQLModel, table=True):
    """Someone in a session: a guest with a nickname (no account), or a member joining as
    themselves. The device keeps a random token (only its hash is stored) to come back as
    the same participant."""

    __tablename__ = "live_participant"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    nickname: str = Field(sa_type=_str(60))
    show_account_name: bool = False  # public views show the nickname unless this is chosen
    token_hash: str = Field(sa_type=_str(64), unique=True)
    consent_at: datetime  # the PDPA text accepted at join
    created_at: datetime = Field(default_factory=utcnow)


class LiveConsent(SQLModel, table=True):
    """The live sessions' consent ledger: a participant's consent to the notice the join
    form showed (its version: deliberation.sessions.sessions.GUEST_NOTICE), as members'
    consents are kept (forum.models.Consent), and when it was withdrawn (the participant
    erased what they sent)."""

    __tablename__ = "live_consent"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="live_participant.id", index=True)
    notice_version: int
    given_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class LiveIdea(SQLModel, table=True):
    """A short idea put in a session. `votes` is kept with the votes themselves (one per
    participant per idea; a merge moves them, never counting one twice)."""

    __tablename__ = "live_idea"
    __table_args__ = (sa.UniqueConstraint("participant_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    participant_id: int = Field(foreign_key="live_participant.id", index=True)
    text: str = Field(sa_type=sa.Text)
    category: str = Field(default="", sa_type=_str(60))
    status: IdeaStatus = Field(default=IdeaStatus.shown, sa_type=_str(20))
    pinned: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="live_idea.id")
    votes: int = 0
    idempotency_key: str = Field(sa_type=_str(64))  # one idea however often a phone resends
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    cluster_id: int | None = Field(default=None, foreign_key="live_cluster.id", index=True)


class LiveIdeaVote(SQLModel, table=True):
    __tablename__ = "live_idea_vote"
    __table_args__ = (sa.UniqueConstraint("idea_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="live_idea.id", index=True)
    participant_id: int = Field(foreign_key="live_participant.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class LiveCluster(SQLModel, table=True):
    """A theme the facilitator groups ideas into (by hand, or by accepting a suggestion)."""

    __tablename__ = "live_cluster"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    name: str = Field(sa_type=_str(120))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class LivePollStatus(StrEnum):
    draft = "draft"  # being written: not shown
    open = "open"  # answers come in; results live on the projector
    closed = "closed"  # results kept and shown, no more answers


class LivePoll(SQLModel, table=True):
    """A quick poll inside a session: single or multiple choice."""

    __tablename__ = "live_poll"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    question: str = Field(sa_type=_str(300))
    multiple: bool = False
    status: LivePollStatus = Field(default=LivePollStatus.draft, sa_type=_str(20))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1


class LivePollOption(SQLModel, table=True):
    __tablename__ = "live_poll_option"

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="live_poll.id", index=True)
    label: str = Field(sa_type=_str(200))
    position: int = 0
    votes: int = 0  # kept with the answers themselves


class LivePollAnswer(SQLModel, table=True):
    """One participant's choice of one option (a multiple-choice poll: one row per option)."""

    __tablename__ = "live_poll_answer"
    __table_args__ = (sa.UniqueConstraint("option_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="live_poll.id", index=True)
    option_id: int = Field(foreign_key="live_poll_option.id")
    participant_id: int = Field(foreign_key="live_participant.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class PromotionTarget(StrEnum):
    agenda_item = "agenda_item"  # an item added to a meeting's agenda
    proposal_draft = "proposal_draft"  # kept until the voting issue brings proposals


class LivePromotion(SQLModel, table=True):
    """An idea or a cluster taken forward: into an agenda item of a meeting, or into a
    project-proposal draft. Linked back to the ideas it came from (live_promotion_idea)."""

    __tablename__ = "live_promotion"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    target: PromotionTarget = Field(sa_type=_str(20))
    title: str = Field(sa_type=_str(300))
    body: str = Field(default="", sa_type=sa.Text)
    cluster_id: int | None = Field(default=None, foreign_key="live_cluster.id")
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)


class LivePromotionIdea(SQLModel, table=True):
    __tablename__ = "live_promotion_idea"

    promotion_id: int = Field(foreign_key="live_promotion.id", primary_key=True)
    idea_id: int = Field(foreign_key="live_idea.id", primary_key=True, index=True)
