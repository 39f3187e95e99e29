"""The agenda: made from the body's template, items added, edited, removed and ordered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from deliberation.agenda import agendas, overview
from deliberation.agenda.models import Agenda, AgendaItem, AgendaItemKind, AgendaPart, AgendaStatus
from forum.errors import Conflict, Forbidden, InvalidInput, StaleEdit
from forum.models import AuditEvent, Role
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def secretary(session, body):
    return factories.actor(session, factories.member(session, body, Role.secretary))


@pytest.fixture
def member(session, body):
    return factories.actor(session, factories.member(session, body, Role.member))


def _parts(session, agenda):
    return [(part.position, part.kind, part.title) for part in agendas.parts_of(session, agenda.id)]


def test_first_opening_makes_the_standard_five_part_agenda(session, body, member):
    meeting = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, member, meeting_id=meeting.id)
    assert _parts(session, agenda) == [
        (1, "information", "เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ"),
        (2, "confirm_minutes", "เรื่องรับรองรายงานการประชุม"),
        (3, "follow_up", "เรื่องสืบเนื่อง"),
        (4, "consideration", "เรื่องเพื่อพิจารณา"),
        (5, "other", "เรื่องอื่น ๆ"),
    ]
    again, _ = agendas.ensure_agenda(session, member, meeting_id=meeting.id)
    assert again.id == agenda.id
    assert session.exec(select(Agenda).where(Agenda.meeting_id == meeting.id)).all() == [agenda]


def test_part_2_confirms_the_previous_minutes_and_part_3_follows_up_its_consideration_items(session, body, member):
    earlier = factories.agenda_meeting(session, body, status="closed", starts_in=timedelta(days=-30))
    factories.agenda_item(session, earlier, title="โครงการธนาคารน้ำใต้ดิน")
    factories.agenda_item(session, earlier, title="แจ้งข่าว", part_kind="information")
    meeting = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, member, meeting_id=meeting.id)
    items = agendas.items_of(session, agenda.id)
    assert [(item.kind, item.title) for item in items] == [
        ("confirm_minutes", f"รับรองรายงานการประชุม ครั้งที่ {earlier.number}/{earlier.year_be}"),
        ("follow_up", "โครงการธนาคารน้ำใต้ดิน"),
    ]
    assert items[0].minutes_of_meeting_id == earlier.id
    assert agenda.previous_meeting_id == earlier.id


def test_a_body_may_choose_the_six_part_variant_or_its_own_parts(session, body, secretary, member):
    agendas.set_agenda_template(session, secretary, body_id=body.id, variant="six_parts")
    six = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, member, meeting_id=six.id)
    assert [title for _, _, title in _parts(session, agenda)][2] == "เรื่องเสนอเพื่อทราบ"
    assert len(_parts(session, agenda)) == 6

    agendas.set_agenda_template(session, secretary, body_id=body.id, variant="custom", parts=[("information", "แจ้งเพื่อทราบ"), ("consideration", "พิจารณา"), ("other", "")])
    own = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, member, meeting_id=own.id)
    assert _parts(session, agenda) == [(1, "information", "แจ้งเพื่อทราบ"), (2, "consideration", "พิจารณา")]


def test_only_the_chair_or_secretary_edits_the_template(session, body, member):
    with pytest.raises(Forbidden):
        agendas.set_agenda_template(session, member, body_id=body.id, variant="six_parts")


def test_a_custom_template_needs_titled_parts(session, body, secretary):
    with pytest.raises(InvalidInput):
        agendas.set_agenda_template(session, secretary, body_id=body.id, variant="custom", parts=[("information", "")])


def _consideration(session, agenda):
    return next(p for p in agendas.parts_of(session, agenda.id) if p.kind == AgendaItemKind.consideration)


def test_secretary_adds_an_item_with_presenter_and_time_box(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, secretary, meeting_id=meeting.id)
    part = _consideration(session, agenda)
    item = agendas.add_item(session, secretary, meeting_id=meeting.id, version=agenda.version, part_id=part.id, title="ขออนุมัติงบประมาณ", description="**สำคัญ**", presenter_name="ผู้แทน สพจ.", time_box_minutes="20")
    assert (item.kind, item.position, item.time_box_minutes) == ("consideration", 1, 20)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.agenda.add_item")).first()


def test_a_member_cannot_edit_the_agenda(session, body, member):
    meeting = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, member, meeting_id=meeting.id)
    with pytest.raises(Forbidden):
        agendas.add_item(session, member, meeting_id=meeting.id, version=agenda.version, part_id=_consideration(session, agenda).id, title="x")


@pytest.mark.parametrize("description", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "<a href=\"https://x.org\" onclick=\"steal()\">x</a>",
])
def test_a_description_with_html_or_script_links_is_refused_and_nothing_changes(session, body, secretary, description):
    meeting = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, secretary, meeting_id=meeting.id)
    with pytest.raises(InvalidInput) as refused:
        agendas.add_item(session, secretary, meeting_id=meeting.id, version=agenda.version, part_id=_consideration(session, agenda).id, title="x", description=description)
    assert "description" in refused.value.fields
    session.expire_all()
    assert session.get(Agenda, agenda.id).version == agenda.version
    assert session.exec(select(AgendaItem).where(AgendaItem.title == "x")).all() == []


def test_presenter_must_be_a_member_of_the_body(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    outsider = factories.person(session)
    agenda, _ = agendas.ensure_agenda(session, secretary, meeting_id=meeting.id)
    with pytest.raises(InvalidInput):
        agendas.add_item(session, secretary, meeting_id=meeting.id, version=agenda.version, part_id=_consideration(session, agenda).id, title="x", presenter_id=outsider.id)


def _numbers(session, meeting, actor):
    view = overview.agenda_overview(session, actor, meeting_id=meeting.id)
    return [(line.number, line.title) for part in view.parts for line in part.items]


def test_items_move_up_and_down_within_and_between_parts(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    first = factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    agenda = agendas.agenda_of(session, meeting.id)
    agendas.move_item(session, secretary, item_id=second.id, version=agenda.version, direction="up")
    assert _numbers(session, meeting, secretary) == [("4.1", "ข"), ("4.2", "ก")]
    agendas.move_item(session, secretary, item_id=first.id, version=agenda.version, direction="down")
    assert _numbers(session, meeting, secretary) == [("4.1", "ข"), ("5.1", "ก")]
    moved = session.get(AgendaItem, first.id)
    assert moved.kind == "other"
    agendas.move_item(session, secretary, item_id=first.id, version=agenda.version, part_id=str(agendas.parts_of(session, agenda.id)[0].id), position="1")
    assert _numbers(session, meeting, secretary) == [("1.1", "ก"), ("4.1", "ข")]
    with pytest.raises(Conflict):
        agendas.move_item(session, secretary, item_id=first.id, version=agenda.version, direction="up")


def test_a_reorder_from_a_stale_page_is_refused_and_nothing_changes(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    agenda = agendas.agenda_of(session, meeting.id)
    seen = agenda.version
    agendas.move_item(session, secretary, item_id=second.id, version=seen, direction="up")
    with pytest.raises(StaleEdit) as refused:
        agendas.move_item(session, secretary, item_id=second.id, version=seen, direction="down")
    assert "meanwhile" in refused.value.message
    assert _numbers(session, meeting, secretary) == [("4.1", "ข"), ("4.2", "ก")]


def test_two_secretaries_reordering_at_once_one_wins(engine, session, body, secretary):
    """The compare-and-set on the agenda's version: two sessions read the same version."""
    from sqlmodel import Session

    other = factories.actor(session, factories.member(session, body, Role.secretary))
    meeting = factories.agenda_meeting(session, body)
    factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    version = agendas.agenda_of(session, meeting.id).version
    with Session(engine, expire_on_commit=False) as first_session, Session(engine, expire_on_commit=False) as second_session:
        agendas.agenda_of(first_session, meeting.id)
        agendas.agenda_of(second_session, meeting.id)  # both have read the same version
        agendas.move_item(first_session, secretary, item_id=second.id, version=version, direction="up")
        with pytest.raises(StaleEdit):
            agendas.move_item(second_session, other, item_id=second.id, version=version, direction="down")
    session.expire_all()
    assert _numbers(session, meeting, secretary) == [("4.1", "ข"), ("4.2", "ก")]


def test_removing_an_item_renumbers_the_rest(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    first = factories.agenda_item(session, meeting, title="ก")
    factories.agenda_item(session, meeting, title="ข")
    agenda = agendas.agenda_of(session, meeting.id)
    agendas.remove_item(session, secretary, item_id=first.id, version=agenda.version)
    assert _numbers(session, meeting, secretary) == [("4.1", "ข")]


def test_time_boxes_are_totalled_against_the_meeting_length(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)  # three hours
    factories.agenda_item(session, meeting, time_box_minutes=120)
    view = overview.agenda_overview(session, secretary, meeting_id=meeting.id)
    assert (view.total_minutes, view.meeting_minutes, view.over_time) == (120, 180, False)
    factories.agenda_item(session, meeting, time_box_minutes=90)
    view = overview.agenda_overview(session, secretary, meeting_id=meeting.id)
    assert view.over_time


def test_a_published_agenda_cannot_be_reordered_without_a_new_version(session, body, secretary):
    meeting = factories.agenda_meeting(session, body)
    factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    agenda = agendas.agenda_of(session, meeting.id)
    agenda.status = AgendaStatus.published
    session.commit()
    with pytest.raises(Conflict) as refused:
        agendas.move_item(session, secretary, item_id=second.id, version=agenda.version, direction="up")
    assert "new version" in refused.value.message
    assert _numbers(session, meeting, secretary) == [("4.1", "ก"), ("4.2", "ข")]


def test_parts_keep_their_order(session, body, member):
    meeting = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, member, meeting_id=meeting.id)
    positions = session.exec(select(AgendaPart.position).where(AgendaPart.agenda_id == agenda.id).order_by(AgendaPart.position)).all()
    assert positions == [1, 2, 3, 4, 5]


def test_two_first_openings_at_once_make_one_agenda_on_sqlite(engine, session, body, member):
    from tests.pg.test_concurrency_pg import both_reach, run_together

    meeting = factories.agenda_meeting(session, body)

    def open_agenda(own):
        return agendas.ensure_agenda(own, member, meeting_id=meeting.id)[0]

    with both_reach(engine, "INSERT INTO AGENDA "):
        results = run_together(engine, open_agenda, open_agenda)
    assert all(isinstance(result, Agenda) for result in results), results
    assert results[0].id == results[1].id
    session.expire_all()
    assert len(session.exec(select(Agenda).where(Agenda.meeting_id == meeting.id)).all()) == 1


# -- a draft meeting deleted ------------------------------------------------------------


def test_a_draft_meeting_whose_agenda_was_opened_can_still_be_deleted(session, body, member, secretary):
    from deliberation import search
    from forum import meetings
    from forum.models import Meeting

    draft = factories.agenda_meeting(session, body, status="draft")
    overview.agenda_overview(session, member, meeting_id=draft.id)  # anyone's first look makes it
    factories.agenda_item(session, draft, title="ร่างวาระพลังงานชุมชน")
    later = factories.agenda_meeting(session, body, starts_in=timedelta(days=30))
    later_agenda = agendas.agenda_of(session, later.id) or agendas.build_agenda(session, later)
    later_agenda.previous_meeting_id = draft.id
    session.commit()

    meetings.delete_meeting(session, secretary, meeting_id=draft.id, version=draft.version)

    session.expire_all()
    assert session.get(Meeting, draft.id) is None
    assert agendas.agenda_of(session, draft.id) is None
    assert session.get(Agenda, later_agenda.id).previous_meeting_id is None
    assert search.search(session, secretary, query="พลังงานชุมชน").total == 0


def test_a_draft_meeting_with_a_discussion_on_its_agenda_is_kept(session, body, member, secretary):
    from deliberation.discussion import threads
    from forum import meetings
    from forum.models import Meeting

    draft = factories.agenda_meeting(session, body, status="draft")
    item = factories.agenda_item(session, draft)
    threads.create_post(
        session, member, meeting_id=draft.id, item_id=item.id, body="เห็นด้วย", stance="for"
    )
    with pytest.raises(Conflict):
        meetings.delete_meeting(session, secretary, meeting_id=draft.id, version=draft.version)
    session.expire_all()
    assert session.get(Meeting, draft.id) is not None
    assert agendas.agenda_of(session, draft.id) is not None
