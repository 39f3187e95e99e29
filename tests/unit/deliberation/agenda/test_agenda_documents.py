"""Documents on agenda items: type by content, size cap, server-chosen names."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from deliberation import documents
from deliberation.agenda import agendas
from deliberation.agenda.models import AgendaDocument
from forum.errors import Forbidden, InvalidInput
from forum.models import Role
from tests import factories

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def setting(session, tmp_path):
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    meeting = factories.agenda_meeting(session, body)
    item = factories.agenda_item(session, meeting)
    return secretary, item, agendas.agenda_of(session, meeting.id), tmp_path


def _attach(session, setting, filename, data):
    actor, item, agenda, folder = setting
    return documents.attach_document(
        session,
        actor,
        item_id=item.id,
        version=agenda.version,
        filename=filename,
        data=data,
        data_dir=folder,
    )


def test_a_pdf_is_kept_under_a_server_chosen_name(session, setting):
    document = _attach(session, setting, "../../etc/รายงาน.pdf", PDF)
    assert document.filename == "รายงาน.pdf"
    assert document.content_type == "application/pdf"
    assert document.stored_name.endswith(".pdf") and "/" not in document.stored_name
    stored = setting[3] / documents.FOLDER / document.stored_name
    assert stored.read_bytes() == PDF


def test_office_files_are_recognised_by_content(session, setting):
    assert _attach(session, setting, "แผนงาน.docx", _docx()).content_type.endswith(
        "wordprocessingml.document"
    )


def test_an_exe_renamed_pdf_is_refused_with_a_clear_message(session, setting):
    with pytest.raises(InvalidInput) as refused:
        _attach(session, setting, "agenda.pdf", EXE)
    assert refused.value.fields["file"].msgid == documents.NOT_ALLOWED
    assert session.exec(select(AgendaDocument)).all() == []
    folder = setting[3] / documents.FOLDER
    assert not folder.exists() or not any(folder.iterdir())


def test_a_pdf_named_docx_is_refused(session, setting):
    with pytest.raises(InvalidInput) as refused:
        _attach(session, setting, "agenda.docx", PDF)
    assert refused.value.fields["file"].msgid == documents.NAME_MISMATCH


def test_an_oversized_file_is_refused(session, setting, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(InvalidInput):
        _attach(session, setting, "big.pdf", PDF + b"0" * 200)
    assert session.exec(select(AgendaDocument)).all() == []


def test_an_empty_file_is_refused(session, setting):
    with pytest.raises(InvalidInput):
        _attach(session, setting, "empty.pdf", b"")


def test_only_those_who_may_see_the_meeting_download(session, setting):
    document = _attach(session, setting, "a.pdf", PDF)
    found, path = documents.document_file(
        session, setting[0], document_id=document.id, data_dir=setting[3]
    )
    assert path.read_bytes() == PDF
    from forum.policy import ANONYMOUS

    with pytest.raises(Forbidden):
        documents.document_file(session, ANONYMOUS, document_id=document.id, data_dir=setting[3])


def test_a_member_cannot_attach(session, setting):
    _actor, item, agenda, folder = setting
    member = factories.actor(session, factories.person(session))
    with pytest.raises(Forbidden):
        documents.attach_document(
            session,
            member,
            item_id=item.id,
            version=agenda.version,
            filename="a.pdf",
            data=PDF,
            data_dir=folder,
        )


def test_removing_an_item_removes_its_documents_files(session, setting):
    actor, item, agenda, folder = setting
    document = _attach(session, setting, "a.pdf", PDF)
    stored = folder / documents.FOLDER / document.stored_name
    assert stored.exists()
    agendas.remove_item(session, actor, item_id=item.id, version=agenda.version, data_dir=folder)
    assert not stored.exists()
    assert session.exec(select(AgendaDocument)).all() == []
