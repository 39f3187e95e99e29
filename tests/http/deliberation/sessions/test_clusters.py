"""A live session's themes over HTTP: the console's panel with drag-and-drop hooks and its
no-JS forms, making and moving themes, suggestions accepted with an edited name or ignored,
bad input answered 422 in Thai with nothing changed, only the facilitator allowed; the word
cloud on the console and on the projector (which fetches it itself)."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import func, select

from deliberation.sessions import clusters, ideas, sessions
from deliberation.sessions.models import LiveCluster, LiveIdea, LiveSession, LiveSessionStatus
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories
from tests.unit.deliberation.sessions.energy_ideas import ALL

pytestmark = pytest.mark.anyio
_keys = itertools.count(1)


def count(session, model=LiveCluster) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
async def facilitator(as_member):
    return await as_member(Role.facilitator)


@pytest.fixture
def live(session, facilitator):
    meeting = factories.meeting(session, facilitator.body)
    actor = factories.actor(session, facilitator.person)
    return sessions.open_session(session, actor, meeting_id=meeting.id, prompt="ชุมชนจะใช้พลังงานอย่างไร")


@pytest.fixture
def made(session, live):
    result = []
    for n, (_subject, text) in enumerate(ALL):
        if n % 5 == 0:
            guest = sessions.join_session(session, ANONYMOUS, code=live.code, nickname=f"คนที่ {n}", consent=True)[0]
        result.append(ideas.submit_idea(session, guest, text=text, key=f"key-{next(_keys):08d}")[0])
    return result


async def test_the_console_shows_the_themes_panel_and_the_word_cloud(facilitator, live, made):
    page = await facilitator.get(f"/sessions/{live.id}/console")
    assert page.status_code == 200
    assert 'id="clusters"' in page.text and "ประเด็น" in page.text
    assert f'action="/sessions/{live.id}/clusters"' in page.text
    assert f'id="theme-move-{made[0].id}"' in page.text and 'draggable="true"' in page.text
    assert 'data-theme-drop=""' in page.text and "/static/js/session-clusters.js" in page.text
    assert 'class="wordcloud"' in page.text and "wordcloud-w5" in page.text
    assert page.text.count('id="clusters"') == 1


async def test_the_facilitator_makes_a_theme_and_drops_an_idea_on_it(session, facilitator, live, made):
    response = await facilitator.post(f"/sessions/{live.id}/clusters", {"name": "โซลาร์เซลล์"}, htmx=True)
    assert response.status_code == 200 and response.text.lstrip().startswith('<section id="clusters"')
    theme = session.exec(select(LiveCluster)).one()
    assert f'id="cluster-{theme.id}"' in response.text and f'href="/sessions/{live.id}/promote?cluster={theme.id}"' in response.text
    response = await facilitator.post(f"/sessions/{live.id}/clusters/assign", {"idea_id": made[0].id, "cluster_id": theme.id}, htmx=True)
    assert response.status_code == 200
    session.expire_all()
    assert session.get(LiveIdea, made[0].id).cluster_id == theme.id
    # without JavaScript: a plain form, answered with the themes page
    response = await facilitator.post(f"/sessions/{live.id}/clusters/{theme.id}/rename", {"name": "โซลาร์เซลล์ในโรงเรียน"})
    assert response.status_code == 303 and response.headers["location"] == f"/sessions/{live.id}/clusters"
    page = await facilitator.get(response.headers["location"])
    assert page.status_code == 200 and "<html" in page.text and "โซลาร์เซลล์ในโรงเรียน" in page.text
    response = await facilitator.post(f"/sessions/{live.id}/clusters/{theme.id}/delete", {})
    assert response.status_code == 303 and count(session) == 0
    session.expire_all()
    assert session.get(LiveIdea, made[0].id).cluster_id is None


@pytest.mark.parametrize(("data", "thai"), [({"name": ""}, "กรุณาระบุชื่อประเด็น"), ({"name": "ก" * 121}, "ไม่เกิน 120")])
async def test_a_bad_name_is_explained_in_thai_and_changes_nothing(session, facilitator, live, data, thai):
    for htmx in (True, False):
        response = await facilitator.post(f"/sessions/{live.id}/clusters", data, htmx=htmx)
        assert response.status_code == 422 and thai in response.text
        assert 'aria-invalid="true"' in response.text
    assert count(session) == 0


async def test_an_idea_or_theme_of_another_session_is_refused(session, facilitator, live, made):
    actor = factories.actor(session, facilitator.person)
    other = sessions.open_session(session, actor, meeting_id=live.meeting_id, prompt="อีกเวที")
    foreign = clusters.create_cluster(session, actor, session_id=other.id, name="ของเวทีอื่น")
    response = await facilitator.post(f"/sessions/{live.id}/clusters/assign", {"idea_id": made[0].id, "cluster_id": foreign.id}, htmx=True)
    assert response.status_code == 422 and "กรุณาเลือกประเด็นของเวทีนี้" in response.text
    response = await facilitator.post(f"/sessions/{other.id}/clusters/assign", {"idea_id": made[0].id, "cluster_id": foreign.id}, htmx=True)
    assert response.status_code == 422 and "กรุณาเลือกความคิดเห็นของเวทีนี้" in response.text
    response = await facilitator.post(f"/sessions/{live.id}/clusters/{foreign.id}/rename", {"name": "แอบเปลี่ยน"})
    assert response.status_code == 422
    session.expire_all()
    assert session.get(LiveCluster, foreign.id).name == "ของเวทีอื่น" and session.get(LiveIdea, made[0].id).cluster_id is None


async def test_suggestions_are_shown_on_request_accepted_with_a_new_name_or_ignored(session, facilitator, live, made):
    panel = await facilitator.get(f"/sessions/{live.id}/clusters?suggest=1", htmx=True)
    assert panel.status_code == 200 and "<html" not in panel.text
    found = clusters.suggestions_for(session, live.id)
    assert len(found) >= 4 and found[0].name in panel.text
    assert f'name="ideas" value="{found[0].key}"' in panel.text
    response = await facilitator.post(
        f"/sessions/{live.id}/clusters/accept",
        {"name": "โซลาร์เซลล์ในโรงเรียน", "ideas": found[0].key, "suggest": "1", "ignored": found[1].key},
        htmx=True,
    )
    assert response.status_code == 200
    theme = session.exec(select(LiveCluster)).one()
    assert theme.name == "โซลาร์เซลล์ในโรงเรียน"
    assert set(clusters.cluster_names(session, live.id)) == {card.id for card in found[0].ideas}
    assert f'name="ideas" value="{found[1].key}"' not in response.text  # ignored
    assert f'name="ideas" value="{found[2].key}"' in response.text  # the rest still offered
    response = await facilitator.post(f"/sessions/{live.id}/clusters/accept", {"name": "ซ้ำ", "ideas": found[0].key, "suggest": "1"})
    assert response.status_code == 422 and "กรุณาให้ระบบเสนอประเด็นอีกครั้ง" in response.text
    assert count(session) == 1


@pytest.mark.parametrize("who", ["member", "participant", "anonymous"])
async def test_only_the_facilitator_manages_themes(session, make_client, as_member, facilitator, live, made, who):
    if who == "member":
        client = await as_member(Role.member, body=facilitator.body)
    else:
        client = make_client()
        if who == "participant":
            joined = await client.post(f"/s/{live.code}/join", {"nickname": "ป้าแดง", "consent": "true"})
            assert joined.status_code == 303
    theme = clusters.create_cluster(session, factories.actor(session, facilitator.person), session_id=live.id, name="เดิม")
    attempts = [
        client.post(f"/sessions/{live.id}/clusters", {"name": "แอบสร้าง"}),
        client.post(f"/sessions/{live.id}/clusters/assign", {"idea_id": made[0].id, "cluster_id": theme.id}),
        client.post(f"/sessions/{live.id}/clusters/{theme.id}/delete", {}),
        client.get(f"/sessions/{live.id}/clusters?suggest=1"),
        client.get(f"/sessions/{live.id}/wordcloud", htmx=True),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code in (401, 403, 303), response.status_code
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login")
    assert count(session) == 1 and session.get(LiveIdea, made[0].id).cluster_id is None


async def test_a_closed_session_shows_its_themes_read_only(session, facilitator, live, made):
    actor = factories.actor(session, facilitator.person)
    theme = clusters.create_cluster(session, actor, session_id=live.id, name="เก็บไว้")
    clusters.assign_idea(session, actor, session_id=live.id, idea_id=made[0].id, cluster_id=theme.id)
    row = session.get(LiveSession, live.id)
    row.status = LiveSessionStatus.closed
    session.add(row)
    session.commit()
    page = await facilitator.get(f"/sessions/{live.id}/console")
    assert "เก็บไว้" in page.text and "เวทีนี้ปิดแล้ว" in page.text
    assert f'action="/sessions/{live.id}/clusters"' not in page.text and 'draggable="true"' not in page.text
    response = await facilitator.post(f"/sessions/{live.id}/clusters", {"name": "ใหม่"})
    assert response.status_code == 409 and count(session) == 1


async def test_the_projector_word_cloud_refreshes_itself(facilitator, live, made):
    page = await facilitator.get(f"/sessions/{live.id}/projector")
    assert page.status_code == 200 and page.text.count('id="projector_wordcloud"') == 1
    assert f'hx-get="/sessions/{live.id}/wordcloud"' in page.text and 'hx-trigger="every 10s"' in page.text
    fragment = await facilitator.get(f"/sessions/{live.id}/wordcloud", htmx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="projector_wordcloud"') and "ไมโครกริด" in fragment.text
    whole = await facilitator.get(f"/sessions/{live.id}/wordcloud")
    assert whole.status_code == 200 and "<html" in whole.text
