"""`wethi verify BALLOT`, as an auditor runs it: from the database, or a downloaded bulletin;
a choice changed in the database after close shows."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlmodel import Session

from forum import db
from forum.models import Role
from tests import factories
from tests.unit.forum.test_migrations import run_cli
from voting import ballots
from voting.ballots import OptionSpec
from voting.models import Ballot, BallotMethod

KEY = "k" * 48


def test_verify_recounts_a_closed_ballot_and_finds_a_change(tmp_path):
    url = f"sqlite:///{tmp_path / 'wethi.sqlite3'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        factories.load_reference(session)
        body = factories.body(session)
        chair = factories.actor(session, factories.member(session, body, Role.chair))
        options = [OptionSpec("ก"), OptionSpec("ข"), OptionSpec("ค")]
        ballot = ballots.create_ballot(
            session,
            chair,
            body_id=body.id,
            title="เลือกโครงการ",
            method=BallotMethod.approval,
            options=options,
            most=2,
        )
        ballots.open_ballot(session, chair, ballot_id=ballot.id)
        a, b, _c = (option.id for option in ballots.options_of(session, ballot.id))
        for number, choice in enumerate([[a], [a, b], [b], [a]]):
            voter = factories.actor(session, factories.member(session, body))
            ballots.cast_vote(
                session, voter, ballot_id=ballot.id, choice=choice, key=f"k{number}", secret_key=KEY
            )
        ballots.close_ballot(session, chair, ballot_id=ballot.id, secret_key=KEY)
        downloaded = tmp_path / "bulletin.json"
        downloaded.write_text(
            json.dumps(ballots.bulletin(session, session.get(Ballot, ballot.id))), encoding="utf-8"
        )
    engine.dispose()

    checked = run_cli("verify", str(ballot.id), database_url=url, data_dir=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "OK" in checked.stdout and "receipts 4, choices 4" in checked.stdout
    assert run_cli("verify", str(downloaded), database_url=url, data_dir=tmp_path).returncode == 0

    with db.make_engine(url).begin() as connection:  # someone with the database changes a choice
        connection.execute(
            sa.text("UPDATE ballot_paper SET content = :c WHERE content = :old"),
            {"c": f"[{b}]", "old": f"[{a}]"},
        )
    checked = run_cli("verify", str(ballot.id), database_url=url, data_dir=tmp_path)
    assert checked.returncode == 1
    assert "no longer ends where it ended when the ballot closed" in checked.stderr

    board = json.loads(downloaded.read_text(encoding="utf-8"))
    board["choices"] = board["choices"][1:]
    downloaded.write_text(json.dumps(board), encoding="utf-8")
    assert run_cli("verify", str(downloaded), database_url=url, data_dir=tmp_path).returncode == 1
    assert run_cli("verify", "999", database_url=url, data_dir=tmp_path).returncode == 2
