"""Input checking shared by every service: clean text, then a pydantic schema whose
failures become `InvalidInput` with one message (a msgid) per field."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from forum.errors import FieldMessage, InvalidInput

Schema = TypeVar("Schema", bound=BaseModel)

# Control characters and invisible format characters, except ZWJ/ZWNJ (used in some scripts).
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")

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


def validate(schema: type[Schema], data: dict[str, Any], *, multiline: frozenset[str] = frozenset()) -> Schema:
    """Build `schema` from raw input or raise InvalidInput naming each bad field."""
    cleaned = {key: clean_text(value, multiline=key in multiline) for key, value in data.items()}
    cleaned = {key: (None if value == "" else value) for key, value in cleaned.items()}
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
