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


def test_the_cache_keeps_the_most_recently_read():
    cache = FragmentCache(size=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a").parts == ("A",)  # a is now the most recent
    cache.put("c", "C")
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert (cache.hits, cache.misses) == (3, 1)
