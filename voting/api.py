"""The ballots' JSON API (/api/v1/…), over the same services and rules as the pages: a body's
ballots, setting one up, opening and closing it, casting (a client key: a retry is the same
cast, with the same receipt), the result once it may be shown, and the public bulletin."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from forum.api.params import PathId
from forum.config import get_settings
from forum.models import RECORD, SAYS_SOMETHING, ApiInput, BangkokDateTime, rules, said, when
from forum.web import ActorDep, MemberDep, SessionDep
from voting import ballots, tally
from voting.ballots import OptionSpec
from voting.models import (
    Ballot,
    BallotMethod,
    BallotStatus,
    Eligibility,
    RankedRule,
    ResultsShown,
    Secrecy,
    TellerCountKind,
)

router = APIRouter(prefix="/api/v1", tags=["ballots"])

Satang = Annotated[int, Field(ge=0, le=10_000_000_000_000, description="Thai baht × 100 (satang).")]


# -- what the API answers ----------------------------------------------------------------------


class OptionPublic(BaseModel):
    id: int
    position: int
    label: str
    cost_satang: int | None


class Standing(BaseModel):
    may_vote: bool
    voted: bool = Field(
        description="Your seat's vote is counted (a substitute's counts for the member)."
    )
    reason: str = Field(description="Why you may not vote here, if you may not.")


class BallotLine(BaseModel):
    id: int
    title: str
    method: BallotMethod
    secrecy: Secrecy
    status: BallotStatus


class BallotPublic(BallotLine):
    body_id: int
    meeting_id: int | None
    item_id: int | None
    question: str
    ranked_rule: RankedRule
    majority: tally.Majority
    quorum: int
    most: int
    dots: int
    budget_satang: int | None
    eligibility: Eligibility
    results_shown: ResultsShown
    may_change: bool
    eligible: int = Field(description="How many may vote (fixed when the ballot opens).")
    voters: int = Field(description="How many have voted.")
    opened_at: BangkokDateTime | None
    closed_at: BangkokDateTime | None
    bulletin_head: str | None = Field(description="The bulletin's hash chain end, once closed.")
    options: list[OptionPublic]
    standing: Standing
    teller_counts: list[TellerCountPublic] = Field(
        description="Paper ballots and shows of hands: for the tellers, and for everyone once results may be shown."
    )
    result: dict[str, Any] | None = Field(
        description="The tally (voting.tally), once it may be shown: a secret ballot's only after it closes."
    )


class TellerCountPublic(BaseModel):
    id: int
    kind: TellerCountKind
    counts: dict[str, int] = Field(
        description="A motion's yes/no/abstain; otherwise option id → count, and papers."
    )
    entered_by: int
    confirmed_by: int | None = Field(
        description="The second teller: only a confirmed count is counted."
    )
    entered_at: BangkokDateTime
    confirmed_at: BangkokDateTime | None


class CastPublic(BaseModel):
    receipt: str = Field(
        description="Keep it: its sha256 is on the bulletin when the ballot closes."
    )
    again: bool = Field(description="A retry of a cast already counted: nothing was added.")
    changed: bool = Field(description="A named ballot's vote, changed.")


# -- what it takes ----------------------------------------------------------------------------


class OptionCreate(ApiInput):
    label: str = said(300)
    cost_satang: Satang | None = None


_COSTED = {
    "type": "array",
    "items": {
        "required": ["cost_satang"],
        "properties": {"cost_satang": {"type": "integer", "minimum": 0}},
    },
}
_NOT_MOTION = {
    "if": {"required": ["method"], "properties": {"method": {"not": {"const": "motion"}}}},
    "then": {"required": ["options"], "properties": {"options": {"type": "array", "minItems": 2}}},
}
_SECRET = {
    "if": {"required": ["secrecy"], "properties": {"secrecy": {"const": "secret"}}},
    "then": {
        "properties": {"results_shown": {"const": "after_close"}, "may_change": {"const": False}}
    },
}


class BallotCreate(ApiInput):
    model_config = rules(
        _NOT_MOTION,
        _SECRET,
        when(
            "method",
            "budget",
            {"budget_satang": {"type": "integer", "minimum": 1}, "options": _COSTED},
        ),
        when("method", "dots", {"dots": {"type": "integer", "minimum": 1}}),
        when("eligibility", "attendees", {"meeting_id": RECORD}),
        {"dependentRequired": {"item_id": ["meeting_id"]}},
    )

    title: str = said(300)
    question: str = Field(default="", max_length=5000)
    method: BallotMethod
    options: list[OptionCreate] = Field(
        default_factory=list,
        max_length=ballots.MAX_OPTIONS,
        description="2 to 50 (none for a motion).",
    )
    meeting_id: int | None = Field(
        default=None, ge=1, description="The body's meeting it belongs to."
    )
    item_id: int | None = Field(
        default=None,
        ge=1,
        description="A motion's agenda item, on that meeting's agenda: its result becomes the item's resolution when the ballot closes.",
    )
    secrecy: Secrecy
    eligibility: Literal["members", "attendees"] = "members"
    results_shown: ResultsShown = ResultsShown.after_close
    may_change: bool = False
    majority: tally.Majority = tally.Majority.simple
    quorum: int = Field(default=0, ge=0, le=100_000)
    most: int = Field(
        default=1,
        ge=1,
        le=ballots.MAX_OPTIONS,
        description="Approval: options a voter may approve, at most as many as there are.",
    )
    dots: int = Field(default=0, ge=0, le=100)
    budget_satang: Satang | None = None
    ranked_rule: RankedRule = RankedRule.schulze


class CountCreate(ApiInput):
    kind: TellerCountKind
    counts: dict[str, Annotated[int, Field(ge=0, le=100_000)]] = Field(
        description=(
            'As the ballot\'s method counts: a motion {"yes": n, "no": n, "abstain": n} (at least one '
            'vote); otherwise {"<option id>": n, …, "papers": n} with at least one paper, no option '
            "counted more often than there are papers (score: 5 × papers; dots: the dots of that "
            "many papers, in all). A count that does not fit is 422."
        ),
        json_schema_extra={"minProperties": 1},
    )


class StatusChange(ApiInput):
    to: Literal["open", "close"]


Choice = Annotated[
    Any,
    Field(
        description=(
            'As the ballot\'s method reads it: a motion "yes", "no" or "abstain"; approval and '
            "budget a list of option ids; score and dots an object of option id → points; ranked "
            "a list of option ids, first choice first. A shape the method cannot read is 422."
        ),
        json_schema_extra={
            "anyOf": [
                {"type": "string", "enum": ["yes", "no", "abstain"]},
                {"type": "array", "items": RECORD, "maxItems": ballots.MAX_OPTIONS},
                {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100},
                },
            ]
        },
    ),
]


class CastRequest(ApiInput):
    choice: Choice
    key: str = Field(
        max_length=ballots.MAX_KEY,
        description="Your client's key for this cast: the same key again is the same cast.",
        json_schema_extra=SAYS_SOMETHING,
    )


# -- routes -----------------------------------------------------------------------------------


def _public(session: Any, actor: Any, ballot: Ballot) -> BallotPublic:
    standing = ballots.standing(session, ballot, actor)
    result = ballots.result_of(session, ballot)
    return BallotPublic(
        **ballot.model_dump(
            exclude={"created_by", "created_at", "version", "opens_at", "closes_at"},
            warnings=False,
        ),
        voters=ballots.voters_count(session, ballot.id),  # type: ignore[arg-type]
        options=[
            OptionPublic(**option.model_dump(exclude={"ballot_id"}, warnings=False))
            for option in ballots.options_of(session, ballot.id)
        ],  # type: ignore[arg-type]
        teller_counts=[
            _count_public(row) for row in ballots.visible_counts(session, actor, ballot)
        ],
        standing=Standing(
            may_vote=standing.seat is not None, voted=standing.voted, reason=standing.refused
        ),
        result=json.loads(json.dumps(ballots.plain(result))) if result is not None else None,
    )


@router.get("/bodies/{body_id}/ballots", response_model=list[BallotLine])
def body_ballots(session: SessionDep, actor: MemberDep, body_id: PathId) -> list[BallotLine]:
    return [
        BallotLine(**ballot.model_dump(warnings=False))
        for ballot in ballots.body_ballots(session, actor, body_id=body_id)
    ]


@router.post("/bodies/{body_id}/ballots", response_model=BallotPublic, status_code=201)
def create_ballot(
    session: SessionDep, actor: MemberDep, body_id: PathId, payload: BallotCreate
) -> BallotPublic:
    ballot = ballots.create_ballot(
        session,
        actor,
        body_id=body_id,
        title=payload.title,
        question=payload.question,
        method=payload.method,
        options=[OptionSpec(option.label, option.cost_satang) for option in payload.options],
        meeting_id=payload.meeting_id,
        item_id=payload.item_id,
        secrecy_=payload.secrecy,
        eligibility=Eligibility(payload.eligibility),
        results_shown=payload.results_shown,
        may_change=payload.may_change,
        majority=payload.majority,
        quorum=payload.quorum,
        most=payload.most,
        dots=payload.dots,
        budget_satang=payload.budget_satang,
        ranked_rule=payload.ranked_rule,
    )
    return _public(session, actor, ballot)


@router.get("/ballots/{ballot_id}", response_model=BallotPublic)
def get_ballot(session: SessionDep, actor: MemberDep, ballot_id: PathId) -> BallotPublic:
    return _public(session, actor, ballots.get_ballot(session, actor, ballot_id=ballot_id))


@router.post("/ballots/{ballot_id}/status", response_model=BallotPublic)
def change_status(
    session: SessionDep, actor: MemberDep, ballot_id: PathId, payload: StatusChange
) -> BallotPublic:
    """Open a draft ballot, or close an open one (its bulletin is published)."""
    if payload.to == "open":
        ballot = ballots.open_ballot(session, actor, ballot_id=ballot_id)
    else:
        ballot = ballots.close_ballot(
            session, actor, ballot_id=ballot_id, secret_key=get_settings().secret_key
        )
    return _public(session, actor, ballot)


@router.post("/ballots/{ballot_id}/votes", response_model=CastPublic, status_code=201)
def cast_vote(
    session: SessionDep,
    actor: MemberDep,
    ballot_id: PathId,
    payload: CastRequest,
    response: Response,
) -> CastPublic:
    """Cast your seat's vote (201), or send the same cast again (200, the same receipt)."""
    cast = ballots.cast_vote(
        session,
        actor,
        ballot_id=ballot_id,
        choice=payload.choice,
        key=payload.key,
        secret_key=get_settings().secret_key,
    )
    if cast.again or cast.changed:
        response.status_code = 200
    return CastPublic(receipt=cast.receipt, again=cast.again, changed=cast.changed)


@router.post("/ballots/{ballot_id}/counts", response_model=TellerCountPublic, status_code=201)
def enter_count(
    session: SessionDep, actor: MemberDep, ballot_id: PathId, payload: CountCreate
) -> TellerCountPublic:
    """A teller enters paper ballots or a show of hands as counts (counted once a second
    teller confirms them)."""
    row = ballots.enter_count(
        session, actor, ballot_id=ballot_id, kind=payload.kind, counts=payload.counts
    )
    return _count_public(row)


@router.post("/ballots/{ballot_id}/counts/{count_id}/confirm", response_model=TellerCountPublic)
def confirm_count(
    session: SessionDep, actor: MemberDep, ballot_id: PathId, count_id: PathId
) -> TellerCountPublic:
    """A second teller (not the one who entered it) confirms a count."""
    row = ballots.confirm_count(session, actor, ballot_id=ballot_id, count_id=count_id)
    return _count_public(row)


def _count_public(row: Any) -> TellerCountPublic:
    fields = row.model_dump(exclude={"ballot_id", "counts"}, warnings=False)
    return TellerCountPublic(**fields, counts=json.loads(row.counts))


@router.get("/ballots/{ballot_id}/bulletin")
def bulletin(session: SessionDep, _actor: ActorDep, ballot_id: PathId) -> dict[str, Any]:
    """A closed ballot's bulletin (anyone: it holds no one's name): the header, the sorted
    receipt hashes, the sorted counted choices, the result and the hash chain's end. Recount
    it with `wethi verify bulletin.json` or the README's script."""
    return ballots.bulletin(session, ballots.closed_ballot(session, ballot_id))
