"""The word cloud of a live session: the telling Thai words of its shown ideas (stop words,
punctuation, numbers and single characters left out), the ~40 most frequent, each with a
weight class 1..5; for the facilitator only."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from deliberation.sessions import idea_terms, ideas, sessions, wordcloud
from forum.errors import Forbidden
from forum.models import Role
from forum.policy import ANONYMOUS
from tests import factories
from tests.unit.deliberation.sessions.energy_ideas import ALL

_keys = itertools.count(1)


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def facilitator(session, body):
    return factories.actor(session, factories.member(session, body, Role.facilitator))


@pytest.fixture
def live(session, body, facilitator):
    meeting = factories.meeting(session, body)
    return sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="ชุมชนจะใช้พลังงานอย่างไร")


def submit_all(session, live, texts):
    made = []
    for n, text in enumerate(texts):
        if n % 5 == 0:
            guest = sessions.join_session(session, ANONYMOUS, code=live.code, nickname=f"คนที่ {n}", consent=True)[0]
        made.append(ideas.submit_idea(session, guest, text=text, key=f"key-{next(_keys):08d}")[0])
    return made


def test_thai_words_are_cut_and_stop_words_left_out():
    words = idea_terms.terms("อยากให้ติดตั้งโซล่าเซลล์บนหลังคาโรงเรียน 20 แผง, เพื่อลดค่าไฟ!! ๆ ของ Solar")
    assert "โซลาร์เซลล์" in words and "โรงเรียน" in words and "หลังคา" in words
    assert not {"ให้", "บน", "เพื่อ", "ของ", "20", ",", "!!", "ๆ", " "} & set(words)
    assert all(len(word) >= 2 for word in words)
    assert words.count("โซลาร์เซลล์") == 2  # "Solar" lower-cased and counted as the same word


def test_the_cloud_holds_the_frequent_words_with_weights(session, live, facilitator):
    submit_all(session, live, [text for _subject, text in ALL])
    cloud = wordcloud.word_cloud(session, facilitator, session_id=live.id)
    by_text = {word.text: word for word in cloud}
    assert len(cloud) <= wordcloud.TOP_WORDS
    assert {"โซลาร์เซลล์", "สุกร", "ไมโครกริด"} <= by_text.keys()
    assert all(1 <= word.weight <= 5 for word in cloud)
    heaviest = max(cloud, key=lambda word: word.count)
    assert heaviest.weight == 5 and min(word.weight for word in cloud) == 1
    assert [word.text for word in cloud] == sorted(by_text)


def test_hidden_ideas_are_not_in_the_cloud(session, live, facilitator):
    secret, shown = submit_all(session, live, ["ประท้วงการไฟฟ้า", "ปลูกต้นไม้ริมถนน"])
    ideas.moderate_idea(session, facilitator, idea_id=secret.id, action="hide")
    texts = {word.text for word in wordcloud.word_cloud(session, facilitator, session_id=live.id)}
    assert "ต้นไม้" in texts and "ประท้วง" not in texts


def test_weights_on_a_log_scale_and_equal_counts_in_the_middle():
    words = wordcloud.weighted(Counter({"ก๊าซชีวภาพ": 100, "สุกร": 10, "ฟาร์ม": 1}))
    assert {word.text: word.weight for word in words} == {"ก๊าซชีวภาพ": 5, "สุกร": 3, "ฟาร์ม": 1}
    assert {word.weight for word in wordcloud.weighted(Counter({"ก": 2, "ข": 2}))} == {3}
    assert wordcloud.weighted(Counter()) == []
    assert len(wordcloud.weighted(Counter({f"คำ{n}": n for n in range(1, 100)}))) == 40


def test_an_empty_session_has_an_empty_cloud_and_others_see_nothing(session, body, live, facilitator):
    assert wordcloud.word_cloud(session, facilitator, session_id=live.id) == []
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        wordcloud.word_cloud(session, member, session_id=live.id)


def test_markup_typed_as_text_is_not_a_word():
    from deliberation.sessions.idea_terms import terms

    words = terms("<script>alert('x')</script> ติดตั้ง<b>โซลาร์เซลล์</b>ที่โรงเรียน")
    assert "โซลาร์เซลล์" in words and "โรงเรียน" in words
    assert not [word for word in words if "<" in word or ">" in word or "(" in word]
