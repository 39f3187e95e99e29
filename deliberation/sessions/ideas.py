"""Ideas in a live session: participants send short ideas (an idempotency key makes a resent
form one idea, not two) and upvote others' (one vote per participant per idea, withdrawable);
the facilitator moderates — approve (pre-moderation), hide, restore, pin, fix a typo, merge
duplicates (votes carried over, none counted twice).

Text is stored as typed (plain text: pages escape it), so `<script>` is just characters.
An idea's `votes` is kept with its votes by SQL increments, so two phones voting at once
both count.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from deliberation.sessions import sessions
from deliberation.sessions.events import IdeaAdded, IdeasChanged, VotesChanged
from deliberation.sessions.models import (
    IdeaStatus,
    LiveIdea,
    LiveIdeaVote,
    LiveParticipant,
    LiveSession,
    LiveSessionStatus,
)
from forum import audit, events
from forum.dates import to_local
from forum.db import utcnow
from forum.errors import (
    Conflict,
    Conflicting,
    FieldMessage,
    InvalidInput,
    NotFound,
    RateLimited,
)
from forum.forms import clean_text, whole_number
from forum.policy import Actor

IDEAS_PER_MINUTE = 6  # per participant: a person typing ideas never needs more
MAX_CATEGORY = 60
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
ORDERS = ("new", "top")
MODERATIONS = {  # action: (the statuses it applies to, the status after)
    "approve": ({IdeaStatus.pending}, IdeaStatus.shown),
    "hide": ({IdeaStatus.pending, IdeaStatus.shown}, IdeaStatus.hidden),
    "restore": ({IdeaStatus.hidden}, IdeaStatus.shown),
}


def _open_session(session: Session, session_id: int) -> LiveSession:
    live = session.get(LiveSession, session_id)
    if live is None:
        raise NotFound()
    if live.status == LiveSessionStatus.paused:
        raise Conflict(
            "The session is paused: ideas and votes resume when the facilitator says so."
        )
    if live.status == LiveSessionStatus.closed:
        raise Conflict("This session has ended: ideas and votes are closed.")
    return live


def _text(value: Any, limit: int, field: str = "text") -> str:
    text = clean_text(value, multiline=True) if isinstance(value, str) else ""
    if not text:
        raise InvalidInput({field: "Please write your idea."})
    if len(text) > limit:  # the session's own limit (the API answers 409)
        raise Conflicting(
            {
                field: FieldMessage(
                    "This is too long: at most %(max_length)s characters.", {"max_length": limit}
                )
            }
        )
    return text


def submit_idea(
    session: Session,
    participant: LiveParticipant,
    *,
    text: Any,
    category: Any = "",
    key: Any,
) -> tuple[LiveIdea, bool]:
    """Send an idea; the same key again returns the first idea (created False). With
    pre-moderation on it waits for the facilitator. Raises NotFound, Conflict (paused,
    closed), InvalidInput, RateLimited."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise InvalidInput(message="The form was incomplete. Please reload the page and try again.")
    earlier = _by_key(session, participant.id, key)  # type: ignore[arg-type]
    if earlier is not None:
        return earlier, False
    live = _open_session(session, participant.session_id)
    body = _text(text, live.idea_limit)
    label = clean_text(category) if isinstance(category, str) else ""
    if len(label) > MAX_CATEGORY:
        raise InvalidInput({"category": "This is too long: at most 60 characters."})
    since = utcnow() - timedelta(minutes=1)
    recent = session.exec(
        select(func.count()).where(
            LiveIdea.participant_id == participant.id, LiveIdea.created_at > since
        )
    ).one()
    if recent >= IDEAS_PER_MINUTE:
        raise RateLimited("You are sending ideas very quickly. Please wait a minute and try again.")
    idea = LiveIdea(
        session_id=live.id,  # type: ignore[arg-type]
        participant_id=participant.id,  # type: ignore[arg-type]
        text=body,
        category=label,
        status=IdeaStatus.pending if live.premoderation else IdeaStatus.shown,
        idempotency_key=key,
    )
    session.add(idea)
    try:
        session.commit()
    except IntegrityError:  # the resend arrived at the same moment: one idea
        session.rollback()
        earlier = _by_key(session, participant.id, key)  # type: ignore[arg-type]
        if earlier is None:
            raise
        return earlier, False
    shown = idea.status == IdeaStatus.shown
    events.record(session, IdeaAdded(live.id, idea.id, shown))  # type: ignore[arg-type]
    return idea, True


def _by_key(session: Session, participant_id: int, key: str) -> LiveIdea | None:
    return session.exec(
        select(LiveIdea).where(
            LiveIdea.participant_id == participant_id, LiveIdea.idempotency_key == key
        )
    ).first()


# -- votes -------------------------------------------------------------------------------------


def _votable(session: Session, participant: LiveParticipant, idea_id: int) -> LiveIdea:
    idea = session.get(LiveIdea, idea_id)
    if idea is None or idea.session_id != participant.session_id:
        raise NotFound()
    _open_session(session, idea.session_id)
    if idea.status == IdeaStatus.merged:
        raise Conflict("This idea was merged into another one: vote for that one instead.")
    if idea.status != IdeaStatus.shown:
        raise Conflict("This idea is not shown, so it cannot be voted on.")
    return idea


def _add_to_votes(session: Session, idea_id: int, change: int) -> None:
    session.execute(
        update(LiveIdea)
        .where(col(LiveIdea.id) == idea_id)
        .values(votes=col(LiveIdea.votes) + change)
    )


def vote_idea(
    session: Session, participant: LiveParticipant, *, idea_id: int
) -> tuple[LiveIdea, bool]:
    """Upvote an idea, once (a second vote changes nothing). Returns the idea and whether
    its count moved. Raises NotFound, Conflict (hidden, pending or merged idea; paused or
    closed session)."""
    idea = _votable(session, participant, idea_id)
    moved = False
    if _vote_of(session, participant.id, idea_id) is None:  # type: ignore[arg-type]
        session.add(LiveIdeaVote(idea_id=idea_id, participant_id=participant.id))  # type: ignore[arg-type]
        try:
            session.flush()
        except IntegrityError:  # a double tap: the other one counted
            session.rollback()
            return session.get(LiveIdea, idea_id), False  # type: ignore[return-value]
        _add_to_votes(session, idea_id, 1)
        session.commit()
        events.record(session, VotesChanged(idea.session_id, idea_id))
        moved = True
    session.refresh(idea)
    return idea, moved


def withdraw_vote(
    session: Session, participant: LiveParticipant, *, idea_id: int
) -> tuple[LiveIdea, bool]:
    """Take one's vote back (none: nothing changes). Returns the idea and whether its
    count moved. Raises NotFound, Conflict."""
    idea = _votable(session, participant, idea_id)
    removed = session.execute(
        delete(LiveIdeaVote).where(
            col(LiveIdeaVote.idea_id) == idea_id,
            col(LiveIdeaVote.participant_id) == participant.id,
        )
    )
    moved = bool(removed.rowcount)  # type: ignore[attr-defined]
    if moved:
        _add_to_votes(session, idea_id, -1)
    session.commit()
    if moved:
        events.record(session, VotesChanged(idea.session_id, idea_id))
    session.refresh(idea)
    return idea, moved


def _vote_of(session: Session, participant_id: int, idea_id: int) -> LiveIdeaVote | None:
    return session.exec(
        select(LiveIdeaVote).where(
            LiveIdeaVote.idea_id == idea_id, LiveIdeaVote.participant_id == participant_id
        )
    ).first()


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaRow:
    """An idea ready to show: the author by their public name (a nickname unless they chose)."""

    id: int
    text: str
    category: str
    author: str
    votes: int
    status: str
    pinned: bool
    created_at: datetime
    edited: bool
    voted: bool  # by the participant looking (participant page)
    merged_into_id: int | None


def list_ideas(
    session: Session,
    *,
    session_id: int,
    order: str = "new",
    viewer: LiveParticipant | None = None,
    statuses: tuple[IdeaStatus, ...] = (IdeaStatus.shown,),
    limit: int | None = None,
) -> list[IdeaRow]:
    """The session's ideas (shown ones by default), pinned first, then by `new` or `top`."""
    query = _ideas_query(order == "top", tuple(statuses), limit)
    return _rows(session, session.exec(query, params={"session_id": session_id}).all(), viewer)


@functools.cache
def _ideas_query(top: bool, statuses: tuple[IdeaStatus, ...], limit: int | None) -> Any:
    """Built once for each way of asking (SQLAlchemy then keeps its compiled form at hand:
    built anew, a statement costs five times what the query does)."""
    ordering = (
        [col(LiveIdea.pinned).desc(), col(LiveIdea.votes).desc(), col(LiveIdea.id).desc()]
        if top
        else [col(LiveIdea.pinned).desc(), col(LiveIdea.id).desc()]
    )
    query = (
        select(LiveIdea, LiveParticipant)
        .join(LiveParticipant, col(LiveParticipant.id) == LiveIdea.participant_id)
        .where(LiveIdea.session_id == sa.bindparam("session_id"), col(LiveIdea.status).in_(statuses))
        .order_by(*ordering)
    )
    return query.limit(limit) if limit else query


def rows_by_id(
    session: Session, idea_ids: set[int], viewer: LiveParticipant | None = None
) -> list[IdeaRow]:
    """These ideas, whatever their status (the caller decides what may be shown)."""
    query = (
        select(LiveIdea, LiveParticipant)
        .join(LiveParticipant, col(LiveParticipant.id) == LiveIdea.participant_id)
        .where(col(LiveIdea.id).in_(idea_ids))
    )
    return _rows(session, session.exec(query).all(), viewer)


def vote_counts(connection: Any, idea_ids: set[int]) -> dict[int, int]:
    """These ideas' vote counts as the database has them now, through a Session or a
    Connection (a live frame reads them in its own transaction: forum.live.Render)."""
    table = LiveIdea.__table__  # type: ignore[attr-defined]
    query = sa.select(table.c.id, table.c.votes).where(table.c.id.in_(idea_ids))
    return {idea_id: votes for idea_id, votes in connection.execute(query).all()}


def _rows(session: Session, rows: Any, viewer: LiveParticipant | None) -> list[IdeaRow]:
    names = sessions.person_names(
        session, {p.person_id for _i, p in rows if p.show_account_name and p.person_id}
    )
    voted: set[int] = set()
    if viewer is not None and rows:
        values = {"participant_id": viewer.id, "idea_ids": [idea.id for idea, _p in rows]}
        voted = set(session.exec(_VOTED, params=values).all())
    return [
        IdeaRow(
            id=idea.id,  # type: ignore[arg-type]
            text=idea.text,
            category=idea.category,
            author=sessions.public_name(person, names.get(person.person_id or 0)),
            votes=idea.votes,
            status=idea.status,
            pinned=idea.pinned,
            created_at=idea.created_at,
            edited=idea.edited_at is not None,
            voted=idea.id in voted,
            merged_into_id=idea.merged_into_id,
        )
        for idea, person in rows
    ]


_VOTED = select(LiveIdeaVote.idea_id).where(
    LiveIdeaVote.participant_id == sa.bindparam("participant_id"),
    col(LiveIdeaVote.idea_id).in_(sa.bindparam("idea_ids", expanding=True)),
)


# -- moderation (the facilitator) --------------------------------------------------------------


def _moderated(
    session: Session, actor: Actor, idea_id: int, session_id: int | None = None
) -> LiveIdea:
    """The idea (of `session_id`, when the caller names the session), for its facilitator."""
    idea = session.get(LiveIdea, idea_id)
    if idea is None or session_id not in (None, idea.session_id):
        raise NotFound()
    view = sessions.get_session(session, actor, session_id=idea.session_id)  # Forbidden, NotFound
    if view.live.status == LiveSessionStatus.closed:  # archived: what was said stays as it was
        raise Conflict("This session is closed: it can no longer be changed.")
    return idea


def _record(session: Session, actor: Actor, action: str, idea: LiveIdea, **after: Any) -> None:
    audit.record(session, actor, "deliberation.live_idea." + action, idea, after=after or None)


def moderate_idea(
    session: Session, actor: Actor, *, idea_id: int, action: str, session_id: int | None = None
) -> LiveIdea:
    """approve, hide, restore, pin or unpin an idea (already so: nothing changes). Raises
    Forbidden, NotFound, InvalidInput, Conflict (a merged idea)."""
    idea = _moderated(session, actor, idea_id, session_id)
    if action not in (*MODERATIONS, "pin", "unpin"):
        raise InvalidInput({"action": "Please choose one of the options."})
    if idea.status == IdeaStatus.merged:
        raise Conflict("This idea was merged into another one: change that one instead.")
    if action in ("pin", "unpin"):
        if idea.pinned == (action == "pin"):
            return idea
        idea.pinned = action == "pin"
    else:
        allowed, target = MODERATIONS[action]
        if idea.status == target:
            return idea
        if idea.status not in allowed:
            raise Conflict("This idea is not waiting for approval.")
        idea.status = target
    session.add(idea)
    _record(session, actor, action, idea, status=idea.status, pinned=idea.pinned)
    session.commit()
    if action in ("pin", "unpin"):
        change = IdeasChanged(idea.session_id, changed=(idea_id,))
    elif idea.status == IdeaStatus.shown:
        change = IdeasChanged(idea.session_id, shown=(idea_id,))
    else:
        change = IdeasChanged(idea.session_id, gone=(idea_id,))
    events.record(session, change)
    return idea


def edit_idea(
    session: Session, actor: Actor, *, idea_id: int, text: Any, session_id: int | None = None
) -> LiveIdea:
    """Fix a typo in an idea (the facilitator; the old text stays in the audit). Raises
    Forbidden, NotFound, InvalidInput, Conflict (merged)."""
    idea = _moderated(session, actor, idea_id, session_id)
    if idea.status == IdeaStatus.merged:
        raise Conflict("This idea was merged into another one: change that one instead.")
    live = session.get(LiveSession, idea.session_id)
    body = _text(text, live.idea_limit)  # type: ignore[union-attr]
    if body == idea.text:
        return idea
    audit.record(
        session,
        actor,
        "deliberation.live_idea.edit",
        idea,
        before={"text": idea.text},
        after={"text": body},
    )
    idea.text, idea.edited_at = body, utcnow()
    session.add(idea)
    session.commit()
    events.record(session, IdeasChanged(idea.session_id, changed=(idea_id,)))
    return idea


def merge_ideas(
    session: Session, actor: Actor, *, idea_id: int, into_id: Any, session_id: int | None = None
) -> LiveIdea:
    """Fold a duplicate into another idea of the same session: its votes move there, a
    participant who voted for both counting once. Returns the idea kept. Raises Forbidden,
    NotFound, InvalidInput, Conflict."""
    idea = _moderated(session, actor, idea_id, session_id)
    number = whole_number(into_id, field="into_id")
    target = session.get(LiveIdea, number) if number is not None else None
    if target is None or target.session_id != idea.session_id or target.id == idea.id:
        raise InvalidInput({"into_id": "Choose another idea of this session to merge into."})
    if IdeaStatus.merged in (idea.status, target.status):
        raise Conflict("This idea was merged into another one: change that one instead.")
    already = select(LiveIdeaVote.participant_id).where(LiveIdeaVote.idea_id == target.id)
    session.execute(  # voted for both: the vote on the duplicate goes
        delete(LiveIdeaVote).where(
            col(LiveIdeaVote.idea_id) == idea.id, col(LiveIdeaVote.participant_id).in_(already)
        )
    )
    session.execute(
        update(LiveIdeaVote).where(col(LiveIdeaVote.idea_id) == idea.id).values(idea_id=target.id)
    )
    total = session.exec(select(func.count()).where(LiveIdeaVote.idea_id == target.id)).one()
    idea.status, idea.merged_into_id, idea.votes, idea.pinned = (
        IdeaStatus.merged,
        target.id,
        0,
        False,
    )
    target.votes = total
    session.add_all([idea, target])
    _record(session, actor, "merge", idea, merged_into_id=target.id, votes=total)
    session.commit()
    merged = IdeasChanged(idea.session_id, gone=(idea_id,), votes=(target.id,))  # type: ignore[arg-type]
    events.record(session, merged)
    return target


# -- keeping what was said ---------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "text",
    "category",
    "author",
    "status",
    "votes",
    "pinned",
    "merged_into",
    "created_at",
)


def _cell(value: Any) -> Any:
    """Spreadsheets run a cell starting with = + - @ as a formula: such text gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_ideas_csv(session: Session, actor: Actor, *, session_id: int) -> str:
    """Every idea of the session (hidden and merged ones too, with their status) as CSV in
    UTF-8 with a BOM (Excel reads Thai), times in Bangkok time. Raises Forbidden, NotFound."""
    sessions.get_session(session, actor, session_id=session_id)
    rows = list_ideas(session, session_id=session_id, order="top", statuses=tuple(IdeaStatus))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in sorted(rows, key=lambda idea: idea.id):
        writer.writerow(
            [
                row.id,
                _cell(row.text),
                _cell(row.category),
                _cell(row.author),
                row.status,
                row.votes,
                "yes" if row.pinned else "",
                row.merged_into_id or "",
                to_local(row.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return buffer.getvalue()
