"""The platform core's tables: places, organisations, people, bodies, meetings, access, audit.

Enums are stored as short strings (portable across SQLite and PostgreSQL, and cheap to
extend); the Python side compares them as `StrEnum`s.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

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

    __table_args__ = (sa.UniqueConstraint("body_id", "year_be", "number"),)

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


class Attendance(SQLModel, table=True):
    """One line of a meeting's attendance: a member, a substitute or a guest."""

    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id"),)

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
