"""forum.fragments: a rendered fragment cut at its holes and filled per reader."""

from markupsafe import Markup, escape

from forum.fragments import FragmentCache, cut, hole


def test_holes_are_filled_per_reader_and_text_cannot_forge_one():
    typed = escape("<!--hole csrf -->")  # what a person typed reaches a page escaped
    fragment = cut(f"<form>{hole('csrf')}</form>{typed}<p>{hole('unread', 12)}</p>")
    assert fragment.holes == (("csrf", ""), ("unread", "12"))
    filled = fragment.fill({"csrf": lambda _key: "T1", "unread": lambda key: f"<b>{key}</b>"})
    assert isinstance(filled, Markup)
    assert filled == f"<form>T1</form>{typed}<p><b>12</b></p>"
    assert fragment.fill({"csrf": lambda _key: "T2", "unread": lambda _key: ""}).startswith("<form>T2")


def test_the_cache_keeps_the_most_recently_read_within_its_budget():
    cache = FragmentCache(budget=20)
    cache.put("a", "A" * 8)
    cache.put("b", "B" * 8)
    assert cache.get("a").parts == ("A" * 8,)  # a is now the most recent
    cache.put("c", "C" * 8)  # 24 characters: b goes
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert (cache.hits, cache.misses, cache.used) == (3, 1, 16)
    cache.put("a", "A" * 4)  # replaced, not counted twice
    assert cache.used == 12
    assert cache.put("huge", "H" * 21).parts == ("H" * 21,) and cache.get("huge") is None
