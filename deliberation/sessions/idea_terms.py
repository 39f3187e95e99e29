"""The telling words of a live session's ideas, for suggested themes
(deliberation.sessions.clusters) and the word cloud (deliberation.sessions.wordcloud).

Thai is written without spaces: each idea is cut into words by PyThaiNLP's `newmm` with its
dictionary plus the programme's terms (deliberation.thai_words.PROGRAMME_TERMS: โซลาร์เซลล์ and
ก๊าซชีวภาพ stay whole) and a few of the hall's own. Thai stop words (ที่, และ, ควร …), punctuation, numbers and
one-character tokens are dropped; Latin words are lower-cased. A few spellings a hall types
for the same thing become one word (โซล่าเซลล์ → โซลาร์เซลล์, ไบโอแก๊ส → ก๊าซชีวภาพ), so that
ideas about the same subject meet. An idea's words are kept per text in the process (a
session's ideas are read again on every suggestion and every projector refresh).
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections import defaultdict
from functools import lru_cache

from pythainlp.corpus import thai_stopwords, thai_words
from pythainlp.tokenize import word_tokenize
from pythainlp.util import Trie

from deliberation.thai_words import PROGRAMME_TERMS
from forum.forms import clean_text

# PyThaiNLP's Thai stop words, words of any proposal that tell nothing of its subject, and
# those every idea of an energy forum uses (to save, to reduce, energy).
STOP_WORDS = thai_stopwords() | {
    "ทำ", "เรื่อง", "สำหรับ", "ตอน", "ที่อยู่", "ความเป็นไปได้", "อยากให้", "เพิ่ม", "เพิ่มเติม",
    "ได้รับ", "ต้องการ", "ควรจะ", "ช่วยกัน", "อย่างไร", "เยอะ", "มากขึ้น", "ดีขึ้น", "ระบบ",
    "ประหยัด", "ลด", "พลังงาน",
}  # fmt: skip
# Words of the energy networks' ideas the dictionary lacks, kept whole.
HALL_TERMS = frozenset({"ไมโครกริด", "อินเวอร์เตอร์", "แบตเตอรี่", "ค่าไฟ", "ไฟดับ", "โซลาร์รูฟ"})

# Spellings of one thing, replaced in the text before it is cut into words (longest first:
# a shorter one may be part of a longer one).
_SPELLINGS = {
    "โซล่าร์เซลล์": "โซลาร์เซลล์",
    "โซล่าเซลล์": "โซลาร์เซลล์",
    "โซลาเซลล์": "โซลาร์เซลล์",
    "โซล่าเซล": "โซลาร์เซลล์",
    "โซล่ารูฟ": "โซลาร์รูฟ",
    "โซล่าฟาร์ม": "โซลาร์ฟาร์ม",
    "แก๊สชีวภาพ": "ก๊าซชีวภาพ",
    "ไบโอก๊าซ": "ไบโอแก๊ส",
    "ไมโครกริท": "ไมโครกริด",
}
_SPELLING_ORDER = sorted(_SPELLINGS, key=len, reverse=True)

# Words for the same thing, after cutting: counted as one (the name a theme then shows).
SAME_WORD = {
    "ไบโอแก๊ส": "ก๊าซชีวภาพ",
    "biogas": "ก๊าซชีวภาพ",
    "หมู": "สุกร",
    "solar": "โซลาร์เซลล์",
    "โซลาร์รูฟท็อป": "โซลาร์เซลล์",
    "โซลาร์รูฟ": "โซลาร์เซลล์",
    "microgrid": "ไมโครกริด",
    "ค่าไฟฟ้า": "ค่าไฟ",
    "ช่างไฟฟ้า": "ช่าง",
    "ติด": "ติดตั้ง",  # ติดโซลาร์เซลล์: to install
}


@lru_cache(maxsize=1)
def _dictionary() -> Trie:
    """Built on first use (some 0.6 s), not at start-up."""
    return Trie(thai_words() | PROGRAMME_TERMS | HALL_TERMS)


def _normalised(text: str) -> str:
    text = clean_text(text or "", multiline=True)
    for spelling in _SPELLING_ORDER:
        if spelling in text:
            text = text.replace(spelling, _SPELLINGS[spelling])
    return text


def _kept(token: str) -> str | None:
    """The token as a term, or None for a stop word, punctuation, a number or a single
    character."""
    token = token.strip()
    if len(token) < 2 or token in STOP_WORDS:
        return None
    if any(char.isdigit() for char in token):
        return None
    if not any(unicodedata.category(char)[0] in "LM" for char in token):
        return None  # punctuation, symbols
    if not all(unicodedata.category(char)[0] in "LMN" or char in "-'." for char in token):
        return None  # markup typed as text (<script>, </b>), addresses: not words
    token = token.lower()
    return SAME_WORD.get(token, token)


@lru_cache(maxsize=50_000)
def terms(text: str) -> tuple[str, ...]:
    """The idea's telling words, in order (repeats kept: they count for frequencies)."""
    tokens = word_tokenize(_normalised(text), engine="newmm", custom_dict=_dictionary())
    return tuple(term for token in tokens if (term := _kept(token)) is not None)


# -- how telling a word is, and which ideas are alike --------------------------------------------

Vector = dict[str, float]
FAINT = 0.25  # of the threshold: likenesses below this are not counted in groups' sums


def tf_idf(documents: list[tuple[str, ...]]) -> list[Vector]:
    """Each document's words weighted by TF-IDF (1 + log of the count, times log(N + 1 over
    the number of documents with the word): a word in every idea weighs almost nothing),
    scaled to length 1."""
    total = len(documents)
    counts: list[dict[str, int]] = []
    frequency: dict[str, int] = {}
    for words in documents:
        count: dict[str, int] = {}
        for word in words:
            count[word] = count.get(word, 0) + 1
        counts.append(count)
        for word in count:
            frequency[word] = frequency.get(word, 0) + 1
    idf = {word: math.log((total + 1) / seen) for word, seen in frequency.items()}
    vectors = []
    for count in counts:
        vector = {word: (1 + math.log(n)) * idf[word] for word, n in count.items()}
        length = math.sqrt(sum(weight * weight for weight in vector.values()))
        vectors.append({word: weight / length for word, weight in vector.items()} if length else {})
    return vectors


def _overlaps(vectors: list[Vector]) -> list[dict[int, float]]:
    """For each vector, its cosine similarity with every other it shares a word with
    (through an inverted index: pairs sharing no word are never compared)."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for word, weight in vector.items():
            postings[word].append((index, weight))
    scores: list[dict[int, float]] = [defaultdict(float) for _ in vectors]
    for posting in postings.values():
        for position, (first, weight) in enumerate(posting):
            row = scores[first]
            for second, other in posting[position + 1 :]:
                row[second] += weight * other
    for first, row in enumerate(scores):
        for second, score in list(row.items()):
            scores[second][first] = score
    return scores


def similar_groups(vectors: list[Vector], threshold: float) -> list[list[int]]:
    """Groups (of two or more) of alike vectors, by index, largest first. Agglomerative:
    the two groups whose summed vectors are closest (cosine) join, again and again, while
    that closeness is at least `threshold`. The sums' dot products come from the pairs'
    similarities, so no vector is ever added up: S(A, B) is the sum of the similarities of
    A's and B's members, and |sum of A|² = S(A, A)."""
    floor = threshold * FAINT  # fainter likenesses barely move a sum: left out, for speed
    links: dict[int, dict[int, float]] = {
        index: {other: score for other, score in row.items() if score >= floor}
        for index, row in enumerate(_overlaps(vectors))
    }
    own = {index: 1.0 if vectors[index] else 0.0 for index in range(len(vectors))}
    members = {index: [index] for index in range(len(vectors))}

    def closeness(first: int, second: int) -> float:
        size = math.sqrt(own[first] * own[second])
        return links[first].get(second, 0.0) / size if size else 0.0

    heap = [  # two single ideas less alike than the threshold never join each other first
        (-score, first, second)
        for first, row in links.items()
        for second, score in row.items()
        if first < second and score >= threshold
    ]
    heapq.heapify(heap)
    made = len(vectors)
    while heap:
        score, first, second = heapq.heappop(heap)
        if -score < threshold:
            break
        if first not in members or second not in members:
            continue  # one of them joined another group since
        joint = links[first].get(second, 0.0)
        merged, made = made, made + 1
        members[merged] = members.pop(first) + members.pop(second)
        own[merged] = own.pop(first) + own.pop(second) + 2 * joint
        row: dict[int, float] = defaultdict(float)
        for old in (first, second):
            for other, value in links.pop(old).items():
                if other in members and other != merged:
                    row[other] += value
                    links[other].pop(old, None)
        links[merged] = dict(row)
        for other, value in row.items():
            links[other][merged] = value
            heapq.heappush(heap, (-closeness(merged, other), other, merged))
    groups = [sorted(group) for group in members.values() if len(group) >= 2]
    return sorted(groups, key=lambda group: (-len(group), group))


def telling_words(vectors: list[Vector], limit: int) -> list[str]:
    """A group's most telling words: heaviest in the group's vectors together, those shared
    by two or more of its ideas first (a theme is named by what its ideas have in common)."""
    total: dict[str, float] = defaultdict(float)
    shared: dict[str, int] = defaultdict(int)
    for vector in vectors:
        for word, weight in vector.items():
            total[word] += weight
            shared[word] += 1
    ranked = sorted(total, key=lambda word: (shared[word] < 2, -total[word], word))
    common = [word for word in ranked if shared[word] >= 2]
    return (common if len(common) >= 2 else ranked)[:limit]
