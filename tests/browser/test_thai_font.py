"""Thai renders in Sarabun (served from static/vendor/sarabun/), also on a machine that
has no Thai system font at all."""

from __future__ import annotations

from tests.browser.conftest import th


def _font_used_for(page, selector: str) -> list[str]:
    """The font families Chromium actually drew a node's text with (not just the CSS asked)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [font["familyName"] for font in fonts]


def test_thai_text_renders_in_sarabun(browsing):
    page = browsing.new_page()
    page.goto("/login")
    assert page.locator("h1").inner_text() == th("Log in")

    loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return {
                check: document.fonts.check('16px Sarabun', 'ทดสอบ'),
                faces: [...document.fonts].filter(f => f.family.replaceAll('"', '') === 'Sarabun' && f.status === 'loaded').length,
                family: getComputedStyle(document.body).fontFamily,
            };
        }"""
    )

    assert loaded["check"] is True
    assert loaded["faces"] >= 1, "no Sarabun face was loaded"
    assert loaded["family"].replace('"', "").startswith("Sarabun")
    assert _font_used_for(page, "h1") == ["Sarabun"]
