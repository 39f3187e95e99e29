"""The platform core's tables: places, organisations, people, bodies, meetings, access, audit.

Enums are stored as short strings (portable across SQLite and PostgreSQL, and cheap to
extend); the Python side compares them as `StrEnum`s.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema
from sqlmodel import JSON, Column, Field, SQLModel

from forum import forms
from forum.dates import to_local
from forum.db import utcnow

# -- enums ----------------------------------------------------------------------------


class OrganisationKind(StrEnum):
    provincial_energy_office = "provincial_energy_office"
    energy_volunteers = "energy_volunteers"
    community_enterprise = "community_enterprise"
    occupational_group = "occupational_group"
    academic_network = "academic_network"
    government_agency = "government_agency"
    local_admin_org = "local_admin_org"
    community_leaders = "community_leaders"
    other = "other"


class Side(StrEnum):
    office = "office"
    network = "network"


class BodyKind(StrEnum):
    working_group = "working_group"  # คณะทำงาน (one region)
    committee = "committee"  # คณะกรรมการ


class Role(StrEnum):
    chair = "chair"
    vice_chair = "vice_chair"
    secretary = "secretary"
    member = "member"
    facilitator = "facilitator"
    observer = "observer"


class MeetingStatus(StrEnum):
    draft = "draft"
    agenda_open = "agenda_open"
    agenda_published = "agenda_published"
    live = "live"
    closed = "closed"


class AttendanceStatus(StrEnum):
    invited = "invited"
    present = "present"
    absent = "absent"  # with a reason
    guest = "guest"


class AttendanceEventKind(StrEnum):
    check_in = "check_in"
    marked_present = "marked_present"
    marked_absent = "marked_absent"
    marked_invited = "marked_invited"
    guest_added = "guest_added"
    join_online = "join_online"
    leave_online = "leave_online"


def _str(length: int) -> Any:
    return sa.String(length)


# -- places ---------------------------------------------------------------------------


class Region(SQLModel, table=True):
    """One of the programme's 4 regions (ภาค)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=_str(20), unique=True)
    name_th: str = Field(sa_type=_str(100))
    name_en: str = Field(sa_type=_str(100))
    position: int = 0


class Province(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: int = Field(unique=True)  # DOPA code = ISO 3166-2:TH number
    name_th: str = Field(sa_type=_str(100), index=True)
    name_en: str = Field(sa_type=_str(100))
    abbr_en: str = Field(default="", sa_type=_str(10))
    region_id: int = Field(foreign_key="region.id", index=True)
    has_energy_office: bool = True
    is_pilot: bool = False


# -- organisations and people ---------------------------------------------------------


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=_str(200), index=True)
    name_en: str = Field(default="", sa_type=_str(200))
    kind: OrganisationKind = Field(sa_type=_str(40))
    side: Side = Field(sa_type=_str(10))
    province_id: int | None = Field(default=None, foreign_key="province.id", index=True)
    description: str = Field(default="", sa_type=sa.Text)
    archived_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class Person(SQLModel, table=True):
    """A member account; guest participants of live sessions live in `deliberation`."""

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, sa_type=_str(254), unique=True)
    display_name: str = Field(sa_type=_str(120), index=True)
    position: str = Field(default="", sa_type=_str(200))  # ตำแหน่ง
    phone: str = Field(default="", sa_type=_str(40))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    password_hash: str = Field(default="", sa_type=_str(200))
    is_admin: bool = False
    locale: str = Field(default="th", sa_type=_str(5))
    archived_at: datetime | None = None
    erased_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


# -- bodies ---------------------------------------------------------------------------


class Body(SQLModel, table=True):
    """A regional working group (คณะทำงาน) or the committee (คณะกรรมการ)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: BodyKind = Field(sa_type=_str(20))
    name: str = Field(sa_type=_str(200))
    name_en: str = Field(default="", sa_type=_str(200))
    region_id: int | None = Field(default=None, foreign_key="region.id")
    description: str = Field(default="", sa_type=sa.Text)
    archived_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1
    # Moved by the database on every change to the body's meetings (BODY_REVISION_DDL,
    # so on every attendance change too): its meeting list is rendered once per change.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Membership(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("body_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: Role = Field(sa_type=_str(20))
    joined_at: datetime = Field(default_factory=utcnow)


# -- meetings -------------------------------------------------------------------------


class Meeting(SQLModel, table=True):
    """การประชุม / เวที of a body, numbered per body and Buddhist year (ครั้งที่ 3/2569)."""

    __table_args__ = (
        sa.UniqueConstraint("body_id", "year_be", "number"),
        # A body's meetings newest first, one page at a time, without sorting them all.
        sa.Index("ix_meeting_body_starts", "body_id", "starts_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    year_be: int
    number: int
    title: str = Field(default="", sa_type=_str(300))
    starts_at: datetime = Field(index=True)  # UTC
    ends_at: datetime
    venue: str = Field(default="", sa_type=_str(300))
    online_url: str = Field(default="", sa_type=_str(500))
    status: MeetingStatus = Field(default=MeetingStatus.draft, sa_type=_str(20))
    checkin_code: str = Field(sa_type=_str(12), unique=True)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1
    # How many are on the attendance list, and how many of them are present (guests
    # included): kept by the database itself (ATTENDANCE_COUNT_TRIGGERS), so a meeting
    # list reads two numbers per meeting instead of counting its lines.
    attendance_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    attendance_present: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Moved by the database whenever what its attendance list shows changes
    # (ATTENDANCE_REVISION_DDL): the page renders the list once per revision.
    attendance_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Attendance(SQLModel, table=True):
    """One line of a meeting's attendance: a member, a substitute or a guest."""

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "person_id"),
        # A meeting's present / invited counts read from the index alone (meeting lists).
        sa.Index("ix_attendance_meeting_status", "meeting_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    guest_name: str = Field(default="", sa_type=_str(120))
    guest_organisation: str = Field(default="", sa_type=_str(200))
    status: AttendanceStatus = Field(default=AttendanceStatus.invited, sa_type=_str(20))
    absence_reason: str = Field(default="", sa_type=_str(300))
    substitute_for_id: int | None = Field(default=None, foreign_key="person.id")  # มาประชุมแทน
    checked_in_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


# Every change to an attendance line moves its meeting's two counts, in the same
# transaction, whoever writes it (a service, a bulk load, a deletion): the old line is
# taken out and the new one put in. `x = x + 1` re-reads the row under its lock, so
# simultaneous check-ins never lose one.
_TAKE_OUT = (
    "UPDATE meeting SET attendance_total = attendance_total - 1, "
    "attendance_present = attendance_present"
    " - CASE WHEN OLD.status IN ('present', 'guest') THEN 1 ELSE 0 END "
    "WHERE id = OLD.meeting_id;"
)
_PUT_IN = (
    "UPDATE meeting SET attendance_total = attendance_total + 1, "
    "attendance_present = attendance_present"
    " + CASE WHEN NEW.status IN ('present', 'guest') THEN 1 ELSE 0 END "
    "WHERE id = NEW.meeting_id;"
)
ATTENDANCE_COUNT_TRIGGERS: dict[str, list[str]] = {
    "sqlite": [
        f"CREATE TRIGGER attendance_counts_insert AFTER INSERT ON attendance BEGIN {_PUT_IN} END",
        f"CREATE TRIGGER attendance_counts_delete AFTER DELETE ON attendance BEGIN {_TAKE_OUT} END",
        "CREATE TRIGGER attendance_counts_update AFTER UPDATE OF status, meeting_id ON attendance "
        "WHEN OLD.status IS NOT NEW.status OR OLD.meeting_id IS NOT NEW.meeting_id "
        f"BEGIN {_TAKE_OUT} {_PUT_IN} END",
    ],
    "postgresql": [
        "CREATE FUNCTION attendance_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_TAKE_OUT} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_PUT_IN} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER attendance_counts AFTER INSERT OR DELETE ON attendance "
        "FOR EACH ROW EXECUTE FUNCTION attendance_counts()",
        "CREATE TRIGGER attendance_counts_update AFTER UPDATE OF status, meeting_id ON attendance "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.meeting_id IS DISTINCT FROM NEW.meeting_id) "
        "EXECUTE FUNCTION attendance_counts()",
    ],
}
for _dialect, _statements in ATTENDANCE_COUNT_TRIGGERS.items():
    for _statement in _statements:
        sa.event.listen(
            Attendance.__table__,  # type: ignore[attr-defined]
            "after_create",
            sa.DDL(_statement).execute_if(dialect=_dialect),
        )


_BUMP_OLD = "UPDATE body SET revision = revision + 1 WHERE id = OLD.body_id;"
_BUMP_NEW = "UPDATE body SET revision = revision + 1 WHERE id = NEW.body_id;"
BODY_REVISION_DDL: dict[str, list[str]] = {  # migration 0007 keeps its own copy
    "sqlite": [
        f"CREATE TRIGGER body_revision_meeting_insert AFTER INSERT ON meeting BEGIN {_BUMP_NEW} END",
        "CREATE TRIGGER body_revision_meeting_update AFTER UPDATE ON meeting "
        f"BEGIN {_BUMP_OLD} {_BUMP_NEW} END",
        f"CREATE TRIGGER body_revision_meeting_delete AFTER DELETE ON meeting BEGIN {_BUMP_OLD} END",
    ],
    "postgresql": [
        "CREATE FUNCTION body_revision_meeting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_BUMP_OLD} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_BUMP_NEW} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER body_revision_meeting AFTER INSERT OR UPDATE OR DELETE ON meeting "
        "FOR EACH ROW EXECUTE FUNCTION body_revision_meeting()",
    ],
}
for _dialect, _statements in BODY_REVISION_DDL.items():
    for _statement in _statements:
        sa.event.listen(
            Meeting.__table__,  # type: ignore[attr-defined]
            "after_create",
            sa.DDL(_statement).execute_if(dialect=_dialect),
        )

# Moved by the database on every change to what a meeting's attendance list shows: a line
# added, changed or removed, a listed person's name or organisation, an organisation's name
# (migration 0012 keeps its own copy). The meeting page renders its list once per revision.
_BUMP_LIST = "UPDATE meeting SET attendance_revision = attendance_revision + 1 WHERE id = {}.meeting_id;"
_BUMP_LISTS_OF_PERSON = (
    "UPDATE meeting SET attendance_revision = attendance_revision + 1 WHERE id IN "
    "(SELECT meeting_id FROM attendance WHERE person_id = NEW.id OR substitute_for_id = NEW.id);"
)
_BUMP_LISTS_OF_ORGANISATION = (
    "UPDATE meeting SET attendance_revision = attendance_revision + 1 WHERE id IN "
    "(SELECT attendance.meeting_id FROM attendance JOIN person ON person.id = attendance.person_id "
    "WHERE person.organisation_id = NEW.id);"
)
ATTENDANCE_REVISION_DDL: dict[str, list[tuple[str, str]]] = {  # (table, statement)
    "sqlite": [
        ("attendance", "CREATE TRIGGER attendance_revision_insert AFTER INSERT ON attendance "
         f"BEGIN {_BUMP_LIST.format('NEW')} END"),
        ("attendance", "CREATE TRIGGER attendance_revision_update AFTER UPDATE ON attendance "
         f"BEGIN {_BUMP_LIST.format('OLD')} {_BUMP_LIST.format('NEW')} END"),
        ("attendance", "CREATE TRIGGER attendance_revision_delete AFTER DELETE ON attendance "
         f"BEGIN {_BUMP_LIST.format('OLD')} END"),
        ("person", "CREATE TRIGGER attendance_revision_person AFTER UPDATE OF display_name, "
         "organisation_id ON person WHEN OLD.display_name IS NOT NEW.display_name "
         f"OR OLD.organisation_id IS NOT NEW.organisation_id BEGIN {_BUMP_LISTS_OF_PERSON} END"),
        ("organisation", "CREATE TRIGGER attendance_revision_organisation AFTER UPDATE OF name "
         "ON organisation WHEN OLD.name IS NOT NEW.name "
         f"BEGIN {_BUMP_LISTS_OF_ORGANISATION} END"),
    ],
    "postgresql": [
        ("attendance", "CREATE FUNCTION attendance_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
         f"BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN {_BUMP_LIST.format('OLD')} END IF; "
         f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_BUMP_LIST.format('NEW')} END IF; "
         "RETURN NULL; END $$"),
        ("attendance", "CREATE TRIGGER attendance_revision AFTER INSERT OR UPDATE OR DELETE ON "
         "attendance FOR EACH ROW EXECUTE FUNCTION attendance_revision()"),
        ("person", "CREATE FUNCTION attendance_revision_person() RETURNS trigger LANGUAGE plpgsql "
         f"AS $$ BEGIN {_BUMP_LISTS_OF_PERSON} RETURN NULL; END $$"),
        ("person", "CREATE TRIGGER attendance_revision_person AFTER UPDATE OF display_name, "
         "organisation_id ON person FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM "
         "NEW.display_name OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id) "
         "EXECUTE FUNCTION attendance_revision_person()"),
        ("organisation", "CREATE FUNCTION attendance_revision_organisation() RETURNS trigger "
         f"LANGUAGE plpgsql AS $$ BEGIN {_BUMP_LISTS_OF_ORGANISATION} RETURN NULL; END $$"),
        ("organisation", "CREATE TRIGGER attendance_revision_organisation AFTER UPDATE OF name ON "
         "organisation FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) "
         "EXECUTE FUNCTION attendance_revision_organisation()"),
    ],
}
for _dialect, _pairs in ATTENDANCE_REVISION_DDL.items():
    for _table, _statement in _pairs:  # made with the list's table: the others exist by then
        sa.event.listen(
            Attendance.__table__,  # type: ignore[attr-defined]
            "after_create",
            sa.DDL(_statement).execute_if(dialect=_dialect),
        )


class AttendanceEvent(SQLModel, table=True):
    """Attendance and traffic record (e-meeting decree B.E. 2563): append-only."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    attendance_id: int = Field(foreign_key="attendance.id", index=True)
    kind: AttendanceEventKind = Field(sa_type=_str(20))
    at: datetime = Field(default_factory=utcnow)
    by_person_id: int | None = Field(default=None, foreign_key="person.id")
    detail: str = Field(default="", sa_type=_str(300))


# -- access ---------------------------------------------------------------------------


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=_str(64), unique=True)
    email: str = Field(default="", sa_type=_str(254))
    display_name: str = Field(default="", sa_type=_str(120))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    body_id: int | None = Field(default=None, foreign_key="body.id")
    role: Role | None = Field(default=None, sa_type=_str(20))
    make_admin: bool = False
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="person.id")
    revoked_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(sa_type=_str(64), unique=True)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginSession(SQLModel, table=True):
    """A server-side session; the cookie holds the token, the table only its hash."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=_str(64), unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    user_agent: str = Field(default="", sa_type=_str(300))


class ApiToken(SQLModel, table=True):
    """A personal token for the JSON API (Authorization: Bearer …)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    name: str = Field(sa_type=_str(100))
    token_hash: str = Field(sa_type=_str(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """Failed log-ins, counted for rate limiting across workers."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=_str(300), index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


# -- PDPA -----------------------------------------------------------------------------


class PrivacyNotice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(unique=True)
    text_th: str = Field(sa_type=sa.Text)
    text_en: str = Field(sa_type=sa.Text)
    published_at: datetime = Field(default_factory=utcnow)


class Consent(SQLModel, table=True):
    """The consent ledger: each consent given, and when it was withdrawn."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    purpose: str = Field(sa_type=_str(40))
    notice_version: int
    given_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class ErasureRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    requested_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    completed_by: int | None = Field(default=None, foreign_key="person.id")


# -- audit ----------------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which record, with the values before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    action: str = Field(sa_type=_str(80), index=True)
    target_type: str = Field(sa_type=_str(40))
    target_id: int | None = None
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))


# -- real time ----------------------------------------------------------------------


class LiveFrame(SQLModel, table=True):
    """One HTML update sent on a live channel (forum.live), kept for a while so a phone
    that reconnects with its last sequence number gets what it missed."""

    __table_args__ = (sa.UniqueConstraint("channel", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=_str(80))  # "meeting:12", "agenda:3"
    seq: int  # 1, 2, 3 … per channel, allocated by the unique constraint
    html: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow)


# -- notifications ------------------------------------------------------------------


class Notification(SQLModel, table=True):
    """One thing a person is told about (forum.notifications): stored with its kind and
    the values of its message, so it reads in whichever language the person reads it.
    Doubles as the email outbox: `email_due` until the email is sent."""

    __table_args__ = (
        # The unread count in every page's menu reads from this index alone.
        sa.Index("ix_notification_person_unread", "person_id", "read_at"),
        # A person's notifications newest first, one page at a time.
        sa.Index("ix_notification_person_newest", "person_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    kind: str = Field(sa_type=_str(60))  # registered by a package: "agenda_published"
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    url: str = Field(sa_type=_str(500))  # a path on this site
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    in_app: bool = True  # False: sent by email only, never listed
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    email_due: bool = Field(default=False, index=True)
    emailed_at: datetime | None = None  # the last attempt; sent once email_due is False


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one kind of notification (no row: the kind's defaults)."""

    __table_args__ = (sa.UniqueConstraint("person_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    kind: str = Field(sa_type=_str(60))
    in_app: bool = True
    email: bool = True


# -- the JSON API's schemas: Create / Update (what a client sends) and Public (what it gets) --
#
# Request schemas carry the wire contract only (types, required fields, enum values, id
# ranges); the services stay the one authority on every rule and message. Datetimes go out
# as ISO 8601 in Bangkok time with its offset (2026-03-14T09:30:00+07:00); a datetime sent
# without an offset is read as Bangkok wall-clock time.

MAX_ID = 2_147_483_647  # the largest id a 32-bit INTEGER column can hold



def _json_integer(value: Any) -> Any:
    """A JSON integer as JSON Schema defines it: 7 or 7.0 (a number with no fraction), never
    true or "7"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Please enter a whole number.")
    return value


# (The validator after the bounds: so placed, they reach the OpenAPI document as minimum
# and maximum.)
JSON_INTEGER = BeforeValidator(_json_integer)
RecordId = Annotated[int, Field(ge=1, le=MAX_ID), JSON_INTEGER]  # 7 or 7.0; not true, not "7"
EditVersion = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_ID,
        description="The version you last read; a newer one means someone else changed it (409).",
    ),
    JSON_INTEGER,
]
# Text that must say something: a letter, digit or sign that shows (spaces and invisible
# characters are dropped by forum.forms.clean_text, so they alone are an empty field).
VISIBLE = forms.VISIBLE


# The document states what the services refuse (a field that says nothing, a malformed
# code); the services stay the ones that refuse it, with their own message.
SAYS_SOMETHING = {"minLength": 1, "pattern": VISIBLE}


def said(max_length: int, description: str | None = None) -> Any:
    """A text field that must say something, at most `max_length` characters."""
    return Field(max_length=max_length, schema_extra={"json_schema_extra": SAYS_SOMETHING}, description=description)


def optional_text(max_length: int, description: str | None = None) -> Any:
    return Field(default=None, max_length=max_length, description=description)
BangkokDateTime = Annotated[
    datetime,
    PlainSerializer(lambda moment: to_local(moment).isoformat(), return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-03-14T09:30:00+07:00"]},
        mode="serialization",
    ),
]


class ApiInput(SQLModel):
    """A request body: unknown fields are refused, so a misspelt name is never silently lost."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


# Rules across a body's fields, stated in its schema (the services refuse the rest, with
# their own messages): what a client reads in the document is what the server does.
TEXT = {"type": "string", **SAYS_SOMETHING}
RECORD = {"type": "integer", "minimum": 1}


def any_of(*groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One of the groups of fields must be given, each field as its schema says."""
    return {"anyOf": [{"required": list(group), "properties": group} for group in groups]}


def when(field: str, value: str, then: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """When `field` is `value`, the fields of `then` must be given, as their schemas say."""
    return {
        "if": {"required": [field], "properties": {field: {"const": value}}},
        "then": {"required": list(then), "properties": then},
    }


def rules(*parts: dict[str, Any]) -> ConfigDict:
    """An ApiInput's config stating `parts` (any_of, when) in its schema."""
    return ConfigDict(extra="forbid", json_schema_extra={"allOf": list(parts)})


class ApiError(SQLModel):
    error: str
    message: str
    fields: dict[str, str] | None = None


class OrganisationCreate(ApiInput):
    name: str = said(200)
    name_en: str | None = optional_text(200)
    kind: OrganisationKind
    side: Side | None = Field(default=None, description="Inferred from the kind when left out.")
    province_id: RecordId | None = None
    description: str | None = optional_text(5000)


class OrganisationUpdate(ApiInput):
    version: EditVersion
    name: str = Field(default=None, max_length=200, schema_extra={"json_schema_extra": {"pattern": VISIBLE}})  # left out: unchanged; never null
    name_en: str | None = optional_text(200)
    kind: OrganisationKind = Field(default=None)  # left out: unchanged; never null
    side: Side | None = None
    province_id: RecordId | None = None
    description: str | None = optional_text(5000)


class OrganisationPublic(SQLModel):
    id: int
    name: str
    name_en: str
    kind: OrganisationKind
    side: Side
    province_id: int | None
    description: str
    archived_at: BangkokDateTime | None
    created_at: BangkokDateTime
    version: int


class OrganisationListItem(OrganisationPublic):
    province_name: str
    people: int


class OrganisationPage(SQLModel):
    items: list[OrganisationListItem]
    total: int
    page: int
    per_page: int


class PersonUpdate(ApiInput):
    version: EditVersion
    display_name: str = Field(  # left out: unchanged; never null
        default=None, max_length=120, schema_extra={"json_schema_extra": {"pattern": VISIBLE}}
    )
    position: str | None = optional_text(200)
    phone: str | None = Field(default=None, max_length=40, regex=r"^[0-9+() -]*$")
    organisation_id: RecordId | None = None


class PersonListItem(SQLModel):
    id: int
    display_name: str
    position: str
    organisation_id: int | None
    organisation_name: str


class PersonMembershipPublic(SQLModel):
    body_id: int
    body_name: str
    role: Role


class PersonPublic(PersonListItem):
    email: str | None = Field(
        description="Only when the person shares their contact details with you."
    )
    phone: str | None = Field(
        description="Only when the person shares their contact details with you."
    )
    memberships: list[PersonMembershipPublic]
    archived_at: BangkokDateTime | None
    version: int


class PersonPage(SQLModel):
    items: list[PersonListItem]
    total: int
    page: int
    per_page: int


class BodyCreate(ApiInput):
    model_config = rules(when("kind", "working_group", {"region_id": RECORD}))  # type: ignore[assignment]

    kind: BodyKind
    name: str = said(200)
    name_en: str | None = optional_text(200)
    region_id: RecordId | None = Field(
        default=None, description="Required for a regional working group."
    )
    description: str | None = None


class BodyUpdate(ApiInput):
    version: EditVersion
    kind: BodyKind = Field(default=None)  # left out: unchanged; never null
    name: str = Field(default=None, max_length=200, schema_extra={"json_schema_extra": {"pattern": VISIBLE}})  # left out: unchanged; never null
    name_en: str | None = optional_text(200)
    region_id: RecordId | None = None
    description: str | None = None


class BodyPublic(SQLModel):
    id: int
    kind: BodyKind
    name: str
    name_en: str
    region_id: int | None
    description: str
    archived_at: BangkokDateTime | None
    created_at: BangkokDateTime
    version: int


class BodyListItem(BodyPublic):
    region_name: str
    members: int


class BodyList(SQLModel):
    items: list[BodyListItem]
    total: int


class MembershipCreate(ApiInput):
    person_id: RecordId
    role: Role = Role.member


class MembershipUpdate(ApiInput):
    role: Role


class MembershipPublic(SQLModel):
    id: int
    body_id: int
    person_id: int
    role: Role
    joined_at: BangkokDateTime


class MemberPublic(MembershipPublic):
    display_name: str
    organisation_name: str


class BodyDetail(BodyPublic):
    members: list[MemberPublic]


# An online meeting's link as forum.meetings reads it: http(s), a host, no spaces.
WEB_ADDRESS = r"^https?://[^\s/?#@:]+(:[0-9]{1,4})?([/?#][^\s]*)?$"


# What the schema cannot state, said in words (422 with a message on the field otherwise).
ENDS_AT = "After starts_at, at most 7 days later (refused otherwise: 422)."
ONLINE_URL = "An http(s) web address a browser opens (one a URL parser refuses: 422)."


class MeetingCreate(ApiInput):
    model_config = rules(  # type: ignore[assignment]
        any_of({"venue": TEXT}, {"online_url": {"type": "string", "pattern": WEB_ADDRESS}})
    )

    title: str | None = None
    starts_at: datetime = Field(
        description="With an offset, or Bangkok wall-clock time without one."
    )
    ends_at: datetime | None = Field(
        default=None, description=ENDS_AT + " Three hours after the start when left out."
    )
    venue: str | None = None
    online_url: str | None = Field(
        default=None,
        max_length=500,
        description=ONLINE_URL,
        schema_extra={"json_schema_extra": {"pattern": WEB_ADDRESS}},
    )


class MeetingUpdate(ApiInput):
    version: EditVersion
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = Field(default=None, description=ENDS_AT)
    venue: str | None = None
    online_url: str | None = Field(
        default=None,
        max_length=500,
        description=ONLINE_URL,
        schema_extra={"json_schema_extra": {"pattern": WEB_ADDRESS}},
    )


class MeetingStatusChange(ApiInput):
    to: MeetingStatus = Field(
        description="The next stage: draft → agenda_open → agenda_published → live → closed."
    )
    version: EditVersion


class MeetingPublic(SQLModel):
    id: int
    body_id: int
    year_be: int = Field(description="The Buddhist Era year the meeting is numbered in.")
    number: int
    label: str = Field(description="ครั้งที่ number/year, as the Thai minutes write it: 3/2569.")
    title: str
    starts_at: BangkokDateTime
    ends_at: BangkokDateTime
    venue: str
    online_url: str
    status: MeetingStatus
    checkin_code: str | None = Field(
        description="Only for those who keep the meeting's attendance."
    )
    created_at: BangkokDateTime
    version: int


class MeetingListItem(MeetingPublic):
    present: int
    invited: int


class MeetingPage(SQLModel):
    items: list[MeetingListItem]
    total: int
    page: int
    per_page: int


class AttendanceUpdate(ApiInput):
    """The whole marking of one line: fields left out are cleared."""

    model_config = rules(when("status", "absent", {"absence_reason": TEXT}))  # type: ignore[assignment]

    status: AttendanceStatus
    absence_reason: str | None = Field(default=None, description="Required when absent.")
    substitute_for_id: RecordId | None = Field(
        default=None, description="The member this person substitutes for (มาประชุมแทน)."
    )


class GuestCreate(ApiInput):
    model_config = rules(any_of({"person_id": RECORD}, {"guest_name": TEXT}))  # type: ignore[assignment]

    person_id: RecordId | None = Field(
        default=None, description="An account, or give guest_name instead."
    )
    guest_name: str | None = None
    guest_organisation: str | None = None
    substitute_for_id: RecordId | None = None


class CheckInRequest(ApiInput):
    code: str = Field(
        schema_extra={"json_schema_extra": {"pattern": r"^ *([0-9๐-๙] *){6}$"}},
        description="The meeting's 6-digit check-in code (0-9 or ๐-๙).",
    )


class AttendancePublic(SQLModel):
    id: int
    meeting_id: int
    person_id: int | None
    guest_name: str
    guest_organisation: str
    status: AttendanceStatus
    absence_reason: str
    substitute_for_id: int | None
    checked_in_at: BangkokDateTime | None
    updated_at: BangkokDateTime


class AttendanceListItem(AttendancePublic):
    name: str
    organisation_name: str
    substitute_for_name: str


class AttendanceList(SQLModel):
    items: list[AttendanceListItem]
    present: int
    absent: int
    invited: int
    guests: int


class CheckInPublic(SQLModel):
    meeting: MeetingPublic
    attendance: AttendancePublic


class ApiTokenRequest(ApiInput):
    name: str = said(100, "What the token is for, to recognise it later.")


class ApiTokenPublic(SQLModel):
    id: int
    name: str
    created_at: BangkokDateTime
    last_used_at: BangkokDateTime | None


class ApiTokenIssued(ApiTokenPublic):
    token: str = Field(description="Shown once: send it as `Authorization: Bearer <token>`.")


class NotificationPublic(SQLModel):
    id: int
    kind: str
    label: str = Field(description="The kind's name, in your language.")
    text: str = Field(description="The message, in your language.")
    url: str = Field(description="Where it leads, a path on this site.")
    actor_name: str
    params: dict[str, str]
    created_at: BangkokDateTime
    read_at: BangkokDateTime | None


class NotificationPage(SQLModel):
    items: list[NotificationPublic]
    total: int
    unread: int
    page: int
    per_page: int


class NotificationsRead(ApiInput):
    ids: list[RecordId] | None = Field(
        default=None, description="The notifications to mark read; all of yours when left out."
    )


class NotificationsReadResult(SQLModel):
    marked: int
    unread: int
