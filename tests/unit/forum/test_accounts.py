"""Accounts and access: invitations, sign-up, log-in and its limit, reset links, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from forum import accounts, invitations
from forum.config import get_settings
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, NotLoggedIn, RateLimited
from forum.models import (
    AuditEvent,
    Consent,
    Invitation,
    LoginAttempt,
    LoginSession,
    Membership,
    Person,
    Role,
)
from forum.policy import ANONYMOUS
from forum.security import token_hash
from tests import factories

PASSWORD = "a strong password 2569"


def _count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _admin(session):
    return factories.actor(session, factories.person(session, is_admin=True))


def _sign_up(session, token: str, **overrides) -> Person:
    values = {
        "display_name": "นายสมชาย ใจกล้า",
        "email": "somchai@example.org",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "consent": True,
    }
    return invitations.accept_invitation(session, token=token, **(values | overrides))


# -- invitations ----------------------------------------------------------------------


def test_an_invitation_stores_only_the_tokens_hash_and_is_audited(session):
    admin = _admin(session)
    body = factories.body(session)
    invitation, token = invitations.create_invitation(
        session, admin, email="A@Example.org", body_id=body.id, days=3
    )
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert invitation.email == "a@example.org"
    assert invitation.role == Role.member  # the default role in a body
    assert timedelta(days=2, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=3)
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "forum.invitation.create")
    ).one()
    assert "token_hash" not in event.after
    assert invitations.invitation_url(token).endswith(f"/invite/{token}")


def test_an_invitation_without_a_body_has_no_role(session):
    invitation, _token = invitations.create_invitation(session, _admin(session), role="chair")
    assert invitation.body_id is None and invitation.role is None


def test_a_secretary_invites_into_their_own_body_only(session):
    body, other = factories.body(session), factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    invitations.create_invitation(session, secretary, body_id=body.id, role="member")
    with pytest.raises(Forbidden):
        invitations.create_invitation(session, secretary, body_id=other.id)
    with pytest.raises(Forbidden):
        invitations.create_invitation(session, secretary)  # no body: admins only
    with pytest.raises(Forbidden):
        invitations.create_invitation(session, secretary, body_id=body.id, make_admin=True)
    assert [body_id for body_id, _name in invitations.invitation_body_choices(session, secretary)] == [
        body.id
    ]
    assert _count(session, Invitation) == 1


def test_members_and_visitors_may_not_invite(session):
    body = factories.body(session)
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        invitations.create_invitation(session, member, body_id=body.id)
    with pytest.raises(NotLoggedIn):
        invitations.create_invitation(session, ANONYMOUS, body_id=body.id)
    with pytest.raises(Forbidden):
        invitations.list_invitations(session, member)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": "many"}, "days"),
        ({"display_name": "ก" * 121}, "display_name"),
        ({"email": "not an email"}, "email"),
        ({"body_id": 999999}, "body_id"),
        ({"organisation_id": 999999}, "organisation_id"),
        ({"role": "emperor", "body_id": None}, "role"),
    ],
)
def test_bad_invitations_are_refused(session, data, field):
    with pytest.raises(InvalidInput) as error:
        invitations.create_invitation(session, _admin(session), **data)
    assert field in error.value.fields
    assert _count(session, Invitation) == 0


def test_each_invitation_has_a_status(session):
    admin = _admin(session)
    made = [invitations.create_invitation(session, admin, display_name=str(n)) for n in range(4)]
    _sign_up(session, made[0][1])
    invitations.revoke_invitation(session, admin, invitation_id=made[1][0].id)
    made[2][0].expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    statuses = {
        row.invitation.display_name: row.status for row in invitations.list_invitations(session, admin)
    }
    assert statuses == {"0": "used", "1": "revoked", "2": "expired", "3": "unused"}


def test_a_chair_lists_their_bodys_invitations_only(session):
    admin = _admin(session)
    body, other = factories.body(session), factories.body(session)
    chair = factories.actor(session, factories.member(session, body, Role.chair))
    invitations.create_invitation(session, admin, display_name="ในคณะ", body_id=body.id)
    invitations.create_invitation(session, admin, display_name="นอกคณะ", body_id=other.id)
    rows = invitations.list_invitations(session, chair)
    assert [row.invitation.display_name for row in rows] == ["ในคณะ"]
    assert rows[0].body_name == body.name and rows[0].created_by_name


def test_revoking_an_invitation(session):
    admin = _admin(session)
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    outsider = factories.actor(
        session, factories.member(session, factories.body(session), Role.secretary)
    )
    invitation, token = invitations.create_invitation(session, secretary, body_id=body.id)
    with pytest.raises(Forbidden):
        invitations.revoke_invitation(session, outsider, invitation_id=invitation.id)
    invitations.revoke_invitation(session, secretary, invitation_id=invitation.id)
    with pytest.raises(Conflict):
        invitations.revoke_invitation(session, admin, invitation_id=invitation.id)
    with pytest.raises(Conflict):
        invitations.open_invitation(session, token)
    with pytest.raises(NotFound):
        invitations.revoke_invitation(session, admin, invitation_id=999999)
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "forum.invitation.revoke")
    ).one()


def test_a_used_invitation_cannot_be_revoked(session):
    admin = _admin(session)
    invitation, token = invitations.create_invitation(session, admin)
    _sign_up(session, token)
    with pytest.raises(Conflict):
        invitations.revoke_invitation(session, admin, invitation_id=invitation.id)


# -- signing up -----------------------------------------------------------------------


def test_sign_up_makes_a_member_with_consent_and_an_audit_trail(session):
    body = factories.body(session)
    _invitation, token = invitations.create_invitation(
        session, _admin(session), body_id=body.id, role="vice_chair"
    )
    person = _sign_up(session, token, email="New@Example.org")
    assert person.email == "new@example.org" and person.password_hash.startswith("$argon2id$")
    assert not person.is_admin
    membership = session.exec(select(Membership).where(Membership.person_id == person.id)).one()
    assert (membership.body_id, membership.role) == (body.id, Role.vice_chair)
    assert (
        session.exec(select(Consent).where(Consent.person_id == person.id)).one().purpose
        == "account"
    )
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == person.id)))
    assert actions == {"forum.account.sign_up", "forum.membership.add"}


def test_a_link_signs_up_one_person_only(session):
    _invitation, token = invitations.create_invitation(session, _admin(session))
    _sign_up(session, token)
    with pytest.raises(Conflict):
        _sign_up(session, token, email="second@example.org")
    assert _count(session, Person) == 2


def test_of_two_racing_sign_ups_one_wins_and_the_other_leaves_nothing(session, monkeypatch):
    invitation, token = invitations.create_invitation(session, _admin(session))
    stale = Invitation.model_validate(
        invitation.model_dump()
    )  # what the loser read before the winner committed
    _sign_up(session, token)
    monkeypatch.setattr(invitations, "open_invitation", lambda _session, _token: stale)
    with pytest.raises(Conflict):
        _sign_up(session, token, email="loser@example.org")
    assert session.exec(select(Person).where(Person.email == "loser@example.org")).first() is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password_again": "different password"}, "password_again"),
        ({"consent": False}, "consent"),
        ({"password": "short", "password_again": "short"}, "password"),
        ({"display_name": ""}, "display_name"),
        ({"email": "taken@example.org"}, "email"),
    ],
)
def test_bad_sign_ups_leave_the_link_unused(session, overrides, field):
    factories.person(session, email="taken@example.org")
    invitation, token = invitations.create_invitation(session, _admin(session))
    people = _count(session, Person)
    with pytest.raises(InvalidInput) as error:
        _sign_up(session, token, **overrides)
    assert field in error.value.fields
    assert _count(session, Person) == people
    assert session.get(Invitation, invitation.id).used_at is None


# -- logging in -----------------------------------------------------------------------


def test_log_in_opens_a_session_and_clears_failures(session):
    person = factories.person(session, email="ok@example.org")
    with pytest.raises(InvalidInput):
        accounts.log_in(session, email="ok@example.org", password="wrong", client_ip="10.0.0.1")
    found, token = accounts.log_in(
        session, email=" OK@example.org ", password=factories.PASSWORD, client_ip="10.0.0.1"
    )
    assert found.id == person.id
    assert accounts.actor_for_session_token(session, token).person_id == person.id
    assert _count(session, LoginAttempt) == 1  # the IP's count stays; the email's is cleared


def test_too_many_failures_lock_the_email_even_with_the_right_password(session):
    factories.person(session, email="target@example.org")
    limit = get_settings().login_attempts_per_15_min
    for n in range(limit):
        with pytest.raises(InvalidInput):
            accounts.log_in(
                session, email="target@example.org", password="guess", client_ip=f"10.0.0.{n}"
            )
    with pytest.raises(RateLimited):
        accounts.log_in(
            session, email="target@example.org", password=factories.PASSWORD, client_ip="10.9.9.9"
        )
    old = session.exec(select(LoginAttempt)).all()
    for attempt in old:
        attempt.at = utcnow() - timedelta(minutes=16)
    session.commit()
    accounts.log_in(
        session, email="target@example.org", password=factories.PASSWORD, client_ip="10.9.9.9"
    )


def test_one_address_guessing_many_emails_is_limited_too(session):
    limit = get_settings().login_attempts_per_15_min
    for n in range(limit * 5):
        with pytest.raises(InvalidInput):
            accounts.log_in(
                session, email=f"nobody{n}@example.org", password="guess", client_ip="10.6.6.6"
            )
    with pytest.raises(RateLimited):
        accounts.log_in(session, email="fresh@example.org", password="guess", client_ip="10.6.6.6")


def test_erased_and_archived_people_cannot_log_in(session):
    person = factories.person(session, email="old@example.org")
    person.archived_at = utcnow()
    session.commit()
    with pytest.raises(InvalidInput):
        accounts.log_in(
            session, email="old@example.org", password=factories.PASSWORD, client_ip="1.1.1.1"
        )


# -- password resets ------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once_and_ends_other_sessions(session):
    admin = _admin(session)
    person = factories.person(session)
    accounts.start_session(session, person)
    issued_for, token = accounts.issue_password_reset(session, admin, person_id=person.id)
    assert issued_for.id == person.id
    accounts.reset_password(session, token=token, password=PASSWORD, password_again=PASSWORD)
    assert (
        session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).first()
        is None
    )
    accounts.log_in(session, email=person.email, password=PASSWORD, client_ip="1.1.1.1")
    with pytest.raises(Conflict):
        accounts.reset_password(session, token=token, password=PASSWORD, password_again=PASSWORD)


def test_reset_links_expire_and_are_for_admins_to_issue(session):
    admin = _admin(session)
    person = factories.person(session)
    with pytest.raises(Forbidden):
        accounts.issue_password_reset(
            session, factories.actor(session, person), person_id=person.id
        )
    with pytest.raises(NotFound):
        accounts.issue_password_reset(session, admin, person_id=999999)
    _person, token = accounts.issue_password_reset(session, admin, person_id=person.id)
    reset = accounts.open_password_reset(session, token)
    reset.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    with pytest.raises(Conflict):
        accounts.open_password_reset(session, token)
    with pytest.raises(NotFound):
        accounts.open_password_reset(session, "made-up")


def test_a_mismatched_new_password_changes_nothing(session):
    person = factories.person(session)
    _person, token = accounts.issue_password_reset(session, _admin(session), person_id=person.id)
    old_hash = person.password_hash
    with pytest.raises(InvalidInput):
        accounts.reset_password(
            session, token=token, password=PASSWORD, password_again=PASSWORD + "x"
        )
    session.expire_all()
    assert session.get(Person, person.id).password_hash == old_hash
    accounts.open_password_reset(session, token)  # still usable


# -- API tokens and admins ------------------------------------------------------------


def test_api_tokens_act_as_their_owner_until_revoked(session):
    person = factories.person(session)
    actor = factories.actor(session, person)
    api_token, token = accounts.create_api_token(session, actor, name="สคริปต์รายงาน")
    assert token.startswith("wethi_") and api_token.token_hash == token_hash(token)
    assert accounts.actor_for_api_token(session, token).person_id == person.id
    assert [row.id for row in accounts.list_api_tokens(session, actor)] == [api_token.id]
    accounts.revoke_api_token(session, actor, token_id=api_token.id)
    assert accounts.actor_for_api_token(session, token) == ANONYMOUS
    with pytest.raises(NotFound):
        accounts.revoke_api_token(session, actor, token_id=api_token.id)
    with pytest.raises(InvalidInput):
        accounts.create_api_token(session, actor, name="")


def test_create_admin_promotes_an_existing_account(session):
    person = factories.person(session, email="boss@example.org")
    promoted = accounts.create_admin(
        session, email="BOSS@example.org", display_name="x", password=PASSWORD
    )
    assert promoted.id == person.id and promoted.is_admin
    fresh = accounts.create_admin(
        session, email="new-admin@example.org", display_name="ผู้ดูแลใหม่", password=PASSWORD
    )
    assert (
        fresh.is_admin and session.exec(select(Consent).where(Consent.person_id == fresh.id)).one()
    )
