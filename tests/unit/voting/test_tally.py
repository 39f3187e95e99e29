"""Tallies against second implementations written here from each method's published
definition (pref_voting and pabutools, the well-kept libraries, pull matplotlib, numba,
OR-Tools, pandas and a commercial solver into an install: too heavy for CI), on random
profiles with hypothesis, ties included; motions' quorum and majority by hand-written cases.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting import tally
from voting.tally import BadBallot, Choice, Majority

# -- profiles -------------------------------------------------------------------------------

OPTIONS = st.integers(min_value=1, max_value=5).map(lambda n: list(range(101, 101 + n)))


@st.composite
def ranked_profiles(draw, complete: bool = False):
    options = draw(OPTIONS)
    ranking = st.permutations(options).flatmap(
        lambda order: (
            st.just(order) if complete else st.integers(0, len(order)).map(lambda n: order[:n])
        )
    )
    # Few distinct voters' rankings, repeated: ties between options come up often.
    kinds = draw(st.lists(ranking, min_size=1, max_size=4))
    ballots = draw(st.lists(st.sampled_from(kinds), max_size=12))
    return options, [list(ballot) for ballot in ballots]


# -- Schulze: the strongest path by trying every path ----------------------------------------


def schulze_by_paths(options, ballots):
    """Schulze (2011) §2.2 as written: a path's strength is its weakest link, where the link
    a→b has strength d[a,b] if a beats b pairwise (winning votes); p[a,b] is the strongest
    path's strength over every simple path; a ≻ b iff p[a,b] > p[b,a]."""
    d = Counter()
    for ballot in ballots:
        rank = {option: place for place, option in enumerate(ballot)}
        for a, b in itertools.permutations(options, 2):
            if rank.get(a, len(options)) < rank.get(b, len(options)):
                d[a, b] += 1

    def link(a, b):
        return d[a, b] if d[a, b] > d[b, a] else 0

    p = {}
    for a, b in itertools.permutations(options, 2):
        best = 0
        middle = [x for x in options if x not in (a, b)]
        for size in range(len(middle) + 1):
            for via in itertools.permutations(middle, size):
                path = [a, *via, b]
                best = max(best, min(link(x, y) for x, y in itertools.pairwise(path)))
        p[a, b] = best
    winners = [a for a in options if all(p[a, b] >= p[b, a] for b in options if b != a)]
    return d, p, winners if ballots else []  # no ballot: no one chosen


@settings(max_examples=300, deadline=None)
@given(ranked_profiles())
def test_schulze_agrees_with_every_path_tried(profile):
    options, ballots = profile
    result = tally.schulze(options, ballots)
    d, p, winners = schulze_by_paths(options, ballots)
    assert {key: value for key, value in result.pairwise.items() if value} == dict(+d)
    assert result.strongest == p
    assert result.winners == winners
    assert [option for group in result.order for option in group] != [] or not options
    assert sorted(option for group in result.order for option in group) == sorted(options)


@settings(max_examples=200, deadline=None)
@given(ranked_profiles(complete=True))
def test_a_condorcet_winner_wins_schulze(profile):
    options, ballots = profile
    d = tally.pairwise(options, ballots)
    condorcet = [a for a in options if all(d[a, b] > d[b, a] for b in options if b != a)]
    if condorcet and ballots:
        assert tally.schulze(options, ballots).winners == condorcet


def test_schulze_on_the_papers_example():
    """Schulze (2011), example 1: 45 voters, 5 candidates, E wins; order E > A > C > B > D."""
    a, b, c, d, e = 1, 2, 3, 4, 5
    profile = (
        [[a, c, b, e, d]] * 5
        + [[a, d, e, c, b]] * 5
        + [[b, e, d, a, c]] * 8
        + [[c, a, b, e, d]] * 3
        + [[c, a, e, b, d]] * 7
        + [[c, b, a, d, e]] * 2
        + [[d, c, e, b, a]] * 7
        + [[e, b, a, d, c]] * 8
    )
    result = tally.schulze([a, b, c, d, e], profile)
    assert result.order == [[e], [a], [c], [b], [d]]
    assert result.strongest[e, a] == 25 and result.strongest[a, e] == 24


# -- instant-runoff: recounting the ballots with the eliminated struck out --------------------


def runoff_by_striking(options, ballots):
    """Instant-runoff as the rules describe it on paper: count first choices; a majority of
    the ballots still counting wins; else strike the last (ties: the one fewest in the
    latest earlier round where they differ; still tied, all struck unless none would be
    left) from every ballot and count again."""
    left = list(options)
    history = []
    while True:
        piles = {option: 0 for option in left}
        for ballot in ballots:
            struck = [option for option in ballot if option in piles]
            if struck:
                piles[struck[0]] += 1
        counting = sum(piles.values())
        if not counting:
            return []  # no ballot ranks anyone left
        top = max(piles.values())
        if len(left) == 1 or (counting and top * 2 > counting):
            return [option for option in left if piles[option] == top]
        last = [option for option in left if piles[option] == min(piles.values())]
        for earlier in reversed(history):
            if len(last) == 1:
                break
            fewest = min(earlier[option] for option in last)
            last = [option for option in last if earlier[option] == fewest]
        if len(last) == len(left):
            return left
        history.append(piles)
        left = [option for option in left if option not in last]


@settings(max_examples=300, deadline=None)
@given(ranked_profiles())
def test_instant_runoff_agrees_with_striking_out(profile):
    options, ballots = profile
    result = tally.instant_runoff(options, ballots)
    assert result.winners == runoff_by_striking(options, ballots)
    for round_ in result.rounds:  # every ballot is counted once in every round
        assert sum(round_.counts.values()) + round_.exhausted == len(ballots)


@settings(max_examples=100, deadline=None)
@given(ranked_profiles(complete=True))
def test_with_two_options_both_ranked_methods_are_the_majority(profile):
    options, ballots = profile
    if len(options) != 2:
        return
    a, b = options
    d = tally.pairwise(options, ballots)
    expected = [a] if d[a, b] > d[b, a] else [b] if d[b, a] > d[a, b] else [a, b]
    if not ballots:
        expected = []
    assert tally.schulze(options, ballots).winners == expected
    assert tally.instant_runoff(options, ballots).winners == expected


# -- approval, score, dots: counted one ballot at a time ----------------------------------------


@st.composite
def approval_profiles(draw):
    options = draw(OPTIONS)
    most = draw(st.integers(1, len(options)))
    ballot = st.lists(st.sampled_from(options), unique=True, max_size=most)
    return options, most, draw(st.lists(ballot, max_size=12))


@given(approval_profiles())
def test_approval_counts_each_approval_once(profile):
    options, most, ballots = profile
    result = tally.approval(options, ballots, most=most)
    counted = Counter(option for ballot in ballots for option in ballot)
    assert {c.option: c.total for c in result.counts} == {o: counted[o] for o in options}
    best = max(counted.values(), default=0)
    assert result.winners == [o for o in options if best and counted[o] == best]
    totals = [c.total for c in result.counts]
    assert totals == sorted(totals, reverse=True)
    for count in result.counts:  # equal totals share the rank of the first of them
        assert count.rank == 1 + sum(1 for other in result.counts if other.total > count.total)


@given(
    OPTIONS.flatmap(
        lambda options: st.tuples(
            st.just(options),
            st.lists(st.dictionaries(st.sampled_from(options), st.integers(0, 5)), max_size=10),
        )
    )
)
def test_score_adds_the_points(profile):
    options, ballots = profile
    result = tally.score(options, ballots)
    for option in options:
        assert result.of(option).total == sum(ballot.get(option, 0) for ballot in ballots)
        assert result.of(option).voters == sum(1 for ballot in ballots if ballot.get(option, 0) > 0)


@given(
    OPTIONS.flatmap(
        lambda options: st.tuples(
            st.just(options), st.lists(st.lists(st.sampled_from(options), max_size=5), max_size=10)
        )
    )
)
def test_dots_add_up_with_several_on_one_option(profile):
    options, placed = profile
    ballots = [dict(Counter(dots)) for dots in placed]
    result = tally.dots(options, ballots, dots=5)
    counted = Counter(option for dots in placed for option in dots)
    assert {c.option: c.total for c in result.counts} == {o: counted[o] for o in options}
    assert sum(c.total for c in result.counts) == sum(len(dots) for dots in placed)


@pytest.mark.parametrize(
    ("count", "ballots", "problem"),
    [
        (lambda b: tally.approval([1, 2, 3], b, most=1), [[1, 2]], "more than 1 options approved"),
        (
            lambda b: tally.approval([1, 2], b, most=2),
            [[3]],
            "an option that is not on this ballot",
        ),
        (lambda b: tally.score([1, 2], b), [{1: 6}], "a score outside 0–5"),
        (lambda b: tally.dots([1, 2], b, dots=3), [{1: 2, 2: 2}], "more than 3 dots placed"),
        (lambda b: tally.dots([1, 2], b, dots=3), [{1: -1}], "a negative number of dots"),
        (lambda b: tally.schulze([1, 2], b), [[1, 1]], "an option ranked twice"),
        (
            lambda b: tally.instant_runoff([1, 2], b),
            [[1, 9]],
            "an option that is not on this ballot",
        ),
        (
            lambda b: tally.budget({1: 70, 2: 50}, b, budget=100),
            [[1, 2]],
            "approved proposals cost more than the budget",
        ),
    ],
)
def test_a_ballot_the_method_cannot_count_is_refused(count, ballots, problem):
    with pytest.raises(BadBallot, match=problem):
        count(ballots)


# -- budget selection ---------------------------------------------------------------------------


@st.composite
def budget_profiles(draw):
    options = draw(OPTIONS)
    costs = {option: draw(st.integers(0, 60)) * 100_000 for option in options}  # satang
    limit = draw(st.integers(0, 150)) * 100_000
    affordable = [
        list(chosen)
        for size in range(len(options) + 1)
        for chosen in itertools.combinations(options, size)
        if sum(costs[o] for o in chosen) <= limit
    ]
    return costs, limit, draw(st.lists(st.sampled_from(affordable), max_size=10))


def budget_by_hand(costs, ballots, limit):
    """Greedy selection as a facilitator does it on a flip chart: the proposal with the most
    votes not yet decided (equal: the cheaper, then the first listed) is funded if the money
    left pays for it; proposals without a vote are never funded."""
    votes = Counter(option for ballot in ballots for option in ballot)
    undecided = list(costs)
    left, funded = limit, []
    while undecided:
        best = min(undecided, key=lambda o: (-votes[o], costs[o], list(costs).index(o)))
        undecided.remove(best)
        if votes[best] and costs[best] <= left:
            funded.append(best)
            left -= costs[best]
    return funded, limit - left


@settings(max_examples=300, deadline=None)
@given(budget_profiles())
def test_budget_selection_agrees_with_funding_by_hand(profile):
    costs, limit, ballots = profile
    result = tally.budget(costs, ballots, budget=limit)
    funded, spent = budget_by_hand(costs, ballots, limit)
    assert result.selected == funded and result.spent == spent <= limit
    running = 0
    for line in result.lines:  # the running total, and why each one left out was
        running += line.cost if line.selected else 0
        assert line.running_total == running
        if not line.selected and line.votes:
            assert running + line.cost > limit
            assert line.option in result.did_not_fit


def test_budget_selection_says_what_did_not_fit():
    costs = {1: 600_000_00, 2: 500_000_00, 3: 300_000_00, 4: 100_000_00}
    ballots = [[1, 3], [1, 4], [2], [2, 3], [1], [3]]
    result = tally.budget(costs, ballots, budget=1_000_000_00)
    assert [line.option for line in result.lines] == [3, 1, 2, 4]  # 3 votes each: the cheaper first
    assert result.selected == [3, 1, 4] and result.did_not_fit == [2]
    assert result.spent == 1_000_000_00


# -- motions: quorum and majority, by hand ------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "eligible", "quorum", "majority", "casting", "carried", "needed"),
    [
        ((8, 4, 3), 15, 8, Majority.simple, None, True, 5),
        ((4, 4, 7), 15, 8, Majority.simple, None, False, 5),  # a tie, no casting vote: fails
        ((4, 4, 7), 15, 8, Majority.simple, Choice.yes, True, 5),  # the chair's casting vote
        ((4, 4, 7), 15, 8, Majority.simple, Choice.no, False, 5),
        ((5, 1, 1), 15, 8, Majority.simple, None, False, 2),  # 7 of 15 voted: no quorum
        ((0, 0, 8), 15, 8, Majority.simple, None, False, 1),  # everyone abstained
        ((7, 0, 5), 15, 8, Majority.absolute, None, False, 8),  # 7 is not more than 15/2
        ((8, 0, 4), 15, 8, Majority.absolute, None, True, 8),
        ((8, 0, 4), 16, 8, Majority.absolute, None, False, 9),
        ((6, 14, 0), 10, 5, Majority.absolute, None, False, 15),  # more against than for
        ((10, 5, 0), 15, 8, Majority.two_thirds, None, True, 10),  # exactly two thirds
        ((9, 5, 1), 15, 8, Majority.two_thirds, None, False, 10),
        ((2, 0, 13), 15, 8, Majority.two_thirds, None, True, 2),  # abstentions don't count
        ((0, 0, 15), 15, 8, Majority.two_thirds, None, False, 1),
    ],
)
def test_a_motion_is_carried_by_its_quorum_and_majority(
    votes, eligible, quorum, majority, casting, carried, needed
):
    result = tally.motion(
        *votes, eligible=eligible, quorum=quorum, majority=majority, casting=casting
    )
    assert result.carried is carried
    assert result.needed == needed
    assert result.voted == sum(votes)


def test_a_casting_vote_is_recorded_only_when_it_decided():
    assert tally.motion(5, 3, 0, eligible=9, casting=Choice.no).casting is None
    assert tally.motion(3, 3, 0, eligible=9, casting=Choice.no).casting is Choice.no


def test_choices_are_counted_and_anything_else_refused():
    assert tally.count_choices(["yes", "no", "yes", "abstain"]) == (2, 1, 1)
    with pytest.raises(ValueError):
        tally.count_choices(["maybe"])


def test_a_runoff_tie_for_the_fewest_looks_at_the_latest_earlier_round_first():
    profile = [[1, 4, 5]] * 4 + [[5, 1]] * 3 + [[2, 4, 3]] * 2 + [[3, 5]] * 3 + [[4, 3, 2]] * 2
    result = tally.instant_runoff([1, 2, 3, 4, 5], profile)
    assert [r.counts for r in result.rounds][:3] == [
        {1: 4, 2: 2, 3: 3, 4: 2, 5: 3},
        {1: 4, 3: 7, 5: 3},  # 2 and 4 went together: no earlier round to tell them apart
        {1: 7, 3: 7},  # tied: round 2 (1 had fewer) decides, not round 1 (3 had fewer)
    ]
    assert result.winners == [3]
