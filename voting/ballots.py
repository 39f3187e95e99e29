"""Ballots: set up, open, cast, close, count, and the bulletin anyone can check.

One eligible person, one vote: the roll's unique constraints (voting.models.BallotVoter)
hold it whatever the code does — two phones of one member casting at once give one vote —
and a cast's key makes a retry the same cast (the same receipt, nothing added). A secret
ballot's choice is sealed while it is open and becomes a shuffled paper at close (the
storage is described in voting.models); its results exist only once it is closed.

The bulletin, published at close: the receipts' hashes (sorted) and, apart from them, every
counted choice (sorted by its text: an order that says nothing of when it came), with a
hash chain over the ballot, both lists and the result. `verify_bulletin` recomputes the
chain and the tally from the bulletin alone: `wethi verify BALLOT` and the README's script
do the same outside the server.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass, is_dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from deliberation.agenda import conduct
from deliberation.agenda.models import Agenda, AgendaItem
from forum import audit, db, i18n, policy
from forum.config import get_settings
from forum.db import utcnow
from forum.errors import Conflict, DomainError, Forbidden, InvalidInput, NotAChoice, NotFound
from forum.forms import ascii_digits
from forum.models import Attendance, AttendanceStatus, Body, Meeting, Membership, Person, Role
from forum.policy import Actor
from voting import secrecy, tally
from voting.models import (
    Ballot,
    BallotMethod,
    BallotOption,
    BallotPaper,
    BallotReceipt,
    BallotSealed,
    BallotStatus,
    BallotVote,
    BallotVoter,
    Eligibility,
    RankedRule,
    ResultsShown,
    Secrecy,
    TellerCount,
    TellerCountKind,
)

VOTING_ROLES = (Role.chair, Role.vice_chair, Role.secretary, Role.member)  # not observers
MAX_OPTIONS = 50
MAX_KEY = 100


# -- setting a ballot up ----------------------------------------------------------------------


@dataclass(frozen=True)
class OptionSpec:
    label: str
    cost_satang: int | None = None


def create_ballot(
    session: Session,
    actor: Actor,
    *,
    body_id: int,
    title: str,
    method: BallotMethod,
    options: list[OptionSpec] | None = None,
    meeting_id: int | None = None,
    item_id: int | None = None,
    question: str = "",
    secrecy_: Secrecy = Secrecy.secret,
    eligibility: Eligibility = Eligibility.members,
    results_shown: ResultsShown = ResultsShown.after_close,
    may_change: bool = False,
    majority: tally.Majority = tally.Majority.simple,
    quorum: int = 0,
    most: int = 1,
    dots: int = 0,
    budget_satang: int | None = None,
    ranked_rule: RankedRule = RankedRule.schulze,
) -> Ballot:
    """A ballot in draft, for those who run the body. Raises Forbidden, NotFound,
    InvalidInput (each field's problem)."""
    if session.get(Body, body_id) is None:
        raise NotFound()
    policy.require(actor, "voting.ballot.run", body_id)
    meeting = session.get(Meeting, meeting_id) if meeting_id is not None else None
    if meeting_id is not None and (meeting is None or meeting.body_id != body_id):
        raise NotFound()
    if item_id is not None and (
        meeting is None or _meeting_of_item(session, item_id) != meeting.id
    ):
        raise NotFound()  # a motion's item is on the ballot's own meeting's agenda
    options = [] if method == BallotMethod.motion else list(options or [])
    problems: dict[str, str] = {}
    if not title.strip() or len(title) > 300:
        problems["title"] = "Please give the ballot a title (at most 300 characters)."
    if method != BallotMethod.motion and not 2 <= len(options) <= MAX_OPTIONS:
        problems["options"] = "A ballot needs 2 to 50 options."
    if any(not option.label.strip() or len(option.label) > 300 for option in options):
        problems["options"] = "Each option needs a label of at most 300 characters."
    if secrecy_ == Secrecy.secret and results_shown == ResultsShown.live:
        problems["results_shown"] = "A secret ballot shows its results only once it is closed."
    if secrecy_ == Secrecy.secret and may_change:
        problems["may_change"] = "Changing one's vote is possible in named ballots only."
    if eligibility == Eligibility.attendees and meeting is None:
        problems["eligibility"] = "Only a ballot in a meeting can be for its checked-in attendees."
    if method == BallotMethod.approval and not 1 <= most <= len(options):
        problems["most"] = "A voter approves at least 1 option and at most as many as there are."
    if method == BallotMethod.dots and not 1 <= dots <= 100:
        problems["dots"] = "Give each voter 1 to 100 dots."
    if method == BallotMethod.budget:
        if budget_satang is None or budget_satang <= 0:
            problems["budget_satang"] = "Please give the budget to share, in baht."
        if any(option.cost_satang is None or option.cost_satang < 0 for option in options):
            problems["options"] = "Each proposal needs its cost, in baht."
    if quorum < 0:
        problems["quorum"] = "The quorum is a number of voters, 0 or more."
    if eligibility == Eligibility.participants:
        problems["eligibility"] = "Voting by a live session's devices is not available yet."
    if problems:
        raise InvalidInput(problems)
    ballot = Ballot(
        body_id=body_id,
        meeting_id=meeting_id,
        item_id=item_id,
        title=title.strip(),
        question=question.strip(),
        method=method,
        ranked_rule=ranked_rule,
        majority=tally.Majority(majority),
        quorum=quorum,
        most=most,
        dots=dots,
        budget_satang=budget_satang,
        secrecy=secrecy_,
        eligibility=eligibility,
        results_shown=results_shown,
        may_change=may_change,
        created_by=actor.person_id,
    )
    session.add(ballot)
    session.flush()
    for position, option in enumerate(options, start=1):
        label = option.label.strip()
        cost = option.cost_satang
        session.add(
            BallotOption(ballot_id=ballot.id, position=position, label=label, cost_satang=cost)
        )  # type: ignore[arg-type]
    audit.record(session, actor, "voting.ballot.create", ballot)
    session.commit()
    return ballot


def _meeting_of_item(session: Session, item_id: int) -> int | None:
    query = (
        select(Agenda.meeting_id)
        .join(AgendaItem, col(AgendaItem.agenda_id) == Agenda.id)
        .where(AgendaItem.id == item_id)
    )
    return session.exec(query).first()


def options_of(session: Session, ballot_id: int) -> list[BallotOption]:
    return list(session.exec(_OPTIONS, params={"ballot_id": ballot_id}).all())


_OPTIONS = (
    select(BallotOption)
    .where(BallotOption.ballot_id == sa.bindparam("ballot_id"))
    .order_by(col(BallotOption.position))
)


def _ballot(session: Session, ballot_id: int) -> Ballot:
    ballot = session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound()
    return ballot


# -- who may vote ------------------------------------------------------------------------------


def eligible_seats(session: Session, ballot: Ballot) -> set[int]:
    """The seats that may vote: the body's voting members, or the meeting's checked-in
    attendees (a substitute's seat is the member they sit for)."""
    if ballot.eligibility == Eligibility.members:
        query = select(Membership.person_id).where(
            Membership.body_id == ballot.body_id, col(Membership.role).in_(VOTING_ROLES)
        )
        return set(session.exec(query).all())
    query = select(Attendance.person_id, Attendance.substitute_for_id).where(
        Attendance.meeting_id == ballot.meeting_id,
        Attendance.status == AttendanceStatus.present,
        col(Attendance.checked_in_at).is_not(None),
        col(Attendance.person_id).is_not(None),
    )
    return {substitute_for or person for person, substitute_for in session.exec(query).all()}


def _eligible(session: Session, ballot: Ballot, seat: int) -> bool:
    """Whether this one seat may vote (eligible_seats, asked for one: a hall of 2,000 casting
    at once must not each read the whole list)."""
    if ballot.eligibility == Eligibility.members:
        values = {"body_id": ballot.body_id, "seat": seat}
        return session.exec(_A_MEMBERS_SEAT, params=values).first() is not None
    values = {"meeting_id": ballot.meeting_id, "seat": seat}
    return session.exec(_AN_ATTENDEES_SEAT, params=values).first() is not None


# Built once (every cast asks one of them).
_A_MEMBERS_SEAT = (
    select(Membership.id)
    .where(
        Membership.body_id == sa.bindparam("body_id"),
        Membership.person_id == sa.bindparam("seat"),
        col(Membership.role).in_(VOTING_ROLES),
    )
    .limit(1)
)
_AN_ATTENDEES_SEAT = (
    select(Attendance.id)
    .where(
        Attendance.meeting_id == sa.bindparam("meeting_id"),
        Attendance.status == AttendanceStatus.present,
        col(Attendance.checked_in_at).is_not(None),
        (Attendance.person_id == sa.bindparam("seat"))
        | (Attendance.substitute_for_id == sa.bindparam("seat")),
    )
    .limit(1)
)


def seat_of(session: Session, ballot: Ballot, actor: Actor) -> int:
    """The seat whose vote the actor casts: their own, or — checked in as มาประชุมแทน — the
    member's they sit for (then never the member's own as well). Raises NotLoggedIn-style
    Forbidden when they may not vote in this ballot."""
    if not actor.is_authenticated:
        raise Forbidden(
            action="voting.ballot.cast",
            message="Please log in to vote: a vote here is one person's.",
        )
    sitting_for = None
    if ballot.meeting_id is not None:
        lines = session.exec(
            select(Attendance.person_id, Attendance.substitute_for_id, Attendance.status).where(
                Attendance.meeting_id == ballot.meeting_id,
                (Attendance.person_id == actor.person_id)
                | (Attendance.substitute_for_id == actor.person_id),
            )
        ).all()
        for person, substitute_for, status in lines:
            if (
                substitute_for == actor.person_id
                and status == AttendanceStatus.present
                and person != actor.person_id
            ):
                raise Forbidden(
                    action="voting.ballot.cast",
                    message="Someone checked in to this meeting in your place (มาประชุมแทน) votes for you.",
                )
            if (
                person == actor.person_id
                and substitute_for is not None
                and status == AttendanceStatus.present
            ):
                sitting_for = substitute_for
    seat = sitting_for or actor.person_id
    if not _eligible(session, ballot, seat):  # type: ignore[arg-type]
        raise Forbidden(
            action="voting.ballot.cast", message="You are not among those who vote in this ballot."
        )
    return seat  # type: ignore[return-value]


# -- choices -----------------------------------------------------------------------------------


def _whole(value: Any) -> int:
    """An option id or a number of points as a client sends it: an integer, or digits in a
    form's text — never a fraction or true/false (1.9 is not option 1)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(value)
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 12):
            raise ValueError(value)
        return int(value)
    return value


def canonical(ballot: Ballot, options: list[BallotOption], choice: Any) -> str:
    """The choice as the bulletin writes it (JSON, keys sorted, no spaces), after checking
    it is one this ballot can count. Raises InvalidInput with the voter's problem."""
    ids = [option.id for option in options]
    known = set(ids)

    try:
        match ballot.method:
            case BallotMethod.motion:
                if choice not in {c.value for c in tally.Choice}:
                    raise InvalidInput({"choice": "Please choose yes, no or abstain."})
                value: Any = str(choice)
            case BallotMethod.approval | BallotMethod.budget:
                if not isinstance(choice, list):
                    raise TypeError(choice)
                value = sorted({_whole(option) for option in choice})
                if not set(value) <= known:
                    raise NotAChoice({"choice": "One of the options chosen is not on this ballot."})
                if ballot.method == BallotMethod.approval and not 1 <= len(value) <= ballot.most:
                    raise InvalidInput(
                        {
                            "choice": "Please choose at least 1 option and no more than the ballot allows."
                        }
                    )
                if ballot.method == BallotMethod.budget:
                    costs = {option.id: option.cost_satang or 0 for option in options}
                    if sum(costs[option] for option in value) > (ballot.budget_satang or 0):
                        raise InvalidInput(
                            {
                                "choice": "The proposals chosen cost more than the budget: please choose fewer."
                            }
                        )
            case BallotMethod.score | BallotMethod.dots:
                if not isinstance(choice, dict):
                    raise TypeError(choice)
                value = {
                    str(_whole(option)): _whole(points)
                    for option, points in choice.items()
                    if _whole(points)
                }
                if not {_whole(option) for option in value} <= known:
                    raise NotAChoice({"choice": "One of the options chosen is not on this ballot."})
                if ballot.method == BallotMethod.score and not all(
                    0 <= p <= tally.MAX_SCORE for p in value.values()
                ):
                    raise InvalidInput({"choice": "Each score is a whole number from 0 to 5."})
                if ballot.method == BallotMethod.dots and (
                    any(p < 0 for p in value.values()) or sum(value.values()) > ballot.dots
                ):
                    raise InvalidInput({"choice": "Please place no more dots than you have."})
            case BallotMethod.ranked:
                if not isinstance(choice, list):
                    raise TypeError(choice)
                value = [_whole(option) for option in choice]
                if not set(value) <= known:
                    raise NotAChoice({"choice": "One of the options chosen is not on this ballot."})
                if not value or len(set(value)) != len(value):
                    raise InvalidInput(
                        {"choice": "Please rank the options: each at most once, at least one."}
                    )
    except (TypeError, ValueError, AttributeError, OverflowError):
        raise InvalidInput({"choice": "This choice cannot be read: please choose again."}) from None
    return _json(value)


# -- casting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    receipt: str  # to show the voter: they find its hash on the bulletin
    again: bool  # a retry of a cast already counted (nothing added)
    changed: bool = False  # a named ballot's vote changed


def cast_vote(
    session: Session, actor: Actor, *, ballot_id: int, choice: Any, key: str, secret_key: str
) -> Cast:
    """Cast the actor's vote (their seat's). `key`: the client's own for this cast — the same
    key again is the same cast. Raises NotFound, Forbidden (not a voter here), Conflict (not
    open; already voted and the ballot allows no change), InvalidInput (the choice)."""
    ballot = _ballot(session, ballot_id)
    policy.require(actor, "voting.ballot.cast", ballot)
    if not key or len(key) > MAX_KEY:
        raise InvalidInput({"key": "A vote needs its client key (at most 100 characters)."})
    if ballot.status != BallotStatus.open:
        raise Conflict("This ballot is not open for voting.")
    seat = seat_of(session, ballot, actor)
    content = canonical(ballot, options_of(session, ballot.id), choice)  # type: ignore[arg-type]
    code = receipt_of(ballot, seat, secret_key)
    db.durable(session)  # acknowledged is on the disk
    voter = BallotVoter(
        ballot_id=ballot.id, seat_id=seat, cast_by=actor.person_id, key_hashes=secrecy.key_hash(key)
    )  # type: ignore[arg-type]
    session.add(voter)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return _voted_before(session, actor, ballot, seat, key, content, secret_key)
    _store_choice(session, ballot, voter, content, secret_key)
    session.add(BallotReceipt(receipt_hash=secrecy.receipt_hash(code), ballot_id=ballot.id))  # type: ignore[arg-type]
    # The audit log says who voted, as the roll does — never what (nor, secret, a receipt).
    audit.record(session, actor, "voting.ballot.cast", ballot, after={"seat": seat})
    _still_open(session, ballot.id)  # type: ignore[arg-type]
    session.commit()
    return Cast(code, again=False)


def receipt_of(ballot: Ballot, seat: int, secret_key: str) -> str:
    return secrecy.receipt(secret_key, ballot.id, f"p{seat}")  # type: ignore[arg-type]


def _still_open(session: Session, ballot_id: int) -> None:
    """Inside the writing transaction: the ballot is still open. A close running at the same
    moment either waits for this cast (which it then counts) or has closed the ballot first
    (this cast is refused, nothing kept). PostgreSQL: a share lock on the ballot's row, which
    a close's update waits for; SQLite: writers take turns, and this cast already holds its."""
    status = session.exec(_STATUS_SHARED, params={"ballot_id": ballot_id}).one()
    if status != BallotStatus.open:
        session.rollback()
        raise Conflict("This ballot is not open for voting.")


_STATUS_SHARED = (
    select(Ballot.status).where(Ballot.id == sa.bindparam("ballot_id")).with_for_update(read=True)
)


def _store_choice(
    session: Session, ballot: Ballot, voter: BallotVoter, content: str, secret_key: str
) -> None:
    if ballot.secrecy == Secrecy.secret:
        row_id = secrecy.new_id()
        sealed = secrecy.seal(secret_key, ballot.id, row_id, content)  # type: ignore[arg-type]
        session.add(BallotSealed(id=row_id, ballot_id=ballot.id, sealed=sealed))  # type: ignore[arg-type]
    else:
        session.add(BallotVote(ballot_id=ballot.id, voter_id=voter.id, content=content))  # type: ignore[arg-type]


MAX_CHANGES = 50  # a named ballot's changes of one vote: the keys of each are kept


def _voted_before(
    session: Session,
    actor: Actor,
    ballot: Ballot,
    seat: int,
    key: str,
    content: str,
    secret_key: str,
) -> Cast:
    voter = session.exec(
        select(BallotVoter).where(BallotVoter.ballot_id == ballot.id, BallotVoter.seat_id == seat)
    ).one()
    code = receipt_of(ballot, seat, secret_key)
    used = voter.key_hashes.split()
    if secrecy.key_hash(key) in used:  # a cast sent again (a weak connection), even a late one
        return Cast(code, again=True)
    if not ballot.may_change or len(used) >= MAX_CHANGES:
        raise Conflict("This vote was already cast, and this ballot does not allow changing it.")
    db.durable(session)  # the rollback before gave the connection back: durable again
    vote = session.exec(select(BallotVote).where(BallotVote.voter_id == voter.id)).one()
    before, vote.content = vote.content, content
    voter.key_hashes = " ".join([*used, secrecy.key_hash(key)])
    session.add_all([vote, voter])
    audit.record(
        session,
        actor,
        "voting.ballot.change",
        ballot,
        before={"choice": before},
        after={"choice": content},
    )
    _still_open(session, ballot.id)  # type: ignore[arg-type]
    session.commit()
    return Cast(code, again=False, changed=True)


# -- opening and closing -------------------------------------------------------------------------


def open_ballot(session: Session, actor: Actor, *, ballot_id: int) -> Ballot:
    """Open a draft ballot for voting; who may vote is counted now. Raises Forbidden,
    NotFound, Conflict (not a draft)."""
    ballot = _ballot(session, ballot_id)
    policy.require(actor, "voting.ballot.run", ballot)
    if ballot.status != BallotStatus.draft:
        raise Conflict("Only a ballot in draft can be opened.")
    ballot.status, ballot.opened_at = BallotStatus.open, utcnow()
    ballot.eligible = len(eligible_seats(session, ballot))
    ballot.version += 1
    session.add(ballot)
    audit.record(session, actor, "voting.ballot.open", ballot, after={"eligible": ballot.eligible})
    session.commit()
    return ballot


def close_ballot(session: Session, actor: Actor, *, ballot_id: int, secret_key: str) -> Ballot:
    """Close an open ballot: a secret ballot's sealed choices become shuffled papers, all in
    this one transaction, and the bulletin's hash chain is fixed. Who may vote is counted
    again (checked-in attendees may have come since it opened). Raises Forbidden, NotFound,
    Conflict (not open; its sealed choices do not open with this server's key)."""
    ballot = _ballot(session, ballot_id)
    policy.require(actor, "voting.ballot.run", ballot)
    closing = session.exec(  # type: ignore[call-overload]
        sa_update(Ballot)
        .where(col(Ballot.id) == ballot_id, col(Ballot.status) == BallotStatus.open)
        .values(status=BallotStatus.closed, closed_at=utcnow(), version=Ballot.version + 1)
    )
    if closing.rowcount != 1:  # a second click, or another officer, closed it first
        session.rollback()
        raise Conflict("Only an open ballot can be closed.")
    session.refresh(ballot)
    voted = set(
        session.exec(select(BallotVoter.seat_id).where(BallotVoter.ballot_id == ballot.id)).all()
    )
    ballot.eligible = len(eligible_seats(session, ballot) | voted)
    if ballot.secrecy == Secrecy.secret:
        _shuffle_into_papers(session, ballot, secret_key, expected=len(voted))
    session.add(ballot)
    session.flush()
    ballot.bulletin_head = bulletin(session, ballot)["head"]
    audit.record(
        session, actor, "voting.ballot.close", ballot, after={"bulletin_head": ballot.bulletin_head}
    )
    session.commit()
    if ballot.method == BallotMethod.motion and ballot.item_id is not None:
        record_motion_outcome(session, actor, ballot)
    return ballot


def motion_resolution(ballot: Ballot, result: tally.MotionResult, locale: str) -> str:
    """The resolution (มติที่ประชุม) a motion's result writes, in words and numbers."""
    said = "carried" if result.carried else "no_quorum" if not result.quorum_met else "not_carried"
    return i18n.translate(
        _MESSAGES["resolution"],
        locale,
        said=i18n.translate(_MESSAGES[said], locale),
        secrecy=i18n.translate(_MESSAGES[str(ballot.secrecy)], locale),
        yes=result.yes,
        no=result.no,
        abstain=result.abstain,
        voted=result.voted,
        eligible=result.eligible,
        quorum=result.quorum,
        majority=i18n.translate(_MESSAGES[str(result.majority)], locale),
        needed=result.needed,
    )


_MESSAGES = {
    "resolution": "%(said)s, %(secrecy)s: for %(yes)s, against %(no)s, abstaining %(abstain)s; "
    "%(voted)s of %(eligible)s voted (quorum %(quorum)s), %(majority)s needing %(needed)s votes for.",
    "carried": "The meeting resolved to approve",
    "not_carried": "The meeting resolved not to approve",
    "no_quorum": "No resolution: the quorum was not reached",
    "secret": "by secret ballot",
    "named": "by named vote",
    "simple": "a simple majority",
    "absolute": "an absolute majority",
    "two_thirds": "a two-thirds majority",
}


def record_motion_outcome(session: Session, actor: Actor, ballot: Ballot) -> bool:
    """A closed motion on an agenda item writes the item's outcome and resolution through
    deliberation's conduct (approved, or not; an item without a quorum stays pending), in a
    transaction after the close's. Never over what the secretary already recorded, and
    returns False when conduct refuses (the meeting not in session, the actor not one who
    records outcomes, someone recording it meanwhile): the secretary records it by hand."""
    result = result_of(session, ballot)
    item = session.get(AgendaItem, ballot.item_id)
    if not isinstance(result, tally.MotionResult) or item is None or ballot.meeting_id is None:
        return False
    if item.outcome != "pending" or item.resolution:
        return False  # recorded by hand already: the ballot's result is on its own page
    outcome = "approved" if result.carried else "rejected" if result.quorum_met else "pending"
    try:
        conduct.record_outcome(
            session,
            actor,
            meeting_id=ballot.meeting_id,
            item_id=item.id,  # type: ignore[arg-type]
            version=item.outcome_version,
            outcome=outcome,
            discussion_summary=item.discussion_summary,
            resolution=motion_resolution(ballot, result, get_settings().default_locale),
        )
    except DomainError:
        session.rollback()
        return False
    return True


def motion_outcome_written(session: Session, ballot: Ballot) -> bool:
    """Whether a closed motion's result is its item's resolution (the close page says so, or
    asks the secretary to record it)."""
    result = result_of(session, ballot)
    item = session.get(AgendaItem, ballot.item_id) if ballot.item_id else None
    if item is None or not isinstance(result, tally.MotionResult):
        return False
    return item.resolution == motion_resolution(ballot, result, get_settings().default_locale)


def _shuffle_into_papers(
    session: Session, ballot: Ballot, secret_key: str, *, expected: int
) -> None:
    sealed = session.exec(
        select(BallotSealed.id, BallotSealed.sealed).where(BallotSealed.ballot_id == ballot.id)
    ).all()
    try:
        if len(sealed) != expected:
            raise secrecy.Tampered("sealed choices and the roll differ in number")
        contents = [secrecy.unseal(secret_key, ballot.id, row_id, text) for row_id, text in sealed]  # type: ignore[arg-type]
    except secrecy.Tampered:
        session.rollback()
        raise Conflict(
            "The sealed votes cannot be opened: they were changed in the database, or the "
            "server's secret key is not the one it had when they were cast. Nothing was closed."
        ) from None
    random.SystemRandom().shuffle(contents)
    session.exec(delete(BallotSealed).where(col(BallotSealed.ballot_id) == ballot.id))  # type: ignore[call-overload]
    session.add_all(
        BallotPaper(id=secrecy.new_id(), ballot_id=ballot.id, content=content)
        for content in contents
    )  # type: ignore[arg-type]


# -- counting -------------------------------------------------------------------------------------


def contents_of(session: Session, ballot: Ballot) -> list[str]:
    """Every counted choice, sorted by its text (for a secret ballot, once it is closed)."""
    if ballot.secrecy == Secrecy.secret:
        if ballot.status != BallotStatus.closed:
            return []
        query: Any = select(BallotPaper.content).where(BallotPaper.ballot_id == ballot.id)
    else:
        query = select(BallotVote.content).where(BallotVote.ballot_id == ballot.id)
    return sorted(session.exec(query).all())


def voters_count(session: Session, ballot_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(BallotVoter).where(BallotVoter.ballot_id == ballot_id)
    ).one()


def results_visible(ballot: Ballot) -> bool:
    """A secret ballot never shows results before it closes; a named one when it says so."""
    if ballot.status == BallotStatus.closed:
        return True
    return (
        ballot.secrecy == Secrecy.named
        and ballot.results_shown == ResultsShown.live
        and ballot.status == BallotStatus.open
    )


def count(header: dict[str, Any], contents: list[str], tellers: list[str] = ()) -> Any:  # type: ignore[assignment]
    """The result of a ballot described by `header` (the bulletin's) from its electronic
    choices and the tellers' confirmed counts (paper ballots, a show of hands), added to
    them: the server and `verify_bulletin` call this same function."""
    choices = [json.loads(content) for content in contents]
    counted = [json.loads(text)["counts"] for text in tellers]
    papers = sum(entry.get("papers", 0) for entry in counted)
    added: dict[int, int] = {}
    for entry in counted:
        for option, number in entry.items():
            if option.isdigit():
                added[int(option)] = added.get(int(option), 0) + number
    ids = [option["id"] for option in header["options"]]
    match BallotMethod(header["method"]):
        case BallotMethod.motion:
            yes, no, abstain = tally.count_choices(choices)
            return tally.motion(
                yes + sum(entry["yes"] for entry in counted),
                no + sum(entry["no"] for entry in counted),
                abstain + sum(entry["abstain"] for entry in counted),
                eligible=header["eligible"],
                quorum=header["quorum"],
                majority=tally.Majority(header["majority"]),
            )
        case BallotMethod.approval:
            return tally.with_counts(
                tally.approval(ids, choices, most=header["most"]), ids, added, papers, voters=True
            )
        case BallotMethod.score:
            return tally.with_counts(tally.score(ids, _by_option(choices)), ids, added, papers)
        case BallotMethod.dots:
            return tally.with_counts(
                tally.dots(ids, _by_option(choices), dots=header["dots"]), ids, added, papers
            )
        case BallotMethod.ranked:
            if header["ranked_rule"] == RankedRule.instant_runoff:
                return tally.instant_runoff(ids, choices)
            return tally.schulze(ids, choices)
        case BallotMethod.budget:
            costs = {option["id"]: option["cost_satang"] or 0 for option in header["options"]}
            electronic = tally.budget(costs, choices, budget=header["budget_satang"] or 0)
            votes = {
                line.option: line.votes + added.get(line.option, 0) for line in electronic.lines
            }
            return tally.select_within(
                costs, votes, budget=electronic.budget, ballots=electronic.ballots + papers
            )


def _by_option(choices: list[Any]) -> list[dict[int, int]]:
    """Score and dots choices with their option ids as numbers (JSON keys are text)."""
    return [{int(option): points for option, points in choice.items()} for choice in choices]


def result_of(session: Session, ballot: Ballot) -> Any:
    """The ballot's result now (None while it may not be shown: results_visible)."""
    if not results_visible(ballot):
        return None
    tellers = counted_by_tellers(session, ballot.id)  # type: ignore[arg-type]
    return count(_header(session, ballot), contents_of(session, ballot), tellers)


# -- the bulletin --------------------------------------------------------------------------------

BULLETIN_FORMAT = "wethi-bulletin/1"


def _header(session: Session, ballot: Ballot) -> dict[str, Any]:
    return {
        "format": BULLETIN_FORMAT,
        "ballot": ballot.id,
        "title": ballot.title,
        "method": str(ballot.method),
        "ranked_rule": str(ballot.ranked_rule),
        "majority": str(ballot.majority),
        "quorum": ballot.quorum,
        "most": ballot.most,
        "dots": ballot.dots,
        "budget_satang": ballot.budget_satang,
        "secrecy": str(ballot.secrecy),
        "eligible": ballot.eligible,
        "options": [
            {"id": option.id, "label": option.label, "cost_satang": option.cost_satang}
            for option in options_of(session, ballot.id)  # type: ignore[arg-type]
        ],
    }


def _link(previous: str, kind: str, text: str) -> str:
    return hashlib.sha256(f"{previous}\n{kind}\n{text}".encode()).hexdigest()


def chain(
    header: dict[str, Any],
    receipts: list[str],
    contents: list[str],
    tellers: list[str],
    result: Any,
) -> str:
    """The hash chain's end: the header, every receipt hash, every choice, every teller's
    count, then the result, each link sha256(previous ‖ kind ‖ text). Change, add or remove
    one and the end differs."""
    head = _link("", "header", _json(header))
    for kind, items in (("receipt", receipts), ("choice", contents), ("teller", tellers)):
        for item in items:
            head = _link(head, kind, item)
    return _link(head, "result", _json(plain(result)))


def bulletin(session: Session, ballot: Ballot) -> dict[str, Any]:
    """The closed ballot's bulletin: what anyone needs to check it. Raises Conflict before
    the ballot closes."""
    if ballot.status != BallotStatus.closed:
        raise Conflict("The bulletin is published when the ballot closes.")
    header = _header(session, ballot)
    receipts = sorted(
        session.exec(
            select(BallotReceipt.receipt_hash).where(BallotReceipt.ballot_id == ballot.id)
        ).all()
    )
    contents = contents_of(session, ballot)
    tellers = counted_by_tellers(session, ballot.id)  # type: ignore[arg-type]
    result = count(header, contents, tellers)
    return {
        "header": header,
        "receipts": receipts,
        "choices": contents,
        "voters": voters_count(session, ballot.id),  # type: ignore[arg-type]
        "tellers": tellers,  # paper ballots and a show of hands: counted apart, confirmed by two
        "result": plain(result),
        "head": chain(header, receipts, contents, tellers, result),
    }


def verify_bulletin(data: Any) -> list[str]:
    """What is wrong with a bulletin, recomputed from it alone (empty: it checks out): every
    choice is one the ballot could count, written as the server writes it; every receipt a
    sha256, listed once; as many receipts as choices as voters, no more than may vote; the
    lists in their published order; the result what the choices count to; the chain's end."""
    try:
        header, receipts, choices = data["header"], data["receipts"], data["choices"]
        tellers = data.get("tellers", [])
        if not (
            isinstance(header, dict)
            and all(isinstance(part, list) for part in (receipts, choices, tellers))
        ):
            raise TypeError("the bulletin's parts are not what they should be")
        wrong_tellers = _tellers_problems(header, tellers)
        if wrong_tellers:
            return wrong_tellers
        result = count(header, choices, tellers)
        papers = sum(_papers_of(json.loads(text)["counts"]) for text in tellers)
        ballot = SimpleNamespace(
            **{name: header[name] for name in ("method", "most", "dots", "budget_satang")}
        )
        options = [
            SimpleNamespace(id=option["id"], cost_satang=option["cost_satang"])
            for option in header["options"]
        ]
        unreadable = [
            choice for choice in choices if canonical(ballot, options, json.loads(choice)) != choice
        ]  # type: ignore[arg-type]
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
        tally.BadBallot,
        InvalidInput,
    ) as error:
        return [f"the bulletin cannot be counted: {error!r}"]
    problems = []
    if unreadable:
        problems.append(f"{len(unreadable)} choices are not written as a counted choice is")
    if plain(result) != data.get("result"):
        problems.append("the published result is not what its choices count to")
    if len(set(receipts)) != len(receipts) or not all(
        isinstance(r, str) and _SHA256.fullmatch(r) for r in receipts
    ):
        problems.append("a receipt is listed twice, or is not a receipt's sha256")
    if len(receipts) != len(choices) or data.get("voters") != len(receipts):
        problems.append("receipts, choices and voters do not number the same")
    if len(receipts) + papers > header.get("eligible", 0):
        problems.append("more voted than may vote")
    if receipts != sorted(receipts) or choices != sorted(choices):
        problems.append("the lists are not in their published order")
    if tellers != sorted(tellers):
        problems.append("the tellers' counts are not in their published order")
    if chain(header, receipts, choices, tellers, result) != data.get("head"):
        problems.append("the hash chain does not end where the bulletin says")
    return problems


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _tellers_problems(header: dict[str, Any], tellers: list[str]) -> list[str]:
    """A tellers' entry the server could not have written: its kind, its keys, its numbers,
    its written form (a show of hands in a secret ballot; a count on a ranked one)."""
    motion = header["method"] == BallotMethod.motion
    keys = (
        {c.value for c in tally.Choice}
        if motion
        else {str(o["id"]) for o in header["options"]} | {"papers"}
    )
    for text in tellers:
        entry = json.loads(text) if isinstance(text, str) else None
        counts = entry.get("counts") if isinstance(entry, dict) else None
        if (
            not isinstance(counts, dict)
            or _json(entry) != text
            or set(entry) != {"kind", "counts"}
            or entry["kind"] not in {kind.value for kind in TellerCountKind}
            or (entry["kind"] == TellerCountKind.hands and header["secrecy"] == Secrecy.secret)
            or header["method"] == BallotMethod.ranked
            or not set(counts) <= keys
            or (not motion and "papers" not in counts)
            or not all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts.values()
            )
        ):
            return ["a teller's count is not one the server could have written"]
    return []


def plain(value: Any) -> Any:
    """A result as JSON would carry it (tuples of pairwise keys become "a>b")."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {
            (f"{k[0]}>{k[1]}" if isinstance(k, tuple) else str(k)): plain(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# -- reading -------------------------------------------------------------------------------------


def may_count(actor: Actor, target: Any) -> bool:
    """Whether the actor is a teller here (enters and confirms paper and hand counts)."""
    return policy.can(actor, "voting.ballot.tally", target)


def names_of(session: Session, person_ids: set[int]) -> dict[int, str]:
    rows = session.exec(
        select(Person.id, Person.display_name).where(col(Person.id).in_(person_ids))
    ).all()
    return {person_id: name for person_id, name in rows if person_id is not None}


def may_run(actor: Actor, target: Any) -> bool:
    """Whether the actor sets up, opens and closes this body's ballots (for the controls)."""
    return policy.can(actor, "voting.ballot.run", target)


def get_ballot(session: Session, actor: Actor, *, ballot_id: int) -> Ballot:
    """A ballot, for whoever may read the programme's ballots. Raises NotFound, Forbidden."""
    ballot = _ballot(session, ballot_id)
    policy.require(actor, "voting.ballot.view", ballot)
    return ballot


def body_ballots(session: Session, actor: Actor, *, body_id: int) -> list[Ballot]:
    """A body's ballots, the newest first. Raises NotFound, Forbidden."""
    if session.get(Body, body_id) is None:
        raise NotFound()
    policy.require(actor, "voting.ballot.view", body_id)
    query = select(Ballot).where(Ballot.body_id == body_id).order_by(col(Ballot.id).desc())
    return list(session.exec(query).all())


@dataclass(frozen=True)
class Standing:
    """Where the actor stands in a ballot: may they vote, have they (their seat) voted."""

    seat: int | None  # None: not a voter here (`refused` says why)
    voted: bool
    refused: str = ""


def standing(session: Session, ballot: Ballot, actor: Actor) -> Standing:
    try:
        seat = seat_of(session, ballot, actor)
    except Forbidden as refusal:
        return Standing(None, False, refusal.message)
    query = select(BallotVoter.id).where(
        BallotVoter.ballot_id == ballot.id, BallotVoter.seat_id == seat
    )
    return Standing(seat, session.exec(query).first() is not None)


def my_choice(session: Session, ballot: Ballot, seat: int) -> str | None:
    """A named ballot's choice of this seat (None for a secret ballot: nowhere to be read)."""
    if ballot.secrecy != Secrecy.named:
        return None
    query = (
        select(BallotVote.content)
        .join(BallotVoter, col(BallotVoter.id) == BallotVote.voter_id)
        .where(BallotVoter.ballot_id == ballot.id, BallotVoter.seat_id == seat)
    )
    return session.exec(query).first()


def receipt_counted(session: Session, ballot: Ballot, code: str) -> bool:
    """Whether this receipt is on the ballot's bulletin (closed ballots only)."""
    if ballot.status != BallotStatus.closed:
        raise Conflict("The bulletin is published when the ballot closes.")
    found = session.exec(
        select(BallotReceipt.receipt_hash).where(
            BallotReceipt.ballot_id == ballot.id,
            BallotReceipt.receipt_hash == secrecy.receipt_hash(code),
        )
    ).first()
    return found is not None


def meeting_choices(session: Session, body_id: int) -> list[tuple[int, str]]:
    """The body's meetings a ballot may belong to, newest first: (id, "3/2569 title")."""
    query = (
        select(Meeting.id, Meeting.number, Meeting.year_be, Meeting.title)
        .where(Meeting.body_id == body_id)
        .order_by(col(Meeting.starts_at).desc())
        .limit(50)
    )
    return [(row[0], f"{row[1]}/{row[2]} {row[3]}".strip()) for row in session.exec(query).all()]


def item_choices(session: Session, meeting_id: Any) -> list[tuple[int, str]]:
    """The meeting's agenda items a motion may be on ("4.1 title"): its result is written
    into the item's outcome when the ballot closes."""
    from deliberation.sessions.sessions import agenda_choices

    text = str(meeting_id or "")
    return agenda_choices(session, int(text)) if text.isdigit() and len(text) < 12 else []


def release_item(session: Session, item_id: int) -> None:
    """deliberation.agenda.agendas.ITEM_REMOVAL_HOOKS: an item with a ballot that opened stays
    (its result is a record); a draft ballot's motion lets go of it."""
    on_it = session.exec(select(Ballot).where(Ballot.item_id == item_id)).all()
    if any(ballot.status != BallotStatus.draft for ballot in on_it):
        raise Conflict("A ballot was held on this item: it stays on the agenda.")
    for ballot in on_it:
        ballot.item_id = None
        session.add(ballot)
    session.flush()


def closed_ballot(session: Session, ballot_id: int) -> Ballot:
    """A closed ballot, for its public bulletin (anyone: it holds no one's name). Raises
    NotFound (no such ballot, or not closed yet)."""
    ballot = session.get(Ballot, ballot_id)
    if ballot is None or ballot.status != BallotStatus.closed:
        raise NotFound()
    return ballot


_MEETING_BALLOTS = (
    select(Ballot.id, Ballot.title, Ballot.status, Ballot.secrecy)
    .where(Ballot.meeting_id == sa.bindparam("meeting_id"))
    .order_by(col(Ballot.id))
)


def meeting_ballots(session: Session, meeting_id: int) -> list[Any]:
    """A meeting's ballots, in the order they were set up (the meeting page's panel)."""
    return list(session.exec(_MEETING_BALLOTS, params={"meeting_id": meeting_id}).all())


# -- tellers: paper ballots and a show of hands -----------------------------------------------

MAX_COUNT = 100_000


def enter_count(
    session: Session, actor: Actor, *, ballot_id: int, kind: Any, counts: Any
) -> TellerCount:
    """A teller enters what the hall voted without a phone, as counts: a motion's yes / no /
    abstain; otherwise each option's count and the number of papers. It counts once a
    second teller confirms it. Raises Forbidden, NotFound, Conflict (not open; a ranked
    ballot, whose papers are orders, not counts), InvalidInput."""
    ballot = _ballot(session, ballot_id)
    policy.require(actor, "voting.ballot.tally", ballot)
    if ballot.status != BallotStatus.open:
        raise Conflict("This ballot is not open for voting.")
    if ballot.method == BallotMethod.ranked:
        raise Conflict(
            "A ranked ballot's papers are orders, not counts: tellers cannot enter them as counts."
        )
    try:
        kind = TellerCountKind(kind)
    except ValueError:
        raise InvalidInput({"kind": "Please choose paper ballots or a show of hands."}) from None
    if kind == TellerCountKind.hands and ballot.secrecy == Secrecy.secret:
        raise InvalidInput({"kind": "A secret ballot cannot be counted by a show of hands."})
    text = _json(_counts(session, ballot, options_of(session, ballot.id), counts))  # type: ignore[arg-type]
    pending = select(TellerCount.id).where(
        TellerCount.ballot_id == ballot.id,
        TellerCount.kind == kind,
        TellerCount.counts == text,
        col(TellerCount.confirmed_by).is_(None),
    )
    if session.exec(pending).first() is not None:  # the same form sent twice
        raise Conflict("This count is already entered and waits for a second teller.")
    row = TellerCount(ballot_id=ballot.id, kind=kind, counts=text, entered_by=actor.person_id)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "voting.ballot.count", ballot, after={"kind": str(kind), "counts": text}
    )
    _still_open(session, ballot.id)  # type: ignore[arg-type]
    session.commit()
    return row


def _counts(
    session: Session, ballot: Ballot, options: list[BallotOption], counts: Any
) -> dict[str, int]:
    """The counts as stored, after checking they could be: whole numbers, only this ballot's
    choices or options, no more than the papers allow, and no more votes than there are
    voters left (those who may vote, less those who voted on a phone and the counts already
    entered)."""

    def number(value: Any) -> int:
        try:
            found = _whole(ascii_digits(value.strip()) if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise InvalidInput({"counts": _NOT_WHOLE}) from None
        if not 0 <= found <= MAX_COUNT:
            raise InvalidInput({"counts": _NOT_WHOLE})
        return found

    if not isinstance(counts, dict):
        raise InvalidInput({"counts": _NOT_WHOLE})
    if ballot.method == BallotMethod.motion:
        if not set(map(str, counts)) <= {choice.value for choice in tally.Choice}:
            raise InvalidInput({"counts": "A motion is counted as yes, no and abstain only."})
        found = {choice.value: number(counts.get(choice.value, 0)) for choice in tally.Choice}
        papers = sum(found.values())
        if not papers:
            raise InvalidInput({"counts": "Please enter at least one vote."})
    else:
        known = {str(option.id) for option in options}
        if not set(map(str, counts)) <= known | {"papers"}:
            raise NotAChoice({"counts": "One of the options counted is not on this ballot."})
        found = {
            str(option.id): number(counts.get(str(option.id), counts.get(option.id, 0)))
            for option in options
        }  # type: ignore[call-overload]
        papers = number(counts.get("papers", 0))
        each = {
            BallotMethod.approval: 1,
            BallotMethod.budget: 1,
            BallotMethod.score: tally.MAX_SCORE,
            BallotMethod.dots: ballot.dots,
        }[ballot.method]
        allowed = {
            BallotMethod.approval: papers * ballot.most,
            BallotMethod.dots: papers * ballot.dots,
        }.get(ballot.method)
        cost = sum(
            value * (option.cost_satang or 0)
            for option, value in zip(options, found.values(), strict=True)
        )
        if (
            not papers
            or any(value > papers * each for value in found.values())
            or (allowed is not None and sum(found.values()) > allowed)
            or (
                ballot.method == BallotMethod.budget and cost > papers * (ballot.budget_satang or 0)
            )
        ):
            raise InvalidInput({"counts": _DO_NOT_FIT})
        found["papers"] = papers
    if papers > _room(session, ballot):
        raise InvalidInput({"counts": _TOO_MANY})
    return found


_TOO_MANY = "More votes than voters left to count: please check the count."


def _room(session: Session, ballot: Ballot) -> int:
    """Voters left for the tellers: those who may vote, less those who voted on a phone and
    the confirmed counts."""
    counted = sum(
        _papers_of(json.loads(text)["counts"]) for text in counted_by_tellers(session, ballot.id)
    )  # type: ignore[arg-type]
    may_vote = max(ballot.eligible, len(eligible_seats(session, ballot)))
    return may_vote - voters_count(session, ballot.id) - counted  # type: ignore[arg-type]


_NOT_WHOLE = "Please write each count as a whole number."
_DO_NOT_FIT = "The counts do not fit the number of papers: please check them."


def _papers_of(counts: dict[str, int]) -> int:
    """How many voters a count stands for: its papers, or a motion's votes."""
    return counts["papers"] if "papers" in counts else sum(counts.values())


def confirm_count(session: Session, actor: Actor, *, ballot_id: int, count_id: int) -> TellerCount:
    """A second teller confirms a count: from then on it is counted. Raises Forbidden,
    NotFound, Conflict (the same teller; already confirmed; the ballot not open)."""
    ballot = _ballot(session, ballot_id)
    policy.require(actor, "voting.ballot.tally", ballot)
    row = session.get(TellerCount, count_id)
    if row is None or row.ballot_id != ballot.id:
        raise NotFound()
    if ballot.status != BallotStatus.open:
        raise Conflict("This ballot is not open for voting.")
    if row.entered_by == actor.person_id:
        raise Conflict("A second teller confirms a count: not the one who entered it.")
    if row.confirmed_by is not None:
        raise Conflict("This count was confirmed already.")
    if _papers_of(json.loads(row.counts)) > _room(session, ballot):
        raise Conflict(_TOO_MANY)
    claimed = session.exec(  # type: ignore[call-overload]
        sa_update(TellerCount)
        .where(col(TellerCount.id) == row.id, col(TellerCount.confirmed_by).is_(None))
        .values(confirmed_by=actor.person_id, confirmed_at=utcnow())
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise Conflict("This count was confirmed already.")
    audit.record(session, actor, "voting.ballot.confirm_count", ballot, after={"count": row.id})
    _still_open(session, ballot.id)  # type: ignore[arg-type]  (a close meanwhile: not counted)
    session.commit()
    session.refresh(row)
    return row


def teller_counts(session: Session, ballot_id: int) -> list[TellerCount]:
    """Every count entered, confirmed or waiting, in the order entered."""
    query = (
        select(TellerCount).where(TellerCount.ballot_id == ballot_id).order_by(col(TellerCount.id))
    )
    return list(session.exec(query).all())


def visible_counts(session: Session, actor: Actor, ballot: Ballot) -> list[TellerCount]:
    """The counts this reader sees one by one: the tellers, every count; everyone else, a
    named ballot's confirmed counts once its results may be shown (a secret ballot's batches
    stay the tellers': its result and bulletin carry their total)."""
    rows = teller_counts(session, ballot.id)  # type: ignore[arg-type]
    if may_count(actor, ballot):
        return rows
    if ballot.secrecy == Secrecy.secret or not results_visible(ballot):
        return []
    return [row for row in rows if row.confirmed_by is not None]


def counted_by_tellers(session: Session, ballot_id: int) -> list[str]:
    """The confirmed counts as the bulletin lists them, sorted: {"kind", "counts"}. A secret
    ballot's are summed per kind (a batch of one paper would show that paper)."""
    rows = [row for row in teller_counts(session, ballot_id) if row.confirmed_by is not None]
    entries = [(str(row.kind), json.loads(row.counts)) for row in rows]
    ballot = session.get(Ballot, ballot_id)
    if ballot is not None and ballot.secrecy == Secrecy.secret and entries:
        summed: dict[str, dict[str, int]] = {}
        for kind, counts in entries:
            into = summed.setdefault(kind, dict.fromkeys(counts, 0))
            for key, value in counts.items():
                into[key] = into.get(key, 0) + value
        entries = list(summed.items())
    return sorted(_json({"kind": kind, "counts": counts}) for kind, counts in entries)
