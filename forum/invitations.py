"""Invitations: the single-use, expiring links through which people join Wethi (made by
an admin, or by a body's chair or secretary), and sign-up through them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, EmailStr, Field, field_validator
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, or_, select, update

from forum import accounts, audit, mail, policy, privacy
from forum.config import get_settings
from forum.db import utcnow
from forum.errors import Conflict, InvalidInput, NotAChoice, NotFound
from forum.forms import validate
from forum.models import (
    Body,
    Invitation,
    Membership,
    Organisation,
    Person,
    Role,
)
from forum.policy import Actor
from forum.security import (
    hash_password,
    new_token,
    token_hash,
)


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
        raise NotAChoice({"body_id": "Please choose one of the options."})
    if (
        values.organisation_id is not None
        and session.get(Organisation, values.organisation_id) is None
    ):
        raise NotAChoice({"organisation_id": "Please choose one of the options."})
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
        # The bodies whose invitations this person may see: those they may invite into.
        bodies = [body_id for body_id in actor.roles if policy.can(actor, "forum.invitation.create", body_id)]
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

    _password = field_validator("password")(accounts.check_password)


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
