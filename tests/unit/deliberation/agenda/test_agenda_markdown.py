"""Agenda descriptions: a safe subset of Markdown, no raw HTML ever."""

from __future__ import annotations

import re

import pytest

from deliberation.agenda import agendas
from deliberation.agenda.models import AgendaItemKind
from deliberation.markdown import render_markdown
from forum.errors import InvalidInput
from forum.models import Role
from tests import factories


def test_the_subset_renders():
    html = str(render_markdown("**หนา** *เอียง*\nบรรทัดใหม่\n\n- หนึ่ง\n- สอง\n\n[สพจ.](https://energy.go.th)"))
    assert "<strong>หนา</strong>" in html and "<em>เอียง</em>" in html and "<br" in html
    assert "<ul>" in html and '<a href="https://energy.go.th" rel="nofollow noopener noreferrer">' in html


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "<javascript:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '[x](https://a.org "t" onmouseover="x")',
    "![x](https://a.org/x.png)",
])
def test_script_event_handlers_and_unsafe_links_never_become_markup(text):
    html = str(render_markdown(text))
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html.lower() and 'href="data' not in html
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", html)  # no event handler on any element


def test_an_agenda_description_with_an_event_handler_is_refused(session):
    # An unclosed tag is no HTML tag, but its handler is refused (as in posts: one check_markup).
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    meeting = factories.agenda_meeting(session, body)
    agenda, _ = agendas.ensure_agenda(session, secretary, meeting_id=meeting.id)
    part = next(p for p in agendas.parts_of(session, agenda.id) if p.kind == AgendaItemKind.consideration)
    with pytest.raises(InvalidInput) as refused:
        agendas.add_item(session, secretary, meeting_id=meeting.id, version=agenda.version, part_id=part.id, title="x", description='<img src=x onerror="alert(1)"')
    assert "description" in refused.value.fields
