"""The word cloud of a live session: how often each telling word (deliberation.sessions.idea_terms:
Thai words, stop words removed) comes in the session's shown ideas; the ~40 most frequent,
each with a weight class 1..5 for its size (CSS classes wordcloud-w1 … wordcloud-w5)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, select

from deliberation.sessions import idea_terms, sessions
from deliberation.sessions.models import IdeaStatus, LiveIdea
from forum.policy import Actor

TOP_WORDS = 40
WEIGHTS = 5
MAX_IDEAS = 5000  # the newest shown ones: more than any hall sends


@dataclass(frozen=True)
class Word:
    text: str
    count: int
    weight: int  # 1 (least frequent shown) .. 5 (most)


def word_cloud(session: Session, actor: Actor, *, session_id: int) -> list[Word]:
    """The session's word cloud, for its facilitator (console, projector). Raises Forbidden,
    NotFound."""
    view = sessions.get_session(session, actor, session_id=session_id)
    return words_of(session, view.id)


def words_of(session: Session, session_id: int) -> list[Word]:
    """As word_cloud, for a caller that has authorised the facilitator; in the words' order
    (a cloud, not a ranking: the size tells the frequency)."""
    texts = session.exec(
        select(LiveIdea.text)
        .where(LiveIdea.session_id == session_id, LiveIdea.status == IdeaStatus.shown)
        .order_by(col(LiveIdea.id).desc())
        .limit(MAX_IDEAS)
    ).all()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(idea_terms.terms(text))
    return weighted(counts)


def weighted(counts: Counter[str], limit: int = TOP_WORDS) -> list[Word]:
    """The `limit` most frequent words with weight classes on a log scale between the least
    and the most frequent shown (word frequencies fall steeply: a linear scale would make
    all but the first few the smallest size); equal counts, the middle class."""
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    if not top:
        return []
    low, high = math.log(top[-1][1]), math.log(top[0][1])
    spread = high - low
    words = [
        Word(
            text,
            count,
            1 + round((math.log(count) - low) / spread * (WEIGHTS - 1))
            if spread
            else (WEIGHTS + 1) // 2,
        )
        for text, count in top
    ]
    return sorted(words, key=lambda word: word.text)
