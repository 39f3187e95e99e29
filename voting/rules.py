"""Who may do what with ballots (registered into forum.policy by the package's manifest).

Targets carry a `body_id` (a ballot, a body) or are a body id. A ballot's question and, once
it may be shown, its result are the programme's, as outcomes and resolutions are (docs/
architecture.md, "Who reads what"); who may cast is decided by the ballot's eligibility
(voting.ballots.seat_of), so the rule asks only for a person signed in."""

from __future__ import annotations

from forum.policy import RuleSet
from forum.rules import ATTENDANCE_KEEPERS, body_id_of, runs_the_body

RULES = RuleSet()

RULES.rule("voting.ballot.run")(runs_the_body)  # set up, open, close


@RULES.rule("voting.ballot.view")
def _view(actor, _target=None) -> bool:
    return actor.is_authenticated or actor.is_admin


@RULES.rule("voting.ballot.cast")
def _cast(actor, _target=None) -> bool:
    return actor.is_authenticated  # one person, one vote: never a device alone


# Tellers in the hall: those who keep a meeting's attendance and run its live sessions.
@RULES.rule("voting.ballot.tally")
def _tally(actor, target) -> bool:
    return actor.is_admin or actor.role_in(body_id_of(target)) in ATTENDANCE_KEEPERS
