"""Accounts and access: log-in/out, password resets, API tokens, administrators, and the
`Actor` each request acts as. Sign-up by invitation is in `forum.invitations`."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, EmailStr, Field, field_validator
from sqlalchemy import bindparam
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlmodel import Session, col, delete, func, select

from forum import attempts, audit, mail, policy, privacy
from forum.config import get_settings
from forum.db import driver_rows, read_datetime, utcnow
from forum.errors import Conflict, InvalidInput, NotFound, RateLimited
from forum.forms import validate
from forum.models import (
    ApiToken,
    LoginAttempt,
    LoginSession,
    Membership,
    Notification,
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


# The menu's unread count rides along in the same query, read from the index
# (person_id, read_at) alone: no second query per page.
_UNREAD = (
    select(func.count())
    .where(Notification.person_id == Person.id, col(Notification.read_at).is_(None))
    .correlate(Person)
    .scalar_subquery()
)

# Built once: this runs on every request, and building a statement costs more than
# running it on an indexed table.
_ACTOR_BY_SESSION = (
    select(
        Person.id,
        Person.display_name,
        Person.is_admin,
        _UNREAD,
        Membership.body_id,
        Membership.role,
        LoginSession.expires_at,
    )
    .join(LoginSession, LoginSession.person_id == Person.id)
    .join(Membership, Membership.person_id == Person.id, isouter=True)
    .where(
        LoginSession.token_hash == bindparam("token_hash"),
        LoginSession.expires_at > bindparam("now"),
        col(Person.archived_at).is_(None),
        col(Person.erased_at).is_(None),
    )
)
# As plain SQL for the driver (forum.db.driver_rows): compiled once from the statement above,
# its placeholders `?` in the order of its parameters; it reads the same on PostgreSQL.
_COMPILED = _ACTOR_BY_SESSION.compile(dialect=sqlite_dialect())
assert _COMPILED.positiontup == ["token_hash", "now"], _COMPILED.positiontup
ACTOR_BY_SESSION_SQL = str(_COMPILED)


def actor_for_session_token(session: Session, token: str) -> Actor:
    """The actor behind a session cookie, in one query: the person's row once per
    membership, or once with no body."""
    return session_for_token(session, token)[0]


def session_for_token(session: Session, token: str) -> tuple[Actor, datetime | None]:
    """The actor behind a session cookie and when the session ends (None: no session,
    ANONYMOUS), in the same one query (every page runs it: through the driver)."""
    rows = driver_rows(session, ACTOR_BY_SESSION_SQL, (token_hash(token), utcnow()))
    if not rows:
        return ANONYMOUS, None
    person_id, display_name, is_admin, unread = rows[0][:4]
    expires_at = read_datetime(rows[0][6])
    actor = Actor(
        person_id=person_id,
        display_name=display_name,
        is_admin=bool(is_admin),
        roles={row[4]: Role(row[5]) for row in rows if row[4] is not None},
        unread_notifications=unread,
    )
    return actor, expires_at


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


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError("The password must be at least 10 characters long.")
    if len(password) > 200:
        raise ValueError("The password is too long.")
    return password


# -- logging in and out ---------------------------------------------------------------


def _recent_failures(session: Session, key: str) -> int:
    return attempts.recent_attempts(session, key, minutes=15)


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

    _password = field_validator("password")(check_password)


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

    _password = field_validator("password")(check_password)


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
