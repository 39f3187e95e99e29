"""Input cleaning and per-field messages."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from forum.errors import InvalidInput
from forum.forms import Number, clean_text, validate, whole_number


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


# -- whole numbers (issue 12, part 2) ---------------------------------------------------------

OTHER_DIGITS = {"circled": "②", "superscript": "²", "full-width": "２", "arabic-indic": "٢", "devanagari": "२", "fraction": "½"}


@pytest.mark.parametrize("written, number", [("2", 2), (" 12 ", 12), ("๒", 2), ("๒๕๖๙", 2569), ("1๒", 12), (7, 7), ("0", 0)])
def test_a_whole_number_is_read_in_ascii_or_thai_digits(written, number):
    assert whole_number(written) == number


@pytest.mark.parametrize("written", [None, "", "  ", "abc", "-3", "2.5", "1e3", "12345678901", True, -1])
def test_what_is_not_a_whole_number_is_none(written):
    assert whole_number(written) is None


@pytest.mark.parametrize("kind", list(OTHER_DIGITS))
def test_digits_of_another_kind_are_refused_with_a_message_on_the_field(kind):
    with pytest.raises(InvalidInput) as raised:
        whole_number(f"1{OTHER_DIGITS[kind]}", field="page")
    assert raised.value.fields["page"].msgid == "Please write the number with the digits 0–9 or ๐–๙."


def test_a_schema_reads_its_whole_numbers_as_people_write_them():
    assert validate(Example, {"name": "ok", "count": "๑๒"}).count == 12
    assert validate(Example, {"name": "๑๒"}).name == "๑๒"  # text stays as typed
    with pytest.raises(InvalidInput) as raised:
        validate(Example, {"name": "ok", "count": "②"})
    assert raised.value.fields["count"].msgid == "Please write the number with the digits 0–9 or ๐–๙."


def test_the_number_type_takes_thai_digits_and_refuses_others():
    numbers = TypeAdapter(Number)
    assert numbers.validate_python("๓") == 3 and numbers.validate_python("2.0") == 2
    for digit in OTHER_DIGITS.values():
        with pytest.raises(ValidationError):
            numbers.validate_python(digit)
