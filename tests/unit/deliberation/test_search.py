"""deliberation.search: Thai words cut and indexed, found only by those who may see them,
with snippets that are safe HTML."""

from __future__ import annotations

import pytest
from sqlmodel import delete, select

from deliberation import search
from deliberation.models import SearchEntry, SearchWord
from forum.errors import InvalidInput, NotLoggedIn
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def member(session, body):
    return factories.actor(session, factories.member(session, body, Role.member))


def add(session, body, ref_id, text, *, title="", kind="post", meeting_id=None):
    search.index_entry(
        session,
        kind=kind,
        ref_id=ref_id,
        body_id=body.id,
        meeting_id=meeting_id,
        title=title,
        text=text,
    )
    session.commit()


def found(session, actor, query, **kwargs):
    return [hit.ref_id for hit in search.search(session, actor, query=query, **kwargs).items]


# -- words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    ["อส.พน.", "โซลาร์รูฟท็อป", "สพจ.", "พพ.", "เครือข่ายพลังงานชุมชน", "ธนาคารน้ำใต้ดิน", "ธนาคารต้นไม้",
     "วิสาหกิจชุมชน", "แปลงใหญ่", "สมาร์ทฟาร์มเมอร์", "พลังงานทดแทน", "ไบโอแก๊ส", "เตาชีวมวล"],
)  # fmt: skip
def test_programme_terms_are_kept_whole(term):
    assert term in search.segment(f"วันนี้{term}ของจังหวัดน่าน")


def test_segmentation_leaves_out_spaces_and_keeps_latin_words():
    assert search.segment("ติดตั้ง solar cell ที่บ้าน") == ["ติดตั้ง", "solar", "cell", "ที่", "บ้าน"]


def test_a_listed_compound_is_indexed_whole_and_by_its_parts_and_reads_as_written():
    columns = search.indexed("", "ใช้พลังงานแสงอาทิตย์ในจังหวัดน่าน")
    assert columns.segmented.split(search.WORD_SEPARATOR)[:2] == ["ใช้", "พลังงานแสงอาทิตย์"]
    assert columns.segmented.replace(search.WORD_SEPARATOR, "") == "ใช้พลังงานแสงอาทิตย์ในจังหวัดน่าน"
    assert columns.search_text.split() == ["ใช้", "พลังงานแสงอาทิตย์", "ใน", "จังหวัด", "น่าน"]
    assert columns.search_parts.split() == ["พลังงาน", "แสงอาทิตย์"]  # จังหวัด is a word, not หวัด


# -- finding --------------------------------------------------------------------------


def test_a_thai_word_is_found_and_a_word_differing_in_a_vowel_mark_is_not(session, body, member):
    add(session, body, 1, "ขุดบ่อเพื่อเติมน้ำลงดิน")
    add(session, body, 2, "ช่วยกันดันรถขึ้นเนิน")
    assert found(session, member, "ดิน") == [1]
    assert found(session, member, "ดัน") == [2]


def test_a_word_inside_a_longer_compound_is_found(session, body, member):
    add(session, body, 1, "ชุมชนติดตั้งแผงพลังงานแสงอาทิตย์บนหลังคาโรงเรียน")
    add(session, body, 2, "ประชุมเรื่องงบประมาณประจำปี")
    assert found(session, member, "พลังงาน") == [1]
    assert found(session, member, "แสงอาทิตย์") == [1]
    assert found(session, member, "พลังงานแสงอาทิตย์") == [1]


def test_a_programme_term_is_found_whole_and_by_its_parts(session, body, member):
    add(session, body, 1, "ขยายผลธนาคารน้ำใต้ดินสู่ครัวเรือน")
    add(session, body, 2, "ธนาคารหมู่บ้านปล่อยกู้ ส่วนน้ำใต้ดินลดลง")
    assert found(session, member, "ธนาคารน้ำใต้ดิน") == [1]  # the words side by side only
    assert sorted(found(session, member, "น้ำใต้ดิน")) == [1, 2]
    assert found(session, member, "อส.พน.") == []
    add(session, body, 3, "อส.พน. ร่วมกับ สพจ. ลงพื้นที่")
    assert found(session, member, "อส.พน.") == [3]


def test_every_word_of_the_query_must_be_found(session, body, member):
    add(session, body, 1, "เตาชีวมวลประหยัดพลังงานของวิสาหกิจชุมชน")
    add(session, body, 2, "เตาชีวมวลแบบใหม่")
    assert found(session, member, "เตาชีวมวล วิสาหกิจชุมชน") == [1]
    assert sorted(found(session, member, "เตาชีวมวล")) == [1, 2]


def test_the_title_is_searched_and_weighs_more(session, body, member):
    add(session, body, 1, "ในที่ประชุมมีผู้เสนอเรื่องไบโอแก๊สจากมูลสุกร", title="รายงานผลการดำเนินงาน")
    add(session, body, 2, "รายละเอียดตามเอกสารแนบ", title="โครงการไบโอแก๊สจากมูลสุกร")
    assert found(session, member, "ไบโอแก๊ส") == [2, 1]


def test_quotes_and_fts_syntax_in_a_query_are_plain_text(session, body, member):
    add(session, body, 1, 'ป้าย "ลดใช้พลังงาน" NEAR OR AND')
    assert found(session, member, '"ลดใช้พลังงาน"') == [1]
    assert found(session, member, "NEAR OR") == [1]
    assert found(session, member, "* ( ) ^ พลังงาน") == [1]


def test_titles_holding_more_of_the_words_come_first_then_the_newest(session, body, member):
    add(session, body, 1, "เตาชีวมวลของวิสาหกิจชุมชน", title="บันทึกการประชุม")
    add(session, body, 2, "รายละเอียดของวิสาหกิจชุมชน", title="เตาชีวมวล")
    add(session, body, 3, "รายละเอียดตามเอกสารแนบ", title="เตาชีวมวลของวิสาหกิจชุมชน")
    add(session, body, 4, "เตาชีวมวลของวิสาหกิจชุมชนอีกแห่ง", title="บันทึกการประชุม")
    assert found(session, member, "เตาชีวมวล วิสาหกิจชุมชน") == [3, 2, 4, 1]


# -- snippets -------------------------------------------------------------------------


def test_a_long_text_gives_a_passage_around_its_match(session, body, member):
    filler = "ที่ประชุมรับทราบรายงานความคืบหน้าของโครงการในแต่ละพื้นที่ " * 30
    add(session, body, 1, filler + "ขยายผลธนาคารน้ำใต้ดินสู่ครัวเรือน " + filler)
    [hit] = search.search(session, member, query="ธนาคารน้ำใต้ดิน").items
    assert "<mark>ธนาคารน้ำใต้ดิน</mark>" in hit.snippet
    assert len(hit.snippet) < len(filler)


def test_a_word_differing_in_a_vowel_mark_is_not_marked(session, body, member):
    add(session, body, 1, "ดันดินขึ้นเป็นคันดิน", title="ดินและดัน")
    [hit] = search.search(session, member, query="ดิน").items
    assert "ดัน" in hit.snippet and "<mark>ดัน" not in hit.snippet
    assert hit.snippet.count("<mark>") == hit.snippet.count("<mark>ดิน</mark>") >= 1
    assert str(hit.title_html) == "<mark>ดิน</mark>และดัน"


def test_snippets_escape_the_text_and_mark_only_the_matches(session, body, member):
    add(
        session,
        body,
        1,
        'แผงโซลาร์เซลล์ <script>alert("x")</script> <b>ชุมชน</b> &amp;',
        title="<i>โซลาร์เซลล์</i>",
    )
    [hit] = search.search(session, member, query="โซลาร์เซลล์").items
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<b>" not in hit.snippet and "&amp;amp" in hit.snippet
    assert "<mark>โซลาร์เซลล์</mark>" in hit.snippet
    assert str(hit.title_html) == "&lt;i&gt;<mark>โซลาร์เซลล์</mark>&lt;/i&gt;"
    html_tags = {tag for tag in __import__("re").findall(r"</?(\w+)", hit.snippet + hit.title_html)}
    assert html_tags == {"mark"}
    assert search.WORD_SEPARATOR not in hit.snippet


def test_our_marks_typed_by_someone_are_not_html(session, body, member):
    add(session, body, 1, f"ชุมชน{search.MARK_START}สคริปต์{search.MARK_END}")
    [hit] = search.search(session, member, query="ชุมชน").items
    assert hit.snippet.count("<mark>") == 1


# -- who finds what -------------------------------------------------------------------


def test_a_member_of_another_body_finds_no_discussion_post(session, body, member):
    add(session, body, 1, "ศูนย์เรียนรู้พลังงานชุมชน")
    outsider_body = factories.body(session)
    outsider = factories.actor(session, factories.member(session, outsider_body, Role.chair))
    assert found(session, member, "ศูนย์เรียนรู้") == [1]
    assert found(session, outsider, "ศูนย์เรียนรู้") == []
    assert found(session, outsider, "ศูนย์เรียนรู้", body_id=body.id) == []
    nobody = factories.actor(session, factories.person(session))
    assert found(session, nobody, "ศูนย์เรียนรู้") == []


def test_what_one_may_read_one_may_find_kind_by_kind_from_the_policy_registry(session, body, member):
    # Each kind of entry is read through a policy action on its meeting: whoever that
    # action lets read it finds it, and no one else — the whole programme for an agenda
    # item or a resolution, the body's members for a discussion post.
    from forum import policy

    meeting = factories.meeting(session, body)
    kinds = sorted(search.KINDS.items())
    assert {"agenda_item", "agenda_suggestion", "post", "resolution"} <= {kind for kind, _ in kinds}
    for ref_id, (kind, _entry) in enumerate(kinds, start=1):
        add(session, body, ref_id, f"ศูนย์เรียนรู้ชุมชน {kind}", kind=kind, meeting_id=meeting.id)
    outsider = factories.actor(session, factories.member(session, factories.body(session), Role.chair))
    observer = factories.actor(session, factories.member(session, body, Role.observer))
    for reader in (outsider, observer, member):
        readable = {ref_id for ref_id, (_kind, entry) in enumerate(kinds, start=1) if policy.can(reader, entry.read_by, meeting)}
        assert set(found(session, reader, "ศูนย์เรียนรู้")) == readable
        assert set(found(session, reader, "ศูนย์เรียนรู้", body_id=body.id)) == readable
    hidden = {kind for kind, entry in kinds if not policy.can(outsider, entry.read_by, meeting)}
    assert hidden == {kind for kind, entry in kinds if entry.members_only} == {"post"}


def test_a_suggestion_never_names_a_word_only_texts_one_may_not_read_hold(session, body, member):
    # Another body's thread holds กังหันลม; the outsider's readable texts hold เตาชีวมวล.
    # "เตาชีวมวน OR กังหนลม" finds nothing; its suggestion must not name กังหันลม, though
    # the corrected query as a whole would find something (by its other word).
    add(session, body, 1, "เครือข่ายทดลองกังหันลมในหมู่บ้าน", kind="post")
    outsider_body = factories.body(session)
    outsider = factories.actor(session, factories.member(session, outsider_body, Role.chair))
    add(session, outsider_body, 2, "ขยายผลเตาชีวมวลในครัวเรือน", kind="agenda_item")
    for typed in ("เตาชีวมวน OR กังหนลม", "เตาชีวมวน -กังหนลม"):
        result = search.search(session, outsider, query=typed)
        assert result.total == 0 and result.suggestion is not None, typed
        assert "กังหันลม" not in result.suggestion and "เตาชีวมวล" in result.suggestion
    assert search.search(session, member, query="กังหนลม").suggestion == "กังหันลม"  # a member's


def test_a_kind_no_package_registered_is_found_by_members_only(session, body, member):
    add(session, body, 1, "บันทึกภายในเรื่องศูนย์เรียนรู้", kind="unregistered_kind")
    outsider = factories.actor(session, factories.member(session, factories.body(session), Role.chair))
    assert found(session, member, "ศูนย์เรียนรู้") == [1]
    assert found(session, outsider, "ศูนย์เรียนรู้") == []
    assert found(session, outsider, "ศูนย์เรียนรู้", body_id=body.id) == []


def test_an_entry_indexed_again_in_another_body_is_found_there_only(session, body, member):
    other_body = factories.body(session)
    other_member = factories.actor(session, factories.member(session, other_body, Role.member))
    add(session, body, 1, "แผนงานร่วมเรื่องโซลาร์เซลล์")
    add(session, other_body, 1, "แผนงานร่วมเรื่องโซลาร์เซลล์")
    assert found(session, member, "โซลาร์เซลล์") == []
    assert found(session, other_member, "โซลาร์เซลล์") == [1]


def test_a_site_admin_finds_every_body_and_may_narrow_to_one(session, body):
    other_body = factories.body(session)
    add(session, body, 1, "ศูนย์เรียนรู้ภาคเหนือ")
    add(session, other_body, 2, "ศูนย์เรียนรู้ภาคใต้")
    admin = factories.actor(session, factories.person(session, is_admin=True))
    assert sorted(found(session, admin, "ศูนย์เรียนรู้")) == [1, 2]
    assert found(session, admin, "ศูนย์เรียนรู้", body_id=other_body.id) == [2]


def test_searching_needs_an_account(session):
    with pytest.raises(NotLoggedIn):
        search.search(session, ANONYMOUS, query="พลังงาน")


def test_results_come_a_page_at_a_time(session, body, member):
    for n in range(1, search.PER_PAGE + 6):
        add(session, body, n, f"บันทึกที่ {n} เรื่องพลังงานทดแทน")
    first = search.search(session, member, query="พลังงานทดแทน")
    second = search.search(session, member, query="พลังงานทดแทน", page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (25, 2, 20, 5)
    assert not {h.ref_id for h in first.items} & {h.ref_id for h in second.items}


# -- the index ------------------------------------------------------------------------


def test_indexing_again_replaces_the_entry(session, body, member):
    add(session, body, 7, "เดิมพูดถึงไบโอแก๊ส")
    add(session, body, 7, "ตอนนี้พูดถึงเตาชีวมวล")
    assert (
        session.exec(select(SearchEntry).where(SearchEntry.ref_id == 7)).one().text
        == "ตอนนี้พูดถึงเตาชีวมวล"
    )
    assert found(session, member, "ไบโอแก๊ส") == []
    assert found(session, member, "เตาชีวมวล") == [7]


def test_the_same_ref_id_of_two_kinds_are_two_entries(session, body, member):
    add(session, body, 1, "ข้อเสนอเรื่องเตาชีวมวล", kind="agenda_suggestion")
    add(session, body, 1, "วาระเรื่องเตาชีวมวล", kind="agenda_item")
    hits = search.search(session, member, query="เตาชีวมวล").items
    assert sorted(hit.kind for hit in hits) == ["agenda_item", "agenda_suggestion"]


def test_a_removed_entry_is_no_longer_found(session, body, member):
    add(session, body, 1, "แผนงานร่วมเรื่องสมาร์ทฟาร์มเมอร์")
    search.remove_entry(session, kind="post", ref_id=1)
    search.remove_entry(session, kind="post", ref_id=99)  # not there: nothing happens
    session.commit()
    assert found(session, member, "สมาร์ทฟาร์มเมอร์") == []


def test_a_hit_links_to_its_meeting_and_is_labelled(session, body, member):
    meeting = factories.meeting(session, body)
    add(session, body, 5, "วาระเรื่องโซลาร์รูฟท็อป", kind="agenda_item", meeting_id=meeting.id)
    [hit] = search.search(session, member, query="โซลาร์รูฟท็อป").items
    assert hit.url == search.KINDS["agenda_item"].link.format(
        ref_id=5, meeting_id=meeting.id, body_id=body.id
    )
    assert hit.url.startswith(f"/meetings/{meeting.id}")
    assert hit.kind_label == "Agenda item"
    assert hit.updated_at.tzinfo is not None


# -- bad queries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Please enter a word or phrase to search for."),
        ("   \n ", "Please enter a word or phrase to search for."),
        ("ก" * 201, "Please search for at most %(max)s characters."),
    ],
)
def test_a_bad_query_is_refused_with_a_clear_message(session, member, query, message):
    with pytest.raises(InvalidInput) as refused:
        search.search(session, member, query=query)
    assert refused.value.fields["q"].msgid == message


def test_a_mention_is_found_and_shown_as_the_name_it_names(session, body, member):
    from deliberation import indexing
    from deliberation.discussion.models import Post

    post = Post(id=7, item_id=1, meeting_id=None, body_id=body.id, body="ขอให้ @[สมหญิง ใจดี] ช่วยสรุปงบประมาณ")
    indexing.index_post(session, post, "งบประมาณโซลาร์เซลล์")
    session.commit()
    [hit] = search.search(session, member, query="สมหญิง").items
    assert hit.ref_id == 7
    assert "@[" not in str(hit.snippet) and "@" in str(hit.snippet)


# -- Thai queries: what a reader means (issue 12, part 1) ---------------------------------------
# One table, run on SQLite here and on PostgreSQL (tests/pg/test_search_pg.py): the two must
# find the same entries (ranking may differ).

READER_TEXTS = {
    1: "ประชุมผู้แทนจังหวัดน่านเรื่องงบประมาณ",
    2: "ชาวบ้านหลายคนมีอาการหวัดช่วงหน้าหนาว",
    3: "ขยายผลธนาคารน้ำใต้ดินสู่ครัวเรือน",
    4: "ชุมชนติดตั้งโซล่าเซลล์บนหลังคาโรงเรียน",
    5: "ปี ๒๕๖๒ ติดตั้งแผงโซลาร์เซลล์ ๑๒ แผง ที่หมู่ ๖",
    6: "อส.พน. ลงพื้นที่หมู่ 16 ร่วมกับ สพจ.",
    7: "อสพน ประสานงานเรื่องเตาชีวมวล",
    8: "แจกหลอดไฟต่างๆ ให้ครัวเรือน",
    9: "รวบรวมปัญหาต่าง ๆ ของกลุ่มอาชีพ",
    10: "เตาชีวมวลลดการใช้ฟืน พลังงานทดแทนในชุมชน",
    11: "ไบโอแก๊สจากมูลสุกรใช้หุงต้ม",
    12: "ก๊าซชีวภาพจากมูลวัว",
    13: "ไฟฟ้าพลังงานลมในเขตภูเขา",
    14: "ที่ประชุมหารือค่าบำรุงรักษาระบบสูบน้ำ",
}
READER_QUERIES = [
    # (query, the entries it finds; the others it must not)
    ("หวัด", {2}),  # a syllable of จังหวัด is not the word หวัด
    ("จังหวัด", {1}),
    ("ธนาคารน้ำใต้ดิน", {3}),
    ("น้ำใต้ดิน", {3}),  # a listed compound's part
    ("ธนาคาร", {3}),
    ("โซลาร์เซลล์", {4, 5}),  # โซล่าเซลล์ as written in 4
    ("โซล่าเซลล์", {4, 5}),
    ("2562", {5}),  # Thai digits in the text
    ("๒๕๖๒", {5}),
    ("12", {5}),
    ("6", {5}),  # หมู่ 6 is not หมู่ 16, and never the body's id
    ("16", {6}),
    ("อสพน", {6, 7}),
    ("อส.พน.", {6, 7}),
    ("ต่างๆ", {8, 9}),
    ("ต่าง ๆ", {8, 9}),
    ("เตาชีวมวล", {7, 10}),
    ("ชีวมวล", {7, 10}),  # a part of the listed compound เตาชีวมวล
    ("ไบโอแก๊ส", {11}),
    ("ไบโอก๊าซ", {11}),
    ("ก๊าซ", {11, 12}),  # ไบโอก๊าซ is read as holding ก๊าซ
    ("พลังงาน", {10, 13}),  # inside พลังงานทดแทน, พลังงานลม (listed)
    ("งาน", set()),  # never a syllable of พลังงาน or ประสานงาน
    ('"เตาชีวมวล ลด"', {10}),  # a phrase: side by side
    ('"ลด เตาชีวมวล"', set()),
    ("เตาชีวมวล -ฟืน", {7}),
    ("โซลาร์เซลล์ OR ไบโอแก๊ส", {4, 5, 11}),
    ("ครัวเรือน หลอดไฟ OR ธนาคาร", {3, 8}),
    ("ครัวเรือน -ธนาคารน้ำใต้ดิน", {8}),
    ("NEAR", set()),
    ("บำรุงรักษา", {14}),  # ค่าบำรุงรักษา: read through the prefix ค่า
    ("ประชุม", {1, 14}),  # and ที่ประชุม through ที่
    ("ค่า", set()),  # a prefix alone finds nothing it prefixes
]


@pytest.fixture
def reader_index(session, body):
    for ref_id, text in READER_TEXTS.items():
        add(session, body, ref_id, text)
    return body


@pytest.mark.parametrize("query, hits", READER_QUERIES, ids=[query for query, _ in READER_QUERIES])
def test_a_thai_query_finds_what_a_reader_means(session, reader_index, member, query, hits):
    assert set(found(session, member, query)) == hits


def test_a_whole_word_ranks_above_a_compounds_part(session, body, member):
    add(session, body, 1, "ส่งเสริมการใช้พลังงานทดแทนในชุมชน")  # พลังงาน as a part, newer
    add(session, body, 2, "ลดการใช้พลังงานในบ้าน")  # พลังงาน whole
    add(session, body, 3, "ใช้พลังงานลมผลิตไฟฟ้า")  # a part again, newest
    assert found(session, member, "พลังงาน") == [2, 3, 1]


def test_a_part_inside_a_compound_is_marked_as_written(session, body, member):
    add(session, body, 1, "ขยายผลธนาคารน้ำใต้ดินสู่ครัวเรือน")
    [hit] = search.search(session, member, query="น้ำใต้ดิน").items
    assert "ธนาคาร<mark>น้ำใต้ดิน</mark>" in hit.snippet
    [hit] = search.search(session, member, query="โซลาร์เซลล์ OR ธนาคาร").items
    assert "<mark>ธนาคาร</mark>น้ำใต้ดิน" in hit.snippet


def test_a_spelling_variant_and_thai_digits_are_marked_as_written(session, body, member):
    add(session, body, 1, "ปี ๒๕๖๒ ชุมชนติดตั้งโซล่าเซลล์")
    [hit] = search.search(session, member, query="โซลาร์เซลล์ 2562").items
    assert "<mark>โซล่าเซลล์</mark>" in hit.snippet and "<mark>๒๕๖๒</mark>" in hit.snippet


def test_a_phrase_is_marked_where_its_words_stand_side_by_side(session, body, member):
    add(session, body, 1, "เตาชีวมวลลดการใช้ฟืน และเตาชีวมวลแบบใหม่")
    [hit] = search.search(session, member, query='"เตาชีวมวล ลด"').items
    assert hit.snippet.count("<mark>") == 1 and "<mark>เตาชีวมวลลด</mark>" in hit.snippet


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("!!! ??? ...", "Please search with letters or numbers, not only symbols."),
        ("-พลังงาน -ไบโอแก๊ส", "Please add a word to find: -word only leaves out what the others find."),
        ("OR", "Please search with letters or numbers, not only symbols."),
    ],
)
def test_a_query_that_names_nothing_to_find_finds_nothing_and_says_why(session, body, member, query, notice):
    add(session, body, 1, "พลังงานทดแทนของชุมชน")
    found = search.search(session, member, query=query)
    assert (found.total, found.items, found.notice, found.suggestion) == (0, [], notice, None)


def test_a_misspelt_query_suggests_the_words_of_the_index(session, reader_index, member):
    result = search.search(session, member, query="ไบโอแกส")  # the tone mark left out
    assert result.total == 0 and result.suggestion == "ไบโอก๊าซ"  # as search spells it
    result = search.search(session, member, query="ครัวเรือน ธนาคาน")
    assert result.suggestion == "ครัวเรือน ธนาคาร"
    assert search.search(session, member, query="ธนาคาร").suggestion is None  # found: no suggestion
    result = search.search(session, member, query="เตาชีวมวน -ฟืน")  # a piece left out stays so
    assert result.suggestion == "เตาชีวมวล -ฟืน"


def test_a_suggestion_never_names_a_word_of_a_body_one_may_not_read(session, body, member):
    secret_body = factories.body(session)
    add(session, secret_body, 1, "ข้อมูลลับเรื่องกังหันลม")
    add(session, body, 2, "ประชุมเรื่องงบประมาณ")
    assert search.search(session, member, query="กังหนลม").suggestion is None
    admin = factories.actor(session, factories.person(session, is_admin=True))
    assert search.search(session, admin, query="กังหนลม").suggestion == "กังหันลม"


def test_the_vocabulary_follows_the_entries(session, body, member):
    add(session, body, 1, "เตาเผาถ่านของชุมชน")
    add(session, body, 1, "กังหันลมของชุมชน")  # indexed again: the old words go
    search.remove_entry(session, kind="post", ref_id=99)
    session.commit()
    words = {word.word: word.entries for word in session.exec(select(SearchWord)).all()}
    assert "เตาเผาถ่าน" not in words and words["กังหันลม"] == 1 and words["ลม"] == 1
    search.remove_entry(session, kind="post", ref_id=1)
    session.commit()
    assert session.exec(select(SearchWord)).all() == []


def test_a_number_never_matches_the_body_id(session, reader_index, member):
    """On SQLite the body's id is a column of the full-text index: the words are looked
    for in the text columns only (หมู่ 6 must not find every entry of body 6)."""
    assert str(reader_index.id) not in {"6", "12", "16", "2562"}  # no text holds it
    assert found(session, member, str(reader_index.id)) == []
    add(session, reader_index, 99, f"หมู่ {reader_index.id}")
    assert found(session, member, str(reader_index.id)) == [99]


def test_an_entry_cut_another_way_is_cut_again_at_start_up(session, engine, body, member):
    """search.CUT follows the word lists: an entry indexed before a change (here: marked
    with another cut) is cut again by the start-up task, and its vocabulary counted anew."""
    add(session, body, 1, "ขยายผลธนาคารน้ำใต้ดินสู่ครัวเรือน")
    entry = session.exec(select(SearchEntry)).one()
    assert entry.cut_version == search.CUT
    # as migration 0010 left an older entry: not cut the new way, no vocabulary yet
    entry.cut_version, entry.search_title, entry.search_text, entry.search_parts = 0, "", "", ""
    session.add(entry)
    session.exec(delete(SearchWord))
    session.commit()
    assert found(session, member, "น้ำใต้ดิน") == []
    assert search.cut_again(engine) == 1 and search.cut_again(engine) == 0
    session.expire_all()
    assert found(session, member, "น้ำใต้ดิน") == [1]
    assert session.exec(select(SearchWord).where(SearchWord.word == "น้ำใต้ดิน")).one().entries == 1
