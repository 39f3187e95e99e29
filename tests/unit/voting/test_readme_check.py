"""The README's 30-line bulletin check, run as a third party would (no Wethi code), on a
bulletin of each method: it passes on the real bulletin and fails on a tampered one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from forum.models import Role
from tests import factories
from voting import ballots
from voting.ballots import OptionSpec
from voting.models import Ballot, BallotMethod, RankedRule

README = Path(__file__).resolve().parents[3] / "README.md"
KEY = "k" * 48


def _script() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- bulletin-check.*?-->\n```python\n(.*?)```", text, re.S)
    assert block, "the README shows the bulletin check"
    assert len(block.group(1).splitlines()) <= 30
    return block.group(1)


CASES = [
    (BallotMethod.motion, {}, ["yes", "no", "yes", "abstain"]),
    (BallotMethod.approval, {"most": 2}, [[0], [0, 1], [2], [1]]),
    (BallotMethod.score, {}, [{0: 5, 1: 2}, {1: 4}, {2: 1}, {0: 3}]),
    (BallotMethod.dots, {"dots": 3}, [{0: 3}, {1: 2, 2: 1}, {0: 1}, {2: 2}]),
    (BallotMethod.budget, {"budget_satang": 100_000_00}, [[0], [0, 2], [1], [2]]),
    (BallotMethod.ranked, {}, [[0, 1, 2], [1, 0], [2], [0, 2]]),
    (
        BallotMethod.ranked,
        {"ranked_rule": RankedRule.instant_runoff},
        [[0, 1, 2], [1, 0], [2], [0, 2]],
    ),
]


@pytest.mark.parametrize(("method", "settings", "votes"), CASES)
def test_the_readme_script_checks_a_real_bulletin_and_catches_a_change(
    session, tmp_path, method, settings, votes
):
    body = factories.body(session)
    chair = factories.actor(session, factories.member(session, body, Role.chair))
    options = [OptionSpec("ก", 60_000_00), OptionSpec("ข", 50_000_00), OptionSpec("ค", 30_000_00)]
    ballot = ballots.create_ballot(
        session, chair, body_id=body.id, title="ทดสอบ", method=method, options=options, **settings
    )
    ballots.open_ballot(session, chair, ballot_id=ballot.id)
    ids = [option.id for option in ballots.options_of(session, ballot.id)]

    def real(choice):
        if isinstance(choice, list):
            return [ids[i] for i in choice]
        if isinstance(choice, dict):
            return {ids[i]: n for i, n in choice.items()}
        return choice

    for number, choice in enumerate(votes):
        voter = factories.actor(session, factories.member(session, body))
        ballots.cast_vote(
            session,
            voter,
            ballot_id=ballot.id,
            choice=real(choice),
            key=f"k{number}",
            secret_key=KEY,
        )
    if method in (
        BallotMethod.motion,
        BallotMethod.approval,
        BallotMethod.dots,
    ):  # and paper ballots
        teller = factories.actor(session, factories.member(session, body, Role.facilitator))
        for _ in range(4):  # members who voted on paper
            factories.member(session, body)
        counts = (
            {"yes": 3, "no": 1} if method == BallotMethod.motion else {"papers": 2, str(ids[1]): 2}
        )
        entered = ballots.enter_count(
            session, teller, ballot_id=ballot.id, kind="paper", counts=counts
        )
        ballots.confirm_count(session, chair, ballot_id=ballot.id, count_id=entered.id)
    ballots.close_ballot(session, chair, ballot_id=ballot.id, secret_key=KEY)
    board = ballots.bulletin(session, session.get(Ballot, ballot.id))
    script = tmp_path / "check.py"
    script.write_text(_script(), encoding="utf-8")
    downloaded = tmp_path / "bulletin.json"
    downloaded.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, str(script), str(downloaded)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0 and checked.stdout.startswith("OK: 4 ballots counted"), (
        checked.stderr
    )

    board["choices"][0], board["choices"][-1] = (
        board["choices"][-1],
        board["choices"][0],
    )  # reordered
    downloaded.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    changed = subprocess.run(
        [sys.executable, str(script), str(downloaded)], capture_output=True, text=True, check=False
    )
    assert changed.returncode != 0
