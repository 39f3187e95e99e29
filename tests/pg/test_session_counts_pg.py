"""A vote count in a live frame is read as the frame is numbered (forum.live.Render, through
Hub.publish_state), so on PostgreSQL with several workers the last frame of a channel says
the last count, whichever worker's vote committed first."""

from __future__ import annotations

import re
import threading

from sqlmodel import Session

from deliberation.sessions import ideas, sessions
from deliberation.sessions import live as sessions_live
from forum import live
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories


def test_the_last_frame_says_the_last_count(engine):
    store = live.FrameStore(engine)  # stored frames are what every worker replays
    hubs = {"worker-a": live.Hub(store), "worker-b": live.Hub(store)}  # two workers' hubs
    with Session(engine, expire_on_commit=False) as session:
        body = factories.body(session)
        facilitator = factories.actor(session, factories.member(session, body, Role.facilitator))
        meeting = factories.meeting(session, body)
        live_session = sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="คำถาม")
        author, _ = sessions.join_session(session, ANONYMOUS, code=live_session.code, nickname="ก", consent=True)
        idea, _ = ideas.submit_idea(session, author, text="ไอเดีย", key="count-key-0001")
        voters = [
            sessions.join_session(session, ANONYMOUS, code=live_session.code, nickname=f"ผู้ลงคะแนน{n}", consent=True)[0]
            for n in range(2)
        ]
    # Worker A's vote commits first; its frame is made, then held back at the publish
    # while worker B votes and publishes: A's frame is numbered last. Its count must be B's.
    a_ready, b_published = threading.Event(), threading.Event()
    real_publish = hubs["worker-a"].publish

    def publish(channel, html, **options):
        a_ready.set()
        b_published.wait(10)
        return real_publish(channel, html, **options)

    hubs["worker-a"].publish = publish

    def worker(voter) -> None:
        name = threading.current_thread().name
        with Session(engine, expire_on_commit=False) as own:
            if name == "worker-b":
                a_ready.wait(10)
            ideas.vote_idea(own, voter, idea_id=idea.id)
            sessions_live.session_changed(hubs[name], own, live_session, votes=[idea.id])
            if name == "worker-b":
                b_published.set()

    threads = [threading.Thread(target=worker, args=(voter,), name=name) for name, voter in zip(("worker-a", "worker-b"), voters, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    frames = store.after(sessions_live.channel(live_session.code), 0)
    counts = [re.search(rf'id="live-votes"[^>]*value="(?:[^"]* )?{idea.id}:(\d+)', frame.html).group(1) for frame in frames]
    assert counts == ["2", "2"]  # B's frame, then A's: read when numbered, not when made
