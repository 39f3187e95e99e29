"""`wethi vendor --check`: the committed third-party assets match their manifest, offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from forum import vendor


@pytest.fixture
def vendor_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "vendor"
    shutil.copytree(vendor.VENDOR_DIR, copy)
    return copy


def run_check(vendor_dir: Path) -> tuple[int, list[str]]:
    lines: list[str] = []
    return vendor.main(check=True, progress=lines.append, vendor_dir=vendor_dir), lines


def test_committed_assets_pass_the_check():
    code, lines = run_check(vendor.VENDOR_DIR)
    assert code == 0, lines


def test_every_pin_is_in_the_manifest_with_its_licence():
    manifest = json.loads((vendor.VENDOR_DIR / vendor.MANIFEST_NAME).read_text(encoding="utf-8"))
    entries = {entry["name"]: entry for entry in manifest["packages"]}
    for pin in vendor.PINS:
        entry = entries[pin.name]
        assert entry["version"] == pin.version
        assert entry["license"]
        assert entry["tarball"].startswith(vendor.REGISTRY + "/")
        assert f"{pin.name}/LICENSE" in entry["files"]


def test_a_tampered_file_fails_the_check(vendor_copy: Path):
    htmx = vendor_copy / "htmx" / "htmx.min.js"
    htmx.write_bytes(htmx.read_bytes() + b"\n/* injected */")
    code, lines = run_check(vendor_copy)
    assert code == 1
    assert any("htmx/htmx.min.js does not match its sha256" in line for line in lines)


def test_a_missing_file_fails_the_check(vendor_copy: Path):
    (vendor_copy / "sarabun" / "files" / "sarabun-thai-400-normal.woff2").unlink()
    code, lines = run_check(vendor_copy)
    assert code == 1
    assert any("sarabun-thai-400-normal.woff2 is missing" in line for line in lines)


def test_an_unlisted_file_fails_the_check(vendor_copy: Path):
    (vendor_copy / "htmx" / "extra.js").write_text("alert(1)")
    code, lines = run_check(vendor_copy)
    assert code == 1
    assert any("htmx/extra.js is not listed" in line for line in lines)


def test_a_manifest_behind_the_pins_fails_the_check(vendor_copy: Path):
    path = vendor_copy / vendor.MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["packages"][0]["version"] = "0.0.1"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    code, lines = run_check(vendor_copy)
    assert code == 1
    assert any("the pin is" in line for line in lines)


def test_a_missing_manifest_fails_the_check(tmp_path: Path):
    code, lines = run_check(tmp_path)
    assert code == 1
    assert any("cannot read" in line for line in lines)


def test_sarabun_css_declares_each_subset_and_weight_with_swap():
    css = vendor.sarabun_css({"thai": "U+0E01-0E5B", "latin": "U+0000-00FF"})
    assert css.count("@font-face") == len(vendor.SARABUN_SUBSETS) * len(vendor.SARABUN_WEIGHTS)
    assert css.count("font-display: swap") == css.count("@font-face")
    assert "unicode-range: U+0E01-0E5B;" in css
    assert 'url("files/sarabun-latin-700-normal.woff2")' in css
