"""A live session's JSON API, as a facilitator's own tool would use it with a personal token:
open a session, read what the hall sends through the phone pages, moderate, group into
themes, run a poll, take an idea forward, export — each answer agreeing with the console,
each refusal in Thai with nothing changed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation.sessions.models import IdeaStatus, LiveIdea, LivePromotion, LiveSession
from forum import accounts
from forum.models import Role
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
async def facilitator(as_member):
    return await as_member(Role.facilitator)


@pytest.fixture
def meeting(session, facilitator):
    return factories.meeting(session, facilitator.body)


@pytest.fixture
def token(session, facilitator) -> dict[str, str]:
    _row, secret = accounts.create_api_token(
        session, accounts.actor_for(session, facilitator.person), name="ผู้ดำเนินรายการ"
    )
    return {"Authorization": f"Bearer {secret}"}


async def call(client, token, method, url, payload=None):
    return await client.http.request(method, f"/api/v1{url}", json=payload, headers=token)


async def guest_sends(make_client, code, *texts, nickname="ป้าแดง"):
    guest = make_client()
    joined = await guest.post(f"/s/{code}/join", {"nickname": nickname, "consent": "true"})
    assert joined.status_code == 303
    for n, text in enumerate(texts):
        sent = await guest.post(f"/s/{code}/ideas", {"text": text, "key": f"apikey{n:06d}"})
        assert sent.status_code in (200, 303), sent.text[:300]
    return guest


async def test_a_facilitator_runs_a_session_end_to_end_through_the_api(
    session, facilitator, meeting, token, make_client
):
    opened = await call(facilitator, token, "POST", f"/meetings/{meeting.id}/sessions", {"prompt": "ชุมชนจะลดค่าไฟได้อย่างไร", "premoderation": True})
    assert opened.status_code == 201, opened.text
    live = opened.json()
    assert live["status"] == "open" and len(live["code"]) == 6 and live["join_url"].endswith(live["code"])
    listed = await call(facilitator, token, "GET", f"/meetings/{meeting.id}/sessions")
    assert [line["code"] for line in listed.json()] == [live["code"]]
    sid = live["id"]

    guest = await guest_sends(make_client, live["code"], "ติดโซลาร์เซลล์บนหลังคาโรงเรียน", "ใช้เตาชีวมวล")
    ideas = (await call(facilitator, token, "GET", f"/sessions/{sid}/ideas")).json()
    assert {idea["status"] for idea in ideas} == {"pending"} and {idea["author"] for idea in ideas} == {"ป้าแดง"}
    solar, stove = sorted(ideas, key=lambda idea: idea["id"])

    approved = await call(facilitator, token, "POST", f"/sessions/{sid}/ideas/{solar['id']}/moderation", {"action": "approve"})
    assert approved.status_code == 200 and approved.json()["status"] == "shown"
    phone = await guest.get(f"/s/{live['code']}")
    assert "ติดโซลาร์เซลล์บนหลังคาโรงเรียน" in phone.text  # the page agrees with the API
    edited = await call(facilitator, token, "PATCH", f"/sessions/{sid}/ideas/{solar['id']}", {"text": "ติดโซลาร์เซลล์บนหลังคาโรงเรียนประจำตำบล"})
    assert edited.json()["edited"] and edited.json()["text"].endswith("ประจำตำบล")
    await call(facilitator, token, "POST", f"/sessions/{sid}/ideas/{stove['id']}/moderation", {"action": "approve"})
    merged = await call(facilitator, token, "POST", f"/sessions/{sid}/ideas/{stove['id']}/merge", {"into_id": solar["id"]})
    assert merged.status_code == 200 and merged.json()["id"] == solar["id"]

    theme = await call(facilitator, token, "POST", f"/sessions/{sid}/themes", {"name": "พลังงานแสงอาทิตย์"})
    assert theme.status_code == 201 and theme.json()["idea_ids"] == []
    grouped = await call(facilitator, token, "PUT", f"/sessions/{sid}/ideas/{solar['id']}/theme", {"theme_id": theme.json()["id"]})
    assert grouped.json()["theme_id"] == theme.json()["id"]
    renamed = await call(facilitator, token, "PATCH", f"/sessions/{sid}/themes/{theme.json()['id']}", {"name": "โซลาร์เซลล์"})
    assert renamed.json() == {"id": theme.json()["id"], "name": "โซลาร์เซลล์", "idea_ids": [solar["id"]]}

    poll = await call(facilitator, token, "POST", f"/sessions/{sid}/polls", {"question": "ควรเริ่มที่ไหนก่อน", "options": ["โรงเรียน", "วัด"]})
    assert poll.status_code == 201 and poll.json()["status"] == "draft"
    poll_id = poll.json()["id"]
    assert (await call(facilitator, token, "POST", f"/sessions/{sid}/polls/{poll_id}/open")).json()["status"] == "open"
    school = poll.json()["options"][0]["id"]
    answered = await guest.post(f"/s/{live['code']}/polls/{poll_id}/answer", {"option": str(school)})
    assert answered.status_code in (200, 303), answered.text[:300]
    closed = (await call(facilitator, token, "POST", f"/sessions/{sid}/polls/{poll_id}/close")).json()
    assert closed["status"] == "closed" and closed["respondents"] == 1 and closed["options"][0]["votes"] == 1

    body = {"idea_id": solar["id"], "title": "โครงการโซลาร์เซลล์โรงเรียน", "target": "proposal_draft"}
    promoted = await call(facilitator, token, "POST", f"/sessions/{sid}/promotions", body)
    assert promoted.status_code == 201 and promoted.json()["ideas"][0]["id"] == solar["id"]
    again = await call(facilitator, token, "POST", f"/sessions/{sid}/promotions", body)
    assert again.status_code == 200 and again.json()["id"] == promoted.json()["id"]
    assert len(session.exec(select(LivePromotion)).all()) == 1

    export = (await call(facilitator, token, "GET", f"/sessions/{sid}/export")).json()
    assert export["session"]["participants"] == 1 and export["session"]["ideas"] == 1
    assert {idea["status"] for idea in export["ideas"]} == {"shown", "merged"}
    assert export["themes"][0]["name"] == "โซลาร์เซลล์" and export["polls"][0]["respondents"] == 1
    assert export["promotions"][0]["title"] == "โครงการโซลาร์เซลล์โรงเรียน"
    console = await facilitator.get(f"/sessions/{sid}/console")
    assert "โซลาร์เซลล์" in console.text and "ประจำตำบล" in console.text

    version = export["session"]["version"]
    ended = await call(facilitator, token, "POST", f"/sessions/{sid}/status", {"to": "close", "version": version})
    assert ended.status_code == 200 and ended.json()["status"] == "closed" and ended.json()["closed_at"]
    late = await call(facilitator, token, "POST", f"/sessions/{sid}/ideas/{solar['id']}/moderation", {"action": "hide"})
    assert late.status_code == 409 and "ปิด" in late.json()["message"]


async def test_hiding_through_the_api_takes_the_idea_off_the_phones(session, facilitator, meeting, token, make_client):
    opened = (await call(facilitator, token, "POST", f"/meetings/{meeting.id}/sessions", {"prompt": "คำถาม"})).json()
    guest = await guest_sends(make_client, opened["code"], "ข้อความที่ไม่ควรอยู่")
    [idea] = (await call(facilitator, token, "GET", f"/sessions/{opened['id']}/ideas")).json()
    hidden = await call(facilitator, token, "POST", f"/sessions/{opened['id']}/ideas/{idea['id']}/moderation", {"action": "hide"})
    assert hidden.json()["status"] == "hidden"
    assert "ข้อความที่ไม่ควรอยู่" not in (await guest.get(f"/s/{opened['code']}")).text


async def test_bad_input_is_refused_in_thai_and_changes_nothing(session, facilitator, meeting, token, make_client):
    opened = (await call(facilitator, token, "POST", f"/meetings/{meeting.id}/sessions", {"prompt": "คำถาม"})).json()
    await guest_sends(make_client, opened["code"], "ความคิดแรก")
    [idea] = (await call(facilitator, token, "GET", f"/sessions/{opened['id']}/ideas")).json()
    sid = opened["id"]
    blank = await call(facilitator, token, "POST", f"/meetings/{meeting.id}/sessions", {"prompt": "   "})
    assert blank.status_code == 422 and blank.json()["fields"]["prompt"]
    same = await call(facilitator, token, "POST", f"/sessions/{sid}/polls", {"question": "เลือก", "options": ["ก", "ก"]})
    assert same.status_code == 422 and "ซ้ำ" in same.json()["fields"]["options"]
    stale = await call(facilitator, token, "PATCH", f"/sessions/{sid}", {"premoderation": True, "idea_limit": 300, "version": 0})
    assert stale.status_code == 409
    elsewhere = factories.meeting(session, factories.body(session))
    other = (await call(facilitator, token, "POST", f"/meetings/{elsewhere.id}/sessions", {"prompt": "x"}))
    assert other.status_code == 403
    unknown = await call(facilitator, token, "POST", f"/sessions/{sid}/ideas/{idea['id']}/merge", {"into_id": 999_999})
    assert unknown.status_code == 404 and "ไม่มีความคิดเห็นนี้" in unknown.json()["message"]
    session.expire_all()
    live = session.get(LiveSession, sid)
    assert not live.premoderation and live.idea_limit == 280 and len(session.exec(select(LiveSession)).all()) == 1
    assert session.exec(select(LiveIdea)).one().status == IdeaStatus.shown


async def test_a_member_who_does_not_run_sessions_is_refused(session, facilitator, meeting, token, as_member):
    opened = (await call(facilitator, token, "POST", f"/meetings/{meeting.id}/sessions", {"prompt": "คำถาม"})).json()
    member = await as_member(Role.member, body=facilitator.body)
    _row, secret = accounts.create_api_token(session, accounts.actor_for(session, member.person), name="m")
    refused = await call(member, {"Authorization": f"Bearer {secret}"}, "GET", f"/sessions/{opened['id']}/export")
    assert refused.status_code == 403 and refused.json()["message"]


async def test_a_member_takes_part_through_the_api_as_on_the_phone_page(session, facilitator, meeting, token, as_member, make_client):
    opened = (await call(facilitator, token, "POST", f"/meetings/{meeting.id}/sessions", {"prompt": "ลดค่าไฟอย่างไร"})).json()
    code, sid = opened["code"], opened["id"]
    await guest_sends(make_client, code, "ติดโซลาร์เซลล์ที่วัด")
    member = await as_member(Role.member, body=facilitator.body)
    _row, secret = accounts.create_api_token(session, accounts.actor_for(session, member.person), name="แอป")
    mine = {"Authorization": f"Bearer {secret}"}
    early = await call(member, mine, "POST", f"/live/{code}/ideas", {"text": "ก่อนเข้าร่วม", "key": "early-key-0001"})
    assert early.status_code == 409 and early.json()["message"]
    refused = await call(member, mine, "POST", f"/live/{code}/join", {"consent": False})
    assert refused.status_code == 422
    joined = await call(member, mine, "POST", f"/live/{code}/join", {"consent": True, "nickname": "พี่ใหญ่"})
    assert joined.status_code == 200 and joined.json()["nickname"] == "พี่ใหญ่"
    [theirs] = joined.json()["ideas"]
    assert theirs["text"] == "ติดโซลาร์เซลล์ที่วัด" and theirs["author"] == "ป้าแดง"
    sent = await call(member, mine, "POST", f"/live/{code}/ideas", {"text": "ใช้เตาชีวมวลประหยัดฟืน", "key": "member-key-0001"})
    assert sent.status_code == 201
    again = await call(member, mine, "POST", f"/live/{code}/ideas", {"text": "ใช้เตาชีวมวลประหยัดฟืน", "key": "member-key-0001"})
    assert len(again.json()["ideas"]) == 2  # the same key: the same idea
    voted = (await call(member, mine, "PUT", f"/live/{code}/ideas/{theirs['id']}/vote")).json()
    assert voted["voted_idea_ids"] == [theirs["id"]]
    assert next(idea for idea in voted["ideas"] if idea["id"] == theirs["id"])["votes"] == 1
    unvoted = (await call(member, mine, "DELETE", f"/live/{code}/ideas/{theirs['id']}/vote")).json()
    assert unvoted["voted_idea_ids"] == []
    poll = (await call(facilitator, token, "POST", f"/sessions/{sid}/polls", {"question": "เริ่มที่ไหน", "options": ["วัด", "โรงเรียน"]})).json()
    await call(facilitator, token, "POST", f"/sessions/{sid}/polls/{poll['id']}/open")
    temple = poll["options"][0]["id"]
    answered = (await call(member, mine, "PUT", f"/live/{code}/polls/{poll['id']}/answer", {"option_ids": [temple]})).json()
    assert answered["poll"]["id"] == poll["id"] and answered["chosen_option_ids"] == [temple]
    facilitated = (await call(facilitator, token, "GET", f"/sessions/{sid}/ideas")).json()
    assert {idea["author"] for idea in facilitated} == {"ป้าแดง", "พี่ใหญ่"}
    assert "ใช้เตาชีวมวลประหยัดฟืน" in (await facilitator.get(f"/sessions/{sid}/console")).text
    closed = await call(facilitator, token, "POST", f"/sessions/{sid}/polls/{poll['id']}/close")
    late = await call(member, mine, "PUT", f"/live/{code}/polls/{poll['id']}/answer", {"option_ids": [temple]})
    assert closed.status_code == 200 and late.status_code == 409 and "ปิด" in late.json()["message"]
    unknown = await call(member, mine, "GET", "/live/000000")
    assert unknown.status_code == 404 and unknown.json()["fields"]["code"]  # no such session


async def test_joining_through_the_api_keeps_the_members_phone_joined(session, facilitator, meeting, token, as_member):
    opened = (await call(facilitator, token, "POST", f"/meetings/{meeting.id}/sessions", {"prompt": "คำถาม"})).json()
    member = await as_member(Role.member, body=facilitator.body)
    on_phone = await member.post(f"/s/{opened['code']}/join", {"nickname": "พี่ใหญ่", "consent": "true"})
    assert on_phone.status_code == 303
    _row, secret = accounts.create_api_token(session, accounts.actor_for(session, member.person), name="แอป")
    joined = await call(member, {"Authorization": f"Bearer {secret}"}, "POST", f"/live/{opened['code']}/join", {"consent": True})
    assert joined.status_code == 200 and joined.json()["nickname"] == "พี่ใหญ่"  # the same participant
    sent = await member.post(f"/s/{opened['code']}/ideas", {"text": "จากโทรศัพท์", "key": "phone-key-0001"})
    assert sent.status_code == 303 and sent.headers["location"] == f"/s/{opened['code']}"
    assert "จากโทรศัพท์" in str([idea["text"] for idea in (await call(facilitator, token, "GET", f"/sessions/{opened['id']}/ideas")).json()])
