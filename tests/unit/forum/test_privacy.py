"""PDPA: the notice, the consent ledger, the export and erasure."""

from __future__ import annotations

import pytest
from sqlmodel import select

from forum import accounts, audit, invitations, privacy
from forum.errors import Conflict, Forbidden, NotFound, NotLoggedIn
from forum.models import (
    ApiToken,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Consent,
    ErasureRequest,
    LoginSession,
    Membership,
    Person,
    PrivacyNotice,
    Role,
)
from forum.policy import ANONYMOUS
from tests import factories

PASSWORD = "a strong password 2569"


def _admin(session):
    return factories.actor(session, factories.person(session, is_admin=True))


def test_the_first_notice_is_created_once_and_kept(session):
    first = privacy.published_notice(session)
    again = privacy.published_notice(session)
    assert first.version == again.version == 1 and first.published_at == again.published_at
    session.add(PrivacyNotice(version=2, text_th="ฉบับใหม่", text_en="New"))
    session.commit()
    assert privacy.current_notice(session).version == 2
    consent = privacy.record_consent(session, factories.person(session).id, purpose="account")
    assert consent.notice_version == 2


def test_consents_are_given_once_and_withdrawn_once(session):
    person = factories.person(session)
    actor = factories.actor(session, person)
    consent = privacy.give_consent(session, actor, purpose=privacy.PURPOSE_CONTACT)
    assert privacy.shares_contact(session, person.id)
    with pytest.raises(Conflict):
        privacy.give_consent(session, actor, purpose=privacy.PURPOSE_CONTACT)
    with pytest.raises(NotFound):
        privacy.give_consent(session, actor, purpose="newsletter")
    privacy.withdraw_consent(session, actor, consent_id=consent.id)
    assert not privacy.shares_contact(session, person.id)
    with pytest.raises(Conflict):
        privacy.withdraw_consent(session, actor, consent_id=consent.id)
    given_again = privacy.give_consent(session, actor, purpose=privacy.PURPOSE_CONTACT)
    ledger = privacy.consents_of(session, actor)
    assert [row.id for row in ledger] == [
        given_again.id,
        consent.id,
    ]  # the whole ledger, newest first
    actions = [event.action for event in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["forum.consent.give", "forum.consent.withdraw", "forum.consent.give"]


def test_nobody_touches_another_persons_consent(session):
    owner = factories.actor(session, factories.person(session))
    other = factories.actor(session, factories.person(session))
    consent = privacy.give_consent(session, owner, purpose=privacy.PURPOSE_CONTACT)
    with pytest.raises(NotFound):
        privacy.withdraw_consent(session, other, consent_id=consent.id)
    with pytest.raises(NotLoggedIn):
        privacy.consents_of(session, ANONYMOUS)


def test_my_data_gathers_profile_consents_tokens_and_pending_erasure(session):
    org = factories.organisation(session, name="วิสาหกิจชุมชนบ้านโป่ง")
    person = factories.person(session, organisation_id=org.id)
    body = factories.body(session)
    factories.member(session, body, Role.chair, person_row=person)
    actor = factories.actor(session, person)
    privacy.record_consent(session, person.id, purpose=privacy.PURPOSE_ACCOUNT)
    session.commit()
    accounts.create_api_token(session, actor, name="รายงาน")
    data = privacy.my_data(session, actor)
    assert data.organisation_name == "วิสาหกิจชุมชนบ้านโป่ง"
    assert [(b.id, m.role) for b, m in data.memberships] == [(body.id, Role.chair)]
    assert data.purposes_to_give == [privacy.PURPOSE_CONTACT]
    assert [t.name for t in data.api_tokens] == ["รายงาน"]
    assert data.pending_erasure is None
    privacy.request_erasure(session, actor)
    assert privacy.my_data(session, actor).pending_erasure is not None


def test_the_export_holds_the_persons_data_without_secrets(session):
    person = factories.person(session)
    body = factories.body(session)
    factories.member(session, body, person_row=person)
    meeting = factories.meeting(session, body)
    actor = factories.actor(session, person)
    privacy.give_consent(session, actor, purpose=privacy.PURPOSE_CONTACT)
    accounts.create_api_token(session, actor, name="t")
    data = privacy.export_data(session, actor)
    assert data["person"]["email"] == person.email and "password_hash" not in data["person"]
    assert data["memberships"][0]["body_id"] == body.id
    assert data["attendance"][0]["meeting_id"] == meeting.id
    assert data["consents"][0]["purpose"] == "contact_sharing"
    assert "token_hash" not in data["api_tokens"][0]
    assert {row["action"] for row in data["activity"]} == {
        "forum.consent.give",
        "forum.api_token.create",
    }


def test_erasure_is_asked_for_once(session):
    actor = factories.actor(session, factories.person(session))
    privacy.request_erasure(session, actor)
    with pytest.raises(Conflict):
        privacy.request_erasure(session, actor)
    assert len(session.exec(select(ErasureRequest)).all()) == 1


def test_erasure_removes_personal_data_and_keeps_anonymised_records(session):
    admin = _admin(session)
    body = factories.body(session)
    _invitation, token = invitations.create_invitation(
        session, admin, email="erase@example.org", display_name="นางลบ ข้อมูล", body_id=body.id
    )
    person = invitations.accept_invitation(
        session,
        token=token,
        display_name="นางลบ ข้อมูล",
        email="erase@example.org",
        position="ผู้ใหญ่บ้าน",
        password=PASSWORD,
        password_again=PASSWORD,
        consent=True,
    )
    person.phone = "081-234-5678"
    session.commit()
    meeting = factories.meeting(session, body)
    attendance = session.exec(select(Attendance).where(Attendance.person_id == person.id)).one()
    attendance.status = AttendanceStatus.present
    session.commit()
    actor = factories.actor(session, person)
    accounts.start_session(session, person)
    accounts.create_api_token(session, actor, name="t")
    request = privacy.request_erasure(session, actor)

    privacy.erase_person(session, admin, request_id=request.id)
    session.expire_all()
    erased = session.get(Person, person.id)
    assert erased.email is None and erased.phone == "" and erased.position == ""
    assert (
        "ลบ" not in erased.display_name
        and erased.erased_at is not None
        and erased.password_hash == ""
    )
    assert (
        session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).first()
        is None
    )
    assert all(
        row.revoked_at
        for row in session.exec(select(ApiToken).where(ApiToken.person_id == person.id))
    )
    assert all(
        row.withdrawn_at
        for row in session.exec(select(Consent).where(Consent.person_id == person.id))
    )
    # attendance and membership stay, pointing at the anonymised person
    kept = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person.id
        )
    ).one()
    assert kept.status == AttendanceStatus.present
    assert session.exec(select(Membership).where(Membership.person_id == person.id)).one()
    # no audit snapshot still holds the name or the email
    for event in session.exec(select(AuditEvent)):
        text = f"{event.before} {event.after}"
        assert (
            "erase@example.org" not in text and "นางลบ" not in text and "081-234-5678" not in text
        )
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "forum.erasure.complete")
    ).one().after == {"erased": True}
    assert session.get(ErasureRequest, request.id).completed_by == admin.person_id
    with pytest.raises(Conflict):
        privacy.erase_person(session, admin, request_id=request.id)


def test_only_admins_carry_out_erasure(session):
    actor = factories.actor(session, factories.person(session))
    request = privacy.request_erasure(session, actor)
    with pytest.raises(Forbidden):
        privacy.erase_person(session, actor, request_id=request.id)
    with pytest.raises(Forbidden):
        privacy.pending_erasures(session, actor)
    with pytest.raises(NotFound):
        privacy.erase_person(session, _admin(session), request_id=999999)
    assert [row[0].id for row in privacy.pending_erasures(session, _admin(session))] == [request.id]


def test_an_erased_person_cannot_log_in_or_use_a_session(session):
    person = factories.person(session, email="gone@example.org")
    token = accounts.start_session(session, person)
    request = privacy.request_erasure(session, factories.actor(session, person))
    privacy.erase_person(session, _admin(session), request_id=request.id)
    assert accounts.actor_for_session_token(session, token) == ANONYMOUS
    snapshot = audit.snapshot(session.get(Person, person.id))
    assert snapshot["email"] is None
