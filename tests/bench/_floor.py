"""The floors the page benchmark compares against, served by the same stack (uvicorn, one
worker) as Wethi:

- `app`: a bare FastAPI + Jinja2 page with a table of N rows (`/table/20`, `/table/50`),
  the same columns and similar Thai text as the meeting list and the attendance list, no
  database, no middleware: what the framework costs before Wethi does anything;
- `hello`: a raw ASGI app answering "hello": what the server itself costs.

    python -m uvicorn _floor:app --app-dir tests/bench --port 8001
"""

from __future__ import annotations

from fastapi import FastAPI, Path
from fastapi.responses import HTMLResponse
from jinja2 import DictLoader, Environment, select_autoescape

LAYOUT = """<!doctype html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · เวที</title>
<link rel="stylesheet" href="/static/css/wethi.css">
<script src="/static/vendor/htmx.min.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">ข้ามไปยังเนื้อหา</a>
<header class="container cluster">
  <a href="/">เวที</a>
  <nav aria-label="เมนูหลัก"><ul class="cluster">
  {% for href, text in menu %}<li><a href="{{ href }}"{% if href == path %} aria-current="page"{% endif %}>{{ text }}</a></li>{% endfor %}
  </ul></nav>
</header>
<main id="main" class="container stack">
<h1>{{ title }}</h1>
{% block content %}{% endblock %}
</main>
<footer class="container meta"><p>เวที — แพลตฟอร์มเวทีหารือเครือข่ายพลังงานชุมชน</p></footer>
</body>
</html>
"""

TABLE = """{% extends "layout.html" %}
{% block content %}
<div class="table-wrap">
<table class="table">
  <caption class="visually-hidden">{{ title }}</caption>
  <thead><tr>{% for heading in headings %}<th scope="col">{{ heading }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for row in rows %}
  <tr>
    <th scope="row"><a href="/meetings/{{ row.id }}">{{ row.name }}</a> <span class="meta">{{ row.detail }}</span></th>
    <td>{{ row.when }}</td>
    <td>{{ row.place }}</td>
    <td><span class="badge status-{{ row.status }}">{{ row.status_label }}</span></td>
    <td class="numeric">{{ row.count }}</td>
  </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% endblock %}
"""

env = Environment(
    loader=DictLoader({"layout.html": LAYOUT, "table.html": TABLE}),
    autoescape=select_autoescape(default=True),
    auto_reload=False,
)
MENU = [
    ("/", "หน้าแรก"),
    ("/bodies", "คณะทำงาน"),
    ("/organisations", "หน่วยงาน"),
    ("/people", "รายชื่อ"),
    ("/checkin", "ลงเวลา"),
    ("/me", "ข้อมูลของฉัน"),
]
HEADINGS = ["การประชุม", "วันและเวลา", "สถานที่", "สถานะ", "มาประชุม / เชิญ"]


def _rows(count: int) -> list[dict[str, object]]:
    return [
        {
            "id": index,
            "name": f"ครั้งที่ {index}/2569",
            "detail": "เวทีหารือและระดมความคิดเห็นการพัฒนาแนวทางการทำงานร่วมกัน",
            "when": "12 พ.ย. 2569 09.30 น.",
            "place": "ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่",
            "status": "closed",
            "status_label": "ปิดการประชุมแล้ว",
            "count": f"{index % 40} / 50",
        }
        for index in range(1, count + 1)
    ]


app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/table/{rows}")
async def table(rows: int = Path(ge=1, le=1000)) -> HTMLResponse:
    html = env.get_template("table.html").render(
        title="การประชุม", menu=MENU, path="/bodies", headings=HEADINGS, rows=_rows(rows)
    )
    return HTMLResponse(html)


async def hello(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})
