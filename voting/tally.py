"""Tallies: every counting method a ballot offers, as plain functions of the counted ballots.

Nothing here reads the database or knows who voted: the server's result and `wethi verify`
(which recomputes a published bulletin) call the same functions on the same contents, and
the tests compare them with second implementations written from each method's published
definition (tests/unit/voting/). Options are identified by their ids; every result lists
options in the ballot's own order where nothing else decides, so that a result is the same
wherever it is recomputed. Money is in satang (integers), never floats.

Methods:
- motion: yes / no / abstain, with a quorum and a majority (simple, absolute, two-thirds);
- approval: each voter approves up to k options;
- score: each voter gives options 0–5;
- dots: each voter spreads up to n dots, several on one option allowed;
- ranked: each voter orders options (Schulze by default, instant-runoff as an option);
- budget: each voter approves proposals whose total cost fits the budget; proposals are
  selected by votes until the budget is spent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

# -- motions -----------------------------------------------------------------------------------


class Majority(StrEnum):
    simple = "simple"  # more for than against (abstentions count toward the quorum only)
    absolute = "absolute"  # more for than half of all who may vote (เกินกึ่งหนึ่ง)
    two_thirds = "two_thirds"  # for at least two thirds of those voting for or against


class Choice(StrEnum):
    yes = "yes"
    no = "no"
    abstain = "abstain"


@dataclass(frozen=True)
class MotionResult:
    yes: int
    no: int
    abstain: int
    eligible: int  # who may vote (members, or checked-in attendees, or devices)
    quorum: int  # voters needed for the vote to count
    majority: Majority
    needed: int  # "for" votes the majority needs, given these votes
    quorum_met: bool
    carried: bool  # the motion passes
    tie: bool  # for and against equal (simple majority): the chair's casting vote decides
    casting: Choice | None = None  # the chair's casting vote, when it decided a tie

    @property
    def voted(self) -> int:
        return self.yes + self.no + self.abstain


def motion(
    yes: int,
    no: int,
    abstain: int,
    *,
    eligible: int,
    quorum: int = 0,
    majority: Majority = Majority.simple,
    casting: Choice | None = None,
) -> MotionResult:
    """A motion's result. Quorum: at least `quorum` voted (abstaining counts as voting).
    Simple majority: more for than against; equal, the chair's casting vote (ประธานออกเสียง
    ชี้ขาด: Administrative Procedure Act B.E. 2539, s. 82) decides if given, else it fails.
    Absolute: more for than half of `eligible` (and than against). Two-thirds: for at least two thirds of the
    votes for or against (3 × for ≥ 2 × (for + against), and at least one for)."""
    if min(yes, no, abstain, eligible, quorum) < 0:
        raise BadBallot("counts are never negative")
    quorum_met = yes + no + abstain >= quorum
    tie = False
    match majority:
        case Majority.simple:
            needed = no + 1
            tie = yes == no and yes > 0
            carried = yes > no or (tie and casting == Choice.yes)
        case Majority.absolute:
            needed = max(eligible // 2 + 1, no + 1)
            carried = yes >= needed
        case Majority.two_thirds:
            needed = max(1, -(-2 * (yes + no) // 3))  # the ceiling of two thirds
            carried = yes >= needed
    return MotionResult(
        yes=yes,
        no=no,
        abstain=abstain,
        eligible=eligible,
        quorum=quorum,
        majority=majority,
        needed=needed,
        quorum_met=quorum_met,
        carried=quorum_met and carried,
        tie=tie,
        casting=casting if tie else None,
    )


def count_choices(ballots: Iterable[str]) -> tuple[int, int, int]:
    """(yes, no, abstain) of ballots that are each one Choice."""
    counts = {choice: 0 for choice in Choice}
    for ballot in ballots:
        counts[Choice(ballot)] += 1
    return counts[Choice.yes], counts[Choice.no], counts[Choice.abstain]


# -- counting options: approval, score, dots ----------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    option: int
    total: int  # approvals, points or dots
    voters: int  # ballots that gave it anything
    rank: int  # 1 for the most; equal totals share a rank


@dataclass(frozen=True)
class CountResult:
    """Options by their totals, most first (equal totals in the ballot's order)."""

    counts: list[OptionCount]
    ballots: int
    winners: list[int]  # the options with the most (several: a tie)

    def of(self, option: int) -> OptionCount:
        return next(count for count in self.counts if count.option == option)


def _ranked(
    options: Sequence[int], totals: Mapping[int, int], voters: Mapping[int, int], ballots: int
) -> CountResult:
    order = sorted(options, key=lambda option: -totals[option])  # stable: the ballot's order
    counts: list[OptionCount] = []
    for place, option in enumerate(order):
        rank = counts[-1].rank if counts and counts[-1].total == totals[option] else place + 1
        counts.append(OptionCount(option, totals[option], voters[option], rank))
    best = counts[0].total if counts else 0
    winners = [count.option for count in counts if count.total == best and best > 0]
    return CountResult(counts, ballots, winners)


def approval(options: Sequence[int], ballots: Iterable[Iterable[int]], *, most: int) -> CountResult:
    """Each ballot approves at most `most` different options of `options`."""
    totals = dict.fromkeys(options, 0)
    count = 0
    for ballot in ballots:
        chosen = set(ballot)
        _check(chosen <= totals.keys(), "an option that is not on this ballot")
        _check(len(chosen) <= most, f"more than {most} options approved")
        for option in chosen:
            totals[option] += 1
        count += 1
    return _ranked(options, totals, totals, count)


MAX_SCORE = 5


def score(options: Sequence[int], ballots: Iterable[Mapping[int, int]]) -> CountResult:
    """Each ballot gives options 0–5 points (an option left out gets nothing); totals."""
    totals = dict.fromkeys(options, 0)
    voters = dict.fromkeys(options, 0)
    count = 0
    for ballot in ballots:
        _check(ballot.keys() <= totals.keys(), "an option that is not on this ballot")
        for option, points in ballot.items():
            _check(0 <= points <= MAX_SCORE, f"a score outside 0–{MAX_SCORE}")
            totals[option] += points
            voters[option] += points > 0
        count += 1
    return _ranked(options, totals, voters, count)


def dots(options: Sequence[int], ballots: Iterable[Mapping[int, int]], *, dots: int) -> CountResult:
    """Each ballot places at most `dots` dots, several on one option if it likes."""
    totals = dict.fromkeys(options, 0)
    voters = dict.fromkeys(options, 0)
    count = 0
    for ballot in ballots:
        _check(ballot.keys() <= totals.keys(), "an option that is not on this ballot")
        _check(all(placed >= 0 for placed in ballot.values()), "a negative number of dots")
        _check(sum(ballot.values()) <= dots, f"more than {dots} dots placed")
        for option, placed in ballot.items():
            totals[option] += placed
            voters[option] += placed > 0
        count += 1
    return _ranked(options, totals, voters, count)


# -- ranked ballots ---------------------------------------------------------------------------


def pairwise(
    options: Sequence[int], ballots: Iterable[Sequence[int]]
) -> dict[tuple[int, int], int]:
    """d[a, b]: how many ballots rank a above b. A ballot may rank only some options: those
    it ranks are above those it leaves out, which are equal among themselves."""
    known = set(options)
    d = {(a, b): 0 for a in options for b in options if a != b}
    for ballot in ballots:
        ranking = list(ballot)
        _check(set(ranking) <= known, "an option that is not on this ballot")
        _check(len(set(ranking)) == len(ranking), "an option ranked twice")
        below = [option for option in options if option not in set(ranking)]
        for place, higher in enumerate(ranking):
            for lower in ranking[place + 1 :] + below:
                d[higher, lower] += 1
    return d


@dataclass(frozen=True)
class SchulzeResult:
    options: list[int]
    ballots: int
    pairwise: dict[tuple[int, int], int]  # d[a, b]: ballots ranking a above b
    strongest: dict[tuple[int, int], int]  # p[a, b]: the strongest path's strength
    order: list[list[int]]  # best first; options in one group are tied
    winners: list[int]  # not beaten by any other (several: a tie)


def schulze(options: Sequence[int], ballots: Iterable[Sequence[int]]) -> SchulzeResult:
    """The Schulze method (Schulze 2011, winning votes): a path's strength is its weakest
    link, a link a→b is d[a,b] when d[a,b] > d[b,a]; a beats b when the strongest path from
    a to b is stronger than from b to a. The order groups options none of which beats
    another."""
    counted = [list(ballot) for ballot in ballots]
    d = pairwise(options, counted)
    p = {(a, b): (d[a, b] if d[a, b] > d[b, a] else 0) for a, b in d}
    for via in options:  # Floyd–Warshall on the widest paths
        for a in options:
            if a == via:
                continue
            for b in options:
                if b in (a, via):
                    continue
                p[a, b] = max(p[a, b], min(p[a, via], p[via, b]))
    beats = {a: {b for b in options if b != a and p[a, b] > p[b, a]} for a in options}
    order: list[list[int]] = []
    left = list(options)
    while left:  # the relation is a strict order on groups (Schulze 2011, §4.1)
        top = [a for a in left if not any(a in beats[b] for b in left if b != a)] or left
        order.append(top)
        left = [a for a in left if a not in top]
    winners = order[0] if order and counted else []  # no ballot: no one chosen
    return SchulzeResult(list(options), len(counted), d, p, order, winners)


@dataclass(frozen=True)
class RunoffRound:
    counts: dict[int, int]  # continuing options' first preferences this round
    exhausted: int  # ballots that rank none of the continuing options
    eliminated: list[int]  # after this round (empty in the last)


@dataclass(frozen=True)
class RunoffResult:
    options: list[int]
    ballots: int
    rounds: list[RunoffRound]
    winners: list[int]  # one, or several tied to the end


def instant_runoff(options: Sequence[int], ballots: Iterable[Sequence[int]]) -> RunoffResult:
    """Instant-runoff: each round counts every ballot for its highest continuing option; an
    option with more than half of the ballots still counting wins; otherwise the option with
    the fewest is eliminated. A tie for the fewest is broken by the earlier rounds (fewest
    there, latest round first); still tied, all of them go together — unless none would be
    left, when they share the result."""
    counted = [list(ballot) for ballot in ballots]
    pairwise(options, counted)  # the same checks as every ranked ballot
    continuing = list(options)
    rounds: list[RunoffRound] = []
    while continuing:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot in counted:
            first = next((option for option in ballot if option in counts), None)
            if first is None:
                exhausted += 1
            else:
                counts[first] += 1
        active = len(counted) - exhausted
        if not active:  # no ballot ranks anyone left: no one chosen
            rounds.append(RunoffRound(counts, exhausted, []))
            return RunoffResult(list(options), len(counted), rounds, [])
        leader = max(counts.values())
        if (active and 2 * leader > active) or len(continuing) == 1:
            rounds.append(RunoffRound(counts, exhausted, []))
            return RunoffResult(
                list(options), len(counted), rounds, [o for o in continuing if counts[o] == leader]
            )
        lowest = _fewest(continuing, counts, rounds)
        if len(lowest) == len(continuing):  # everyone tied to the end
            rounds.append(RunoffRound(counts, exhausted, []))
            return RunoffResult(list(options), len(counted), rounds, continuing)
        rounds.append(RunoffRound(counts, exhausted, lowest))
        continuing = [option for option in continuing if option not in lowest]
    return RunoffResult(list(options), len(counted), rounds, [])


def _fewest(continuing: list[int], counts: dict[int, int], rounds: list[RunoffRound]) -> list[int]:
    least = min(counts.values())
    tied = [option for option in continuing if counts[option] == least]
    for earlier in reversed(rounds):
        if len(tied) == 1:
            break
        least = min(earlier.counts[option] for option in tied)
        tied = [option for option in tied if earlier.counts[option] == least]
    return tied


# -- budget selection ------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLine:
    option: int
    cost: int  # satang
    votes: int
    selected: bool
    running_total: int  # satang spent after this line (selected ones only add)


@dataclass(frozen=True)
class BudgetResult:
    budget: int
    ballots: int
    lines: list[BudgetLine]  # in the order considered: most votes first
    spent: int

    @property
    def selected(self) -> list[int]:
        return [line.option for line in self.lines if line.selected]

    @property
    def did_not_fit(self) -> list[int]:
        """Proposals with votes that the money left could not pay for when their turn came."""
        return [line.option for line in self.lines if not line.selected and line.votes > 0]


def budget(
    costs: Mapping[int, int], ballots: Iterable[Iterable[int]], *, budget: int
) -> BudgetResult:
    """Budget selection (greedy by approvals, as participatory budgeting counts): each
    ballot approves proposals whose costs together fit `budget`; proposals are taken by
    votes, most first (equal votes: the cheaper first, then the ballot's order), each
    selected if it fits in what is left, else passed over; a proposal with no vote is never
    selected."""
    _check(budget >= 0 and all(cost >= 0 for cost in costs.values()), "a negative amount")
    options = list(costs)
    votes = dict.fromkeys(options, 0)
    count = 0
    for ballot in ballots:
        chosen = set(ballot)
        _check(chosen <= votes.keys(), "an option that is not on this ballot")
        _check(
            sum(costs[option] for option in chosen) <= budget,
            "approved proposals cost more than the budget",
        )
        for option in chosen:
            votes[option] += 1
        count += 1
    return select_within(costs, votes, budget=budget, ballots=count)


def select_within(
    costs: Mapping[int, int], votes: Mapping[int, int], *, budget: int, ballots: int
) -> BudgetResult:
    """The selection from each proposal's votes (budget's second half: paper ballots counted
    by tellers add their approvals here)."""
    order = sorted(costs, key=lambda option: (-votes[option], costs[option]))
    spent = 0
    lines: list[BudgetLine] = []
    for option in order:
        fits = votes[option] > 0 and spent + costs[option] <= budget
        spent += costs[option] if fits else 0
        lines.append(BudgetLine(option, costs[option], votes[option], fits, spent))
    return BudgetResult(budget, ballots, lines, spent)


def with_counts(
    result: CountResult,
    options: Sequence[int],
    counts: Mapping[int, int],
    papers: int,
    *,
    voters: bool = False,
) -> CountResult:
    """An approval, score or dots result with the totals tellers counted added (paper
    ballots: `papers` of them, `counts` per option). An approval's count is its voters
    (`voters`); a score's or dots' says how much, not from how many: their `voters` stay the
    electronic ballots'."""
    totals = {count.option: count.total + counts.get(count.option, 0) for count in result.counts}
    voted = {
        count.option: count.voters + (counts.get(count.option, 0) if voters else 0)
        for count in result.counts
    }
    return _ranked(options, totals, voted, result.ballots + papers)


# -- bad ballots ---------------------------------------------------------------------------------


class BadBallot(ValueError):
    """A ballot the method cannot count (the casting service refuses these before storing)."""


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise BadBallot(problem)


__all__ = [
    "BadBallot",
    "BudgetResult",
    "Choice",
    "CountResult",
    "Majority",
    "MotionResult",
    "RunoffResult",
    "SchulzeResult",
    "approval",
    "budget",
    "count_choices",
    "select_within",
    "with_counts",
    "dots",
    "instant_runoff",
    "motion",
    "pairwise",
    "schulze",
    "score",
]
