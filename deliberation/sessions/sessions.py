"""Live sessions (เวทีระดมความคิดเห็น): a facilitator opens one on a meeting with a prompt
question; a hall full of phones joins with its 6-digit code — a guest by nickname after the
PDPA consent, a member as themselves. The device keeps a random token (only its sha256 is
stored), so a phone that comes back is the same participant.

A session is `open` (ideas and votes come in), `paused` (read-only) or `closed` (archived,
still viewable). Wrong codes are counted per address (forum.models.LoginAttempt, the
check-in's counter): guessing from one address is refused with a clear message, and the
console shows a blocked address so a facilitator can let a hall behind it in again.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import segno
import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, or_, select

from deliberation.agenda.models import Agenda, AgendaItem, AgendaPart
from deliberation.sessions.events import SessionStateChanged
from deliberation.sessions.models import (
    IdeaStatus,
    LiveConsent,
    LiveIdea,
    LiveParticipant,
    LiveSession,
    LiveSessionStatus,
)
from forum import attempts, audit, events, meetings, policy
from forum import live as live_hub
from forum.db import utcnow
from forum.errors import Conflict, InvalidInput, NotAChoice, NotFound, RateLimited, StaleEdit
from forum.forms import ascii_digits, clean_text, validate, whole_number
from forum.models import LoginAttempt, Meeting, MeetingStatus, Person
from forum.policy import Actor
from forum.security import new_numeric_code

RUN = "deliberation.live_session.run"
TOKEN_COOKIE = "wethi_live"  # the device's token: one cookie for every session it joined
# A code has 900,000 values: 100 wrong ones from an address in 15 minutes is guessing (a
# chance in 9,000 per quarter hour), while a hall behind one address, where some mistype
# the code on the screen, stays well under it. A joined device never counts (participant_in).
# Joining a known open session is not limited per address: 2,000 phones behind one venue
# Wi-Fi or carrier NAT all get in; a device is one participant per session (its token). If
# a hall does reach the limit, the console shows the address and lets a facilitator lift it.
WRONG_CODES_PER_15_MIN = 100
WRONG_CODE_KEYS = ("live-code", "live-channel")  # typed codes, and refused channel keys
MAX_PROMPT = 300
IDEA_LIMIT = 280  # characters an idea may have, unless the facilitator says otherwise
MIN_IDEA_LIMIT, MAX_IDEA_LIMIT = 20, 1000
MAX_NICKNAME = 60
# The notice the join form shows above its consent (PDPA), and its version in the ledger
# (LiveConsent): a new wording is a new version.
GUEST_NOTICE = (
    "Your nickname and the ideas you send are recorded with this meeting so the organisers "
    "can use them in its report. Ideas may show political opinions: others see only your "
    "nickname. You can ask the organisers to remove what you sent."
)
GUEST_NOTICE_VERSION = 1


@dataclass(frozen=True)
class SessionView:
    """A session with what its pages need; `body_id` lets `can()` decide on the controls."""

    live: LiveSession
    meeting: Meeting
    body_id: int
    item: str | None = None  # "4.1 title": the agenda item the session is on, if any

    @property
    def id(self) -> int:
        return self.live.id  # type: ignore[return-value]


def _view(session: Session, live: LiveSession) -> SessionView:
    meeting = session.get(Meeting, live.meeting_id)
    assert meeting is not None
    item = None
    if live.item_id is not None:
        found = session.exec(_ITEM_LABELS.where(col(AgendaItem.id) == live.item_id)).first()
        item = _item_label(found) if found is not None else None
    return SessionView(live, meeting, meeting.body_id, item)


_ITEM_LABELS = (
    select(AgendaItem.id, AgendaPart.position, AgendaItem.position, AgendaItem.title)
    .join(AgendaPart, col(AgendaPart.id) == AgendaItem.part_id)
    .join(Agenda, col(Agenda.id) == AgendaItem.agenda_id)
)


def _item_label(row: Any) -> str:
    _id, part, position, title = row
    return f"{part}.{position} {title}"


def agenda_choices(session: Session, meeting_id: int) -> list[tuple[int, str]]:
    """The meeting's agenda items as (id, "4.1 title"), in agenda order: a session may be
    opened on one of them."""
    rows = session.exec(
        _ITEM_LABELS.where(Agenda.meeting_id == meeting_id).order_by(
            col(AgendaPart.position), col(AgendaItem.position), col(AgendaItem.id)
        )
    ).all()
    return [(row[0], _item_label(row)) for row in rows]


# -- the facilitator ------------------------------------------------------------------------


class _OpenForm(BaseModel):
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT)
    premoderation: bool = False
    idea_limit: int = Field(default=IDEA_LIMIT, ge=MIN_IDEA_LIMIT, le=MAX_IDEA_LIMIT)


class _SettingsForm(BaseModel):
    premoderation: bool = False
    idea_limit: int = Field(ge=MIN_IDEA_LIMIT, le=MAX_IDEA_LIMIT)


def open_session(
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    prompt: str,
    item_id: Any = None,
    premoderation: bool = False,
    idea_limit: Any = IDEA_LIMIT,
) -> LiveSession:
    """Open a live session on a meeting (optionally on one of its agenda items) with a new
    code. Raises Forbidden, NotFound, Conflict (the meeting is closed), InvalidInput."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, RUN, meeting)
    if meeting.status == MeetingStatus.closed:
        raise Conflict("This meeting is closed: a live session can no longer be opened on it.")
    form = validate(
        _OpenForm,
        {
            "prompt": clean_text(prompt),
            "premoderation": premoderation,
            "idea_limit": IDEA_LIMIT if idea_limit in (None, "") else idea_limit,
        },
    )
    item = _item_of(session, meeting_id, item_id)
    live = LiveSession(
        meeting_id=meeting_id,
        item_id=item,
        prompt=form.prompt,
        code=_unused_code(session),
        premoderation=form.premoderation,
        idea_limit=form.idea_limit,
        created_by=actor.person_id,
    )
    session.add(live)
    session.flush()
    audit.record(session, actor, "deliberation.live_session.open", live, after={"code": live.code})
    session.commit()
    return live


def _item_of(session: Session, meeting_id: int, item_id: Any) -> int | None:
    if item_id in (None, ""):
        return None
    number = whole_number(item_id, field="item_id")
    item = session.get(AgendaItem, number) if number is not None else None
    agenda = session.get(Agenda, item.agenda_id) if item is not None else None
    if agenda is None or agenda.meeting_id != meeting_id:
        raise InvalidInput({"item_id": "Choose one of the agenda's items."})
    return item.id  # type: ignore[union-attr]


def _unused_code(session: Session) -> str:
    while True:  # codes are never reused: a closed session stays readable by its code
        code = new_numeric_code(6)
        if not session.exec(select(LiveSession.id).where(LiveSession.code == code)).first():
            return code


def get_session(session: Session, actor: Actor, *, session_id: int) -> SessionView:
    """The session for its facilitators (console, projector). Raises Forbidden, NotFound."""
    policy.require(actor, "forum.meeting.view")
    live = session.get(LiveSession, session_id)
    if live is None:
        raise NotFound()
    view = _view(session, live)
    policy.require(actor, RUN, view)
    return view


MOVES = {
    "pause": ({LiveSessionStatus.open}, LiveSessionStatus.paused),
    "resume": ({LiveSessionStatus.paused}, LiveSessionStatus.open),
    "close": ({LiveSessionStatus.open, LiveSessionStatus.paused}, LiveSessionStatus.closed),
}


def change_session_status(
    session: Session, actor: Actor, *, session_id: int, to: str, version: Any = None
) -> LiveSession:
    """Pause (read-only), resume or close (archived) a session. `version` is the one the
    facilitator's page showed. Raises Forbidden, NotFound, InvalidInput, Conflict,
    StaleEdit."""
    live = get_session(session, actor, session_id=session_id).live
    if to not in MOVES:
        raise InvalidInput({"to": "Please choose one of the options."})
    if version not in (None, "") and str(version) != str(live.version):
        raise StaleEdit()
    allowed, target = MOVES[to]
    if live.status == target:
        return live  # a second press changes nothing
    if live.status not in allowed:
        raise Conflict("This session is closed: it can no longer be changed.")
    before = live.status
    live.status = target
    live.version += 1
    if target == LiveSessionStatus.closed:
        live.closed_at = utcnow()
        live.timer_ends_at = live.timer_left = None  # its countdown ends with it
    session.add(live)
    audit.record(
        session,
        actor,
        "deliberation.live_session." + to,
        live,
        before={"status": before},
        after={"status": target},
    )
    session.commit()
    events.record(session, SessionStateChanged(live.id))  # type: ignore[arg-type]
    return live


def change_session_settings(
    session: Session,
    actor: Actor,
    *,
    session_id: int,
    premoderation: Any,
    idea_limit: Any,
    version: Any = None,
) -> LiveSession:
    """Turn pre-moderation on or off (ideas already waiting keep waiting for a decision)
    and set how long an idea may be (ideas already in are kept as they are). Raises
    Forbidden, NotFound, InvalidInput, Conflict (closed), StaleEdit."""
    live = get_session(session, actor, session_id=session_id).live
    if version not in (None, "") and str(version) != str(live.version):
        raise StaleEdit()
    if live.status == LiveSessionStatus.closed:
        raise Conflict("This session is closed: it can no longer be changed.")
    form = validate(_SettingsForm, {"premoderation": premoderation, "idea_limit": idea_limit})
    before = {"premoderation": live.premoderation, "idea_limit": live.idea_limit}
    after = {"premoderation": form.premoderation, "idea_limit": form.idea_limit}
    if before == after:
        return live
    live.premoderation, live.idea_limit = form.premoderation, form.idea_limit
    live.version += 1
    session.add(live)
    audit.record(
        session, actor, "deliberation.live_session.settings", live, before=before, after=after
    )
    session.commit()
    return live


class SessionLine(NamedTuple):
    id: int
    code: str
    prompt: str
    status: str


_table = LiveSession.__table__  # type: ignore[attr-defined]
_SESSIONS_OF_MEETING = (
    sa.select(_table.c.id, _table.c.code, _table.c.prompt, _table.c.status)
    .where(_table.c.meeting_id == sa.bindparam("meeting_id"))
    .order_by(_table.c.id.desc())
)


def sessions_of_meeting(session: Session, meeting_id: int) -> list[SessionLine]:
    """The meeting's sessions, newest first (for its page's panel, already authorised): one
    prebuilt query of four columns, as every reader of the meeting's page asks it."""
    rows = session.execute(_SESSIONS_OF_MEETING, {"meeting_id": meeting_id}).all()
    return [SessionLine(*row) for row in rows]


def join_url(base_url: str, live: LiveSession) -> str:
    """The address the QR code and the share link open: the session's participant page."""
    return f"{base_url.rstrip('/')}/s/{live.code}"


def session_qr_svg(session: Session, actor: Actor, *, session_id: int, base_url: str) -> str:
    """The join QR code as SVG for the projector. Raises Forbidden, NotFound."""
    live = get_session(session, actor, session_id=session_id).live
    buffer = io.BytesIO()
    qr = segno.make(join_url(base_url, live), error="m", micro=False)
    qr.save(buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title=live.code)
    return buffer.getvalue().decode()


# -- finding a session by its code ------------------------------------------------------------


def _recent(session: Session, key: str, minutes: int) -> int:
    return attempts.recent_attempts(session, key, minutes=minutes)


def _code(code: Any) -> str:
    text = ascii_digits("".join(str(code or "").split()))  # as a Thai keyboard types it
    if not (text.isascii() and text.isdigit() and len(text) == 6):
        raise InvalidInput({"code": "Please type the 6-digit code shown on the screen."})
    return text


def find_session(session: Session, *, code: Any, client_ip: str = "") -> SessionView:
    """The session a code opens (anyone: the code is the invitation). Each wrong code is
    counted against the address. Raises InvalidInput (malformed or unknown code),
    RateLimited (guessing codes).

    A hall scans the code at once (2,000 phones in seconds): a right code costs one query —
    the session, its meeting, its item's label and the address's wrong codes together."""
    key = f"live-code:{client_ip}"
    since = utcnow() - timedelta(minutes=15)
    try:
        text = _code(code)
    except InvalidInput:
        _wrong_code(session, key)
        raise
    found = session.exec(_BY_CODE, params={"code": text, "key": key, "since": since}).first()
    if found is None:
        _wrong_code(session, key)
        raise NotAChoice({"code": "No session has this code. Please check it and try again."})
    if found[-1] >= WRONG_CODES_PER_15_MIN:  # guessing: refused even with a right code
        raise _guessing()
    return _view_of_row(found)


# A session as a code finds it: with its meeting and its item's label ("4.1 title"), in the
# same row (the pages need them, and every phone of a hall asks for them).
_WITH_MEETING_AND_ITEM = (
    select(
        LiveSession,
        Meeting,
        AgendaItem.id,
        AgendaPart.position,
        AgendaItem.position,
        AgendaItem.title,
    )
    .join(Meeting, col(Meeting.id) == LiveSession.meeting_id)
    .outerjoin(AgendaItem, col(AgendaItem.id) == LiveSession.item_id)
    .outerjoin(AgendaPart, col(AgendaPart.id) == AgendaItem.part_id)
)


def _view_of_row(row: Any) -> SessionView:
    """A SessionView from a row that begins as _WITH_MEETING_AND_ITEM's."""
    live, meeting, item_id, part, position, title = row[:6]
    item = _item_label((item_id, part, position, title)) if item_id is not None else None
    return SessionView(live, meeting, meeting.body_id, item)


_BY_CODE = _WITH_MEETING_AND_ITEM.add_columns(attempts.RECENT_COUNT).where(
    LiveSession.code == sa.bindparam("code")
)


def _guessing() -> RateLimited:
    return RateLimited(
        "Too many wrong codes were typed from this connection. "
        "Please wait 15 minutes and try again."
    )


def _wrong_code(session: Session, key: str) -> None:
    """A code that opens nothing: refused as guessing past the limit, else counted."""
    if _recent(session, key, 15) >= WRONG_CODES_PER_15_MIN:
        raise _guessing()
    session.add(LoginAttempt(key=key))
    session.commit()


@dataclass(frozen=True)
class Blocked:
    """An address refused for guessing: wrong codes typed, or channels asked for."""

    address: str
    wrong: int  # in the last 15 minutes
    last_at: datetime


def blocked_addresses(session: Session) -> list[Blocked]:
    """The addresses refused right now for wrong codes (a hall behind one Wi-Fi that
    mistyped the code, or someone guessing), most recent first: the console shows them
    to the facilitators, who can lift a block (lift_block)."""
    since = utcnow() - timedelta(minutes=15)
    rows = session.exec(
        select(LoginAttempt.key, func.count(), func.max(LoginAttempt.at))
        .where(
            or_(*(col(LoginAttempt.key).startswith(f"{kind}:") for kind in WRONG_CODE_KEYS)),
            col(LoginAttempt.at) > since,
        )
        .group_by(LoginAttempt.key)
    ).all()
    found: dict[str, Blocked] = {}
    limits = {"live-code": WRONG_CODES_PER_15_MIN, "live-channel": live_hub.GUESSES_PER_15_MIN}
    for key, wrong, last_at in rows:
        kind, _, address = key.partition(":")
        if wrong < limits[kind]:
            continue
        known = found.get(address)
        if known is None or known.wrong < wrong:
            found[address] = Blocked(address, wrong, last_at)
    return sorted(found.values(), key=lambda blocked: blocked.last_at, reverse=True)


def lift_block(session: Session, actor: Actor, *, session_id: int, address: Any) -> None:
    """A facilitator lets an address join again (its wrong codes forgotten): the hall
    behind it was refused after too many mistyped codes. Recorded in the audit log.
    Raises Forbidden, NotFound, InvalidInput (not a blocked address)."""
    view = get_session(session, actor, session_id=session_id)
    text = str(address or "").strip()
    if not text or text not in {blocked.address for blocked in blocked_addresses(session)}:
        raise InvalidInput({"address": "This connection is not blocked any more."})
    session.exec(  # type: ignore[call-overload]
        delete(LoginAttempt).where(
            col(LoginAttempt.key).in_([f"{kind}:{text}" for kind in WRONG_CODE_KEYS])
        )
    )
    audit.record(session, actor, "deliberation.live_session.unblock", view.live, after={"address": text})
    session.commit()


# -- participants ----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def participant_for_token(session: Session, *, session_id: int, token: str | None) -> Any:
    """The device's participant in this session, or None (no token, or not joined)."""
    if not token or len(token) > 100:
        return None
    values = {"session_id": session_id, "token_hash": hash_token(token)}
    return session.exec(_PARTICIPANT_BY_TOKEN, params=values).first()


_PARTICIPANT_BY_TOKEN = select(LiveParticipant).where(
    LiveParticipant.session_id == sa.bindparam("session_id"),
    LiveParticipant.token_hash == sa.bindparam("token_hash"),
)


def participant_in(
    session: Session, *, code: Any, token: str | None, client_ip: str = ""
) -> tuple[SessionView, Any]:
    """For a participant's action (an idea, a vote): the code's session and this device's
    participant in it (None: not joined). A device token of that very session shows the
    code is known, so it costs one query and no guessing check; without one the code is
    checked as typed codes are (find_session: counted, limited). Raises as find_session."""
    if token and len(token) <= 100 and isinstance(code, str):
        values = {"token_hash": hash_token(token), "code": code}
        found = session.exec(_JOINED_BY_TOKEN, params=values).first()
        if found is not None:
            return _view_of_row(found), found[-1]
    view = find_session(session, code=code, client_ip=client_ip)
    return view, participant_for_token(session, session_id=view.id, token=token)


_JOINED_BY_TOKEN = (
    _WITH_MEETING_AND_ITEM.add_columns(LiveParticipant)
    .join(LiveParticipant, col(LiveParticipant.session_id) == LiveSession.id)
    .where(LiveParticipant.token_hash == sa.bindparam("token_hash"))
    .where(LiveSession.code == sa.bindparam("code"))
)


def account_participant(
    session: Session, actor: Actor, *, code: Any, client_ip: str = ""
) -> tuple[SessionView, Any]:
    """For a signed-in person's action through the API: the code's session (the code checked
    as typed codes are) and their own participant in it (None: not joined). Raises as
    find_session."""
    view = find_session(session, code=code, client_ip=client_ip)
    participant = session.exec(
        select(LiveParticipant).where(
            LiveParticipant.session_id == view.id, LiveParticipant.person_id == actor.person_id
        )
    ).first()
    return view, participant


class _JoinForm(BaseModel):
    nickname: str = Field(min_length=1, max_length=MAX_NICKNAME)


class Joined(NamedTuple):
    view: SessionView
    participant: LiveParticipant
    token: str  # the device's: to keep in its cookie


def join_session(session: Session, actor: Actor, **form: Any) -> tuple[LiveParticipant, str]:
    """join, for who needs only the participant and the device's token."""
    joined = join(session, actor, **form)
    return joined.participant, joined.token


def join(
    session: Session,
    actor: Actor,
    *,
    code: Any,
    nickname: str = "",
    consent: bool = False,
    show_account_name: bool = False,
    token: str | None = None,
    client_ip: str = "",
) -> Joined:
    """Join a session by its code: a guest by nickname, a logged-in member as themselves
    (their name is the default nickname). The PDPA consent is required. A device whose
    token already joined, or a member who already joined, is the same participant again.
    Returns the session, the participant and the device token to keep (the joined page
    follows at once: the session read here is the page's). Raises InvalidInput, Conflict
    (closed), RateLimited (the address is guessing codes: find_session)."""
    view = find_session(session, code=code, client_ip=client_ip)
    live = view.live
    existing = participant_for_token(session, session_id=view.id, token=token)
    if existing is None and actor.is_authenticated:
        existing = session.exec(
            select(LiveParticipant).where(
                LiveParticipant.session_id == view.id,
                LiveParticipant.person_id == actor.person_id,
            )
        ).first()
    if existing is not None:
        return Joined(view, existing, _keep_token(session, existing, token))
    if live.status == LiveSessionStatus.closed:
        raise Conflict("This session has ended: no one can join it any more.")
    name = clean_text(nickname)
    if not name and actor.is_authenticated:
        name = actor.display_name
    problems: dict[str, str] = {}
    try:
        form = validate(_JoinForm, {"nickname": name})
    except InvalidInput as error:
        problems.update({field: message.msgid for field, message in error.fields.items()})
        if "nickname" in problems:
            problems["nickname"] = "Please give a nickname (at most 60 characters)."
    if not consent:
        problems["consent"] = "Please accept the consent to take part."
    if problems:
        raise InvalidInput(problems)
    token = token if _usable(token) else secrets.token_urlsafe(32)
    participant = LiveParticipant(
        session_id=view.id,
        person_id=actor.person_id,
        nickname=form.nickname,
        show_account_name=bool(show_account_name and actor.is_authenticated),
        token_hash=hash_token(token),  # type: ignore[arg-type]
        consent_at=utcnow(),
    )
    session.add(participant)
    try:
        session.flush()
        session.add(
            LiveConsent(
                participant_id=participant.id,  # type: ignore[arg-type]
                notice_version=GUEST_NOTICE_VERSION,
                given_at=participant.consent_at,
            )
        )
        session.commit()
    except IntegrityError:  # the same device joined twice at once: one participant
        session.rollback()
        again = participant_for_token(session, session_id=view.id, token=token)
        if again is None:
            raise
        return Joined(view, again, token)  # type: ignore[arg-type]
    return Joined(view, participant, token)  # type: ignore[arg-type]


def _usable(token: str | None) -> bool:
    return bool(token) and 32 <= len(token) <= 100  # type: ignore[arg-type]


def _keep_token(session: Session, participant: LiveParticipant, token: str | None) -> str:
    """A member back on another device: the participant moves to this device's token."""
    if token and participant.token_hash == hash_token(token):
        return token
    token = secrets.token_urlsafe(32)
    participant.token_hash = hash_token(token)
    session.add(participant)
    session.commit()
    return token


def public_name(participant: LiveParticipant, account_name: str | None) -> str:
    """Public views show nicknames only, unless the member chose to show their name."""
    if participant.show_account_name and account_name:
        return account_name
    return participant.nickname


def counts(session: Session, session_id: int) -> dict[str, int]:
    """People and ideas in a session (the console's figures): a merged idea lives on in the
    one it was merged into, and is not counted twice."""
    people = session.exec(
        select(func.count()).where(LiveParticipant.session_id == session_id)
    ).one()
    ideas = session.exec(
        select(func.count()).where(
            LiveIdea.session_id == session_id, LiveIdea.status != IdeaStatus.merged
        )
    ).one()
    return {"participants": people, "ideas": ideas}


def person_names(session: Session, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    rows = session.exec(
        select(Person.id, Person.display_name).where(col(Person.id).in_(person_ids))
    ).all()
    return {person_id: name for person_id, name in rows if person_id is not None}


# -- the meeting page's panel (forum.meetings.PAGE_PANELS, from the manifest) -------------

PANEL_TEMPLATE = "deliberation/_sessions.html"


@dataclass(frozen=True)
class SessionsPanel:
    meeting_id: int
    body_id: int
    sessions: list[SessionLine]
    may_open: bool  # the form to open one: the meeting's facilitators, until it closes
    items: list[tuple[int, str]]  # the agenda's items, for the form (none: no choice shown)


def meeting_page_panel(session: Session, actor: Actor, meeting: Any) -> meetings.PagePanel | None:
    """The meeting's live sessions, for everyone who reads its page — a member takes part
    in an open one as themselves; a closed one stays with the meeting, its ideas readable —
    and the form to open one for its facilitators until the meeting closes. Nothing when
    there is neither."""
    found = sessions_of_meeting(session, meeting.id)
    may_open = meeting.status != MeetingStatus.closed and policy.can(actor, RUN, meeting)
    if not found and not may_open:
        return None
    items = agenda_choices(session, meeting.id) if may_open else []
    data = SessionsPanel(meeting.id, meeting.body_id, found, may_open, items)
    return meetings.PagePanel(PANEL_TEMPLATE, data)

