"""/me/export.json holds the person's deliberation posts (deliberation.privacy's hook)."""

from __future__ import annotations

import json

import pytest

from forum.models import Role
from tests import factories

pytestmark = pytest.mark.anyio


async def test_my_export_holds_a_post_written_through_the_page(session, as_member):
    member = await as_member(Role.member)
    meeting = factories.agenda_meeting(session, member.body, status="agenda_published")
    item = factories.agenda_item(session, meeting)
    response = await member.post(
        f"/meetings/{meeting.id}/agenda/items/{item.id}/posts",
        {"stance": "against", "body": "ค่าใช้จ่ายสูงเกินไปสำหรับหมู่บ้าน"},
    )
    assert response.status_code == 303
    exported = await member.get("/me/export.json")
    assert exported.status_code == 200
    [post] = json.loads(exported.text)["deliberation_posts"]
    assert (post["body"], post["stance"], post["item_id"], post["meeting_id"]) == (
        "ค่าใช้จ่ายสูงเกินไปสำหรับหมู่บ้าน",
        "against",
        item.id,
        meeting.id,
    )
    assert "body_html" not in post
