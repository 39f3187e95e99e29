"""What a person types into the search box, read as the search page says: words (each must
be found), a "quoted phrase" (its words side by side, each whole), -word or -"phrase" to
leave out what holds it, and OR between two of them (either will do). Everything else is
words: the text is never the database's query syntax. Words are read as search reads text
(deliberation.thai_words): a query and a text spelt differently still meet."""

from __future__ import annotations

import re
from dataclasses import dataclass

from deliberation import thai_words


@dataclass(frozen=True)
class Term:
    """One thing to find: `words` (search keys), side by side and whole if `phrase`, else
    each anywhere (whole, or as a listed compound's part)."""

    words: tuple[str, ...]
    phrase: bool = False


@dataclass(frozen=True)
class Query:
    """Every group must be found (by any one of its terms); no excluded term may be."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group)

    @property
    def words(self) -> tuple[str, ...]:
        """The words to find (not those left out), each once."""
        return tuple(dict.fromkeys(word for term in self.terms for word in term.words))


# A piece of the query: -? then a "quoted phrase" (its closing quote optional) or a run of
# anything but spaces and quotes.
_PIECE = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')
OR = "OR"


def parse(text: str) -> Query:
    """The query in `text` (see the module). Its groups are empty when it names nothing to
    find: the caller refuses that."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # an OR stands between the last group and the next term
    for match in _PIECE.finditer(text):
        minus, quoted, bare = match.groups()
        if bare == OR and not minus:
            joining = bool(groups)
            continue
        words = thai_words.search_words(quoted if quoted is not None else bare).words
        if not words:
            continue
        term = Term(words, phrase=quoted is not None)
        if minus:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    return each_word_a_group(Query(tuple(tuple(group) for group in groups), tuple(excluded)))


def each_word_a_group(query: Query) -> Query:
    """A group of one unquoted term of several words (ติดตั้งแผง: ติดตั้ง, แผง) as one group
    per word: the same hits, and each word then ranks on its own."""
    groups: list[tuple[Term, ...]] = []
    for group in query.groups:
        if len(group) == 1 and not group[0].phrase and len(group[0].words) > 1:
            groups += [(Term((word,)),) for word in group[0].words]
        else:
            groups.append(group)
    return Query(tuple(groups), query.excluded)
