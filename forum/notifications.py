"""Notifications: what a person is told about (an agenda published, a suggestion answered,
a reply, a mention), in the app and by email.

Packages register their kinds (`register_kind`, from their manifests) and call `notify`
inside their own transaction. A notification stores its kind and the values of its message, never the
text: it reads in whichever language its reader reads it, today or later. The row is
also the email outbox: `email_due` until the email is sent, by a background thread that
starts once the caller's transaction commits, so an email never slows or fails the
action that caused it, and one not sent (a crash, an unreachable server) is sent by a
later run.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, func, select

from forum import audit, i18n, mail, policy
from forum.config import get_settings
from forum.db import utcnow
from forum.errors import InvalidInput, NotFound
from forum.models import Notification, NotificationPreference, Person
from forum.paging import Page, paginate
from forum.policy import Actor
from forum.registry import Registry

log = logging.getLogger("wethi.notifications")

EMAIL_LEASE = timedelta(minutes=10)  # a claimed email not marked sent by then is retried
EMAIL_RETRY_WINDOW = timedelta(days=2)  # an email still failing after this is given up

# -- kinds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # msgid: what the settings list calls it
    message: str  # msgid with %(name)s placeholders filled from the params
    variants: dict[str, str]  # params["variant"] -> another message msgid
    email: bool  # emailed unless the person chooses otherwise


_kinds: Registry[Kind] = Registry("notification kinds")


def register_kind(
    kind: str,
    *,
    label: str,
    message: str,
    variants: dict[str, str] | None = None,
    email: bool = True,
) -> None:
    """Declare a kind of notification. `message` and `variants` are English msgids whose
    %(name)s placeholders come from the params given to `notify`, plus %(actor)s, the
    name of the person who caused it (looked up when shown, so an erased name is gone).
    `email` is the default for people who did not choose."""
    _kinds.add(kind, Kind(kind, label, message, dict(variants or {}), email))


def kinds() -> list[Kind]:
    return _kinds.values()


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""  # a value the message needs but an old notification lacks


def message_text(kind: str, params: dict[str, Any], actor_name: str = "") -> str:
    """The notification's text in the current language."""
    found = _kinds.get(kind)
    if found is None:  # its package is gone: still say something
        return i18n.gettext("You have a notification.")
    msgid = found.variants.get(str(params.get("variant", "")), found.message)
    values = _Params({key: str(value) for key, value in params.items()})
    values["actor"] = actor_name
    return i18n.gettext(msgid) % values


def kind_label(kind: str) -> str:
    found = _kinds.get(kind)
    return i18n.gettext(found.label if found else "Notification")


# -- notifying ------------------------------------------------------------------------


def notify(
    session: Session,
    *,
    person_ids: Iterable[int],
    kind: str,
    actor: Actor,
    url: str,
    params: dict[str, str],
) -> None:
    """Tell each person (once; never the actor themself; only active accounts), as each
    chose for this kind, in the caller's transaction: the caller commits. `url` is a path
    on this site."""
    if kind not in _kinds:
        raise ValueError(f"unknown notification kind {kind!r}: register it first")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"notification url {url!r}: give a path on this site")
    ids = {person_id for person_id in person_ids if person_id} - {actor.person_id}
    if not ids:
        return
    people = session.exec(
        select(Person.id, Person.email).where(
            col(Person.id).in_(ids),
            col(Person.archived_at).is_(None),
            col(Person.erased_at).is_(None),
        )
    ).all()
    chosen = {
        person_id: (in_app, email)
        for person_id, in_app, email in session.exec(
            select(
                NotificationPreference.person_id,
                NotificationPreference.in_app,
                NotificationPreference.email,
            ).where(
                NotificationPreference.kind == kind,
                col(NotificationPreference.person_id).in_(ids),
            )
        ).all()
    }
    mailing = get_settings().smtp_configured
    values = {str(key): str(value) for key, value in params.items()}
    now, emails = utcnow(), False
    for person_id, address in sorted(people):
        in_app, email = chosen.get(person_id, (True, _kinds[kind].email))
        email_due = bool(email and address and mailing)
        if not in_app and not email_due:
            continue
        session.add(
            Notification(
                person_id=person_id,
                kind=kind,
                actor_id=actor.person_id,
                url=url[:500],
                params=values,
                in_app=in_app,
                created_at=now,
                read_at=None if in_app else now,  # email only: never counted as unread
                email_due=email_due,
            )
        )
        emails = emails or email_due
    if emails and not session.info.get(_MAIL_HOOK):
        session.info[_MAIL_HOOK] = True
        event.listen(session, "after_commit", _send_after_commit, once=True)


# -- the notification centre -----------------------------------------------------------


@dataclass(frozen=True)
class NotificationLine:
    id: int
    kind: str
    label: str
    text: str
    url: str
    actor_name: str
    params: dict[str, str]
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class NotificationList:
    page: Page[NotificationLine]
    unread: int


_Author = aliased(Person)


def list_notifications(
    session: Session, actor: Actor, *, page: int = 1, per_page: int = 25
) -> NotificationList:
    """The actor's notifications, newest first. Raises NotLoggedIn."""
    policy.require(actor, "forum.notification.read_own")
    query = (
        select(Notification, _Author.display_name)
        .outerjoin(_Author, col(_Author.id) == Notification.actor_id)
        .where(Notification.person_id == actor.person_id, col(Notification.in_app))
        .order_by(col(Notification.id).desc())
    )
    found = paginate(session, query, page=page, per_page=per_page)
    lines = [
        NotificationLine(
            id=row.id,  # type: ignore[arg-type]
            kind=row.kind,
            label=kind_label(row.kind),
            text=message_text(row.kind, row.params, name or ""),
            url=row.url,
            actor_name=name or "",
            params=row.params,
            created_at=row.created_at,
            read_at=row.read_at,
        )
        for row, name in found.items
    ]
    page_of_lines = Page(lines, found.total, found.page, found.per_page)
    return NotificationList(page_of_lines, unread_count(session, actor))


def unread_count(session: Session, actor: Actor) -> int:
    return session.exec(
        select(func.count()).where(
            Notification.person_id == actor.person_id, col(Notification.read_at).is_(None)
        )
    ).one()


def open_notification(session: Session, actor: Actor, *, notification_id: int) -> str:
    """Mark one of the actor's notifications read; returns where it leads. Raises
    NotLoggedIn, NotFound (someone else's)."""
    policy.require(actor, "forum.notification.read_own")
    notification = session.get(Notification, notification_id)
    if notification is None or notification.person_id != actor.person_id:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.commit()
    return notification.url


def mark_read(session: Session, actor: Actor, *, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read: all, or those of `ids` (others' ids are
    ignored); returns how many were unread. Raises NotLoggedIn."""
    policy.require(actor, "forum.notification.read_own")
    statement = (
        update(Notification)
        .where(
            col(Notification.person_id) == actor.person_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )
    if ids is not None:
        statement = statement.where(col(Notification.id).in_(list(ids) or [-1]))
    marked = session.connection().execute(statement).rowcount
    session.commit()
    return marked


# -- preferences ----------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceLine:
    kind: str
    label: str
    in_app: bool
    email: bool


@dataclass(frozen=True)
class NotificationSettings:
    lines: list[PreferenceLine]
    email_locale: str
    has_email: bool
    mail_configured: bool


def _choices(session: Session, person_id: int | None) -> dict[str, NotificationPreference]:
    rows = session.exec(
        select(NotificationPreference).where(NotificationPreference.person_id == person_id)
    ).all()
    return {row.kind: row for row in rows}


def notification_settings(session: Session, actor: Actor) -> NotificationSettings:
    """Each kind with the actor's choice (or its default). Raises NotLoggedIn, NotFound."""
    policy.require(actor, "forum.notification.edit_preferences")
    person = session.get(Person, actor.person_id)
    if person is None:
        raise NotFound()
    chosen = _choices(session, person.id)
    lines = []
    for kind in kinds():
        row = chosen.get(kind.name)
        lines.append(
            PreferenceLine(
                kind=kind.name,
                label=i18n.gettext(kind.label),
                in_app=row.in_app if row else True,
                email=row.email if row else kind.email,
            )
        )
    return NotificationSettings(
        lines=lines,
        email_locale=person.locale if person.locale in i18n.LOCALES else i18n.DEFAULT_LOCALE,
        has_email=bool(person.email),
        mail_configured=get_settings().smtp_configured,
    )


def update_notification_settings(
    session: Session,
    actor: Actor,
    *,
    in_app: Iterable[str],
    email: Iterable[str],
    email_locale: str,
) -> None:
    """Save the actor's choice for every kind: the kinds in `in_app` and `email` are on,
    the others off; emails in `email_locale`. Raises NotLoggedIn, NotFound, InvalidInput."""
    policy.require(actor, "forum.notification.edit_preferences")
    in_app, email = set(in_app), set(email)
    problems: dict[str, str] = {}
    if not in_app <= set(_kinds.names()):
        problems["in_app"] = "Choose among the kinds of notification listed."
    if not email <= set(_kinds.names()):
        problems["email"] = "Choose among the kinds of notification listed."
    if email_locale not in i18n.LOCALES:
        problems["email_locale"] = "Choose Thai or English."
    if problems:
        raise InvalidInput(problems)
    person = session.get(Person, actor.person_id)
    if person is None:
        raise NotFound()
    chosen = _choices(session, person.id)
    before: dict[str, Any] = {"email_locale": person.locale}
    after: dict[str, Any] = {"email_locale": email_locale}
    for kind in kinds():
        row = chosen.get(kind.name) or NotificationPreference(
            person_id=person.id,  # type: ignore[arg-type]
            kind=kind.name,
            in_app=True,
            email=kind.email,
        )
        before |= {f"{kind.name}.in_app": row.in_app, f"{kind.name}.email": row.email}
        row.in_app, row.email = kind.name in in_app, kind.name in email
        after |= {f"{kind.name}.in_app": row.in_app, f"{kind.name}.email": row.email}
        session.add(row)
    person.locale = email_locale
    audit.record(
        session,
        actor,
        "forum.notification.edit_preferences",
        target_type="person",
        target_id=person.id,
        before=before,
        after=after,
    )
    session.commit()


# -- PDPA -----------------------------------------------------------------------------


def export_rows(session: Session, person_id: int | None) -> dict[str, list[dict[str, Any]]]:
    """The person's notifications and choices, for their data export."""
    return {
        "notifications": [
            audit.snapshot(row) or {}
            for row in session.exec(
                select(Notification)
                .where(Notification.person_id == person_id)
                .order_by(col(Notification.id))
            )
        ],
        "notification_preferences": [
            audit.snapshot(row) or {}
            for row in session.exec(
                select(NotificationPreference).where(NotificationPreference.person_id == person_id)
            )
        ],
    }


def erase_rows(session: Session, person_id: int | None) -> None:
    """Erasure: the person's notifications and choices go (the caller commits). Those the
    person caused for others stay, showing the erased account's placeholder name."""
    session.exec(delete(Notification).where(col(Notification.person_id) == person_id))  # type: ignore[call-overload]
    session.exec(
        delete(NotificationPreference).where(col(NotificationPreference.person_id) == person_id)  # type: ignore[call-overload]
    )


# -- email ----------------------------------------------------------------------------

_MAIL_HOOK = "wethi.notifications.mail_after_commit"
_send_lock = threading.Lock()
_senders: list[threading.Thread] = []


def _send_after_commit(session: Session) -> None:
    session.info.pop(_MAIL_HOOK, None)
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    sender = threading.Thread(
        target=_send_quietly, args=(engine,), name="wethi-notification-mail", daemon=True
    )
    _senders[:] = [thread for thread in _senders if thread.is_alive()] + [sender]
    sender.start()


def _send_quietly(engine: Engine) -> None:
    try:
        send_due_emails(engine)
    except Exception:  # a background thread: nobody else would see it
        log.exception("notification emails not sent")


def wait_for_emails(timeout: float = 10) -> None:
    """Wait for the background senders started so far (tests, the CLI)."""
    for thread in list(_senders):
        thread.join(timeout)


def send_due_emails(engine: Engine, *, limit: int = 200) -> int:
    """Send the emails due (each claimed first, so two senders never send one twice);
    returns how many were sent. One that fails stays due and is retried by a later run
    once its claim lapses (EMAIL_LEASE), for EMAIL_RETRY_WINDOW."""
    sent = 0
    with _send_lock, Session(engine, expire_on_commit=False) as session:
        now = utcnow()
        claimable = (
            col(Notification.email_due),
            col(Notification.created_at) > now - EMAIL_RETRY_WINDOW,
            (col(Notification.emailed_at).is_(None))
            | (col(Notification.emailed_at) < now - EMAIL_LEASE),
        )
        due = session.exec(
            select(Notification, Person.email, Person.locale, _Author.display_name)
            .join(Person, col(Person.id) == Notification.person_id)
            .outerjoin(_Author, col(_Author.id) == Notification.actor_id)
            .where(*claimable)
            .order_by(col(Notification.id))
            .limit(limit)
        ).all()
        for notification, address, locale, actor_name in due:
            claimed = session.connection().execute(
                update(Notification)
                .where(col(Notification.id) == notification.id, *claimable)
                .values(emailed_at=now)
            )
            session.commit()
            if claimed.rowcount != 1:
                continue  # another sender has it
            subject, text = _email(notification, locale, actor_name or "")
            if mail.send_text(address or "", subject, text):
                session.connection().execute(
                    update(Notification)
                    .where(col(Notification.id) == notification.id)
                    .values(email_due=False)
                )
                session.commit()
                sent += 1
            else:
                log.warning("notification %s not emailed; will retry", notification.id)
    return sent


def _email(notification: Notification, locale: str, actor_name: str) -> tuple[str, str]:
    """Subject and text in the reader's language."""
    token = i18n.current_locale.set(locale if locale in i18n.LOCALES else i18n.DEFAULT_LOCALE)
    try:
        base = get_settings().base_url
        subject = i18n.gettext("Wethi: %(label)s", label=kind_label(notification.kind))
        text = "\n\n".join(
            [
                message_text(notification.kind, notification.params, actor_name),
                i18n.gettext(
                    "Open it here: %(url)s", url=f"{base}/notifications/{notification.id}"
                ),
                i18n.gettext(
                    "You receive this email because of your notification settings in Wethi."
                    " Change them here: %(url)s",
                    url=f"{base}/me#notification_settings",
                ),
            ]
        )
    finally:
        i18n.current_locale.reset(token)
    return subject, text + "\n"


EMAIL_SWEEP_EVERY = timedelta(minutes=5)


async def sweep_due_emails(engine: Engine, *, every: timedelta = EMAIL_SWEEP_EVERY) -> None:
    """Send what is due when the server starts and every few minutes after: an email
    whose send failed goes out once its claim lapses, even if nothing else happens on the
    site (the app's lifespan runs this; it stops when cancelled)."""
    while True:
        try:
            await asyncio.to_thread(send_due_emails, engine)
        except Exception:  # a database hiccup must not end the sweeping
            log.exception("Sending the notification emails due failed; trying again later.")
        await asyncio.sleep(every.total_seconds())
