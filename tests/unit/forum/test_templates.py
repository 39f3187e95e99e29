"""Templates are compiled once per language with their fixed texts already translated
(forum.web.templates._FoldTranslations): the folded page must read exactly as `_()` at run time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import DictLoader
from markupsafe import Markup, escape

from forum import i18n
from forum.web.templates import ENVIRONMENTS, _escape_output, _make_environment

SOURCE = (
    '<p title="{{ _("Skip to content") }}">{{ _("Meetings") }}</p>'
    '<p>{{ _("Present: %(count)s", count=count) }}</p>'
    "<p>{{ _(flash) }}</p>"
    '{% set online = _("Online") %}<p>{{ online }}</p>'
)


def _environment(locale: str):
    environment = _make_environment(locale)
    environment.loader = DictLoader({"page.html": SOURCE})
    return environment


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_folded_texts_read_as_translated_at_run_time(locale: str) -> None:
    token = i18n.current_locale.set(locale)
    try:
        html = (
            _environment(locale)
            .get_template("page.html")
            .render(count="<3>", flash="Your changes have been saved.")
        )
        expected = (
            f'<p title="{i18n.gettext("Skip to content")}">{i18n.gettext("Meetings")}</p>'
            f"<p>{i18n.gettext('Present: %(count)s', count='&lt;3&gt;')}</p>"
            f"<p>{i18n.gettext('Your changes have been saved.')}</p>"
            f"<p>{i18n.gettext('Online')}</p>"
        )
    finally:
        i18n.current_locale.reset(token)
    assert html == expected
    if locale == "th":
        assert "ประชุม" in html  # really translated, not the msgid


def test_a_literal_text_becomes_a_constant_of_the_compiled_template() -> None:
    environment = _environment("th")
    code = environment.compile(SOURCE, raw=True)
    assert "'Meetings'" not in code and "Skip to content" not in code
    assert i18n.translate("Meetings", "th") in code
    # Only the text known at run time still calls `_()`: the flash message.
    assert code.count("(name='_')") == 1


def test_the_languages_have_their_own_compiled_templates() -> None:
    assert set(ENVIRONMENTS) == set(i18n.LOCALES)
    thai = ENVIRONMENTS["th"].get_template("base.html")
    english = ENVIRONMENTS["en"].get_template("base.html")
    assert thai is not english


@given(st.text() | st.integers())
def test_output_escaping_is_markupsafes_escaping(value) -> None:
    """Values reach the page through forum.web.templates._escape_output (a plain str, for speed):
    the text must be exactly what markupsafe's escape gives."""
    assert _escape_output(value) == str(escape(value))


def test_values_are_escaped_and_safe_markup_is_not() -> None:
    environment = _make_environment("th")
    environment.loader = DictLoader({"v.html": "{{ text }}|{{ number }}|{{ safe }}"})
    html = environment.get_template("v.html").render(
        text='<script>alert("x")</script> & \'', number=7, safe=Markup("<b>ok</b>")
    )
    assert html == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;|7|<b>ok</b>"
