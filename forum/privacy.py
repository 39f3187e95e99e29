"""PDPA (B.E. 2562): the versioned privacy notice, the consent ledger, each person's
data export, erasure (personal data removed; anonymised records kept), and retention: what
is kept only for a while, for how long (the settings), stated on the privacy page and
forgotten by a sweep started with the server (`RETENTION`, filled by each package)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import escape
from sqlmodel import Session, and_, col, delete, or_, select

from forum import audit, live, notifications, policy
from forum.db import utcnow
from forum.errors import Conflict, NotFound
from forum.models import (
    ApiToken,
    Attendance,
    AttendanceEvent,
    AuditEvent,
    Body,
    Consent,
    ErasureRequest,
    Invitation,
    LoginSession,
    Membership,
    Organisation,
    Person,
    PrivacyNotice,
)
from forum.policy import Actor
from forum.registry import Registry

log = logging.getLogger(__name__)

PURPOSE_ACCOUNT = "account"  # running the account: the directory, meetings, attendance
PURPOSE_CONTACT = "contact_sharing"  # showing email and phone to other members
PURPOSES = (PURPOSE_ACCOUNT, PURPOSE_CONTACT)

NOTICE_TH = """ระบบเวทีเก็บชื่อ อีเมล หน่วยงาน ตำแหน่ง และการเข้าร่วมประชุมของท่าน เพื่อจัดการประชุมของคณะทำงานและคณะกรรมการ
การลงเวลาเข้าประชุมและการเข้าออกการประชุมออนไลน์ถูกบันทึกตามพระราชกำหนดว่าด้วยการประชุมผ่านสื่ออิเล็กทรอนิกส์ พ.ศ. 2563
ท่านดาวน์โหลดข้อมูลของท่าน ถอนความยินยอม หรือขอให้ลบข้อมูลได้ทุกเมื่อจากหน้า "ข้อมูลของฉัน"
ข้อมูลที่ต้องเก็บเป็นหลักฐานของทางราชการ (เช่น รายงานการประชุม) จะถูกทำให้ไม่ระบุตัวตนแทนการลบ"""
NOTICE_EN = """Wethi keeps your name, email, organisation, position and meeting attendance to run the working groups and the committee.
Check-ins and online join/leave times are recorded as the e-meeting decree B.E. 2563 requires.
You can download your data, withdraw consent or ask for erasure at any time from "My data".
Records the government must keep (such as minutes) are anonymised instead of deleted."""


# What the packages to the right hold about a person (forum may not import them), as
# hook(session, person_id), registered by their manifests. An export hook returns more sections of the person's data
# export ({"name": [rows…]}), read in the export's session. An erasure hook removes or
# anonymises the package's personal data of the person inside the erasure's transaction,
# after the core's own changes and before its commit (no commit of its own).
@dataclass(frozen=True)
class Retention:
    """Data kept only for a while: what the privacy page says of it (a singular and plural
    msgid with %(num)s), how long (from the settings, in `unit`: "hours" or "days"), and
    what forgets it (`forget(session, cutoff)` returns how many records it changed, in the
    caller's transaction; None when another sweep already does, as the live frames')."""

    says: tuple[str, str]
    period: Callable[[Any], int]
    unit: str = "days"
    forget: Callable[[Session, datetime], int] | None = None

    def cutoff(self, settings: Any, now: datetime) -> datetime:
        return now - timedelta(**{self.unit: self.period(settings)})


RETENTION: Registry[Retention] = Registry("retention periods")
RETENTION_SWEEP_EVERY = timedelta(hours=1)


def forget_expired(engine: Any, settings: Any, *, now: datetime | None = None) -> dict[str, int]:
    """Each retention's forgetting, in its own transaction; returns what each changed."""
    now = now or utcnow()
    changed: dict[str, int] = {}
    for name, retention in RETENTION.items():
        if retention.forget is None:
            continue
        with Session(engine) as session:
            changed[name] = retention.forget(session, retention.cutoff(settings, now))
            session.commit()
    return changed


async def sweep_retention(engine: Any, settings: Any, *, every: timedelta = RETENTION_SWEEP_EVERY) -> None:
    """forget_expired when the server starts and every hour after (the app's lifespan runs
    it; a failed sweep is logged and tried again next time)."""
    while True:
        try:
            await asyncio.to_thread(forget_expired, engine, settings)
        except Exception:  # a database hiccup must not end the sweeping
            log.exception("Forgetting expired personal data failed; trying again later.")
        await asyncio.sleep(every.total_seconds())


def _forget_attendance_log(session: Session, cutoff: datetime) -> int:
    result = session.exec(delete(AttendanceEvent).where(col(AttendanceEvent.at) < cutoff))  # type: ignore[call-overload]
    return result.rowcount or 0


def _frames_hours(settings: Any) -> int:
    return settings.retain_live_frames_hours


def _attempts_hours(settings: Any) -> int:
    return settings.retain_login_attempts_hours


def _attendance_log_days(settings: Any) -> int:
    return settings.retain_attendance_log_days


def register_retention() -> None:
    """The core's retention periods (called by its manifest)."""
    RETENTION.add(
        "forum.live_frames",
        Retention(
            (
                "What a live session's pages were sent (ideas and nicknames as they appeared): %(num)s hour, for a phone that lost its connection to catch up.",
                "What a live session's pages were sent (ideas and nicknames as they appeared): %(num)s hours, for a phone that lost its connection to catch up.",
            ),
            _frames_hours,
            unit="hours",
        ),
    )
    RETENTION.add(
        "forum.login_attempts",
        Retention(
            (
                "Failed log-ins and mistyped codes, with the network address they came from: %(num)s hour, to stop guessing.",
                "Failed log-ins and mistyped codes, with the network address they came from: %(num)s hours, to stop guessing.",
            ),
            _attempts_hours,
            unit="hours",
        ),
    )
    RETENTION.add(
        "forum.attendance_log",
        Retention(
            (
                "Each meeting's attendance and traffic record (who checked in or joined online, when): %(num)s day.",
                "Each meeting's attendance and traffic record (who checked in or joined online, when): %(num)s days.",
            ),
            _attendance_log_days,
            forget=_forget_attendance_log,
        ),
    )


EXPORT_HOOKS: Registry[Callable[[Session, int], dict[str, Any]]] = Registry("PDPA export hooks")
ERASURE_HOOKS: Registry[Callable[[Session, int], None]] = Registry("PDPA erasure hooks")


def current_notice(session: Session) -> PrivacyNotice:
    """The newest privacy notice (the first is created on first use)."""
    notice = session.exec(select(PrivacyNotice).order_by(col(PrivacyNotice.version).desc())).first()
    if notice is None:
        notice = PrivacyNotice(version=1, text_th=NOTICE_TH, text_en=NOTICE_EN)
        session.add(notice)
        session.flush()
    return notice


def published_notice(session: Session) -> PrivacyNotice:
    """The notice shown at /privacy (stored on first view, so its date stays put)."""
    notice = current_notice(session)
    session.commit()
    return notice


def record_consent(session: Session, person_id: int | None, *, purpose: str) -> Consent:
    """Add a consent to the ledger (the caller commits)."""
    consent = Consent(
        person_id=person_id, purpose=purpose, notice_version=current_notice(session).version
    )
    session.add(consent)
    return consent


def consents_of(session: Session, actor: Actor) -> list[Consent]:
    policy.require(actor, "forum.account.manage_own")
    return list(
        session.exec(
            select(Consent)
            .where(Consent.person_id == actor.person_id)
            .order_by(col(Consent.id).desc())
        ).all()
    )


def give_consent(session: Session, actor: Actor, *, purpose: str) -> Consent:
    """Raises Forbidden, Conflict (unknown purpose or already given)."""
    policy.require(actor, "forum.account.manage_own")
    if purpose not in PURPOSES:
        raise NotFound()
    if _active_consent(session, actor.person_id, purpose):
        raise Conflict("You have already given this consent.")
    consent = record_consent(session, actor.person_id, purpose=purpose)
    session.flush()
    audit.record(session, actor, "forum.consent.give", consent)
    session.commit()
    return consent


def withdraw_consent(session: Session, actor: Actor, *, consent_id: int) -> Consent:
    """One click. Raises Forbidden, NotFound, Conflict (already withdrawn)."""
    policy.require(actor, "forum.account.manage_own")
    consent = session.get(Consent, consent_id)
    if consent is None or consent.person_id != actor.person_id:
        raise NotFound()
    if consent.withdrawn_at is not None:
        raise Conflict("This consent was already withdrawn.")
    before = audit.snapshot(consent)
    consent.withdrawn_at = utcnow()
    audit.record(session, actor, "forum.consent.withdraw", consent, before=before)
    session.commit()
    return consent


def _active_consent(session: Session, person_id: int | None, purpose: str) -> Consent | None:
    return session.exec(
        select(Consent).where(
            Consent.person_id == person_id,
            Consent.purpose == purpose,
            col(Consent.withdrawn_at).is_(None),
        )
    ).first()


def shares_contact(session: Session, person_id: int) -> bool:
    return _active_consent(session, person_id, PURPOSE_CONTACT) is not None


@dataclass(frozen=True)
class MyData:
    """What /me shows: the person, their consents, tokens and any pending erasure."""

    person: Person
    organisation_name: str
    memberships: list[tuple[Body, Membership]]
    consents: list[Consent]
    purposes_to_give: list[str]
    api_tokens: list[ApiToken]
    pending_erasure: ErasureRequest | None


def my_data(session: Session, actor: Actor) -> MyData:
    """Raises Forbidden (not logged in), NotFound."""
    policy.require(actor, "forum.account.manage_own")
    person = session.get(Person, actor.person_id)
    if person is None:
        raise NotFound()
    organisation = (
        session.get(Organisation, person.organisation_id) if person.organisation_id else None
    )
    consents = consents_of(session, actor)
    active = {consent.purpose for consent in consents if consent.withdrawn_at is None}
    return MyData(
        person=person,
        organisation_name=organisation.name if organisation else "",
        memberships=list(
            session.exec(
                select(Body, Membership)
                .join(Membership, Membership.body_id == Body.id)
                .where(Membership.person_id == person.id)
                .order_by(col(Body.id))
            ).all()
        ),
        consents=consents,
        purposes_to_give=[purpose for purpose in PURPOSES if purpose not in active],
        api_tokens=list(
            session.exec(
                select(ApiToken)
                .where(ApiToken.person_id == person.id, col(ApiToken.revoked_at).is_(None))
                .order_by(col(ApiToken.id))
            ).all()
        ),
        pending_erasure=_pending_erasure(session, person.id),
    )


def _pending_erasure(session: Session, person_id: int | None) -> ErasureRequest | None:
    return session.exec(
        select(ErasureRequest).where(
            ErasureRequest.person_id == person_id, col(ErasureRequest.completed_at).is_(None)
        )
    ).first()


def export_data(session: Session, actor: Actor) -> dict[str, Any]:
    """Everything Wethi holds about the actor, as JSON-ready data."""
    policy.require(actor, "forum.account.manage_own")
    person = session.get(Person, actor.person_id)
    attendance = session.exec(
        select(Attendance).where(Attendance.person_id == actor.person_id)
    ).all()
    attendance_ids = [row.id for row in attendance]
    data: dict[str, Any] = {
        "person": audit.snapshot(person),
        "memberships": [
            audit.snapshot(row)
            for row in session.exec(
                select(Membership).where(Membership.person_id == actor.person_id)
            )
        ],
        "attendance": [audit.snapshot(row) for row in attendance],
        "attendance_events": [
            audit.snapshot(row)
            for row in session.exec(
                select(AttendanceEvent).where(
                    col(AttendanceEvent.attendance_id).in_(attendance_ids or [-1])
                )
            )
        ],
        "consents": [
            audit.snapshot(row)
            for row in session.exec(select(Consent).where(Consent.person_id == actor.person_id))
        ],
        "api_tokens": [
            audit.snapshot(row)
            for row in session.exec(select(ApiToken).where(ApiToken.person_id == actor.person_id))
        ],
        "invitations": [
            audit.snapshot(row)
            for row in session.exec(select(Invitation).where(Invitation.used_by == actor.person_id))
        ],
        "erasure_requests": [
            audit.snapshot(row)
            for row in session.exec(
                select(ErasureRequest).where(ErasureRequest.person_id == actor.person_id)
            )
        ],
        "activity": [
            audit.snapshot(row)
            for row in session.exec(
                select(AuditEvent).where(AuditEvent.actor_id == actor.person_id).limit(5000)
            )
        ],
        **notifications.export_rows(session, actor.person_id),
    }
    for hook in EXPORT_HOOKS:
        data.update(hook(session, actor.person_id))  # type: ignore[arg-type]
    return data


def request_erasure(session: Session, actor: Actor) -> ErasureRequest:
    """Raises Forbidden, Conflict (a request is already pending)."""
    policy.require(actor, "forum.account.manage_own")
    if _pending_erasure(session, actor.person_id):
        raise Conflict("Your request for erasure is already waiting for an administrator.")
    request = ErasureRequest(person_id=actor.person_id)
    session.add(request)
    session.flush()
    audit.record(session, actor, "forum.erasure.request", request)
    session.commit()
    return request


def pending_erasures(session: Session, actor: Actor) -> list[tuple[ErasureRequest, Person]]:
    policy.require(actor, "forum.erasure.process")
    return list(
        session.exec(
            select(ErasureRequest, Person)
            .join(Person, Person.id == ErasureRequest.person_id)
            .where(col(ErasureRequest.completed_at).is_(None))
        ).all()
    )


def erase_person(session: Session, actor: Actor, *, request_id: int) -> Person:
    """Remove the person's personal data; their records stay, anonymised, so attendance
    counts and later ballots keep their integrity. Raises Forbidden, NotFound, Conflict."""
    policy.require(actor, "forum.erasure.process")
    request = session.get(ErasureRequest, request_id)
    if request is None:
        raise NotFound()
    if request.completed_at is not None:
        raise Conflict("This request has already been carried out.")
    person = session.get(Person, request.person_id)
    assert person is not None
    # Stored live frames showing the person by name (a post, a check-in) go too.
    names = {person.display_name, str(escape(person.display_name)), person.email or ""}
    live.scrub_frames(session, None, names)
    person.email = None
    person.display_name = f"(erased #{person.id})"
    person.position = ""
    person.phone = ""
    person.password_hash = ""
    person.erased_at = person.archived_at = utcnow()
    person.version += 1
    session.exec(delete(LoginSession).where(LoginSession.person_id == person.id))
    for api_token in session.exec(select(ApiToken).where(ApiToken.person_id == person.id)):
        api_token.revoked_at = api_token.revoked_at or utcnow()
    for consent in session.exec(select(Consent).where(Consent.person_id == person.id)):
        consent.withdrawn_at = consent.withdrawn_at or utcnow()
    for invitation in session.exec(select(Invitation).where(Invitation.used_by == person.id)):
        invitation.email = invitation.display_name = ""
    notifications.erase_rows(session, person.id)
    for hook in ERASURE_HOOKS:
        hook(session, person.id)  # type: ignore[arg-type]
    _redact_audit_trail(session, person.id)
    request.completed_at = utcnow()
    request.completed_by = actor.person_id
    # The log keeps that an erasure happened, not what was erased.
    audit.record(
        session,
        actor,
        "forum.erasure.complete",
        target_type="person",
        target_id=person.id,
        after={"erased": True},
    )
    session.commit()
    return person


_PERSONAL_FIELDS = ("email", "display_name", "position", "phone")


def _redact_audit_trail(session: Session, person_id: int) -> None:
    """Earlier snapshots of the person, and of the invitation they signed up with, lose
    their personal fields in the audit log."""
    invitation_ids = list(
        session.exec(select(Invitation.id).where(Invitation.used_by == person_id))
    )
    events = session.exec(
        select(AuditEvent).where(
            or_(
                and_(AuditEvent.target_type == "person", AuditEvent.target_id == person_id),
                and_(
                    AuditEvent.target_type == "invitation",
                    col(AuditEvent.target_id).in_(invitation_ids or [-1]),
                ),
            )
        )
    )
    for event in events:
        for side in ("before", "after"):
            values = getattr(event, side)
            if values and any(key in values for key in _PERSONAL_FIELDS):
                setattr(
                    event,
                    side,
                    {
                        key: ("(erased)" if key in _PERSONAL_FIELDS else value)
                        for key, value in values.items()
                    },
                )
