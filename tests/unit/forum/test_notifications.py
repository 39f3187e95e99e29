"""Notifications: who is told (never the actor, once each, active accounts, as each chose),
what they read (in their language, whenever they read it), the email outbox, PDPA."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.header import decode_header, make_header

import pytest
from sqlalchemy import update
from sqlmodel import select

from deliberation import notices
from deliberation.agenda import agendas, publishing, suggestions
from forum import accounts, i18n, notifications, privacy
from forum.config import get_settings
from forum.db import utcnow
from forum.errors import InvalidInput, NotFound
from forum.models import AuditEvent, Notification, NotificationPreference, Role
from tests import factories
from tests.unit.forum.test_mail import smtp_server  # noqa: F401  (the SMTP listener fixture)

URL = "/meetings/1/agenda"
PARAMS = {"meeting": "3/2569", "body": "คณะทำงานภาคเหนือ"}


def _notify(session, actor, person_ids, *, kind=notices.AGENDA_PUBLISHED, params=PARAMS):
    notifications.notify(
        session, person_ids=person_ids, kind=kind, actor=actor, url=URL, params=params
    )
    session.commit()


def _rows(session, person):
    return session.exec(select(Notification).where(Notification.person_id == person.id)).all()


@pytest.fixture
def sender(session):
    return factories.actor(session, factories.person(session))


# -- who is told ------------------------------------------------------------------------


def test_notify_tells_each_person_once_and_never_the_actor(session, sender):
    somsri = factories.person(session)
    _notify(session, sender, [somsri.id, somsri.id, sender.person_id])
    assert len(_rows(session, somsri)) == 1
    assert session.exec(select(Notification).where(Notification.person_id == sender.person_id)).all() == []


def test_archived_and_erased_people_are_not_told(session, sender):
    archived, erased = factories.person(session), factories.person(session)
    archived.archived_at = utcnow()
    erased.erased_at = erased.archived_at = utcnow()
    session.commit()
    _notify(session, sender, [archived.id, erased.id])
    assert session.exec(select(Notification)).all() == []


def test_a_kind_turned_off_in_the_app_and_by_email_is_not_stored(session, sender):
    somsri = factories.person(session)
    session.add(NotificationPreference(person_id=somsri.id, kind=notices.AGENDA_PUBLISHED, in_app=False, email=False))
    session.commit()
    _notify(session, sender, [somsri.id])
    assert _rows(session, somsri) == []


def test_without_smtp_no_email_is_due(session, sender):
    somsri = factories.person(session)
    _notify(session, sender, [somsri.id])
    [row] = _rows(session, somsri)
    assert (row.in_app, row.read_at, row.email_due) == (True, None, False)


def test_replies_are_not_emailed_by_default_mentions_are(session, sender, smtp_server):  # noqa: F811
    somsri = factories.person(session)
    _notify(session, sender, [somsri.id], kind=notices.REPLY, params={"topic": "งบประมาณ"})
    _notify(session, sender, [somsri.id], kind=notices.MENTION, params={"topic": "งบประมาณ"})
    notifications.wait_for_emails()
    due = {row.kind: row.emailed_at is not None for row in _rows(session, somsri)}
    assert due == {"reply": False, "mention": True}
    assert len(smtp_server.messages) == 1


def test_an_unknown_kind_or_an_outside_url_is_a_programming_error(session, sender):
    with pytest.raises(ValueError):
        notifications.notify(session, person_ids=[1], kind="nope", actor=sender, url=URL, params={})
    with pytest.raises(ValueError):
        notifications.notify(session, person_ids=[1], kind=notices.REPLY, actor=sender, url="https://evil.example", params={})


# -- what they read -------------------------------------------------------------------


def test_the_message_is_filled_in_the_readers_language_when_shown(session, sender):
    params = {"variant": "declined", "title": "โซลาร์เซลล์", "meeting": "3/2569", "reason": "ซ้ำกับวาระ 4.1"}
    for locale, expected in (
        ("th", "เรื่อง “โซลาร์เซลล์” ที่ท่านเสนอเข้าระเบียบวาระการประชุม ครั้งที่ 3/2569 ไม่ได้รับการบรรจุ เหตุผล: ซ้ำกับวาระ 4.1"),
        ("en", "Your agenda suggestion “โซลาร์เซลล์” for meeting 3/2569 was declined. Reason: ซ้ำกับวาระ 4.1"),
    ):
        token = i18n.current_locale.set(locale)
        try:
            assert notifications.message_text(notices.SUGGESTION_ANSWERED, params) == expected
        finally:
            i18n.current_locale.reset(token)


def test_the_actors_name_is_looked_up_when_shown(session, sender):
    somsri = factories.person(session)
    _notify(session, sender, [somsri.id], kind=notices.REPLY, params={"topic": "งบประมาณ"})
    [line] = notifications.list_notifications(session, factories.actor(session, somsri)).page.items
    assert line.text.startswith(sender.display_name)


def test_a_missing_value_or_an_unknown_kind_still_reads(session):
    assert "“”" in notifications.message_text(notices.REPLY, {})
    assert notifications.message_text("gone_package_kind", {}) == i18n.gettext("You have a notification.")


# -- the list, opening, marking read ----------------------------------------------------


def test_the_list_is_newest_first_with_the_unread_count(session):
    somsri = factories.person(session)
    first = factories.notification(session, somsri)
    second = factories.notification(session, somsri, read=True)
    result = notifications.list_notifications(session, factories.actor(session, somsri))
    assert [line.id for line in result.page.items] == [second.id, first.id]
    assert result.unread == 1


def test_opening_marks_read_and_gives_the_url_only_to_its_owner(session):
    somsri, other = factories.person(session), factories.person(session)
    row = factories.notification(session, somsri, url="/meetings/7/agenda")
    with pytest.raises(NotFound):
        notifications.open_notification(session, factories.actor(session, other), notification_id=row.id)
    url = notifications.open_notification(session, factories.actor(session, somsri), notification_id=row.id)
    assert url == "/meetings/7/agenda"
    session.refresh(row)
    assert row.read_at is not None


def test_marking_read_by_id_ignores_other_peoples_ids(session):
    somsri, other = factories.person(session), factories.person(session)
    mine, theirs = factories.notification(session, somsri), factories.notification(session, other)
    assert notifications.mark_read(session, factories.actor(session, somsri), ids=[mine.id, theirs.id]) == 1
    session.refresh(theirs)
    assert theirs.read_at is None
    assert notifications.mark_read(session, factories.actor(session, other)) == 1


def test_the_unread_count_arrives_on_the_actor_in_its_one_query(session, engine):
    somsri = factories.person(session)
    body = factories.body(session)
    factories.member(session, body, Role.member, person_row=somsri)
    factories.member(session, factories.body(session), Role.chair, person_row=somsri)
    for read in (False, False, True):
        factories.notification(session, somsri, read=read)
    token = accounts.start_session(session, somsri)
    statements = []
    # The log-in runs through the driver (forum.db.driver_rows): counted by the driver.
    driver = session.connection().connection.dbapi_connection
    driver.set_trace_callback(statements.append)
    try:
        actor = accounts.actor_for_session_token(session, token)
    finally:
        driver.set_trace_callback(None)
    assert actor.unread_notifications == 2
    assert len(actor.roles) == 2
    assert len(statements) == 1


def test_the_unread_count_reads_from_its_index(session, engine):
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM notification WHERE person_id = 1 AND read_at IS NULL"
        ).all()
    assert "COVERING INDEX ix_notification_person_unread" in " ".join(str(row) for row in plan)


# -- preferences ----------------------------------------------------------------------


def test_settings_show_the_defaults_then_the_choices(session):
    somsri = factories.person(session)
    actor = factories.actor(session, somsri)
    defaults = {line.kind: (line.in_app, line.email) for line in notifications.notification_settings(session, actor).lines}
    assert defaults[notices.AGENDA_PUBLISHED] == (True, True)
    assert defaults[notices.REPLY] == (True, False)
    notifications.update_notification_settings(
        session, actor, in_app=[notices.REPLY], email=[notices.MENTION], email_locale="en"
    )
    chosen = notifications.notification_settings(session, actor)
    assert {line.kind: (line.in_app, line.email) for line in chosen.lines}[notices.REPLY] == (True, False)
    assert {line.kind: (line.in_app, line.email) for line in chosen.lines}[notices.AGENDA_PUBLISHED] == (False, False)
    assert chosen.email_locale == "en"
    [logged] = session.exec(select(AuditEvent).where(AuditEvent.action == "forum.notification.edit_preferences")).all()
    assert logged.target_id == somsri.id
    assert (logged.before["agenda_published.in_app"], logged.after["agenda_published.in_app"]) == (True, False)
    assert (logged.before["email_locale"], logged.after["email_locale"]) == ("th", "en")
    assert "reply.in_app" not in logged.after  # unchanged


def test_bad_settings_change_nothing(session):
    somsri = factories.person(session)
    actor = factories.actor(session, somsri)
    with pytest.raises(InvalidInput) as refused:
        notifications.update_notification_settings(session, actor, in_app=["nope"], email=[], email_locale="fr")
    assert set(refused.value.fields) == {"in_app", "email_locale"}
    assert session.exec(select(NotificationPreference)).all() == []


def test_a_person_who_turned_a_kind_off_in_the_app_gets_the_email_only(session, sender, smtp_server):  # noqa: F811
    somsri = factories.person(session)
    notifications.update_notification_settings(
        session, factories.actor(session, somsri), in_app=[], email=[notices.AGENDA_PUBLISHED], email_locale="th"
    )
    _notify(session, sender, [somsri.id])
    notifications.wait_for_emails()
    [row] = _rows(session, somsri)
    assert row.in_app is False and row.read_at is not None  # never counted as unread
    assert notifications.list_notifications(session, factories.actor(session, somsri)).page.total == 0
    assert len(smtp_server.messages) == 1


# -- email ----------------------------------------------------------------------------


def _message(raw):
    message = message_from_bytes(raw, policy=email_policy.default)
    return str(make_header(decode_header(message["Subject"]))), message.get_content(), message["To"]


def test_the_email_goes_after_the_commit_in_the_readers_language(session, sender, smtp_server):  # noqa: F811
    thai = factories.person(session, email="somsri@example.org")
    english = factories.person(session, email="john@example.org")
    english.locale = "en"
    session.commit()
    notifications.notify(session, person_ids=[thai.id, english.id], kind=notices.AGENDA_PUBLISHED, actor=sender, url=URL, params=PARAMS)
    notifications.wait_for_emails()
    assert smtp_server.messages == []  # nothing before the commit
    session.commit()
    notifications.wait_for_emails()
    mails = {to: (subject, body) for subject, body, to in map(_message, smtp_server.messages)}
    subject, body = mails["somsri@example.org"]
    assert subject == "เวที: การเผยแพร่ระเบียบวาระการประชุม"
    assert "คณะทำงานภาคเหนือ เผยแพร่ระเบียบวาระการประชุม ครั้งที่ 3/2569 แล้ว" in body
    assert "/notifications/" in body and "/me#notification_settings" in body
    subject, body = mails["john@example.org"]
    assert subject == "Wethi: Agendas published for my meetings"
    assert "The agenda of meeting 3/2569 of คณะทำงานภาคเหนือ is published." in body
    assert all(row.email_due is False and row.emailed_at for row in session.exec(select(Notification)))


def test_a_failed_email_stays_due_and_a_later_run_sends_it(session, engine, sender, smtp_server, monkeypatch):  # noqa: F811
    somsri = factories.person(session)
    port = get_settings().smtp_port
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # unreachable
    _notify(session, sender, [somsri.id])
    notifications.wait_for_emails()
    [row] = _rows(session, somsri)
    session.refresh(row)
    assert row.email_due is True and row.emailed_at is not None
    assert notifications.send_due_emails(engine) == 0  # claimed a moment ago: not yet retried
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    session.connection().execute(update(Notification).values(emailed_at=utcnow() - timedelta(minutes=11)))
    session.commit()
    assert notifications.send_due_emails(engine) == 1
    assert notifications.send_due_emails(engine) == 0  # never twice
    assert len(smtp_server.messages) == 1


def test_a_rolled_back_action_sends_nothing(session, sender, smtp_server):  # noqa: F811
    somsri = factories.person(session)
    notifications.notify(session, person_ids=[somsri.id], kind=notices.AGENDA_PUBLISHED, actor=sender, url=URL, params=PARAMS)
    session.rollback()
    notifications.wait_for_emails()
    assert smtp_server.messages == [] and _rows(session, somsri) == []


# -- PDPA -----------------------------------------------------------------------------


def test_notifications_are_in_the_export_and_go_with_erasure(session, sender):
    somsri = factories.person(session)
    actor = factories.actor(session, somsri)
    factories.notification(session, somsri)
    notifications.update_notification_settings(session, actor, in_app=[notices.REPLY], email=[], email_locale="th")
    exported = privacy.export_data(session, actor)
    assert [row["kind"] for row in exported["notifications"]] == ["agenda_published"]
    assert len(exported["notification_preferences"]) == len(notifications.kinds())
    request = privacy.request_erasure(session, actor)
    admin = factories.actor(session, factories.person(session, is_admin=True))
    privacy.erase_person(session, admin, request_id=request.id)
    assert _rows(session, somsri) == []
    assert session.exec(select(NotificationPreference).where(NotificationPreference.person_id == somsri.id)).all() == []


# -- deliberation's two notices -------------------------------------------------------


def test_publishing_an_agenda_tells_every_member_but_the_secretary(session):
    body = factories.body(session, name="คณะทำงานภาคเหนือ")
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    members = [factories.member(session, body, Role.member) for _ in range(2)]
    outsider = factories.person(session)
    meeting = factories.agenda_meeting(session, body, number=3, year_be=2569)
    factories.agenda_item(session, meeting)
    agenda = agendas.agenda_of(session, meeting.id)
    publishing.publish_agenda(session, secretary, meeting_id=meeting.id, version=agenda.version)
    for person in members:
        [row] = _rows(session, person)
        assert (row.kind, row.url, row.params["meeting"], row.actor_id) == ("agenda_published", f"/meetings/{meeting.id}/agenda", "3/2569", secretary.person_id)
    assert _rows(session, outsider) == []
    assert session.exec(select(Notification).where(Notification.person_id == secretary.person_id)).all() == []


def test_answering_a_suggestion_tells_the_member_who_made_it(session):
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    somsri = factories.member(session, body, Role.member)
    meeting = factories.agenda_meeting(session, body)
    suggestion = suggestions.suggest_item(session, factories.actor(session, somsri), meeting_id=meeting.id, title="ติดตั้งโซลาร์เซลล์")
    suggestions.answer_suggestion(session, secretary, suggestion_id=suggestion.id, answer="decline", reason="งบประมาณไม่เพียงพอ")
    [row] = _rows(session, somsri)
    assert row.url == f"/meetings/{meeting.id}/agenda#suggestion-{suggestion.id}"
    [line] = notifications.list_notifications(session, factories.actor(session, somsri)).page.items
    assert "งบประมาณไม่เพียงพอ" in line.text and "ติดตั้งโซลาร์เซลล์" in line.text


def test_the_servers_sweep_sends_what_is_due_without_new_activity(session, engine, sender, smtp_server, monkeypatch):  # noqa: F811
    """A failed email is retried by the sweep the app runs at start-up and every few
    minutes, with no new notification to set it off (forum.app.lifespan)."""
    import asyncio

    somsri = factories.person(session)
    port = get_settings().smtp_port
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # unreachable
    _notify(session, sender, [somsri.id])
    notifications.wait_for_emails()
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    session.connection().execute(update(Notification).values(emailed_at=utcnow() - timedelta(minutes=11)))
    session.commit()

    async def one_sweep() -> None:
        sweep = asyncio.create_task(notifications.sweep_due_emails(engine, every=timedelta(hours=1)))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if smtp_server.messages:
                break
        sweep.cancel()

    asyncio.run(one_sweep())
    assert len(smtp_server.messages) == 1
