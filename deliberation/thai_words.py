"""Thai words as search reads them: cut where a reader would, and spelt one way.

Thai has no spaces between words, so text is cut into words by PyThaiNLP's `newmm` with its
dictionary plus the programme's own terms (อส.พน., ธนาคารน้ำใต้ดิน …). A word is kept whole:
a long dictionary word is never cut into the syllables it happens to contain (หวัด is not
in จังหวัด). Only the compounds listed in `data/compounds.th.txt` are also read as their
parts (ธนาคารน้ำใต้ดิน → ธนาคาร, น้ำใต้ดิน → น้ำ, ใต้ดิน), and search ranks a whole word
above a compound's part.

What Thai typists write differently is read alike (`search_words`): tone and vowel marks
typed in another order (PyThaiNLP's normaliser), Thai digits (๒๕๖๒ = 2562), ไม้ยมก with or
without a space (ต่างๆ = ต่าง ๆ, both the word ต่าง), abbreviations with or without dots
(อส.พน. = อสพน), and the loanword spellings of `data/spelling_variants.th.txt`
(โซล่าเซลล์ = โซลาร์เซลล์). Pages show the text as written: only the search columns and
the queries are read this way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pythainlp.corpus import thai_words
from pythainlp.tokenize.newmm import segment as newmm_segment
from pythainlp.util import Trie
from pythainlp.util import normalize as normalize_marks

from forum.forms import ascii_digits

DATA = Path(__file__).parent / "data"

# The programme's words, kept whole (seed/energy-network-project-2562.th.txt and the
# energy vocabulary of its networks): abbreviations with their dots, transliterations
# the dictionary lacks, and names of the programmes the work integrates with.
PROGRAMME_TERMS = frozenset(
    {
        "อส.พน.", "สพจ.", "พพ.", "สสช.", "อปท.", "อบต.", "อบจ.", "กฟภ.", "กฟน.", "กฟผ.",
        "กระทรวงพลังงาน", "สำนักงานพลังงานจังหวัด", "สำนักส่งเสริมการมีส่วนร่วมของประชาชน",
        "เครือข่ายพลังงานชุมชน", "เครือข่ายพลังงานภาคประชาชน", "พลังงานชุมชน",
        "พลังงานทดแทน", "พลังงานแสงอาทิตย์", "พลังงานลม", "พลังงานน้ำ", "พลังงานชีวมวล",
        "ธนาคารน้ำใต้ดิน", "ธนาคารต้นไม้", "วิสาหกิจชุมชน", "แปลงใหญ่", "นาแปลงใหญ่",
        "สมาร์ทฟาร์มเมอร์", "โซลาร์รูฟท็อป", "โซลาร์เซลล์", "โซลาร์ฟาร์ม", "โซลาร์ปั๊ม",
        "ไบโอแก๊ส", "ก๊าซชีวภาพ", "เตาชีวมวล", "เตาเผาถ่าน", "เตาซุปเปอร์อั้งโล่",
        "ศูนย์เรียนรู้", "ต้นแบบ", "นักส่งเสริม", "นักสื่อสารพลังงานชุมชน",
        "อาสาสมัครพลังงาน", "แกนนำชุมชน", "กลุ่มอาชีพ", "เวทีสัมมนา", "ร่างโครงการ",
        "คณะทำงาน", "คณะกรรมการ", "สิ่งแวดล้อม", "ประสิทธิภาพพลังงาน", "อนุรักษ์พลังงาน",
        "ระเบียบวาระ", "มติที่ประชุม", "รายงานการประชุม", "แผนงานร่วม",
    }
)  # fmt: skip


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _read_compounds() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    compounds: dict[str, tuple[str, ...]] = {}
    prefixes: list[str] = []
    for line in _lines("compounds.th.txt"):
        whole, *parts = (word.strip() for word in line.split("|"))
        if parts == ["*"]:
            prefixes.append(whole)
        else:
            compounds[whole] = tuple(parts)
    return compounds, tuple(prefixes)


def _read_variants() -> dict[str, str]:
    variants: dict[str, str] = {}
    for line in _lines("spelling_variants.th.txt"):
        variant, _, canonical = line.partition("=")
        variants[variant.strip()] = canonical.strip()
    return variants


# compound -> its parts (each may be a compound); and the prefixes whose words are read
# through (ค่า: ค่าบำรุงรักษา is also บำรุงรักษา)
COMPOUNDS, PREFIXES = _read_compounds()
MIN_AFTER_PREFIX = 5  # letters of the word after a prefix: ค่าไฟ is not read as ไฟ
VARIANTS = _read_variants()  # a spelling -> the one search reads it as

_THAI_LETTER = "\u0e01-\u0e4e"
_ABBREVIATION_DOT = re.compile(f"(?<=[{_THAI_LETTER}])\\.")  # อส.พน. → อสพน
_REPEAT_MARK = re.compile(r"\s*ๆ")  # ไม้ยมก, with or without the space before it
# What a word keeps: letters, digits and Thai vowel and tone marks (what both full-text
# engines read as one token), nothing else.
_NOT_WORD = re.compile(r"(?:[^\w\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]|_)+")


def _dotless(word: str) -> str:
    return _ABBREVIATION_DOT.sub("", word)


# Built once, at start-up: PyThaiNLP's word list, the programme's terms, the listed
# compounds, their parts and the spelling variants, each also as search writes it.
_OWN_WORDS = (
    PROGRAMME_TERMS
    | COMPOUNDS.keys()
    | {part for parts in COMPOUNDS.values() for part in parts}
    | VARIANTS.keys()
    | set(VARIANTS.values())
)
_WORDS = thai_words() | _OWN_WORDS | {_dotless(word) for word in _OWN_WORDS}
DICTIONARY = Trie(_WORDS)

_UNSPACED = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")


def cut(text: str) -> list[str]:
    """The words of `text` as written (spaces and line breaks left out); the programme's
    terms and listed compounds whole."""
    return [token for token in newmm_segment(text, custom_dict=DICTIONARY) if not token.isspace()]


def tokens_as_written(text: str) -> list[str]:
    """Every piece newmm cuts `text` into, spaces included: joined, they are the text."""
    return newmm_segment(text, custom_dict=DICTIONARY)


def spelt_alike(text: str) -> str:
    """`text` as search reads it before cutting: marks in one order, ASCII digits, no
    ไม้ยมก, abbreviations without their dots."""
    text = normalize_marks(unicodedata.normalize("NFC", text)).translate(_UNSPACED)
    return _ABBREVIATION_DOT.sub("", _REPEAT_MARK.sub("", ascii_digits(text)))


@lru_cache(maxsize=200_000)
def word_key(token: str) -> str:
    """One cut word as search reads it ("" for a word of no letters or digits): lower case,
    the spelling variants read as one, punctuation dropped."""
    word = _NOT_WORD.sub("", token).lower()
    return VARIANTS.get(word, word)


@lru_cache(maxsize=200_000)
def token_key(token: str) -> str:
    """A word cut from the text as written, read as search reads it (spelt_alike, then
    word_key): how a page's words are matched against a query's."""
    return word_key(spelt_alike(token))


@lru_cache(maxsize=100_000)
def parts_of(word: str) -> tuple[str, ...]:
    """Every word a listed compound is read as, its parts' parts included (ธนาคารน้ำใต้ดิน →
    ธนาคาร, น้ำใต้ดิน, น้ำ, ใต้ดิน), or the word after a listed prefix (ค่าบำรุงรักษา →
    บำรุงรักษา); nothing for any other word."""
    found: list[str] = []
    for part in COMPOUNDS.get(word, ()) or _after_prefix(word):
        key = word_key(part)
        found += [key, *parts_of(key)]
    return tuple(dict.fromkeys(found))


def _after_prefix(word: str) -> tuple[str, ...]:
    for prefix in PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= MIN_AFTER_PREFIX and rest in _WORDS:
            return (rest,)
    return ()


# The compounds as search reads them (their keys), for the lookups above.
COMPOUNDS.update({word_key(word): parts for word, parts in list(COMPOUNDS.items())})
# Every word some compound is read as having: a query word that is none of these can
# only be found whole.
PART_WORDS = frozenset(
    part
    for word in list(COMPOUNDS) + [word for word in _WORDS if word.startswith(PREFIXES)]
    for part in parts_of(word_key(word))
)


@dataclass(frozen=True)
class Words:
    """A text as search indexes it: its words (each a word_key), and the parts of its
    compounds (each compound's parts side by side)."""

    words: tuple[str, ...]
    parts: tuple[str, ...]

    @property
    def words_text(self) -> str:
        return " ".join(self.words)

    @property
    def parts_text(self) -> str:
        return " ".join(self.parts)


def search_words(text: str) -> Words:
    """The words of `text` as search reads them (see the module's docstring)."""
    words = tuple(key for token in cut(spelt_alike(text)) if (key := word_key(token)))
    parts = tuple(part for word in words for part in parts_of(word))
    return Words(words, parts)
