"""Agenda.revision is moved by the database itself on every change to what the agenda
pages show, whoever writes it (deliberation.models.AGENDA_REVISION_DDL): the pages keep
what they render under it (deliberation.agenda.overview.agenda_contents, forum.fragments)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation.agenda import overview
from deliberation.agenda.models import Agenda, AgendaDocument, AgendaSuggestion, SuggestionSupport
from deliberation.discussion.models import Post
from forum.models import Membership, Person, Role
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def member(session, body):
    return factories.member(session, body, Role.member)


@pytest.fixture
def meeting(session, body):
    return factories.agenda_meeting(session, body)


@pytest.fixture
def item(session, meeting):
    return factories.agenda_item(session, meeting)


def revision(session, meeting) -> int:
    session.expire_all()
    return session.exec(select(Agenda.revision).where(Agenda.meeting_id == meeting.id)).one()


def moves(session, meeting, change) -> bool:
    before = revision(session, meeting)
    change()
    session.commit()
    return revision(session, meeting) > before


def test_every_change_shown_on_the_agenda_moves_its_revision(session, body, member, meeting, item):
    other_body = factories.body(session)
    stranger = factories.member(session, other_body, Role.member)

    def edit_item():
        item.title = "ขออนุมัติโครงการโซลาร์เซลล์ (แก้ไข)"
        session.add(item)

    def attach():
        session.add(
            AgendaDocument(
                item_id=item.id,
                filename="แผน.pdf",
                stored_name="x" * 40,
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
            )
        )

    def suggest():
        session.add(AgendaSuggestion(agenda_id=item.agenda_id, suggested_by=member.id, title="เรื่องใหม่"))

    def support():
        suggestion = session.exec(select(AgendaSuggestion)).first()
        session.add(SuggestionSupport(suggestion_id=suggestion.id, person_id=member.id))

    def hide_post():
        post = session.exec(select(Post)).first()
        post.hidden_reason = "ไม่สุภาพ"
        session.add(post)

    def rename(person):
        def change():
            person.display_name = person.display_name + " (เปลี่ยนชื่อ)"
            session.add(person)

        return change

    assert moves(session, meeting, edit_item)
    assert moves(session, meeting, lambda: factories.agenda_item(session, meeting, title="เรื่องที่สอง"))
    assert moves(session, meeting, attach)
    assert moves(session, meeting, suggest)
    assert moves(session, meeting, support)
    assert moves(session, meeting, lambda: factories.post(session, item, member))
    assert moves(session, meeting, hide_post)
    assert moves(session, meeting, rename(member))  # a member's name is shown
    assert moves(session, meeting, lambda: factories.member(session, body, Role.member))
    # what this agenda never shows moves nothing
    assert not moves(session, meeting, rename(stranger))
    assert not moves(session, meeting, lambda: factories.agenda_meeting(session, other_body))


def test_a_name_shown_by_a_former_member_still_moves_it(session, body, member, meeting, item):
    factories.post(session, item, member)
    membership = session.exec(select(Membership).where(Membership.person_id == member.id)).one()
    assert moves(session, meeting, lambda: session.delete(membership))
    person = session.get(Person, member.id)

    def rename():
        person.display_name = "ชื่อใหม่"
        session.add(person)

    assert moves(session, meeting, rename)  # their post still names them


def test_the_contents_are_built_once_per_revision(session, body, member, meeting, item):
    actor = factories.actor(session, member)
    first = overview.agenda_overview(session, actor, meeting_id=meeting.id)
    again = overview.agenda_overview(session, actor, meeting_id=meeting.id)
    assert again.parts is first.parts  # the same revision: kept
    factories.post(session, item, member)
    fresh = overview.agenda_overview(session, actor, meeting_id=meeting.id)
    assert fresh.parts is not first.parts
    assert fresh.posts[item.id] and not first.posts.get(item.id)
