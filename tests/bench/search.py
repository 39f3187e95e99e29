"""Search benchmark (DESIGN.md §7): Thai full-text search against a LIKE scan of the same
table, in the same run.

    python tests/bench/search.py [--quick]

Builds a SQLite database in a temporary directory with 100,000 Thai posts (10,000 with
--quick) made of sentences composed from the programme's vocabulary (seed/: offices,
volunteers, community enterprises, solar roofs, biomass stoves, groundwater banks …),
indexed by deliberation.search (each distinct sentence is cut into words once, then
posts are composed from the cut sentences). Then times 50 Thai queries through the
search service as a member of two of the four bodies (words cut, count — up to the
service's 1,000 —, the first page with snippets), and the same queries as `LIKE '%…%'`
scans (count and first page) of the same table, same columns, same body filter, on the
same connection. The two take turns on each query in each run, so that a busy moment of
a shared machine falls on both alike. Prints the slowest searches, then as its last line
one JSON object:

    {"bench": "search", "results": [...], "env": {...}}
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _common import install_packages, log  # noqa: E402

BODIES = 4
MEMBER_OF = 2  # the searching member belongs to this many of the bodies
RUNS = 3  # each query timed this many times (after one warm-up pass)

# -- the generator --------------------------------------------------------------------

WHO = [
    "อส.พน.", "สพจ.", "สำนักงานพลังงานจังหวัดน่าน", "สำนักงานพลังงานจังหวัดพัทลุง", "วิสาหกิจชุมชน",
    "กลุ่มอาชีพทอผ้า", "เครือข่ายพลังงานชุมชน", "อบต.", "เทศบาลตำบล", "แกนนำชุมชน", "นักวิชาการพลังงานชุมชน",
    "คณะทำงานภาคเหนือ", "คณะทำงานภาคใต้", "คณะกรรมการ", "โรงเรียนประจำตำบล", "กลุ่มเกษตรกรนาแปลงใหญ่",
    "สมาร์ทฟาร์มเมอร์", "อาสาสมัครพลังงาน", "ผู้ใหญ่บ้าน", "ศูนย์เรียนรู้พลังงานชุมชน",
]  # fmt: skip
DID = [
    "ติดตั้ง", "สาธิตการใช้", "ขยายผล", "ซ่อมบำรุง", "อบรมการสร้าง", "สำรวจความต้องการ", "เสนอของบประมาณ",
    "ประเมินผล", "จัดเวทีหารือเรื่อง", "ถอดบทเรียน", "ทดลองใช้", "ส่งต่อความรู้เรื่อง",
]  # fmt: skip
WHAT = [
    "โซลาร์รูฟท็อป", "แผงพลังงานแสงอาทิตย์", "โซลาร์เซลล์สูบน้ำ", "เตาชีวมวล", "เตาซุปเปอร์อั้งโล่",
    "ไบโอแก๊สจากมูลสุกร", "ก๊าซชีวภาพ", "ธนาคารน้ำใต้ดิน", "ธนาคารต้นไม้", "เตาเผาถ่าน", "ตู้อบแห้งพลังงานแสงอาทิตย์",
    "หลอดไฟประหยัดพลังงาน", "ระบบสูบน้ำพลังงานลม", "กังหันน้ำผลิตไฟฟ้า", "พลังงานทดแทน", "ถังหมักปุ๋ยอินทรีย์",
]  # fmt: skip
WHERE = [
    "ที่บ้านน้ำเกี๋ยน", "ในตำบลลำปำ", "ให้ครัวเรือนในหมู่บ้าน", "ที่ศูนย์เรียนรู้", "ในแปลงเกษตร", "ที่วัดประจำหมู่บ้าน",
    "ในโรงเรียน", "ให้กลุ่มผู้สูงอายุ", "ริมลำน้ำ", "ในพื้นที่นำร่อง", "ที่อาคารอเนกประสงค์", "ในชุมชนริมป่า",
]  # fmt: skip
RESULT = [
    "ช่วยลดค่าไฟฟ้าได้ร้อยละ {n}", "ลดการใช้ฟืนลงเกือบครึ่ง", "มีผู้เข้าร่วม {n} คน", "ครอบคลุม {n} ครัวเรือน",
    "ใช้งบประมาณ {n},000 บาท", "ต้องการการสนับสนุนเพิ่มเติมจากหน่วยงานรัฐ", "ยังติดปัญหาเรื่องระเบียบการเบิกจ่าย",
    "ได้รับความสนใจจากเพื่อนบ้าน", "เป็นต้นแบบให้ตำบลข้างเคียง", "ช่วยให้ดินชุ่มชื้นตลอดปี", "ต้องผลักดันให้เข้าแผนงานร่วม",
    "ควรบูรณาการกับโครงการของ อปท.", "ยังขาดช่างที่ซ่อมบำรุงได้", "ทำให้มีรายได้เสริมจากการขายถ่าน",
]  # fmt: skip
SHAPES = [
    "{who}{did}{what}{where} {result}",
    "{who}ได้{did}{what}{where}",
    "ที่ประชุมเห็นควรให้{who}{did}{what} เนื่องจาก{result}",
    "ผลการ{did}{what}{where}พบว่า{result}",
    "ขอให้{who}รายงานความคืบหน้าการ{did}{what}ในการประชุมครั้งต่อไป",
    "{what}{where}{result} จึงเสนอให้{who}ขยายผลต่อ",
    "ข้อเสนอจาก{who}: {did}{what}{where}",
    "มติที่ประชุมมอบหมายให้{who}ประสานงานเรื่อง{what}",
]
TITLES = [
    "รายงานความคืบหน้า{what}{where}", "ข้อเสนอโครงการ{what}ของ{who}", "สรุปเวทีหารือ{where}เรื่อง{what}",
    "ถอดบทเรียน{what}{where}", "แผนงานร่วมเรื่อง{what}กับ{who}", "ขอความเห็นเรื่อง{what}{where}",
    "ผลการดำเนินงานของ{who}เรื่อง{what}",
]  # fmt: skip
QUERIES = [
    "ดิน", "ดัน", "พลังงาน", "ไฟฟ้า", "ถ่าน", "ชุมชน", "ครัวเรือน", "งบประมาณ", "ต้นแบบ", "ฟืน",
    "โซลาร์รูฟท็อป", "เตาชีวมวล", "ธนาคารน้ำใต้ดิน", "ธนาคารต้นไม้", "ไบโอแก๊ส", "ก๊าซชีวภาพ", "อส.พน.", "สพจ.",
    "วิสาหกิจชุมชน", "สมาร์ทฟาร์มเมอร์", "แปลงใหญ่", "พลังงานทดแทน", "เตาซุปเปอร์อั้งโล่", "ตู้อบแห้ง",
    "แสงอาทิตย์", "มูลสุกร", "กังหันน้ำ", "ปุ๋ยอินทรีย์", "ศูนย์เรียนรู้", "แผนงานร่วม", "ระเบียบการเบิกจ่าย",
    "ลำปำ", "น้ำเกี๋ยน", "ผู้สูงอายุ", "ช่างซ่อมบำรุง", "รายได้เสริม", "เพื่อนบ้าน", "เวทีหารือ", "ถอดบทเรียน",
    "เตาชีวมวล ลดการใช้ฟืน", "โซลาร์เซลล์ สูบน้ำ", "ไบโอแก๊ส ครัวเรือน", "ธนาคารน้ำใต้ดิน ดินชุ่มชื้น",
    "อส.พน. ติดตั้ง", "สพจ. งบประมาณ", "คณะทำงานภาคเหนือ", "หลอดไฟประหยัดพลังงาน", "บูรณาการ อปท.",
    "ลมผลิตไฟฟ้า", "โรงเรียน พลังงานแสงอาทิตย์", "โซล่าเซลล์", "ประชุม",
]  # fmt: skip


def sentence_pool(rng: random.Random, size: int) -> list[str]:
    """`size` distinct sentences, each a shape filled from the vocabulary."""
    pool: set[str] = set()
    while len(pool) < size:
        shape = rng.choice(SHAPES)
        pool.add(
            shape.format(
                who=rng.choice(WHO),
                did=rng.choice(DID),
                what=rng.choice(WHAT),
                where=rng.choice(WHERE),
                result=rng.choice(RESULT).format(n=rng.randint(5, 95)),
            )
        )
    return sorted(pool)


def title_pool(rng: random.Random, size: int) -> list[str]:
    pool: set[str] = set()
    while len(pool) < size:
        pool.add(
            rng.choice(TITLES).format(
                what=rng.choice(WHAT), where=rng.choice(WHERE), who=rng.choice(WHO)
            )
        )
    return sorted(pool)


# -- the database ---------------------------------------------------------------------


def build(engine, posts: int, rng: random.Random) -> tuple[list[int], dict[str, float]]:
    """The bodies and `posts` indexed posts; returns the body ids and the timings."""
    from sqlalchemy import insert
    from sqlmodel import Session, SQLModel

    from deliberation import search
    from deliberation.models import SearchEntry, SearchWord
    from forum.db import utcnow
    from forum.models import Body, BodyKind

    timings: dict[str, float] = {}
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        bodies = [Body(kind=BodyKind.committee, name=f"คณะทดสอบการค้นหา {n}") for n in range(BODIES)]
        session.add_all(bodies)
        session.commit()
        body_ids = [body.id for body in bodies]

    started = time.perf_counter()
    sentences = sentence_pool(rng, 4000)
    titles = title_pool(rng, 600)
    cut_sentences = [search.indexed("", s) for s in sentences]
    cut_titles = [search.indexed(t, "") for t in titles]
    timings["segment_s"] = time.perf_counter() - started

    started = time.perf_counter()
    now = utcnow()
    space = (
        search.WORD_SEPARATOR + " " + search.WORD_SEPARATOR
    )  # what the cutter puts around a space
    rows = []
    vocabulary: dict[tuple[int, str], int] = {}
    for n in range(1, posts + 1):
        picked = rng.sample(range(len(sentences)), rng.randint(2, 5))
        title = rng.randrange(len(titles))
        cut_title, cut = cut_titles[title], [cut_sentences[i] for i in picked]
        row = {
            "kind": "post",
            "ref_id": n,
            "body_id": body_ids[n % BODIES],
            "scope": search.scope_tokens("post", body_ids[n % BODIES]),  # as index_entry writes it
            "meeting_id": None,
            "title": titles[title],
            "text": " ".join(sentences[i] for i in picked),
            "segmented_title": cut_title.segmented_title,
            "segmented": space.join(c.segmented for c in cut),
            "search_title": cut_title.search_title,
            "search_text": " ".join(c.search_text for c in cut),
            "cut_version": search.CUT,
            "search_parts": " ".join(
                filter(None, [cut_title.search_parts, *(c.search_parts for c in cut)])
            ),
            "updated_at": now,
        }
        rows.append(row)
        words = cut_title.words.union(*(c.words for c in cut))
        for word in words:
            key = (row["body_id"], word)
            vocabulary[key] = vocabulary.get(key, 0) + 1
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(SearchEntry), rows[start : start + 5000])
        connection.execute(
            insert(SearchWord),
            [{"body_id": b, "word": w, "entries": c} for (b, w), c in vocabulary.items()],
        )
    timings["index_s"] = time.perf_counter() - started
    return body_ids, timings


def like_scan(connection, query: str, body_ids: list[int]) -> int:
    """The baseline: each word of the query as a substring of the title or the text."""
    from sqlalchemy import text

    from forum.paging import like_pattern

    words = query.split()
    params: dict[str, object] = {f"w{n}": like_pattern(word) for n, word in enumerate(words)}
    params |= {f"b{n}": body for n, body in enumerate(body_ids)}
    where = " AND ".join(
        f"(title LIKE :w{n} ESCAPE '\\' OR text LIKE :w{n} ESCAPE '\\')" for n in range(len(words))
    )
    where += f" AND body_id IN ({', '.join(f':b{n}' for n in range(len(body_ids)))})"
    total = connection.execute(
        text(f"SELECT count(*) FROM search_entry WHERE {where}"), params
    ).scalar_one()
    connection.execute(
        text(
            f"SELECT id, title, text FROM search_entry WHERE {where} ORDER BY updated_at DESC LIMIT 20"
        ),
        params,
    ).all()
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(
    functions: dict[str, object], queries: list[str]
) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, int]]]:
    """Milliseconds per call of each function, per query: one warm-up pass, then RUNS passes
    over every query, the functions taking turns on each query (so that a busy moment of a
    shared machine falls on both alike, not on one of them)."""
    totals = {
        name: {query: function(query) for query in queries} for name, function in functions.items()
    }
    times: dict[str, dict[str, list[float]]] = {
        name: {q: [] for q in queries} for name in functions
    }
    for _ in range(RUNS):
        for query in queries:
            for name, function in functions.items():
                started = time.perf_counter()
                function(query)
                times[name][query].append((time.perf_counter() - started) * 1000)
    return times, totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 posts (a smoke test)")
    parser.add_argument("--posts", type=int, default=None, help="how many posts to index")
    args = parser.parse_args()
    posts = args.posts or (10_000 if args.quick else 100_000)

    data_dir = Path(tempfile.mkdtemp(prefix="wethi-bench-search-"))
    os.environ.update(
        {"WETHI_DATA_DIR": str(data_dir), "WETHI_SECRET_KEY": secrets.token_urlsafe(48)}
    )
    os.environ.pop("WETHI_DATABASE_URL", None)
    try:
        from sqlmodel import Session

        from deliberation import search
        from forum import db
        from forum.models import Role
        from forum.policy import Actor

        install_packages()  # the rules the search checks, as `wethi serve` registers them
        engine = db.make_engine(f"sqlite:///{data_dir / 'search.sqlite3'}")
        log(f"Indexing {posts:,} Thai posts in {data_dir} …")
        body_ids, timings = build(engine, posts, random.Random(2562))
        log(
            f"  sentences cut in {timings['segment_s']:.1f} s, posts stored and indexed in {timings['index_s']:.1f} s"
        )
        member = Actor(
            person_id=1, display_name="bench", roles={b: Role.member for b in body_ids[:MEMBER_OF]}
        )
        with Session(engine) as session:
            connection = session.connection()
            times, totals = timed(
                {
                    "search": lambda q: search.search(session, member, query=q).total,
                    "like": lambda q: like_scan(connection, q, body_ids[:MEMBER_OF]),
                },
                QUERIES,
            )
        engine.dispose()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    found, scanned = totals["search"], totals["like"]
    if sum(1 for query in QUERIES if found[query]) < len(QUERIES) // 2:
        # a search that finds nothing is fast and measures nothing (an index left empty); a
        # few find nothing by design (ดัน is not in ผลักดัน, which LIKE finds)
        raise SystemExit("search found nothing for most queries: the index holds nothing to find")
    for query in QUERIES:
        log(f"  {query}: {found[query]:,} found by search, {scanned[query]:,} by LIKE")
    slowest = sorted(QUERIES, key=lambda q: -statistics.median(times["search"][q]))[:5]
    log("slowest searches (median of the runs; search count stops at 1,000):")
    for query in slowest:
        log(
            f"  {query}: search {statistics.median(times['search'][query]):.2f} ms "
            f"({found[query]:,}), LIKE {statistics.median(times['like'][query]):.2f} ms "
            f"({scanned[query]:,})"
        )
    search_times = [t for query in QUERIES for t in times["search"][query]]
    scan_times = [t for query in QUERIES for t in times["like"][query]]
    p50, p95 = percentile(search_times, 0.5), percentile(search_times, 0.95)
    like50, like95 = percentile(scan_times, 0.5), percentile(scan_times, 0.95)
    log(
        f"search p50 {p50:.2f} ms, p95 {p95:.2f} ms; LIKE scan p50 {like50:.2f} ms, p95 {like95:.2f} ms"
    )
    results = [
        {
            "name": "search_p95_ms",
            "value": round(p95, 2),
            "unit": "ms",
            "baseline": round(like95, 2),
            "ratio": round(like95 / p95, 1),
            "goal": "value <= 30 and ratio >= 20",
            "met": p95 <= 30 and like95 / p95 >= 20,
        },
        {
            "name": "search_p50_ms",
            "value": round(p50, 2),
            "unit": "ms",
            "baseline": round(like50, 2),
            "ratio": round(like50 / p50, 1),
            "goal": "ratio >= 20",
            "met": like50 / p50 >= 20,
        },
    ]
    environment = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "db": "sqlite",
        "posts": posts,
        "queries": len(QUERIES),
        "runs": RUNS,
        "member_of_bodies": f"{MEMBER_OF} of {BODIES}",
        "segment_s": round(timings["segment_s"], 1),
        "index_s": round(timings["index_s"], 1),
        "quick": args.quick,
    }
    print(
        json.dumps({"bench": "search", "results": results, "env": environment}, ensure_ascii=False),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
