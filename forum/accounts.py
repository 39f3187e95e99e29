"""Accounts and access: invitations, sign-up, log-in/out, password resets, API tokens,
and the `Actor` each request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, EmailStr, Field, field_validator
from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, func, or_, select, update

from forum import audit, mail, policy, privacy
from forum.config import get_settings
from forum.db import utcnow
from forum.errors import Conflict, InvalidInput, NotFound, RateLimited
from forum.forms import validate
from forum.models import (
    ApiToken,
    Body,
    Invitation,
    LoginAttempt,
    LoginSession,
    Membership,
    Organisation,
    PasswordReset,
    Person,
    Role,
)
from forum.policy import ANONYMOUS, Actor
from forum.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
)

SYSTEM = Actor(display_name="system", is_admin=True)  # the CLI and the demo seeder
INVITING_ROLES = frozenset({Role.chair, Role.secretary})


def actor_for(session: Session, person: Person) -> Actor:
    roles = session.exec(
        select(Membership.body_id, Membership.role).where(Membership.person_id == person.id)
    ).all()
    return Actor(
        person_id=person.id,
        display_name=person.display_name,
        is_admin=person.is_admin,
        roles={body_id: Role(role) for body_id, role in roles},
    )


def _active(person: Person | None) -> bool:
    return person is not None and person.archived_at is None and person.erased_at is None


# Built once: this runs on every request, and building a statement costs more than
# running it on an indexed table.
_ACTOR_BY_SESSION = (
    select(Person.id, Person.display_name, Person.is_admin, Membership.body_id, Membership.role)
    .join(LoginSession, LoginSession.person_id == Person.id)
    .join(Membership, Membership.person_id == Person.id, isouter=True)
    .where(
        LoginSession.token_hash == bindparam("token_hash"),
        LoginSession.expires_at > bindparam("now"),
        col(Person.archived_at).is_(None),
        col(Person.erased_at).is_(None),
    )
)


def actor_for_session_token(session: Session, token: str) -> Actor:
    """The actor behind a session cookie, in one query: the person's row once per
    membership, or once with no body."""
    rows = session.connection().execute(_ACTOR_BY_SESSION, {"token_hash": token_hash(token), "now": utcnow()}).all()
    if not rows:
        return ANONYMOUS
    person_id, display_name, is_admin = rows[0][:3]
    return Actor(
        person_id=person_id,
        display_name=display_name,
        is_admin=is_admin,
        roles={body_id: Role(role) for *_, body_id, role in rows if body_id is not None},
    )


def actor_for_api_token(session: Session, token: str) -> Actor:
    row = session.exec(
        select(ApiToken, Person)
        .join(Person, Person.id == ApiToken.person_id)
        .where(ApiToken.token_hash == token_hash(token), col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None or not _active(row[1]):
        return ANONYMOUS
    api_token, person = row
    if api_token.last_used_at is None or utcnow() - api_token.last_used_at > timedelta(minutes=5):
        api_token.last_used_at = utcnow()
        session.add(api_token)
        session.commit()
    return actor_for(session, person)


# -- passwords ------------------------------------------------------------------------


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError("The password must be at least 10 characters long.")
    if len(password) > 200:
        raise ValueError("The password is too long.")
    return password


# -- invitations ----------------------------------------------------------------------


class InvitationCreate(BaseModel):
    email: EmailStr | None = None
    display_name: str | None = Field(default=None, max_length=120)
    organisation_id: int | None = None
    body_id: int | None = None
    role: Role | None = None
    make_admin: bool = False
    days: int = Field(default=14, ge=1, le=90)


def create_invitation(session: Session, actor: Actor, **data: object) -> tuple[Invitation, str]:
    """A single-use sign-up link; returns it with its token (shown once). Raises Forbidden,
    InvalidInput."""
    policy.require(actor, "forum.invitation.list")  # only those who may invite get this far
    values = validate(InvitationCreate, data)
    policy.require(actor, "forum.invitation.create", values.body_id)
    if values.make_admin:
        policy.require(actor, "forum.admin.view")
    if values.body_id is not None and session.get(Body, values.body_id) is None:
        raise InvalidInput({"body_id": "Please choose one of the options."})
    if (
        values.organisation_id is not None
        and session.get(Organisation, values.organisation_id) is None
    ):
        raise InvalidInput({"organisation_id": "Please choose one of the options."})
    email = str(values.email or "").lower()
    if email and session.exec(select(Person.id).where(func.lower(Person.email) == email)).first():
        raise InvalidInput({"email": "A person with this email already has an account."})
    if values.body_id is None:
        values.role = None
    elif values.role is None:
        values.role = Role.member
    token = new_token()
    invitation = Invitation(
        token_hash=token_hash(token),
        email=email,
        display_name=values.display_name or "",
        organisation_id=values.organisation_id,
        body_id=values.body_id,
        role=values.role,
        make_admin=values.make_admin,
        created_by=actor.person_id,
        expires_at=utcnow() + timedelta(days=values.days),
    )
    session.add(invitation)
    session.flush()
    audit.record(session, actor, "forum.invitation.create", invitation)
    session.commit()
    if invitation.email:
        mail.send(
            invitation.email,
            "Your invitation to Wethi",
            "You are invited to Wethi: %(url)s",
            url=invitation_url(token),
        )
    return invitation, token


def invitation_url(token: str) -> str:
    return f"{get_settings().base_url}/invite/{token}"


def open_invitation(session: Session, token: str) -> Invitation:
    """The invitation behind a link. Raises NotFound, Conflict (used, revoked or expired)."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).first()
    if invitation is None:
        raise NotFound("This invitation link is not valid. Ask for a new one.")
    if invitation.used_at is not None:
        raise Conflict(
            "This invitation has already been used. Log in instead, or ask for a new one."
        )
    if invitation.revoked_at is not None or invitation.expires_at <= utcnow():
        raise Conflict("This invitation has expired. Ask the person who invited you for a new one.")
    return invitation


class InvitationStatus(StrEnum):
    unused = "unused"
    used = "used"
    expired = "expired"
    revoked = "revoked"


def invitation_status(invitation: Invitation) -> InvitationStatus:
    if invitation.used_at is not None:
        return InvitationStatus.used
    if invitation.revoked_at is not None:
        return InvitationStatus.revoked
    if invitation.expires_at <= utcnow():
        return InvitationStatus.expired
    return InvitationStatus.unused


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    body_name: str
    created_by_name: str
    status: InvitationStatus


def list_invitations(session: Session, actor: Actor, *, limit: int = 100) -> list[InvitationRow]:
    """Newest first: everything for an admin; for a chair or secretary, the invitations
    they made and those into the bodies they run. Raises Forbidden."""
    policy.require(actor, "forum.invitation.list")
    creator = aliased(Person)
    query = (
        select(Invitation, Body.name, creator.display_name)
        .join(Body, Body.id == Invitation.body_id, isouter=True)
        .join(creator, creator.id == Invitation.created_by, isouter=True)
        .order_by(col(Invitation.id).desc())
        .limit(limit)
    )
    if not actor.is_admin:
        bodies = [body_id for body_id, role in actor.roles.items() if role in INVITING_ROLES]
        query = query.where(
            or_(
                col(Invitation.created_by) == actor.person_id,
                col(Invitation.body_id).in_(bodies or [-1]),
            )
        )
    return [
        InvitationRow(
            invitation, body_name or "", created_by_name or "", invitation_status(invitation)
        )
        for invitation, body_name, created_by_name in session.exec(query).all()
    ]


def invitation_body_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the active bodies the actor may invite people into."""
    policy.require(actor, "forum.invitation.list")
    rows = session.exec(
        select(Body.id, Body.name).where(col(Body.archived_at).is_(None)).order_by(col(Body.id))
    )
    return [
        (body_id, name)
        for body_id, name in rows
        if policy.can(actor, "forum.invitation.create", body_id)
    ]


def revoke_invitation(session: Session, actor: Actor, *, invitation_id: int) -> Invitation:
    """Stop an unused link from working. Raises Forbidden, NotFound, Conflict (used or
    already revoked)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound()
    policy.require(actor, "forum.invitation.revoke", invitation)
    if invitation.used_at is not None:
        raise Conflict("This invitation has already been used; it can no longer be revoked.")
    if invitation.revoked_at is not None:
        raise Conflict("This invitation has already been revoked.")
    before = audit.snapshot(invitation)
    invitation.revoked_at = utcnow()
    audit.record(session, actor, "forum.invitation.revoke", invitation, before=before)
    session.commit()
    return invitation


class SignUp(BaseModel):
    display_name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    position: str | None = Field(default=None, max_length=200)
    organisation_id: int | None = None
    password: str
    password_again: str
    consent: bool = False

    _password = field_validator("password")(_check_password)


def accept_invitation(session: Session, *, token: str, **data: object) -> Person:
    """Sign up through an invitation. Raises NotFound, Conflict, InvalidInput."""
    invitation = open_invitation(session, token)
    values = validate(SignUp, data)
    problems: dict[str, str] = {}
    if values.password != values.password_again:
        problems["password_again"] = "The two passwords do not match."
    if not values.consent:
        problems["consent"] = "Please read the privacy notice and tick the box to continue."
    email = str(values.email).lower()
    if session.exec(select(Person.id).where(func.lower(Person.email) == email)).first():
        problems["email"] = "An account with this email already exists. Log in instead."
    organisation_id = values.organisation_id or invitation.organisation_id
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        problems["organisation_id"] = "Please choose one of the options."
    if problems:
        raise InvalidInput(problems)
    person = Person(
        email=email,
        display_name=values.display_name,
        position=values.position or "",
        organisation_id=organisation_id,
        password_hash=hash_password(values.password),
        is_admin=invitation.make_admin,
    )
    session.add(person)
    session.flush()
    # Claim the invitation with a guarded update: of two sign-ups racing on one link,
    # exactly one wins; the other is rolled back whole.
    claimed = session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.used_at).is_(None))
        .values(used_at=utcnow(), used_by=person.id)
        # keep the loaded invitation in step with the row (the session outlives the call)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if claimed != 1:
        session.rollback()
        raise Conflict(
            "This invitation has already been used. Log in instead, or ask for a new one."
        )
    new_actor = Actor(person_id=person.id, display_name=person.display_name)
    if invitation.body_id is not None:
        membership = Membership(
            body_id=invitation.body_id, person_id=person.id, role=invitation.role or Role.member
        )
        session.add(membership)
        session.flush()
        audit.record(session, new_actor, "forum.membership.add", membership)
    privacy.record_consent(session, person.id, purpose=privacy.PURPOSE_ACCOUNT)
    audit.record(session, new_actor, "forum.account.sign_up", person)
    session.commit()
    return person


# -- logging in and out ---------------------------------------------------------------


def _recent_failures(session: Session, key: str) -> int:
    since = utcnow() - timedelta(minutes=15)
    return session.exec(
        select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at > since)
    ).one()


def log_in(
    session: Session, *, email: str, password: str, client_ip: str, user_agent: str = ""
) -> tuple[Person, str]:
    """Check the credentials and open a session; returns the person and the cookie token.
    Raises RateLimited, InvalidInput."""
    email = (email or "").strip().lower()[:254]
    keys = [f"email:{email}", f"ip:{client_ip}"]
    limit = get_settings().login_attempts_per_15_min
    if any(
        _recent_failures(session, key) >= limit * (5 if key.startswith("ip:") else 1)
        for key in keys
    ):
        raise RateLimited()
    person = (
        session.exec(select(Person).where(func.lower(Person.email) == email)).first()
        if email
        else None
    )
    if not verify_password(person.password_hash if person else "", password or "") or not _active(
        person
    ):
        for key in keys:
            session.add(LoginAttempt(key=key))
        session.commit()
        raise InvalidInput(message="The email or password is not right. Please try again.")
    assert person is not None
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    session.exec(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
    token = _open_session(session, person, user_agent)
    audit.record(
        session,
        actor_for(session, person),
        "forum.account.log_in",
        target_type="person",
        target_id=person.id,
    )
    session.commit()
    return person, token


def start_session(session: Session, person: Person, *, user_agent: str = "") -> str:
    """Open a session for a person who just proved who they are (sign-up); returns the token."""
    token = _open_session(session, person, user_agent)
    session.commit()
    return token


def _open_session(session: Session, person: Person, user_agent: str) -> str:
    token = new_token()
    expires = utcnow() + timedelta(days=get_settings().session_days)
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            person_id=person.id,
            expires_at=expires,
            user_agent=user_agent[:300],
        )
    )
    return token


def log_out(session: Session, token: str) -> None:
    session.exec(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    session.commit()


# -- password resets ------------------------------------------------------------------


def issue_password_reset(session: Session, actor: Actor, *, person_id: int) -> tuple[Person, str]:
    """A single-use reset link (24 h) an admin hands over, or mails when SMTP is set;
    returns the person and the token (shown once). Raises Forbidden, NotFound."""
    policy.require(actor, "forum.password_reset.issue")
    person = session.get(Person, person_id)
    if not _active(person):
        raise NotFound()
    token = new_token()
    reset = PasswordReset(
        person_id=person_id,
        token_hash=token_hash(token),
        created_by=actor.person_id,
        expires_at=utcnow() + timedelta(hours=24),
    )
    session.add(reset)
    session.flush()
    audit.record(session, actor, "forum.password_reset.issue", reset)
    session.commit()
    if person.email:
        mail.send(
            person.email,
            "Reset your Wethi password",
            "Set a new password here: %(url)s",
            url=reset_url(token),
        )
    return person, token


def reset_url(token: str) -> str:
    return f"{get_settings().base_url}/reset/{token}"


def open_password_reset(session: Session, token: str) -> PasswordReset:
    reset = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    ).first()
    if reset is None:
        raise NotFound("This link is not valid. Ask an administrator for a new one.")
    if reset.used_at is not None or reset.expires_at <= utcnow():
        raise Conflict(
            "This link has expired or was already used. Ask an administrator for a new one."
        )
    return reset


class NewPassword(BaseModel):
    password: str
    password_again: str

    _password = field_validator("password")(_check_password)


def reset_password(session: Session, *, token: str, **data: object) -> Person:
    """Set a new password through a reset link; ends the person's other sessions.
    Raises NotFound, Conflict, InvalidInput."""
    reset = open_password_reset(session, token)
    values = validate(NewPassword, data)
    if values.password != values.password_again:
        raise InvalidInput({"password_again": "The two passwords do not match."})
    person = session.get(Person, reset.person_id)
    assert person is not None
    person.password_hash = hash_password(values.password)
    reset.used_at = utcnow()
    session.exec(delete(LoginSession).where(LoginSession.person_id == person.id))
    audit.record(
        session,
        Actor(person_id=person.id),
        "forum.account.reset_password",
        target_type="person",
        target_id=person.id,
    )
    session.commit()
    return person


# -- API tokens -----------------------------------------------------------------------


class ApiTokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


def create_api_token(session: Session, actor: Actor, **data: object) -> tuple[ApiToken, str]:
    """A personal API token (shown once). Raises Forbidden, InvalidInput."""
    policy.require(actor, "forum.account.manage_own")
    values = validate(ApiTokenCreate, data)
    token = "wethi_" + new_token()
    api_token = ApiToken(person_id=actor.person_id, name=values.name, token_hash=token_hash(token))
    session.add(api_token)
    session.flush()
    audit.record(session, actor, "forum.api_token.create", api_token)
    session.commit()
    return api_token, token


def list_api_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    policy.require(actor, "forum.account.manage_own")
    return list(
        session.exec(
            select(ApiToken).where(
                ApiToken.person_id == actor.person_id, col(ApiToken.revoked_at).is_(None)
            )
        ).all()
    )


def revoke_api_token(session: Session, actor: Actor, *, token_id: int) -> None:
    """Raises Forbidden, NotFound."""
    policy.require(actor, "forum.account.manage_own")
    api_token = session.get(ApiToken, token_id)
    if api_token is None or api_token.person_id != actor.person_id or api_token.revoked_at:
        raise NotFound()
    api_token.revoked_at = utcnow()
    audit.record(session, actor, "forum.api_token.revoke", api_token)
    session.commit()


# -- administrators -------------------------------------------------------------------


class AdminCreate(BaseModel):
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=120)
    password: str

    _password = field_validator("password")(_check_password)


def create_admin(session: Session, **data: object) -> Person:
    """`wethi create-admin`: a site administrator (or promote an existing account)."""
    values = validate(AdminCreate, data)
    email = str(values.email).lower()
    person = session.exec(select(Person).where(func.lower(Person.email) == email)).first()
    before = audit.snapshot(person)
    if person is None:
        person = Person(email=email, display_name=values.display_name)
    person.is_admin = True
    person.password_hash = hash_password(values.password)
    session.add(person)
    session.flush()
    audit.record(session, SYSTEM, "forum.account.create_admin", person, before=before)
    if before is None:
        privacy.record_consent(session, person.id, purpose=privacy.PURPOSE_ACCOUNT)
    session.commit()
    return person
