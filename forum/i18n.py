"""Thai first, English second: Babel catalogs read at start-up, the locale per request.

Message ids are English. `locales/th/*.po` (one file per topic, so packages and
people can add strings without stepping on each other) holds the Thai. English needs no
catalog: a msgid is its own English text.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = ("th", "en")
DEFAULT_LOCALE = "th"
LOCALE_DIR = Path(__file__).parent / "locales"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation for `locale`, merged from every .po file of that locale."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale).glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.string and not message.fuzzy:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    value = message.string if isinstance(message.string, str) else message.string[0]
                    messages[key] = value
    return messages


def gettext(message: str, **params: object) -> str:
    text = catalog(current_locale.get()).get(message, message) if current_locale.get() != "en" else message
    return text % params if params else text


def plural_text(singular: str, plural: str, n: int) -> str:
    if current_locale.get() == "en":
        return singular if n == 1 else plural
    # Thai has no plural forms: the catalog keys on the singular
    return catalog(current_locale.get()).get(singular, singular if n == 1 else plural)


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    params.setdefault("num", n)
    return plural_text(singular, plural, n) % params


def translate(message: str, locale: str, **params: object) -> str:
    token = current_locale.set(locale)
    try:
        return gettext(message, **params)
    finally:
        current_locale.reset(token)


def pick_locale(cookie: str | None, default: str, *, accept_language: str | None = None) -> str:
    """Pages are Thai by default, whatever the browser's own language (many Thai phones are
    set to English): English only by the switch, which sticks (cookie). API clients, which
    have no switch, may ask with Accept-Language."""
    if cookie in LOCALES:
        return cookie
    if accept_language:
        first = accept_language.split(",")[0].strip().lower()
        if first.startswith("en"):
            return "en"
    return default
