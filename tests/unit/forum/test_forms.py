"""Input cleaning and per-field messages."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from forum.errors import InvalidInput
from forum.forms import clean_text, validate


class Example(BaseModel):
    name: str = Field(min_length=1, max_length=10)
    count: int = 0


def test_clean_text_collapses_spaces_and_drops_invisible_characters():
    assert clean_text("  สวัสดี\u200b   ครับ\x00 ") == "สวัสดี ครับ"
    assert clean_text("a\r\nb", multiline=True) == "a\nb"


def test_missing_field_is_named_with_a_message():
    with pytest.raises(InvalidInput) as raised:
        validate(Example, {"name": "   "})
    assert raised.value.fields["name"].msgid == "This field is required."


def test_too_long_keeps_the_limit_as_a_parameter():
    with pytest.raises(InvalidInput) as raised:
        validate(Example, {"name": "ก" * 11})
    message = raised.value.fields["name"]
    assert message.msgid == "This is too long: at most %(max_length)s characters."
    assert message.params == {"max_length": 10}


def test_wrong_type_says_what_is_expected():
    with pytest.raises(InvalidInput) as raised:
        validate(Example, {"name": "ok", "count": "สิบ"})
    assert raised.value.fields["count"].msgid == "Please enter a whole number."
