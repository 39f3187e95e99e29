"""`wethi vendor`: fetch the pinned third-party browser assets into static/vendor/.

Each asset comes from the npm registry's tarball of an exactly pinned version, checked
against the registry's `dist.integrity` (and `shasum`) before anything is written. The
files are committed with MANIFEST.json (package, version, tarball, sha256 of each file),
so `wethi vendor --check` verifies a checkout offline and a deployment needs no network.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import tarfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
MANIFEST_NAME = "MANIFEST.json"

SARABUN_SUBSETS = ("thai", "latin")
SARABUN_WEIGHTS = (400, 600, 700)
SARABUN_CSS = "sarabun.css"


@dataclass(frozen=True)
class Pin:
    """One npm package at an exact version, and the files taken from its tarball."""

    name: str  # the folder under static/vendor/
    package: str
    version: str
    files: dict[str, str] = field(default_factory=dict)  # tarball member -> path in the folder
    license: str = ""  # only where the package.json names none (its LICENSE file still does)


def _sarabun_files() -> dict[str, str]:
    files = {"package/LICENSE": "LICENSE"}
    for subset in SARABUN_SUBSETS:
        for weight in SARABUN_WEIGHTS:
            font = f"sarabun-{subset}-{weight}-normal.woff2"
            files[f"package/files/{font}"] = f"files/{font}"
    return files


PINS: tuple[Pin, ...] = (
    Pin(
        "htmx",
        "htmx.org",
        "2.0.11",
        {"package/dist/htmx.min.js": "htmx.min.js", "package/LICENSE": "LICENSE"},
    ),
    Pin(
        "htmx-ext-ws",
        "htmx-ext-ws",
        "2.0.4",
        {"package/dist/ws.js": "ws.js", "package/LICENSE": "LICENSE"},
        license="0BSD",
    ),
    Pin("sarabun", "@fontsource/sarabun", "5.3.0", _sarabun_files()),
)


class VendorError(Exception):
    """A download, an integrity check or the manifest did not match."""


def main(
    check: bool = False, progress: Callable[[str], None] = print, vendor_dir: Path = VENDOR_DIR
) -> int:
    """Fetch every pin into `vendor_dir` (or, with `check`, verify it offline); 0 when all is well."""
    if not check:
        try:
            fetch_all(vendor_dir, progress)
        except VendorError as error:
            progress(f"vendor: {error}")
            return 1
    problems = check_vendor(vendor_dir)
    for problem in problems:
        progress(f"vendor check failed: {problem}")
    if problems:
        progress("Run `wethi vendor` to fetch the pinned assets again.")
        return 1
    progress(
        f"vendor: {sum(len(entry['files']) for entry in _read_manifest(vendor_dir)['packages'])} files match {MANIFEST_NAME}."
    )
    return 0


# --- fetching ---------------------------------------------------------------------------


def fetch_all(vendor_dir: Path, progress: Callable[[str], None]) -> None:
    """Download, verify and write every pin, then the manifest."""
    entries = []
    for pin in PINS:
        metadata = _get_json(f"{REGISTRY}/{pin.package}/{pin.version}")
        dist = metadata["dist"]
        progress(f"Fetching {pin.package}@{pin.version} …")
        tarball = _get(dist["tarball"])
        _verify_tarball(pin, tarball, dist)
        contents = _extract(pin, tarball)
        if pin.name == "sarabun":
            contents[SARABUN_CSS] = sarabun_css(_unicode_ranges(tarball)).encode()
        folder = vendor_dir / pin.name
        if folder.exists():
            shutil.rmtree(folder)
        for relative, data in contents.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        entries.append(
            {
                "name": pin.name,
                "package": pin.package,
                "version": pin.version,
                "license": metadata.get("license") or pin.license,
                "tarball": dist["tarball"],
                "integrity": dist.get("integrity", ""),
                "files": {
                    f"{pin.name}/{relative}": _sha256(data)
                    for relative, data in sorted(contents.items())
                },
            }
        )
    manifest = {"registry": REGISTRY, "packages": entries}
    (vendor_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _get(url: str) -> bytes:
    if not url.startswith(REGISTRY + "/"):
        raise VendorError(f"refusing to download {url}: not on {REGISTRY}")
    request = urllib.request.Request(url, headers={"User-Agent": "wethi-vendor"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 — https registry only, checked above
            return response.read()
    except OSError as error:
        raise VendorError(f"cannot download {url}: {error}") from None


def _get_json(url: str) -> dict:
    return json.loads(_get(url))


def _verify_tarball(pin: Pin, tarball: bytes, dist: dict) -> None:
    integrity = dist.get("integrity", "")
    if integrity:
        algorithm, _, expected = integrity.partition("-")
        if algorithm not in {"sha256", "sha384", "sha512"}:
            raise VendorError(f"{pin.package}@{pin.version}: unsupported integrity {algorithm}")
        actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
        if actual != expected:
            raise VendorError(f"{pin.package}@{pin.version}: tarball does not match dist.integrity")
    shasum = dist.get("shasum", "")
    if shasum and hashlib.sha1(tarball).hexdigest() != shasum:  # noqa: S324 — npm's own checksum
        raise VendorError(f"{pin.package}@{pin.version}: tarball does not match dist.shasum")
    if not integrity and not shasum:
        raise VendorError(f"{pin.package}@{pin.version}: the registry gave no checksum")


def _extract(pin: Pin, tarball: bytes) -> dict[str, bytes]:
    """Read only the pinned members (never extractall: no path from the archive reaches the disk)."""
    contents = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, relative in pin.files.items():
            try:
                handle = archive.extractfile(member)
            except KeyError:
                handle = None
            if handle is None:
                raise VendorError(f"{pin.package}@{pin.version} has no file {member}")
            contents[relative] = handle.read()
    return contents


def _unicode_ranges(tarball: bytes) -> dict[str, str]:
    """The `unicode-range` of each Sarabun subset, as the package's own 400.css declares it."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        handle = archive.extractfile("package/400.css")
        css = handle.read().decode() if handle else ""
    ranges = {}
    for subset in SARABUN_SUBSETS:
        found = re.search(
            rf"/\* sarabun-{subset}-400-normal \*/.*?unicode-range:\s*([^;]+);", css, re.S
        )
        if not found:
            raise VendorError(f"@fontsource/sarabun: no unicode-range for the {subset} subset")
        ranges[subset] = found.group(1).strip()
    return ranges


def sarabun_css(ranges: dict[str, str]) -> str:
    """@font-face rules for the vendored Sarabun subsets: the browser loads a file only for the
    characters a page uses (Thai pages load the Thai subset, plus Latin for digits and names)."""
    rules = ["/* Sarabun (SIL Open Font License 1.1, see LICENSE), generated by `wethi vendor`. */"]
    for subset in SARABUN_SUBSETS:
        for weight in SARABUN_WEIGHTS:
            rules.append(
                "@font-face {\n"
                '  font-family: "Sarabun";\n'
                "  font-style: normal;\n"
                f"  font-weight: {weight};\n"
                "  font-display: swap;\n"
                f'  src: url("files/sarabun-{subset}-{weight}-normal.woff2") format("woff2");\n'
                f"  unicode-range: {ranges[subset]};\n"
                "}"
            )
    return "\n".join(rules) + "\n"


# --- checking ---------------------------------------------------------------------------


def check_vendor(vendor_dir: Path) -> list[str]:
    """Every problem with `vendor_dir` against its manifest and the pins, one line each."""
    try:
        manifest = _read_manifest(vendor_dir)
    except (OSError, ValueError, KeyError) as error:
        return [f"cannot read {vendor_dir / MANIFEST_NAME}: {error}"]
    problems = []
    listed = {entry["name"]: entry for entry in manifest["packages"]}
    for pin in PINS:
        entry = listed.get(pin.name)
        if entry is None:
            problems.append(f"{pin.package} is pinned but missing from {MANIFEST_NAME}")
        elif (entry["package"], entry["version"]) != (pin.package, pin.version):
            problems.append(
                f"{MANIFEST_NAME} has {entry['package']}@{entry['version']}, the pin is {pin.package}@{pin.version}"
            )
    expected = {
        path: digest for entry in manifest["packages"] for path, digest in entry["files"].items()
    }
    for path, digest in sorted(expected.items()):
        file = vendor_dir / path
        if not file.is_file():
            problems.append(f"{path} is missing")
        elif _sha256(file.read_bytes()) != digest:
            problems.append(f"{path} does not match its sha256 in {MANIFEST_NAME}")
    for file in sorted(vendor_dir.rglob("*")):
        relative = file.relative_to(vendor_dir).as_posix()
        if file.is_file() and relative != MANIFEST_NAME and relative not in expected:
            problems.append(f"{relative} is not listed in {MANIFEST_NAME}")
    return problems


def _read_manifest(vendor_dir: Path) -> dict:
    manifest = json.loads((vendor_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    if not all(
        {"name", "package", "version", "files"} <= entry.keys() for entry in manifest["packages"]
    ):
        raise ValueError("a package entry lacks its name, package, version or files")
    return manifest


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
