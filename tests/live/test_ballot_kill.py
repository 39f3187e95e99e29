"""Nothing acknowledged is ever lost: `wethi serve` killed with SIGKILL in the middle of a
burst of casts (60 members, each with their own API token, 16 at a time), then started
again. Every cast that got its receipt is on the bulletin exactly once; every phone that got
no answer sends the same cast again (its key) and is counted once; no one is counted twice."""

from __future__ import annotations

import asyncio
import os
import signal

import httpx
from sqlmodel import select

from forum import accounts
from forum.models import Role
from tests import factories
from tests.serving import SECRET, served_site
from voting import ballots, secrecy
from voting.ballots import OptionSpec
from voting.models import BallotMethod, BallotSealed, BallotVoter

VOTERS = 60


def test_casts_acknowledged_before_a_sigkill_are_all_counted_once():
    with served_site() as site:
        with site.session() as session:
            factories.load_reference(session)
            body = factories.body(session)
            chair = factories.actor(session, factories.member(session, body, Role.chair))
            options = [OptionSpec("ก"), OptionSpec("ข"), OptionSpec("ค")]
            ballot = ballots.create_ballot(
                session,
                chair,
                body_id=body.id,
                title="ลงคะแนนลับ",
                method=BallotMethod.approval,
                options=options,
                most=2,
            )
            ballots.open_ballot(session, chair, ballot_id=ballot.id)
            ids = [option.id for option in ballots.options_of(session, ballot.id)]
            tokens = []
            for _ in range(VOTERS):
                member = factories.member(session, body)
                tokens.append(
                    accounts.create_api_token(
                        session, accounts.actor_for(session, member), name="phone"
                    )[1]
                )
        url = f"{site.url}/api/v1/ballots/{ballot.id}/votes"
        acknowledged: dict[int, str] = {}

        async def burst(kill_after: int | None) -> None:
            async with httpx.AsyncClient(
                timeout=10, limits=httpx.Limits(max_connections=16)
            ) as client:

                async def cast(number: int) -> None:
                    if number in acknowledged:
                        return
                    choice = [ids[number % 3], ids[(number + 1) % 3]][: 1 + number % 2]
                    try:
                        answer = await client.post(
                            url,
                            json={"choice": choice, "key": f"cast-{number}"},
                            headers={"Authorization": f"Bearer {tokens[number]}"},
                        )
                    except httpx.HTTPError:
                        return  # no answer: the phone will send the same cast again
                    if answer.status_code in (200, 201):
                        acknowledged[number] = answer.json()["receipt"]
                        if kill_after is not None and len(acknowledged) == kill_after:
                            os.kill(site.server.process.pid, signal.SIGKILL)

                await asyncio.gather(*(cast(number) for number in range(VOTERS)))

        asyncio.run(burst(kill_after=VOTERS // 3))
        before_restart = dict(acknowledged)
        assert 0 < len(before_restart) < VOTERS  # killed in the middle
        site.server.process.wait(timeout=10)
        site.start()
        asyncio.run(burst(kill_after=None))  # the unanswered phones send their casts again
        assert len(acknowledged) == VOTERS
        with site.session() as session:
            voters = session.exec(
                select(BallotVoter).where(BallotVoter.ballot_id == ballot.id)
            ).all()
            sealed = session.exec(
                select(BallotSealed).where(BallotSealed.ballot_id == ballot.id)
            ).all()
            assert len(voters) == len(sealed) == VOTERS  # each once
            ballots.close_ballot(session, chair, ballot_id=ballot.id, secret_key=SECRET)
            board = ballots.bulletin(session, ballots.closed_ballot(session, ballot.id))
        assert sorted(board["receipts"]) == sorted(
            secrecy.receipt_hash(code) for code in acknowledged.values()
        )
        assert all(
            secrecy.receipt_hash(code) in board["receipts"] for code in before_restart.values()
        )
        assert ballots.verify_bulletin(board) == []
