"""Input checking shared by every service: clean text, then a pydantic schema whose
failures become `InvalidInput` with one message (a msgid) per field; and whole numbers as
people write them (`whole_number`, `Number`), read here and nowhere else."""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

from forum.errors import FieldMessage, InvalidInput

Schema = TypeVar("Schema", bound=BaseModel)

# Control characters and invisible format characters, except ZWJ/ZWNJ (used in some scripts).
INVISIBLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
# A character that shows: what a field that must say something needs at least one of
# (whitespace and the invisible ones are what clean_text drops or collapses).
VISIBLE = rf"[^\s{INVISIBLE}]"

_MESSAGES = {
    "missing": "This field is required.",
    "string_too_short": "This field is required.",
    "string_too_long": "This is too long: at most %(max_length)s characters.",
    "int_parsing": "Please enter a whole number.",
    "int_type": "Please enter a whole number.",
    "float_parsing": "Please enter a number.",
    "bool_parsing": "Please choose yes or no.",
    "enum": "Please choose one of the options.",
    "literal_error": "Please choose one of the options.",
    "datetime_parsing": "Please enter a date and time.",
    "datetime_from_date_parsing": "Please enter a date and time.",
    "date_parsing": "Please enter a date.",
    "date_from_datetime_parsing": "Please enter a date.",
    "url_parsing": "Please enter a web address starting with https://",
    "url_scheme": "Please enter a web address starting with https://",
    "value_error": "Please check this value.",
    "greater_than_equal": "This number is too small.",
    "less_than_equal": "This number is too large.",
    "too_long": "Too many values.",
    # JSON API bodies (FastAPI's RequestValidationError uses the same table)
    "int_from_float": "Please enter a whole number.",
    "string_type": "Please enter text.",
    "bool_type": "Please choose yes or no.",
    "datetime_type": "Please enter a date and time.",
    "extra_forbidden": "This field is not accepted here.",
    "json_invalid": "The request is not valid JSON.",
    "model_attributes_type": "Please send a JSON object.",
    "dict_type": "Please send a JSON object.",
    "model_type": "Please send a JSON object.",
}


def clean_text(value: Any, *, multiline: bool = False) -> Any:
    """Normalise (NFC), drop invisible/control characters, trim; leave non-strings alone."""
    if not isinstance(value, str):
        return value
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    if multiline:
        return value.replace("\r\n", "\n").strip()
    return " ".join(value.split())


# -- whole numbers ---------------------------------------------------------------------------

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ASCII = str.maketrans(THAI_DIGITS, "0123456789")
OTHER_DIGITS = "Please write the number with the digits 0–9 or ๐–๙."


def ascii_digits(text: str) -> str:
    """`text` with its Thai digits (๐–๙) written as 0–9: what a Thai keyboard types and
    what is stored are the same number (a code, a year, a count)."""
    return text.translate(_TO_ASCII)


def whole_number(text: Any, *, digits: int = 9, field: str = "number") -> int | None:
    """A whole number as a person writes it: ASCII or Thai digits, spaces around. None when
    empty, longer than `digits`, or not a number at all (the caller answers as for a value
    left out: a page's default, a record not found). Digits of any other kind — circled ①,
    superscript ², full-width ２, another script's — raise InvalidInput on `field`: Python's
    int() takes some of them and fails on others, and neither is what the person meant."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text < 10**digits else None
    try:
        written = number_as_written(str(text))
    except ValueError:
        raise InvalidInput({field: OTHER_DIGITS}) from None
    if written.isascii() and written.isdigit() and len(written) <= digits:
        return int(written)
    return None


def number_as_written(value: Any) -> Any:
    """pydantic's side of `whole_number`, before its own int parsing (which also takes
    "2.0"): Thai digits become ASCII, other digits are refused with OTHER_DIGITS."""
    if not isinstance(value, str):
        return value
    written = ascii_digits(value.strip())
    if not written.isascii() and any(char.isdigit() or char.isnumeric() for char in written):
        raise ValueError(OTHER_DIGITS)
    return written


# An int in a path, a query or a schema field, read as people write it (see whole_number):
# Annotated[int, Query(...), AS_WRITTEN] (after FastAPI's Path/Query, which then keep
# their bounds in the OpenAPI document), or Number where no bounds are stated.
AS_WRITTEN = BeforeValidator(number_as_written)
Number = Annotated[int, AS_WRITTEN]


def _is_number(annotation: Any) -> bool:
    """An int field (int, int | None, Annotated[int, …]) of a schema."""
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_number(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    return annotation is int


def validate(
    schema: type[Schema], data: dict[str, Any], *, multiline: frozenset[str] = frozenset()
) -> Schema:
    """Build `schema` from raw input or raise InvalidInput naming each bad field. Its whole
    numbers are read as people write them (number_as_written)."""
    cleaned = {key: clean_text(value, multiline=key in multiline) for key, value in data.items()}
    cleaned = {key: (None if value == "" else value) for key, value in cleaned.items()}
    numbers = _number_fields(schema)
    problems: dict[str, FieldMessage] = {}
    for key in numbers & cleaned.keys():
        try:
            cleaned[key] = number_as_written(cleaned[key])
        except ValueError as error:
            problems[key] = FieldMessage(str(error))
    if problems:
        raise InvalidInput(problems)
    try:
        return schema.model_validate(cleaned)
    except ValidationError as error:
        fields: dict[str, str] = {}
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "__all__"
            if name in fields:
                continue
            fields[name] = problem_message(problem)
        raise InvalidInput(fields) from None


def problem_message(problem: Any) -> FieldMessage:
    """The message (a msgid) for one pydantic validation problem."""
    kind = problem["type"]
    context = problem.get("ctx") or {}
    if problem.get("input", "") is None and kind != "value_error":  # left empty
        return FieldMessage(_MESSAGES["missing"])
    if kind == "value_error" and isinstance(context.get("error"), ValueError):
        return FieldMessage(str(context["error"].args[0]))
    template = _MESSAGES.get(kind, "Please check this value.")
    params = {key: value for key, value in context.items() if isinstance(value, int | str)}
    return FieldMessage(template, params if "%(" in template else {})


def _number_fields(schema: type[BaseModel]) -> frozenset[str]:
    names = _NUMBER_FIELDS.get(schema)
    if names is None:
        names = frozenset(
            name for name, field in schema.model_fields.items() if _is_number(field.annotation)
        )
        _NUMBER_FIELDS[schema] = names
    return names


_NUMBER_FIELDS: dict[type[BaseModel], frozenset[str]] = {}
