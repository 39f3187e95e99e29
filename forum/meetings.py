"""Meetings (การประชุม / เวที) of a body: numbering per body and Buddhist year, the status
lifecycle, listing, and the calendar (.ics)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, Field, HttpUrl, field_validator
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from forum import attendance, audit, i18n, labels, policy
from forum.dates import BE_OFFSET, buddhist_year, format_datetime, from_local, to_local
from forum.db import claim_version, utcnow
from forum.errors import Conflict, InvalidInput, NotFound, StaleEdit
from forum.forms import ascii_digits, validate
from forum.i18n import gettext
from forum.models import (
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingStatus,
    Membership,
)
from forum.paging import MAX_PAGE, MAX_PER_PAGE, Page
from forum.policy import Actor
from forum.registry import Registry
from forum.security import new_numeric_code

# draft → agenda_open → agenda_published → live → closed (later issues fill the middle)
NEXT_STATUS = {
    MeetingStatus.draft: MeetingStatus.agenda_open,
    MeetingStatus.agenda_open: MeetingStatus.agenda_published,
    MeetingStatus.agenda_published: MeetingStatus.live,
    MeetingStatus.live: MeetingStatus.closed,
}


def meeting_label(meeting: Meeting) -> str:
    """ครั้งที่ 3/2569 — the number the Thai minutes use."""
    return f"{meeting.number}/{meeting.year_be}"


@dataclass(frozen=True)
class BodyName:
    id: int
    name: str


@dataclass(frozen=True)
class MeetingRow:
    meeting: Any  # the meeting's columns, read-only (a database row, not a Meeting)
    present: int
    invited: int


# Typed dates outside these years are mistakes (or probes), and would overflow the clock.
FIRST_YEAR, LAST_YEAR = 2000, 2200
BE_YEARS_FROM = 2400  # a year this large was typed in the Buddhist Era (2400 BE = 1857 CE)
MAX_LENGTH = timedelta(days=7)


class MeetingFields(BaseModel):
    title: str | None = Field(default=None, max_length=300)
    starts_at: datetime  # Bangkok wall-clock time, as typed
    ends_at: datetime | None = None
    venue: str | None = Field(default=None, max_length=300)
    online_url: HttpUrl | None = None

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _common_era(cls, value: object) -> object:
        """A Buddhist-Era year typed as Thai people write dates (2569-12-09 09:30, where no
        date picker helps) is read as the Common-Era year the field holds (2026)."""
        if isinstance(value, str):
            value = ascii_digits(value)  # ๙ ธ.ค. ๒๕๖๙ as typed on a Thai keyboard
        if (
            isinstance(value, str)
            and len(value) >= 4
            and value[:4].isascii()
            and value[:4].isdigit()
            and int(value[:4]) >= BE_YEARS_FROM
        ):
            return f"{int(value[:4]) - BE_OFFSET:04d}{value[4:]}"
        return value

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _wall_clock(cls, value: datetime | None) -> datetime | None:
        """A time with an offset becomes Bangkok wall-clock time, so all compare alike."""
        if value is None:
            return None
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(
                "Please enter a real date: this one is too far in the past or the future."
            )
        return to_local(value).replace(tzinfo=None) if value.tzinfo else value


def _fields(data: dict[str, object]) -> MeetingFields:
    """Checked form values; problems across fields are named on the field to correct."""
    values = validate(MeetingFields, data)
    if values.ends_at is None:
        values.ends_at = values.starts_at + timedelta(hours=3)
    if values.ends_at <= values.starts_at:
        raise InvalidInput({"ends_at": "The meeting must end after it starts."})
    if values.ends_at - values.starts_at > MAX_LENGTH:
        raise InvalidInput({"ends_at": "A meeting can last at most 7 days."})
    if not values.venue and not values.online_url:
        raise InvalidInput({"venue": "Give a venue, an online link, or both."})
    if values.online_url and (
        values.online_url.scheme not in {"https", "http"} or len(str(values.online_url)) > 500
    ):
        raise InvalidInput({"online_url": "Please enter a web address starting with https://"})
    return values


_MEETINGS_OF_BODY = (
    select(func.count()).select_from(Meeting).where(Meeting.body_id == bindparam("body_id"))
)


def _page_query(*columns: Any) -> Any:
    """A body's meetings, newest first, one page, with their present / invited counts
    (which the database keeps on each meeting: forum.models.ATTENDANCE_COUNT_TRIGGERS)."""
    return (
        select(
            *columns,
            col(Meeting.attendance_present).label("present"),
            col(Meeting.attendance_total).label("invited"),
        )
        .where(Meeting.body_id == bindparam("body_id"))
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


_MEETING_PAGE = _page_query(*Meeting.__table__.columns)  # type: ignore[attr-defined]
# The meeting list page shows only these: fewer values to read and convert per row.
_MEETING_LINES = _page_query(
    Meeting.id,
    Meeting.number,
    Meeting.year_be,
    Meeting.title,
    Meeting.starts_at,
    Meeting.venue,
    Meeting.online_url,
    Meeting.status,
    # The body's name and its number of meetings on every row (worked out once per query):
    # a page with meetings needs no other query.
    select(Body.name).where(Body.id == bindparam("body_id")).scalar_subquery().label("body_name"),
    _MEETINGS_OF_BODY.scalar_subquery().label("total"),
)


def _page_bounds(body_id: int, page: int, per_page: int) -> tuple[int, int, dict[str, int]]:
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    return page, per_page, {"body_id": body_id, "offset": (page - 1) * per_page, "limit": per_page}


def _page_of_meetings(
    connection: Any, body_id: int, total: int, page: int, per_page: int
) -> Page[MeetingRow]:
    page, per_page, values = _page_bounds(body_id, page, per_page)
    rows = connection.execute(_MEETING_PAGE, values).all() if total else []
    return Page([MeetingRow(row, row.present, row.invited) for row in rows], total, page, per_page)


def list_meetings(
    session: Session, actor: Actor, *, body_id: int, page: int = 1, per_page: int = 20
) -> Page[MeetingRow]:
    """Newest first, one page, each with its present/invited counts: two queries (the
    total, and the page with its counts as correlated subqueries, which the database
    works out only for the rows of the page), whatever the number of meetings. Rows are
    read-only records with the meeting's columns. Raises Forbidden."""
    policy.require(actor, "forum.meeting.view")
    connection = session.connection()
    total = connection.execute(_MEETINGS_OF_BODY, {"body_id": body_id}).scalar_one()
    return _page_of_meetings(connection, body_id, total, page, per_page)


class MeetingLine(NamedTuple):
    """One row of a body's meeting list, ready to show: texts already translated and
    formatted once here, rather than by a function call per cell in the template (and a
    tuple, the cheapest record to build and to read from a template)."""

    id: int
    label: str  # "ครั้งที่ 3/2569"
    title: str
    starts: str  # "12 พ.ย. 2569 09.30 น."
    venue: str
    online: bool
    status: str
    status_text: str
    counts: str  # "present / invited"


@dataclass(frozen=True)
class BodyMeetings:
    body: BodyName
    page: Page[MeetingLine]


_BODY_WITH_MEETING_COUNT = select(
    Body.id,
    Body.name,
    select(func.count())
    .select_from(Meeting)
    .where(Meeting.body_id == Body.id)
    .scalar_subquery()
    .label("total"),
).where(Body.id == bindparam("body_id"))


_BODY_REVISION = select(Body.revision, Body.name).where(Body.id == bindparam("body_id"))


def meetings_revision(session: Session, actor: Actor, *, body_id: int) -> tuple[int, str]:
    """The body's revision (moved by the database on every change to its meetings) and
    name: what names a version of its meeting list. Raises Forbidden, NotFound."""
    policy.require(actor, "forum.body.view")
    policy.require(actor, "forum.meeting.view")
    found = session.connection().execute(_BODY_REVISION, {"body_id": body_id}).first()
    if found is None:
        raise NotFound()
    return found.revision, found.name


def body_meetings(
    session: Session, actor: Actor, *, body_id: int, page: int = 1, per_page: int = 20
) -> BodyMeetings:
    """A body with one page of its meetings (as list_meetings), in one query with the body's
    name and number of meetings; a second one only when the page is empty. Raises
    Forbidden, NotFound."""
    policy.require(actor, "forum.body.view")
    policy.require(actor, "forum.meeting.view")
    connection = session.connection()
    page, per_page, values = _page_bounds(body_id, page, per_page)
    rows = connection.execute(_MEETING_LINES, values).all()
    if rows:
        body = BodyName(body_id, rows[0].body_name)
        total = rows[0].total
    else:  # no meetings on this page, or no such body
        found = connection.execute(_BODY_WITH_MEETING_COUNT, {"body_id": body_id}).first()
        if found is None:
            raise NotFound()
        body, total = BodyName(found.id, found.name), found.total
    locale = i18n.current_locale.get()
    number = gettext("No. %(number)s")
    status_text = {value: gettext(msgid) for value, msgid in labels.options(MeetingStatus)}
    lines = [
        MeetingLine(
            meeting_id,
            number % {"number": f"{serial}/{year_be}"},
            title,
            format_datetime(starts_at, locale, "short"),
            venue,
            bool(online_url),
            status,
            status_text[status],
            f"{present} / {invited}",
        )
        for (
            meeting_id,
            serial,
            year_be,
            title,
            starts_at,
            venue,
            online_url,
            status,
            _body_name,
            _total,
            present,
            invited,
        ) in rows
    ]
    return BodyMeetings(body, Page(lines, total, page, per_page))


def upcoming_meetings(
    session: Session, actor: Actor, *, limit: int = 10
) -> list[tuple[Meeting, Body]]:
    """The actor's bodies' meetings from today on (all bodies for an admin)."""
    policy.require(actor, "forum.meeting.view")
    query = (
        select(Meeting, Body)
        .join(Body, Body.id == Meeting.body_id)
        .where(Meeting.ends_at >= utcnow() - timedelta(hours=12))
    )
    if not actor.is_admin:
        query = query.where(col(Meeting.body_id).in_(list(actor.roles) or [-1]))
    return list(session.exec(query.order_by(col(Meeting.starts_at)).limit(limit)).all())


def get_meeting(session: Session, actor: Actor, *, meeting_id: int) -> Meeting:
    """Raises Forbidden, NotFound."""
    policy.require(actor, "forum.meeting.view")
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def _unused_code(session: Session) -> str:
    while True:
        code = new_numeric_code(6)
        if not session.exec(select(Meeting.id).where(Meeting.checkin_code == code)).first():
            return code


def _next_number(session: Session, body_id: int, year_be: int) -> int:
    """Numbering restarts at 1 each Buddhist year, separately for each body."""
    latest = session.exec(
        select(func.max(Meeting.number)).where(
            Meeting.body_id == body_id, Meeting.year_be == year_be
        )
    ).one()
    return (latest or 0) + 1


def new_meeting_form(session: Session, actor: Actor, *, body_id: int) -> Body:
    """The body a new meeting is being prepared for. Raises Forbidden, NotFound, Conflict."""
    body = session.get(Body, body_id)
    if body is None:
        raise NotFound()
    policy.require(actor, "forum.meeting.create", body)
    if body.archived_at is not None:
        raise Conflict("This body is archived; it cannot hold new meetings.")
    return body


def create_meeting(session: Session, actor: Actor, *, body_id: int, **data: object) -> Meeting:
    """Number it (next for the body in its Buddhist year) and invite the current members.
    Raises Forbidden, NotFound, Conflict (archived body), InvalidInput."""
    body = session.get(Body, body_id)
    if body is None:
        raise NotFound()
    policy.require(actor, "forum.meeting.create", body)
    if body.archived_at is not None:
        raise Conflict("This body is archived; it cannot hold new meetings.")
    values = _fields(data)
    assert values.ends_at is not None
    year_be = buddhist_year(values.starts_at)
    for _attempt in range(5):  # two secretaries creating at once: the unique key decides
        number = _next_number(session, body_id, year_be)
        meeting = Meeting(
            body_id=body_id,
            year_be=year_be,
            number=number,
            title=values.title or "",
            starts_at=from_local(values.starts_at),
            ends_at=from_local(values.ends_at),
            venue=values.venue or "",
            online_url=str(values.online_url or ""),
            checkin_code=_unused_code(session),
            created_by=actor.person_id,
        )
        session.add(meeting)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            continue
        break
    else:
        raise Conflict("Please try again: another meeting was being created at the same moment.")
    members = session.exec(select(Membership.person_id).where(Membership.body_id == body_id)).all()
    session.add_all(
        [Attendance(meeting_id=meeting.id, person_id=person_id) for person_id in members]
    )
    audit.record(session, actor, "forum.meeting.create", meeting)
    session.commit()
    return meeting


def update_meeting(
    session: Session, actor: Actor, *, meeting_id: int, version: int, **data: object
) -> Meeting:
    """Raises Forbidden, NotFound, StaleEdit, Conflict (closed), InvalidInput."""
    meeting = get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "forum.meeting.edit", meeting)
    if meeting.version != version:
        raise StaleEdit()
    if meeting.status == MeetingStatus.closed:
        raise Conflict("This meeting is closed; it can no longer be changed.")
    values = _fields(data)
    assert values.ends_at is not None
    before = audit.snapshot(meeting)
    year_be = buddhist_year(values.starts_at)
    if year_be != meeting.year_be:  # moved into another year: it takes that year's next number
        meeting.number, meeting.year_be = _next_number(session, meeting.body_id, year_be), year_be
    meeting.title = values.title or ""
    meeting.starts_at, meeting.ends_at = from_local(values.starts_at), from_local(values.ends_at)
    meeting.venue, meeting.online_url = values.venue or "", str(values.online_url or "")
    meeting.version += 1
    audit.record(session, actor, "forum.meeting.edit", meeting, before=before)
    session.commit()
    return meeting


def edit_meeting_form(
    session: Session, actor: Actor, *, meeting_id: int
) -> tuple[Meeting, Body, dict[str, object]]:
    """The meeting with its form values in Bangkok wall-clock time. Raises Forbidden,
    NotFound, Conflict (closed)."""
    meeting = get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "forum.meeting.edit", meeting)
    if meeting.status == MeetingStatus.closed:
        raise Conflict("This meeting is closed; it can no longer be changed.")
    body = session.get(Body, meeting.body_id)
    assert body is not None
    values = {
        "title": meeting.title,
        "starts_at": f"{to_local(meeting.starts_at):%Y-%m-%dT%H:%M}",
        "ends_at": f"{to_local(meeting.ends_at):%Y-%m-%dT%H:%M}",
        "venue": meeting.venue,
        "online_url": meeting.online_url,
        "version": meeting.version,
    }
    return meeting, body, values


# Steps the packages to the right add to a change of stage (from their manifests), run in
# its transaction before the commit, as hook(session, actor, meeting, to): deliberation
# locks, numbers and records the agenda when it is published. A hook may raise a domain
# error to refuse the change.
STATUS_HOOKS: Registry[Callable[[Session, Actor, Meeting, MeetingStatus], None]] = Registry(
    "meeting status hooks"
)
# Likewise before a draft meeting is deleted, as hook(session, actor, meeting): each
# package removes what it made for the meeting, or raises a domain error to keep it.
DELETE_HOOKS: Registry[Callable[[Session, Actor, Meeting], None]] = Registry(
    "meeting delete hooks"
)


def advance_status(
    session: Session, actor: Actor, *, meeting_id: int, to: str, version: int
) -> Meeting:
    """Move the meeting one step along its lifecycle. Raises Forbidden, NotFound,
    StaleEdit, Conflict (not the next step)."""
    meeting = get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "forum.meeting.change_status", meeting)
    if meeting.version != version:
        raise StaleEdit()
    if NEXT_STATUS.get(MeetingStatus(meeting.status)) != to:
        raise Conflict("The meeting cannot move to that stage from where it is now.")
    before = audit.snapshot(meeting)
    # Of two changes of the same version at once, the row lock lets only the first through.
    if not claim_version(session, Meeting, meeting.id, version):  # type: ignore[arg-type]
        session.rollback()
        raise StaleEdit()
    for hook in STATUS_HOOKS:
        hook(session, actor, meeting, MeetingStatus(to))
    meeting.status = MeetingStatus(to)
    meeting.version = version + 1
    audit.record(session, actor, "forum.meeting.change_status", meeting, before=before)
    session.commit()
    return meeting


def delete_meeting(session: Session, actor: Actor, *, meeting_id: int, version: int) -> Body:
    """Remove a meeting made by mistake (a duplicate, a wrong date): only while it is a
    draft no one has checked in to, so no announced number or record is lost. If it was
    the body's latest of its year, its number is free again. Returns its body. Raises
    Forbidden, NotFound, StaleEdit, Conflict."""
    meeting = get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "forum.meeting.delete", meeting)
    if meeting.version != version:
        raise StaleEdit()
    if meeting.status != MeetingStatus.draft:
        raise Conflict("Only a draft meeting can be deleted; this one has been announced.")
    lines = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    if any(
        line.checked_in_at is not None or line.status != AttendanceStatus.invited for line in lines
    ):
        raise Conflict(
            "Someone's attendance is already recorded for this meeting, so it cannot be deleted."
        )
    for hook in DELETE_HOOKS:
        hook(session, actor, meeting)
    body = session.get(Body, meeting.body_id)
    assert body is not None
    audit.record(
        session,
        actor,
        "forum.meeting.delete",
        target_type="meeting",
        target_id=meeting.id,
        before=audit.snapshot(meeting),
    )
    for line in lines:
        session.delete(line)
    session.flush()
    session.delete(meeting)
    session.commit()
    return body


# -- the meeting page -----------------------------------------------------------------


@dataclass(frozen=True)
class MeetingOverview:
    meeting: Any  # the meeting's columns, read-only (a database row, not a Meeting)
    body: BodyName
    attendance: attendance.AttendanceSummary | None  # None: left to the page's kept list
    log: list[tuple[Any, str]]  # the traffic record, for those who keep attendance
    next_status: MeetingStatus | None
    attendance_open: bool  # a closed meeting's attendance is final
    check_in_open: bool  # around the meeting's time: people may check in, or join online


_MEETING_WITH_BODY = (
    select(*Meeting.__table__.columns, col(Body.name).label("body_name"))  # type: ignore[attr-defined]
    .join(Body, Body.id == Meeting.body_id)
    .where(Meeting.id == bindparam("meeting_id"))
)


def meeting_overview(
    session: Session, actor: Actor, *, meeting_id: int, with_attendance: bool = True
) -> MeetingOverview:
    """Everything the meeting page shows, in a fixed number of queries whatever the
    number of attendees (the meeting with its body's name, the list, and the record for
    those who keep attendance); `with_attendance=False` leaves the list out (the page keeps
    it rendered per `meeting.attendance_revision`). Raises Forbidden, NotFound."""
    policy.require(actor, "forum.meeting.view")
    meeting = session.connection().execute(_MEETING_WITH_BODY, {"meeting_id": meeting_id}).first()
    if meeting is None:
        raise NotFound()
    summary = (
        attendance.list_attendance(session, actor, meeting=meeting) if with_attendance else None
    )
    keeps_attendance = policy.can(actor, "forum.meeting.manage_attendance", meeting)
    log = attendance.attendance_log(session, actor, meeting=meeting) if keeps_attendance else []
    status = MeetingStatus(meeting.status)
    body = BodyName(meeting.body_id, meeting.body_name)
    return MeetingOverview(
        meeting,
        body,
        summary,
        log,
        NEXT_STATUS.get(status),
        status != MeetingStatus.closed,
        attendance.check_in_is_open(meeting),
    )


@dataclass(frozen=True)
class PagePanel:
    """A section a package to the right adds to the meeting page: the page includes
    `template` with this panel in its context as `panel`."""

    template: str
    data: Any


# Providers of such sections, as provider(session, actor, meeting) -> PagePanel | None, the
# meeting being the page's read-only row, registered by the packages' manifests with the
# place each takes on the page (`order`): deliberation shows the item under consideration
# while the meeting is live, then its live sessions. The meeting page is the busiest page:
# a provider decides from the row's status before it makes any query.
PAGE_PANELS: Registry[Callable[[Session, Actor, Any], PagePanel | None]] = Registry(
    "meeting page panels"
)


def page_panels(session: Session, actor: Actor, meeting: Any) -> list[PagePanel]:
    """The meeting page's sections from the other packages, in their stated order."""
    panels = []
    for provider in PAGE_PANELS:
        panel = provider(session, actor, meeting)
        if panel is not None:
            panels.append(panel)
    return panels
