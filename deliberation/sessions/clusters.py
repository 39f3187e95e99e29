"""Themes (clusters) of a live session's ideas: the facilitator makes, renames, orders and
deletes them and puts ideas into them (drag and drop on the console, or a "move to theme"
form); Wethi suggests groupings from the ideas' Thai words (deliberation.sessions.idea_terms: TF-IDF
vectors, cosine similarity, star grouping), each named by its most telling words. A
suggestion is computed on request and never stored: the facilitator accepts it (a theme
with the suggested name, editable, and its ideas) or ignores it.

Themes stay with the session once it is closed (read-only then): the exports read them
through `cluster_names`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from deliberation.sessions import idea_terms, sessions, wordcloud
from deliberation.sessions.models import (
    IdeaStatus,
    LiveCluster,
    LiveIdea,
    LivePromotion,
    LiveSessionStatus,
)
from forum import audit
from forum.errors import Conflict, FieldMessage, InvalidInput
from forum.forms import clean_text, whole_number
from forum.policy import Actor

MAX_NAME = 120
MAX_CLUSTERS = 100  # per session: a wall of themes helps no one
SIMILAR = 0.18  # closeness (cosine of summed TF-IDF vectors) from which groups join
MAX_NAME_TERMS = 3
NAME_SEPARATOR = " · "
MAX_SUGGESTED_IDEAS = 2000  # the newest shown ones: a session's ideas, with room to spare


# -- what the console shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaCard:
    """An idea as the themes panel shows it."""

    id: int
    text: str
    votes: int
    status: str
    cluster_id: int | None


@dataclass(frozen=True)
class ClusterRow:
    id: int
    name: str
    ideas: list[IdeaCard]


@dataclass(frozen=True)
class Suggestion:
    """A suggested theme: its name (the group's most telling words) and its ideas. `key`
    names it in the accept and ignore forms (its ideas' ids)."""

    name: str
    ideas: list[IdeaCard]

    @property
    def key(self) -> str:
        return "-".join(str(idea.id) for idea in self.ideas)


class ClustersPanel:
    """The console's themes panel, read only when the page shows it (the console's live
    refresh asks for its ideas block alone, and must not pay for this)."""

    def __init__(
        self,
        session: Session,
        view: sessions.SessionView,
        *,
        suggest: bool = False,
        ignored: str = "",
    ) -> None:
        self._session = session
        self.view = view
        self.suggest = suggest
        self.ignored = " ".join(_keys(ignored))

    @property
    def read_only(self) -> bool:
        return self.view.live.status == LiveSessionStatus.closed

    @cached_property
    def _rows(self) -> tuple[list[ClusterRow], list[IdeaCard]]:
        themes = _clusters_of(self._session, self.view.id)
        cards = _cards(self._session, self.view.id)
        grouped: dict[int, list[IdeaCard]] = defaultdict(list)
        ungrouped: list[IdeaCard] = []
        for card in cards:
            if card.cluster_id is not None:
                grouped[card.cluster_id].append(card)
            elif card.status == IdeaStatus.shown:
                ungrouped.append(card)
        rows = [ClusterRow(c.id, c.name, grouped.get(c.id, [])) for c in themes]  # type: ignore[arg-type]
        return rows, ungrouped

    @property
    def clusters(self) -> list[ClusterRow]:
        return self._rows[0]

    @property
    def ungrouped(self) -> list[IdeaCard]:
        return self._rows[1]

    @cached_property
    def suggestions(self) -> list[Suggestion]:
        if not self.suggest or self.read_only:
            return []
        ignored = set(self.ignored.split())
        found = suggestions_for(self._session, self.view.id)
        return [suggestion for suggestion in found if suggestion.key not in ignored]

    @cached_property
    def words(self) -> list[wordcloud.Word]:
        return wordcloud.words_of(self._session, self.view.id)


def _keys(ignored: Any) -> list[str]:
    """The ignored suggestions' keys from a form (ids joined by '-', separated by spaces)."""
    text = str(ignored or "")[:4000]
    return [key for key in text.split() if _KEY.fullmatch(key)][:200]


_KEY = re.compile(r"[0-9]{1,9}(-[0-9]{1,9})*")  # ASCII: the page wrote it


def clusters_panel(
    session: Session, actor: Actor, *, session_id: int, suggest: bool = False, ignored: str = ""
) -> ClustersPanel:
    """The themes panel for the session's facilitator. Raises Forbidden, NotFound."""
    view = sessions.get_session(session, actor, session_id=session_id)
    return ClustersPanel(session, view, suggest=suggest, ignored=ignored)


def _clusters_of(session: Session, session_id: int) -> list[LiveCluster]:
    return list(
        session.exec(
            select(LiveCluster)
            .where(LiveCluster.session_id == session_id)
            .order_by(col(LiveCluster.position), col(LiveCluster.id))
        ).all()
    )


def _cards(session: Session, session_id: int) -> list[IdeaCard]:
    """The session's ideas that can be grouped (every one but the merged), top first."""
    rows = session.exec(
        select(LiveIdea.id, LiveIdea.text, LiveIdea.votes, LiveIdea.status, LiveIdea.cluster_id)
        .where(LiveIdea.session_id == session_id, LiveIdea.status != IdeaStatus.merged)
        .order_by(col(LiveIdea.votes).desc(), col(LiveIdea.id))
    ).all()
    return [IdeaCard(*row) for row in rows]  # type: ignore[arg-type]


@dataclass(frozen=True)
class ThemeRow:
    id: int
    name: str
    idea_ids: list[int]  # its ideas (merged ones live on in the idea kept)


def themes_of(session: Session, actor: Actor, *, session_id: int) -> list[ThemeRow]:
    """The session's themes in their order, each with its ideas (the JSON API; the console
    reads its panel). Raises Forbidden, NotFound."""
    view = sessions.get_session(session, actor, session_id=session_id)
    grouped: dict[int, list[int]] = defaultdict(list)
    for idea_id, cluster_id in session.exec(
        select(LiveIdea.id, LiveIdea.cluster_id)
        .where(
            LiveIdea.session_id == view.id,
            col(LiveIdea.cluster_id).is_not(None),
            LiveIdea.status != IdeaStatus.merged,
        )
        .order_by(col(LiveIdea.id))
    ).all():
        grouped[cluster_id].append(idea_id)  # type: ignore[index,arg-type]
    return [
        ThemeRow(theme.id, theme.name, grouped.get(theme.id, []))  # type: ignore[arg-type]
        for theme in _clusters_of(session, view.id)
    ]


def cluster_names(session: Session, session_id: int) -> dict[int, str]:
    """Each grouped idea's theme name, by idea id (for the session's CSV and XLSX exports;
    the caller has authorised the export). Merged ideas have none: their theme is the kept
    idea's."""
    rows = session.exec(
        select(LiveIdea.id, LiveCluster.name)
        .join(LiveCluster, col(LiveCluster.id) == LiveIdea.cluster_id)
        .where(LiveIdea.session_id == session_id, LiveIdea.status != IdeaStatus.merged)
    ).all()
    return {idea_id: name for idea_id, name in rows if idea_id is not None}


# -- the facilitator's changes ------------------------------------------------------------------


def _changeable(session: Session, actor: Actor, session_id: int) -> sessions.SessionView:
    view = sessions.get_session(session, actor, session_id=session_id)  # Forbidden, NotFound
    if view.live.status == LiveSessionStatus.closed:
        raise Conflict("This session is closed: its themes are kept as they are.")
    return view


def _name(value: Any, field: str = "name") -> str:
    text = clean_text(value) if isinstance(value, str) else ""
    if not text:
        raise InvalidInput({field: "Please give the theme a name."})
    if len(text) > MAX_NAME:
        raise InvalidInput(
            {
                field: FieldMessage(
                    "This is too long: at most %(max_length)s characters.",
                    {"max_length": MAX_NAME},
                )
            }
        )
    return text


def _cluster(session: Session, session_id: int, cluster_id: Any, field: str) -> LiveCluster:
    number = whole_number(cluster_id, field="cluster_id")
    cluster = session.get(LiveCluster, number) if number else None
    if cluster is None or cluster.session_id != session_id:
        raise InvalidInput({field: "Choose one of this session's themes."})
    return cluster


def _record(
    session: Session, actor: Actor, action: str, cluster: LiveCluster, **after: Any
) -> None:
    audit.record(
        session, actor, "deliberation.live_cluster." + action, cluster, after=after or None
    )


def create_cluster(session: Session, actor: Actor, *, session_id: int, name: Any) -> LiveCluster:
    """A new, empty theme at the end of the list. Raises Forbidden, NotFound, Conflict
    (closed session, too many themes), InvalidInput (empty or oversized name)."""
    view = _changeable(session, actor, session_id)
    cluster = _add_cluster(session, actor, view.id, _name(name))
    session.commit()
    return cluster


def _add_cluster(session: Session, actor: Actor, session_id: int, text: str) -> LiveCluster:
    count, last = session.exec(
        select(func.count(), func.max(LiveCluster.position)).where(
            LiveCluster.session_id == session_id
        )
    ).one()
    if count >= MAX_CLUSTERS:
        raise Conflict("This session has as many themes as it can hold: group or delete some.")
    cluster = LiveCluster(session_id=session_id, name=text, position=(last or 0) + 1)
    session.add(cluster)
    session.flush()
    _record(session, actor, "create", cluster, name=text)
    return cluster


def rename_cluster(
    session: Session, actor: Actor, *, session_id: int, cluster_id: Any, name: Any
) -> LiveCluster:
    """Raises Forbidden, NotFound, Conflict (closed), InvalidInput (unknown theme, bad name)."""
    view = _changeable(session, actor, session_id)
    cluster = _cluster(session, view.id, cluster_id, "cluster_id")
    text = _name(name)
    if text == cluster.name:
        return cluster
    before = cluster.name
    cluster.name = text
    session.add(cluster)
    audit.record(
        session,
        actor,
        "deliberation.live_cluster.rename",
        cluster,
        before={"name": before},
        after={"name": text},
    )
    session.commit()
    return cluster


def move_cluster(
    session: Session, actor: Actor, *, session_id: int, cluster_id: Any, direction: Any
) -> LiveCluster:
    """One place up or down the list (already first or last: nothing changes). Raises
    Forbidden, NotFound, Conflict (closed), InvalidInput."""
    view = _changeable(session, actor, session_id)
    cluster = _cluster(session, view.id, cluster_id, "cluster_id")
    if direction not in ("up", "down"):
        raise InvalidInput({"direction": "Please choose one of the options."})
    themes = _clusters_of(session, view.id)
    here = next(index for index, theme in enumerate(themes) if theme.id == cluster.id)
    there = here - 1 if direction == "up" else here + 1
    if not 0 <= there < len(themes):
        return cluster
    themes[here], themes[there] = themes[there], themes[here]
    for position, theme in enumerate(themes, start=1):
        if theme.position != position:
            theme.position = position
            session.add(theme)
    _record(session, actor, "move", cluster, position=cluster.position)
    session.commit()
    return cluster


def delete_cluster(session: Session, actor: Actor, *, session_id: int, cluster_id: Any) -> None:
    """Delete a theme; its ideas are ungrouped, not deleted. Raises Forbidden, NotFound,
    Conflict (closed session, or the theme was taken forward), InvalidInput."""
    view = _changeable(session, actor, session_id)
    cluster = _cluster(session, view.id, cluster_id, "cluster_id")
    promoted = session.exec(
        select(LivePromotion.id).where(LivePromotion.cluster_id == cluster.id)
    ).first()
    if promoted is not None:
        raise Conflict("This theme was taken forward: it is kept with what came of it.")
    session.execute(
        update(LiveIdea).where(col(LiveIdea.cluster_id) == cluster.id).values(cluster_id=None)
    )
    _record(session, actor, "delete", cluster, name=cluster.name)
    session.delete(cluster)
    session.commit()


def _groupable(session: Session, session_id: int, idea_id: Any) -> LiveIdea:
    number = whole_number(idea_id, field="idea_id")
    idea = session.get(LiveIdea, number) if number else None
    if idea is None or idea.session_id != session_id:
        raise InvalidInput({"idea_id": "Choose one of this session's ideas."})
    if idea.status == IdeaStatus.merged:
        raise InvalidInput(
            {"idea_id": "This idea was merged into another one: put that one in a theme instead."}
        )
    return idea


def assign_idea(
    session: Session, actor: Actor, *, session_id: int, idea_id: Any, cluster_id: Any
) -> LiveIdea:
    """Put an idea into a theme, or take it out of its theme (`cluster_id` empty). Raises
    Forbidden, NotFound, Conflict (closed), InvalidInput (an idea or a theme of another
    session, unknown, or a merged idea)."""
    view = _changeable(session, actor, session_id)
    idea = _groupable(session, view.id, idea_id)
    empty = cluster_id in (None, "")
    cluster = None if empty else _cluster(session, view.id, cluster_id, "cluster_id")
    target = cluster.id if cluster is not None else None
    if idea.cluster_id == target:
        return idea
    idea.cluster_id = target
    session.add(idea)
    audit.record(
        session,
        actor,
        "deliberation.live_cluster.assign",
        idea,
        after={"cluster_id": target},
    )
    session.commit()
    return idea


# -- suggestions --------------------------------------------------------------------------------


def suggest_clusters(session: Session, actor: Actor, *, session_id: int) -> list[Suggestion]:
    """Themes suggested from the Thai words of the session's shown, not yet grouped ideas
    (groups of two or more, the largest first). Raises Forbidden, NotFound."""
    view = sessions.get_session(session, actor, session_id=session_id)
    return suggestions_for(session, view.id)


def suggestions_for(session: Session, session_id: int) -> list[Suggestion]:
    """As suggest_clusters, for a caller that has authorised the facilitator."""
    rows = session.exec(
        select(LiveIdea.id, LiveIdea.text, LiveIdea.votes, LiveIdea.status, LiveIdea.cluster_id)
        .where(LiveIdea.session_id == session_id, LiveIdea.status == IdeaStatus.shown)
        .order_by(col(LiveIdea.id).desc())
        .limit(MAX_SUGGESTED_IDEAS)
    ).all()
    cards = [IdeaCard(*row) for row in rows]  # type: ignore[arg-type]
    # Every shown idea tells how common a word is; only the ungrouped ones are grouped.
    weights = idea_terms.tf_idf([idea_terms.terms(card.text) for card in cards])
    candidates = [index for index, card in enumerate(cards) if card.cluster_id is None]
    groups = idea_terms.similar_groups([weights[index] for index in candidates], SIMILAR)
    found = []
    for group in groups:
        members = [cards[candidates[index]] for index in group]
        members.sort(key=lambda card: (-card.votes, card.id))
        words = idea_terms.telling_words(
            [weights[candidates[index]] for index in group], MAX_NAME_TERMS
        )
        name = NAME_SEPARATOR.join(words)[:MAX_NAME] or members[0].text[:MAX_NAME]
        found.append(Suggestion(name, members))
    found.sort(key=lambda suggestion: (-len(suggestion.ideas), suggestion.key))
    return found


def accept_suggestion(
    session: Session, actor: Actor, *, session_id: int, name: Any, ideas: Any
) -> LiveCluster:
    """Make a suggested theme: `name` as the facilitator left it, `ideas` the suggestion's
    key (ids joined by '-'). Ideas grouped or hidden meanwhile are left out. Raises
    Forbidden, NotFound, Conflict (closed), InvalidInput (bad name; none of the ideas can
    still be grouped)."""
    view = _changeable(session, actor, session_id)
    text = _name(name)
    ids = {number for part in str(ideas or "")[:4000].split("-") if (number := whole_number(part, field="ideas"))}
    free = (
        list(
            session.exec(
                select(LiveIdea).where(
                    col(LiveIdea.id).in_(ids),
                    LiveIdea.session_id == view.id,
                    LiveIdea.status == IdeaStatus.shown,
                    col(LiveIdea.cluster_id).is_(None),
                )
            ).all()
        )
        if ids
        else []
    )
    if not free:
        raise InvalidInput(
            {"ideas": "These ideas are no longer free to group. Please ask for suggestions again."}
        )
    cluster = _add_cluster(session, actor, view.id, text)
    for idea in free:
        idea.cluster_id = cluster.id
        session.add(idea)
    _record(session, actor, "accept", cluster, name=text, ideas=sorted(i.id for i in free))
    session.commit()
    return cluster
