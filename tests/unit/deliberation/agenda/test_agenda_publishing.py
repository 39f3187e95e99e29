"""Publishing locks, numbers and records the agenda; later changes make new versions."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation.agenda import agendas, publishing
from deliberation.agenda.models import AgendaStatus, AgendaVersion
from forum import meetings
from forum.errors import Conflict, Forbidden, StaleEdit
from forum.models import Meeting, Role
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def secretary(session, body):
    return factories.actor(session, factories.member(session, body, Role.secretary))


def _publish(session, actor, meeting):
    agenda = agendas.agenda_of(session, meeting.id) or agendas.ensure_agenda(session, actor, meeting_id=meeting.id)[0]
    return publishing.publish_agenda(session, actor, meeting_id=meeting.id, version=agenda.version)


def test_publishing_locks_numbers_records_and_moves_the_meeting(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    factories.agenda_item(session, meeting, title="ก", time_box_minutes=15)
    factories.agenda_item(session, meeting, title="ข")
    version = _publish(session, secretary, meeting)
    assert version.number == 1
    consideration = version.snapshot["parts"][3]
    assert consideration["number"] == 4
    assert [(i["number"], i["title"]) for i in consideration["items"]] == [("4.1", "ก"), ("4.2", "ข")]
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == "agenda_published"
    assert agendas.agenda_of(session, meeting.id).status == AgendaStatus.published


def test_the_meeting_pages_own_publish_button_publishes_the_agenda_too(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    meetings.advance_status(session, secretary, meeting_id=meeting.id, to="agenda_published", version=meeting.version)
    agenda = agendas.agenda_of(session, meeting.id)
    assert (agenda.status, agenda.published_version) == ("published", 1)


def test_a_draft_meetings_agenda_cannot_be_published_before_it_is_opened(session, body, secretary):
    meeting = factories.agenda_meeting(session, body, status="draft")
    with pytest.raises(Conflict):
        _publish(session, secretary, meeting)


def test_a_member_cannot_publish(session, body):
    meeting = factories.agenda_meeting(session, body)
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        _publish(session, member, meeting)


def test_publishing_twice_is_refused(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    _publish(session, secretary, meeting)
    with pytest.raises(Conflict):
        _publish(session, secretary, meeting)


def test_a_change_after_publishing_makes_a_new_version_with_its_differences(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    first = factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    _publish(session, secretary, meeting)
    agenda = agendas.agenda_of(session, meeting.id)
    with pytest.raises(Conflict):
        agendas.remove_item(session, secretary, item_id=first.id, version=agenda.version)
    publishing.start_new_version(session, secretary, meeting_id=meeting.id, version=agenda.version)
    agendas.remove_item(session, secretary, item_id=first.id, version=agenda.version)
    agendas.update_item(session, secretary, item_id=second.id, version=agenda.version, title="ข (แก้ไข)", time_box_minutes="30")
    part = agendas.parts_of(session, agenda.id)[4]
    agendas.add_item(session, secretary, meeting_id=meeting.id, version=agenda.version, part_id=part.id, title="ค")
    version = publishing.publish_agenda(session, secretary, meeting_id=meeting.id, version=agenda.version)
    assert version.number == 2
    versions = publishing.agenda_versions(session, secretary, meeting_id=meeting.id)
    assert [line.number for line in versions.versions] == [2, 1]
    diff = versions.diff
    assert [item["title"] for item in diff.added] == ["ค"]
    assert [item["title"] for item in diff.removed] == ["ก"]
    [changed] = diff.changed
    assert changed.title == "ข (แก้ไข)"
    assert len(changed.changes) == 3  # number, title, time box
    assert session.exec(select(AgendaVersion).where(AgendaVersion.agenda_id == agenda.id)).all()[0].snapshot["parts"][3]["items"][0]["title"] == "ก"


def test_starting_a_new_version_from_a_stale_page_is_refused(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    _publish(session, secretary, meeting)
    with pytest.raises(StaleEdit):
        publishing.start_new_version(session, secretary, meeting_id=meeting.id, version=1)


def test_a_meeting_starts_only_on_a_published_agenda(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    factories.agenda_item(session, meeting, title="ก")
    _publish(session, secretary, meeting)
    agenda = agendas.agenda_of(session, meeting.id)
    publishing.start_new_version(session, secretary, meeting_id=meeting.id, version=agenda.version)
    meeting = session.get(Meeting, meeting.id)
    with pytest.raises(Conflict) as refused:
        meetings.advance_status(session, secretary, meeting_id=meeting.id, to="live", version=meeting.version)
    assert "not published" in refused.value.message
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == "agenda_published"  # nothing changed
    agenda = agendas.agenda_of(session, meeting.id)
    publishing.publish_agenda(session, secretary, meeting_id=meeting.id, version=agenda.version)
    meeting = session.get(Meeting, meeting.id)
    meetings.advance_status(session, secretary, meeting_id=meeting.id, to="live", version=meeting.version)
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == "live"
