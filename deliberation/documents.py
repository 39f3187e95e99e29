"""Documents attached to agenda items (PDF, images, office files).

A file's type is read from its content (its signature), not trusted from its name: an
`.exe` renamed `.pdf` is refused. Files are kept in the data directory under names the
server chooses; the name a person gave is only shown and offered on download.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from deliberation.agenda import agendas
from deliberation.agenda.events import AgendaChanged
from deliberation.agenda.models import Agenda, AgendaDocument, AgendaItem
from forum import audit, events, policy
from forum.errors import InvalidInput, NotFound
from forum.policy import Actor

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # under the 20 MB cap of forum.middleware for uploads
FOLDER = "agenda-documents"


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first is used when the name has none


PDF = FileKind("application/pdf", (".pdf",))
PNG = FileKind("image/png", (".png",))
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"))
GIF = FileKind("image/gif", (".gif",))
WEBP = FileKind("image/webp", (".webp",))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
)
ODT = FileKind("application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", (".ods",))
ODP = FileKind("application/vnd.oasis.opendocument.presentation", (".odp",))
LEGACY_OFFICE = {  # one signature (OLE2) for all three: the name tells which
    ".doc": FileKind("application/msword", (".doc",)),
    ".xls": FileKind("application/vnd.ms-excel", (".xls",)),
    ".ppt": FileKind("application/vnd.ms-powerpoint", (".ppt",)),
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
INLINE_TYPES = {
    PDF.content_type,
    PNG.content_type,
    JPEG.content_type,
    GIF.content_type,
    WEBP.content_type,
}

NOT_ALLOWED = (
    "This file is not a PDF, an image or an office document (judged by its content, "
    "whatever its name says), so it was not uploaded."
)
NAME_MISMATCH = (
    "The file's name does not match its content (for example a .pdf name on another kind "
    "of file), so it was not uploaded. Check that you chose the right file."
)


def _zip_kind(data: bytes) -> FileKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "mimetype" in names:
            if archive.getinfo("mimetype").file_size > 100:  # a real one is ~40 bytes; no zip bomb
                return None
            declared = archive.read("mimetype").decode("ascii", "replace").strip()
            return _ODF.get(declared)
        if "[Content_Types].xml" in names:
            for prefix, kind in _OOXML.items():
                if any(name.startswith(prefix) for name in names):
                    return kind
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return None


def sniff(data: bytes, extension: str) -> FileKind | None:
    """The kind of file `data` is, by its signature; None for anything not accepted."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(_OLE2):
        return LEGACY_OFFICE.get(extension, LEGACY_OFFICE[".doc"])
    return None


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]+")


def clean_filename(name: str) -> str:
    """The name as shown: no folders, no control or reserved characters, at most 150."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_UNSAFE_NAME.sub(" ", name).split()).strip(". ")
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:140] + dot + extension[:9]) if dot else name[:150]
    return name


def size_text(size: int) -> str:
    """A file's size as the pages show it: "1.2 MB", "350 KB" (at least 1 KB)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _same_meeting(agenda: Agenda, meeting_id: int | None) -> None:
    if meeting_id is not None and agenda.meeting_id != meeting_id:
        raise NotFound()  # a document of another meeting's agenda


def remove_files(data_dir: Path, stored_names: list[str]) -> None:
    """Delete documents' files whose records are gone (after the commit)."""
    for stored in stored_names:
        (_folder(data_dir) / stored).unlink(missing_ok=True)


def _folder(data_dir: Path) -> Path:
    folder = Path(data_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def attach_document(
    session: Session,
    actor: Actor,
    *,
    item_id: int,
    version: int | None,
    meeting_id: int | None = None,
    filename: str,
    data: bytes,
    data_dir: Path,
) -> AgendaDocument:
    """Raises Forbidden, NotFound, Conflict (agenda locked), StaleEdit, InvalidInput (empty,
    too large, not an accepted type, a name that does not match the content)."""
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound()
    agenda = session.get(Agenda, item.agenda_id)
    assert agenda is not None
    _same_meeting(agenda, meeting_id)
    agenda, meeting = agendas.agenda_for_edit(session, actor, meeting_id=agenda.meeting_id)
    agendas.check_editable(agenda, meeting)
    name = clean_filename(filename)
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if not data:
        raise InvalidInput({"file": "Please choose a file to upload."})
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput({"file": "This file is too large: at most 10 MB."})
    kind = sniff(data, extension)
    if kind is None:
        raise InvalidInput({"file": NOT_ALLOWED})
    if extension and extension not in kind.extensions:
        raise InvalidInput({"file": NAME_MISMATCH})
    if not extension:
        name = (name or "document") + kind.extensions[0]
    agendas.claim_agenda(session, agenda, version)
    stored = secrets.token_hex(16) + kind.extensions[0]
    path = _folder(data_dir) / stored
    path.write_bytes(data)
    try:
        document = AgendaDocument(
            item_id=item_id,
            filename=name,
            stored_name=stored,
            content_type=kind.content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor.person_id,
        )
        session.add(document)
        session.flush()
        audit.record(session, actor, "deliberation.agenda.attach_document", document)
        session.commit()
        events.record(session, AgendaChanged(agenda.meeting_id))
    except BaseException:
        path.unlink(missing_ok=True)  # nothing acknowledged, nothing kept
        raise
    return document


def document_file(
    session: Session,
    actor: Actor,
    *,
    document_id: int,
    data_dir: Path,
    meeting_id: int | None = None,
) -> tuple[AgendaDocument, Path]:
    """The document and where its bytes are, for those who may see the meeting. Raises
    Forbidden, NotFound."""
    document = session.get(AgendaDocument, document_id)
    if document is None:
        raise NotFound()
    item = session.get(AgendaItem, document.item_id)
    agenda = session.get(Agenda, item.agenda_id) if item else None
    if agenda is None:
        raise NotFound()
    _same_meeting(agenda, meeting_id)
    _agenda, meeting = agendas.ensure_agenda(session, actor, meeting_id=agenda.meeting_id)
    policy.require(actor, "deliberation.agenda.view", meeting)
    path = _folder(data_dir) / document.stored_name
    if not path.is_file():
        raise NotFound()
    return document, path


def remove_document(
    session: Session,
    actor: Actor,
    *,
    document_id: int,
    version: int | None,
    data_dir: Path,
    meeting_id: int | None = None,
) -> AgendaDocument:
    """Raises Forbidden, NotFound, Conflict (agenda locked), StaleEdit."""
    document = session.get(AgendaDocument, document_id)
    if document is None:
        raise NotFound()
    item = session.get(AgendaItem, document.item_id)
    assert item is not None
    agenda = session.get(Agenda, item.agenda_id)
    assert agenda is not None
    _same_meeting(agenda, meeting_id)
    agenda, meeting = agendas.agenda_for_edit(session, actor, meeting_id=agenda.meeting_id)
    agendas.check_editable(agenda, meeting)
    agendas.claim_agenda(session, agenda, version)
    before = audit.snapshot(document)
    session.delete(document)
    audit.record(
        session,
        actor,
        "deliberation.agenda.remove_document",
        target_type="agenda_document",
        target_id=document_id,
        before=before,
    )
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    (_folder(data_dir) / document.stored_name).unlink(missing_ok=True)
    return document
