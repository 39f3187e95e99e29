"""Quick polls inside a live session (โพลด่วน): the facilitator writes a question with 2 to 10
options (single or multiple choice), edits it while it is a draft, opens it (one poll open
per session: opening one closes the one before), closes it, or deletes a draft. Participants
answer the open poll and may change their answer until it closes.

An option's `votes` is kept with the answers in the same transaction. A participant's
answer starts by writing to their own row (a row lock on PostgreSQL, the write lock on
SQLite), so two submits from one phone at once run one after the other: the second sees the
first's answer and changes nothing; the unique (option, participant) is the last guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, delete, distinct, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from deliberation.sessions import sessions
from deliberation.sessions.events import PollShown
from deliberation.sessions.models import (
    LiveParticipant,
    LivePoll,
    LivePollAnswer,
    LivePollOption,
    LivePollStatus,
    LiveSession,
    LiveSessionStatus,
)
from forum import attempts, audit, events
from forum.db import utcnow
from forum.errors import (
    Conflict,
    Conflicting,
    InvalidInput,
    NotAChoice,
    NotFound,
    RateLimited,
    StaleEdit,
)
from forum.forms import clean_text, whole_number
from forum.models import LoginAttempt
from forum.policy import Actor

MAX_QUESTION = 300
MAX_OPTION = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 10
CHANGES_PER_MINUTE = 10  # per participant: changing one's mind is fine, a script is not


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionResult:
    id: int
    label: str
    votes: int
    percent: int  # of the people who answered (a multiple-choice poll can sum past 100)


@dataclass(frozen=True)
class PollResults:
    """A poll ready to show: its options with their counts and percentages."""

    id: int
    session_id: int
    question: str
    multiple: bool
    status: str
    version: int
    options: list[OptionResult]
    respondents: int  # people who answered

    @property
    def is_open(self) -> bool:
        return self.status == LivePollStatus.open

    def options_text(self) -> str:
        return "\n".join(option.label for option in self.options)


def _respondents_of(poll_id_column: Any) -> Any:
    return (
        select(func.count(distinct(LivePollAnswer.participant_id)))
        .where(LivePollAnswer.poll_id == poll_id_column)
        .scalar_subquery()
    )


def _results(rows: list[Any]) -> list[PollResults]:
    """(poll, option, respondents) rows, grouped by poll in their order."""
    found: dict[int, tuple[LivePoll, list[LivePollOption], int]] = {}
    for poll, option, respondents in rows:
        found.setdefault(poll.id, (poll, [], respondents or 0))[1].append(option)
    return [
        PollResults(
            id=poll.id,  # type: ignore[arg-type]
            session_id=poll.session_id,
            question=poll.question,
            multiple=poll.multiple,
            status=poll.status,
            version=poll.version,
            options=[
                OptionResult(
                    option.id,  # type: ignore[arg-type]
                    option.label,
                    option.votes,
                    round(100 * option.votes / respondents) if respondents else 0,
                )
                for option in options
            ],
            respondents=respondents,
        )
        for poll, options, respondents in found.values()
    ]


def _with_options() -> Any:
    return (
        select(LivePoll, LivePollOption, _respondents_of(LivePoll.id))
        .join(LivePollOption, col(LivePollOption.poll_id) == LivePoll.id)
        .order_by(col(LivePoll.position), col(LivePoll.id), col(LivePollOption.position))
    )


def current_poll(session: Session, session_id: int) -> PollResults | None:
    """What the phones and the projector show: the open poll, else the last one opened (its
    final results). One query, built once (every phone's page asks it)."""
    rows = session.exec(_CURRENT_POLL, params={"session_id": session_id}).all()
    found = _results(list(rows))
    return found[0] if found else None


_CURRENT_POLL = _with_options().where(
    col(LivePoll.id)
    == (
        select(LivePoll.id)
        .where(
            LivePoll.session_id == bindparam("session_id"),
            col(LivePoll.status).in_((LivePollStatus.open, LivePollStatus.closed)),
        )
        .order_by(
            case((col(LivePoll.status) == LivePollStatus.open, 0), else_=1),
            col(LivePoll.opened_at).desc(),
            col(LivePoll.id).desc(),
        )
        .limit(1)
        .scalar_subquery()
    )
)


def poll_results(session: Session, poll_id: int) -> PollResults | None:
    found = _results(list(session.exec(_with_options().where(col(LivePoll.id) == poll_id)).all()))
    return found[0] if found else None


def session_polls(session: Session, session_id: int) -> list[PollResults]:
    """Every poll of the session with its results (the console), in the order written."""
    query = _with_options().where(LivePoll.session_id == session_id)
    return _results(list(session.exec(query).all()))


def chosen_options(session: Session, participant: Any, poll_id: int) -> frozenset[int]:
    """The options this participant chose in the poll (their page shows them chosen)."""
    if participant is None:
        return frozenset()
    values = {"poll_id": poll_id, "participant_id": participant.id}
    return frozenset(session.exec(_CHOSEN, params=values).all())


_CHOSEN = select(LivePollAnswer.option_id).where(
    LivePollAnswer.poll_id == bindparam("poll_id"),
    LivePollAnswer.participant_id == bindparam("participant_id"),
)


# -- the facilitator -------------------------------------------------------------------------


def _question(value: Any) -> str:
    text = clean_text(value) if isinstance(value, str) else ""
    if not text or len(text) > MAX_QUESTION:
        raise InvalidInput({"question": "Please write the question (at most 300 characters)."})
    return text


def _options(value: Any) -> list[str]:
    """Options from a textarea (one per line) or a list of fields; blank lines dropped."""
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    labels = [clean_text(line) for line in lines if isinstance(line, str)]
    labels = [label for label in labels if label]
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise InvalidInput({"options": "Please give 2 to 10 options, one per line."})
    if any(len(label) > MAX_OPTION for label in labels):
        raise InvalidInput({"options": "Each option may have at most 200 characters."})
    if len(set(labels)) != len(labels):
        raise InvalidInput({"options": "Two options are the same: please give each only once."})
    return labels


def _checked(form: dict[str, Any]) -> tuple[str, list[str]]:
    """The question and options, every problem reported at once."""
    problems: dict[str, Any] = {}
    question: str = ""
    labels: list[str] = []
    try:
        question = _question(form.get("question"))
    except InvalidInput as error:
        problems.update(error.fields)
    try:
        labels = _options(form.get("options"))
    except InvalidInput as error:
        problems.update(error.fields)
    if problems:
        raise InvalidInput(problems)
    return question, labels


def _running(session: Session, actor: Actor, session_id: int) -> LiveSession:
    live = sessions.get_session(session, actor, session_id=session_id).live  # Forbidden, NotFound
    if live.status == LiveSessionStatus.closed:
        raise Conflict("This session has ended: its polls can no longer be changed.")
    return live


def _poll(session: Session, actor: Actor, session_id: int, poll_id: int) -> LivePoll:
    _running(session, actor, session_id)
    poll = session.get(LivePoll, poll_id)
    if poll is None or poll.session_id != session_id:
        raise NotFound()
    return poll


def _record(session: Session, actor: Actor, action: str, poll: LivePoll, **after: Any) -> None:
    audit.record(session, actor, "deliberation.live_poll." + action, poll, after=after or None)


def create_poll(
    session: Session,
    actor: Actor,
    *,
    session_id: int,
    question: Any,
    options: Any,
    multiple: bool = False,
) -> LivePoll:
    """Write a poll as a draft. Raises Forbidden, NotFound, Conflict (session closed),
    InvalidInput."""
    _running(session, actor, session_id)
    text, labels = _checked({"question": question, "options": options})
    last = session.exec(
        select(func.max(LivePoll.position)).where(LivePoll.session_id == session_id)
    ).one()
    poll = LivePoll(
        session_id=session_id, question=text, multiple=bool(multiple), position=(last or 0) + 1
    )
    session.add(poll)
    session.flush()
    for position, label in enumerate(labels):
        session.add(LivePollOption(poll_id=poll.id, label=label, position=position))  # type: ignore[arg-type]
    _record(session, actor, "create", poll, question=text, options=labels)
    session.commit()
    return poll


def edit_poll(
    session: Session,
    actor: Actor,
    *,
    session_id: int,
    poll_id: int,
    question: Any,
    options: Any,
    multiple: bool = False,
    version: Any = None,
) -> LivePoll:
    """Change a draft (its options are written anew: a draft has no answers). Raises
    Forbidden, NotFound, Conflict (not a draft), StaleEdit, InvalidInput."""
    poll = _poll(session, actor, session_id, poll_id)
    if version not in (None, "") and str(version) != str(poll.version):
        raise StaleEdit()
    if poll.status != LivePollStatus.draft:
        raise Conflict("Only a draft poll can be edited: this one has been opened.")
    text, labels = _checked({"question": question, "options": options})
    session.execute(delete(LivePollOption).where(col(LivePollOption.poll_id) == poll.id))
    for position, label in enumerate(labels):
        session.add(LivePollOption(poll_id=poll.id, label=label, position=position))  # type: ignore[arg-type]
    poll.question, poll.multiple = text, bool(multiple)
    poll.version += 1
    session.add(poll)
    _record(session, actor, "edit", poll, question=text, options=labels)
    session.commit()
    return poll


def open_poll(session: Session, actor: Actor, *, session_id: int, poll_id: int) -> LivePoll:
    """Open a poll for answers (a closed one opens again); the session's other open poll is
    closed. Raises Forbidden, NotFound, Conflict (session closed)."""
    poll = _poll(session, actor, session_id, poll_id)
    if poll.status == LivePollStatus.open:
        return poll
    now = utcnow()
    for other in session.exec(
        select(LivePoll).where(
            LivePoll.session_id == session_id,
            LivePoll.status == LivePollStatus.open,
            LivePoll.id != poll.id,
        )
    ).all():
        other.status, other.closed_at, other.version = LivePollStatus.closed, now, other.version + 1
        session.add(other)
        _record(session, actor, "close", other)
    poll.status, poll.opened_at, poll.closed_at = LivePollStatus.open, now, None
    poll.version += 1
    session.add(poll)
    _record(session, actor, "open", poll)
    session.commit()
    events.record(session, PollShown(session_id))
    return poll


def close_poll(session: Session, actor: Actor, *, session_id: int, poll_id: int) -> LivePoll:
    """Stop the answers; the results stay. Raises Forbidden, NotFound, Conflict (a draft)."""
    poll = _poll(session, actor, session_id, poll_id)
    if poll.status == LivePollStatus.closed:
        return poll
    if poll.status == LivePollStatus.draft:
        raise Conflict("This poll has not been opened yet.")
    poll.status, poll.closed_at = LivePollStatus.closed, utcnow()
    poll.version += 1
    session.add(poll)
    _record(session, actor, "close", poll)
    session.commit()
    events.record(session, PollShown(session_id))
    return poll


def delete_poll(session: Session, actor: Actor, *, session_id: int, poll_id: int) -> None:
    """Delete a draft. Raises Forbidden, NotFound, Conflict (opened: its answers are kept)."""
    poll = _poll(session, actor, session_id, poll_id)
    if poll.status != LivePollStatus.draft:
        raise Conflict("Only a draft poll can be deleted: answered polls are kept.")
    _record(session, actor, "delete", poll, question=poll.question)
    session.execute(delete(LivePollOption).where(col(LivePollOption.poll_id) == poll.id))
    session.delete(poll)
    session.commit()


# -- participants ----------------------------------------------------------------------------


def _answerable(session: Session, participant: LiveParticipant, poll_id: int) -> LivePoll:
    poll = session.get(LivePoll, poll_id)
    if poll is None or poll.session_id != participant.session_id:
        raise NotFound()
    live = session.get(LiveSession, poll.session_id)
    if live is None:
        raise NotFound()
    # Not now (the form says so where the answer was; the API answers 409)
    if live.status == LiveSessionStatus.paused:
        raise Conflicting(
            message="The session is paused: answers resume when the facilitator says so."
        )
    if live.status == LiveSessionStatus.closed:
        raise Conflicting(message="This session has ended: its polls are closed.")
    if poll.status == LivePollStatus.closed:
        raise Conflicting(message="This poll is closed: answers are no longer taken.")
    if poll.status != LivePollStatus.open:
        raise Conflicting(message="This poll is not open for answers.")
    return poll


def _choice(session: Session, poll: LivePoll, option_ids: Any) -> frozenset[int]:
    values = option_ids if isinstance(option_ids, (list, tuple, set, frozenset)) else [option_ids]
    texts = [str(value).strip() for value in values if value not in (None, "")]
    if not texts:
        raise InvalidInput(
            {
                "option": "Please choose at least one option."
                if poll.multiple
                else "Please choose one option."
            }
        )
    if not poll.multiple and len(set(texts)) > 1:
        raise Conflicting({"option": "Please choose one option."})  # this poll takes one
    valid = set(
        session.exec(select(LivePollOption.id).where(LivePollOption.poll_id == poll.id)).all()
    )
    numbers = [whole_number(text, field="option") for text in texts]
    chosen = {number for number in numbers if number is not None}
    if len(chosen) != len(set(texts)):
        raise InvalidInput({"option": "Please choose among this poll's options."})
    if not chosen <= valid:
        raise NotAChoice({"option": "Please choose among this poll's options."})
    return frozenset(chosen)


def _add_to_votes(session: Session, option_ids: set[int], change: int) -> None:
    if option_ids:
        session.execute(
            update(LivePollOption)
            .where(col(LivePollOption.id).in_(option_ids))
            .values(votes=col(LivePollOption.votes) + change)
        )


def answer_poll(
    session: Session, participant: LiveParticipant, *, poll_id: int, option_ids: Any
) -> bool:
    """Answer the open poll, or change one's answer (single choice: the vote moves). Returns
    whether anything changed (the same answer again changes nothing). Raises NotFound,
    InvalidInput (no option, another poll's option, poll or session not open),
    RateLimited (answers changed too often)."""
    poll = _answerable(session, participant, poll_id)
    chosen = _choice(session, poll, option_ids)
    for _attempt in range(3):
        try:
            return _apply(session, participant, poll, chosen)
        except IntegrityError:  # a concurrent submit got there first: read it, try again
            session.rollback()
    raise Conflict("Your answer could not be saved. Please try again.")


def _apply(
    session: Session, participant: LiveParticipant, poll: LivePoll, chosen: frozenset[int]
) -> bool:
    # Taking the participant's row first serialises their submits (see the module's note).
    session.execute(
        update(LiveParticipant)
        .where(col(LiveParticipant.id) == participant.id)
        .values(nickname=col(LiveParticipant.nickname))
    )
    before = chosen_options(session, participant, poll.id)  # type: ignore[arg-type]
    if before == chosen:
        session.rollback()
        return False
    if before:
        key = f"live-poll-change:{participant.id}"
        if attempts.recent_attempts(session, key, minutes=1) >= CHANGES_PER_MINUTE:
            session.rollback()
            raise RateLimited(
                "You are changing your answer very often. Please wait a minute and try again."
            )
        session.add(LoginAttempt(key=key))
    removed, added = set(before - chosen), set(chosen - before)
    if removed:
        session.execute(
            delete(LivePollAnswer).where(
                col(LivePollAnswer.participant_id) == participant.id,
                col(LivePollAnswer.option_id).in_(removed),
            )
        )
    for option_id in sorted(added):
        session.add(
            LivePollAnswer(poll_id=poll.id, option_id=option_id, participant_id=participant.id)  # type: ignore[arg-type]
        )
    session.flush()
    _add_to_votes(session, removed, -1)
    _add_to_votes(session, added, 1)
    session.commit()
    return True
