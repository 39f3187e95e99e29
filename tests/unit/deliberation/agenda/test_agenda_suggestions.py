"""Members suggest items while the agenda is open; the chair or secretary answers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation.agenda import agendas, overview, suggestions
from deliberation.agenda.models import AgendaItem, AgendaSuggestion, SuggestionSupport
from forum.errors import Conflict, Forbidden, InvalidInput
from forum.models import Role
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


@pytest.fixture
def colleague(session, body):
    return factories.actor(session, factories.member(session, body, Role.member))


@pytest.fixture
def meeting(session, body):
    return factories.agenda_meeting(session, body)


def _suggest(session, actor, meeting):
    return suggestions.suggest_item(session, actor, meeting_id=meeting.id, title="ติดตั้งโซลาร์เซลล์ที่ศูนย์เรียนรู้", rationale="ลดค่าไฟฟ้าของชุมชน")


def test_a_member_suggests_an_item_with_a_rationale(session, member, meeting):
    suggestion = _suggest(session, member, meeting)
    assert (suggestion.status, suggestion.rationale) == ("pending", "ลดค่าไฟฟ้าของชุมชน")


def test_a_non_member_cannot_suggest(session, meeting):
    outsider = factories.actor(session, factories.person(session))
    with pytest.raises(Forbidden) as refused:
        _suggest(session, outsider, meeting)
    assert "Only members" in refused.value.message
    assert session.exec(select(AgendaSuggestion)).all() == []


@pytest.mark.parametrize("status", ["draft", "agenda_published", "closed"])
def test_suggesting_to_a_closed_agenda_is_refused(session, body, member, status):
    meeting = factories.agenda_meeting(session, body, status=status)
    with pytest.raises(Conflict) as refused:
        _suggest(session, member, meeting)
    assert refused.value.message == suggestions.NOT_OPEN
    assert session.exec(select(AgendaSuggestion)).all() == []


def test_an_empty_title_is_refused(session, member, meeting):
    with pytest.raises(InvalidInput) as refused:
        suggestions.suggest_item(session, member, meeting_id=meeting.id, title="  ")
    assert "title" in refused.value.fields


def test_members_support_once_and_may_withdraw(session, member, colleague, meeting):
    suggestion = _suggest(session, member, meeting)
    suggestions.support_suggestion(session, colleague, suggestion_id=suggestion.id)
    with pytest.raises(Conflict):
        suggestions.support_suggestion(session, colleague, suggestion_id=suggestion.id)
    view = overview.agenda_overview(session, colleague, meeting_id=meeting.id)
    assert (view.suggestions[0].supporters, view.suggestions[0].supported_by_me) == (1, True)
    suggestions.support_suggestion(session, colleague, suggestion_id=suggestion.id, support=False)
    assert session.exec(select(SuggestionSupport)).all() == []
    with pytest.raises(Conflict):
        suggestions.support_suggestion(session, colleague, suggestion_id=suggestion.id, support=False)


def test_one_cannot_support_ones_own_suggestion(session, member, meeting):
    suggestion = _suggest(session, member, meeting)
    with pytest.raises(Conflict):
        suggestions.support_suggestion(session, member, suggestion_id=suggestion.id)


def test_accepting_puts_it_in_the_chosen_part_and_position(session, secretary, member, meeting):
    factories.agenda_item(session, meeting, title="เดิม")
    suggestion = _suggest(session, member, meeting)
    agenda = agendas.agenda_of(session, meeting.id)
    part = next(p for p in agendas.parts_of(session, agenda.id) if p.kind == "consideration")
    suggestions.answer_suggestion(session, secretary, suggestion_id=suggestion.id, answer="accept", version=agenda.version, part_id=str(part.id), position="1")
    items = agendas.items_of(session, agenda.id)
    assert [(i.title, i.position) for i in items if i.part_id == part.id] == [("ติดตั้งโซลาร์เซลล์ที่ศูนย์เรียนรู้", 1), ("เดิม", 2)]
    assert session.get(AgendaSuggestion, suggestion.id).status == "accepted"


def test_accepting_twice_is_refused_and_adds_nothing(session, secretary, member, meeting):
    suggestion = _suggest(session, member, meeting)
    agenda = agendas.agenda_of(session, meeting.id)
    part = agendas.parts_of(session, agenda.id)[3]
    suggestions.answer_suggestion(session, secretary, suggestion_id=suggestion.id, answer="accept", version=agenda.version, part_id=part.id)
    with pytest.raises(Conflict) as refused:
        suggestions.answer_suggestion(session, secretary, suggestion_id=suggestion.id, answer="accept", version=agenda.version, part_id=part.id)
    assert refused.value.message == suggestions.ANSWERED
    assert len(session.exec(select(AgendaItem)).all()) == 1


def test_merging_links_it_to_an_existing_item(session, secretary, member, meeting):
    item = factories.agenda_item(session, meeting)
    suggestion = _suggest(session, member, meeting)
    suggestions.answer_suggestion(session, secretary, suggestion_id=suggestion.id, answer="merge", item_id=str(item.id))
    view = overview.agenda_overview(session, member, meeting_id=meeting.id)
    assert (view.suggestions[0].status, view.suggestions[0].item_number) == ("merged", "4.1")


def test_declining_needs_a_reason_the_suggester_sees(session, secretary, member, meeting):
    suggestion = _suggest(session, member, meeting)
    with pytest.raises(InvalidInput):
        suggestions.answer_suggestion(session, secretary, suggestion_id=suggestion.id, answer="decline", reason=" ")
    suggestions.answer_suggestion(session, secretary, suggestion_id=suggestion.id, answer="decline", reason="อยู่นอกขอบเขตของคณะทำงาน")
    view = overview.agenda_overview(session, member, meeting_id=meeting.id)
    assert (view.suggestions[0].status, view.suggestions[0].answer_reason, view.suggestions[0].mine) == ("declined", "อยู่นอกขอบเขตของคณะทำงาน", True)


def test_a_member_cannot_answer(session, member, colleague, meeting):
    suggestion = _suggest(session, member, meeting)
    with pytest.raises(Forbidden):
        suggestions.answer_suggestion(session, colleague, suggestion_id=suggestion.id, answer="decline", reason="ไม่")
