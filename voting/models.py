"""Ballots: the question and its options, who has voted (the roll), and what was voted —
kept apart when the ballot is secret.

A secret ballot's storage, so that an administrator with the database cannot match a voter
to a choice (issue 13, part 3):
- `ballot_voter` (the roll) says who voted, `ballot_receipt` which receipts were issued:
  neither holds anything of the choice.
- While the ballot is open each choice is a `ballot_sealed` row: encrypted with a key the
  database does not hold (derived from the server's secret key, voting.secrecy), under a
  random id, with no time. On PostgreSQL a row written in the same transaction as its roll
  line shares its transaction id (xmin) and sits next to it in the table, so a plain choice
  there would give the vote away; sealed, it gives nothing.
- At close the sealed choices are opened, shuffled and written once, together, as
  `ballot_paper` rows (random ids, no time, one transaction: one xmin for all, physical
  order the shuffle's), and the sealed rows are deleted. The tally and the bulletin are made
  from the papers.
A named ballot keeps each choice with its voter (`ballot_vote`): who voted what is public.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from forum.db import utcnow


def _str(length: int) -> Any:
    return sa.String(length)


class BallotMethod(StrEnum):
    motion = "motion"  # yes / no / abstain
    approval = "approval"  # up to `most` options
    score = "score"  # 0–5 per option
    dots = "dots"  # `dots` dots, several on one option allowed
    ranked = "ranked"  # an order of the options (Schulze, or instant-runoff)
    budget = "budget"  # proposals whose costs fit the budget


class RankedRule(StrEnum):
    schulze = "schulze"
    instant_runoff = "instant_runoff"


class Secrecy(StrEnum):
    named = "named"  # who voted what is public (a show of hands, on the record)
    secret = "secret"  # who voted is known, what they voted never


class Eligibility(StrEnum):
    members = "members"  # the body's voting members (a substitute in the member's place)
    attendees = "attendees"  # the meeting's checked-in attendees
    participants = "participants"  # a live session's devices (counts devices, not people)


class ResultsShown(StrEnum):
    after_close = "after_close"
    live = "live"  # named ballots only: a secret ballot never shows results before close


class BallotStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class Ballot(SQLModel, table=True):
    """A vote of a body: on a motion (an agenda item's), or over options or proposals."""

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    title: str = Field(sa_type=_str(300))
    question: str = Field(default="", sa_type=sa.Text)
    method: BallotMethod = Field(sa_type=_str(20))
    ranked_rule: RankedRule = Field(default=RankedRule.schulze, sa_type=_str(20))
    majority: str = Field(default="simple", sa_type=_str(20))  # voting.tally.Majority
    quorum: int = 0  # voters needed for the result to count
    most: int = 1  # approval: options a voter may approve
    dots: int = 0  # dots: a voter's dots
    budget_satang: int | None = Field(default=None, sa_type=sa.BigInteger)
    secrecy: Secrecy = Field(default=Secrecy.secret, sa_type=_str(10))
    eligibility: Eligibility = Field(default=Eligibility.members, sa_type=_str(20))
    results_shown: ResultsShown = Field(default=ResultsShown.after_close, sa_type=_str(20))
    may_change: bool = False  # named ballots only: a voter may change their vote until close
    status: BallotStatus = Field(default=BallotStatus.draft, sa_type=_str(10))
    opens_at: datetime | None = None  # on a schedule (else by hand)
    closes_at: datetime | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    eligible: int = 0  # how many may vote, fixed when the ballot opens
    bulletin_head: str | None = Field(default=None, sa_type=_str(64))  # the hash chain's end
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class BallotOption(SQLModel, table=True):
    __tablename__ = "ballot_option"
    __table_args__ = (sa.UniqueConstraint("ballot_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    position: int
    label: str = Field(sa_type=_str(300))
    cost_satang: int | None = Field(default=None, sa_type=sa.BigInteger)  # budget selection


class BallotVoter(SQLModel, table=True):
    """The roll: one line per vote cast — by the database's constraints, one per seat (a
    member, whoever sits in their place) and one per device."""

    __tablename__ = "ballot_voter"
    __table_args__ = (
        sa.UniqueConstraint("ballot_id", "seat_id"),
        sa.UniqueConstraint("ballot_id", "participant_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    seat_id: int | None = Field(default=None, foreign_key="person.id")  # whose vote it is
    cast_by: int | None = Field(default=None, foreign_key="person.id")  # a substitute: not the seat
    participant_id: int | None = Field(default=None, foreign_key="live_participant.id")
    # The keys of the casts counted for this seat (sha256, space-separated): any of them
    # sent again is the same cast — a late retry never undoes a named ballot's change.
    key_hashes: str = Field(sa_type=sa.Text)
    voted_at: datetime = Field(default_factory=utcnow)


class BallotVote(SQLModel, table=True):
    """A named ballot's choice, with its voter."""

    __tablename__ = "ballot_vote"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    voter_id: int = Field(foreign_key="ballot_voter.id", unique=True)
    content: str = Field(sa_type=sa.Text)  # canonical JSON (voting.ballots.canonical)


class BallotSealed(SQLModel, table=True):
    """A secret ballot's choice while it is open: encrypted (voting.secrecy), no time, a
    random id."""

    __tablename__ = "ballot_sealed"

    id: str = Field(primary_key=True, sa_type=_str(32))
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    sealed: str = Field(sa_type=sa.Text)


class BallotPaper(SQLModel, table=True):
    """A secret ballot's counted choice, written at close with all the others in a shuffled
    order: a random id, no time, nothing of its voter."""

    __tablename__ = "ballot_paper"

    id: str = Field(primary_key=True, sa_type=_str(32))
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    content: str = Field(sa_type=sa.Text)


class BallotReceipt(SQLModel, table=True):
    """A receipt issued (its sha256 only): the bulletin lists them so each voter can check
    their ballot was counted. Nothing links it to a choice."""

    __tablename__ = "ballot_receipt"

    receipt_hash: str = Field(primary_key=True, sa_type=_str(64))
    ballot_id: int = Field(foreign_key="ballot.id", index=True)


class TellerCountKind(StrEnum):
    paper = "paper"  # paper ballots, counted in the hall
    hands = "hands"  # a show of hands (named ballots only: hands are not secret)


class TellerCount(SQLModel, table=True):
    """People without a phone: a teller enters what the hall voted on paper or by a show of
    hands, as counts; a second teller confirms it before it counts. Kept apart from the
    electronic casts, and shown apart in the results and the bulletin."""

    __tablename__ = "ballot_teller_count"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    kind: TellerCountKind = Field(sa_type=_str(10))
    # canonical JSON: a motion's {"yes": n, "no": n, "abstain": n}; otherwise the option
    # ids' counts and "papers", the number of paper ballots (or hands raised)
    counts: str = Field(sa_type=sa.Text)
    entered_by: int = Field(foreign_key="person.id")
    entered_at: datetime = Field(default_factory=utcnow)
    confirmed_by: int | None = Field(default=None, foreign_key="person.id")
    confirmed_at: datetime | None = None
