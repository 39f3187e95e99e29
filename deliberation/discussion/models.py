"""Discussion threads on agenda items: posts with a stance, their revisions and
mentions, each reader's place in a thread; and the schemas of its JSON API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from forum.db import utcnow
from forum.models import (
    RECORD,
    ApiInput,
    BangkokDateTime,
    EditVersion,
    RecordId,
    any_of,
    rules,
    said,
)


def _str(length: int) -> Any:
    return sa.String(length)


# -- discussion threads on agenda items -------------------------------------------------


class PostStance(StrEnum):
    """Where a post stands on the item (the item's for/against summary counts them)."""

    in_favour = "for"  # เห็นด้วย
    against = "against"  # ไม่เห็นด้วย
    question = "question"  # ข้อซักถาม
    information = "information"  # ข้อมูลเพิ่มเติม


class Post(SQLModel, table=True):
    """A member's post in an agenda item's thread, or a reply to one (one level: a reply's
    `parent_id` is always a top-level post). `body_html` is the Markdown rendered safe with
    the mentions linked, made when the text is written, so a page of many posts renders
    none. `meeting_id` and `body_id` are the item's, copied for the rules and the counts."""

    __table_args__ = (sa.Index("ix_post_item_id_id", "item_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id")
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    body_id: int = Field(foreign_key="body.id")
    parent_id: int | None = Field(default=None, foreign_key="post.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    stance: PostStance | None = Field(default=None, sa_type=_str(20))
    body: str = Field(sa_type=sa.Text)  # Markdown, as typed
    body_html: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    edit_count: int = 0
    hidden_at: datetime | None = None
    hidden_by: int | None = Field(default=None, foreign_key="person.id")
    hidden_reason: str = Field(default="", sa_type=sa.Text)
    version: int = 1  # optimistic lock: of two edits from the same version, one wins


class PostRevision(SQLModel, table=True):
    """A post's text as it stood before an edit (number 1 is the original)."""

    __tablename__ = "post_revision"
    __table_args__ = (sa.UniqueConstraint("post_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    number: int
    stance: PostStance | None = Field(default=None, sa_type=_str(20))
    body: str = Field(sa_type=sa.Text)
    written_at: datetime  # when this text was written (the post's creation or an edit)
    replaced_by: int | None = Field(default=None, foreign_key="person.id")
    replaced_at: datetime = Field(default_factory=utcnow)


class PostMention(SQLModel, table=True):
    """A member named in a post with @[display name]."""

    __tablename__ = "post_mention"
    __table_args__ = (sa.UniqueConstraint("post_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)


class ThreadRead(SQLModel, table=True):
    """How far a person has read an item's thread: posts with a larger id are new to them."""

    __tablename__ = "thread_read"
    __table_args__ = (sa.UniqueConstraint("person_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    last_post_id: int = 0
    read_at: datetime = Field(default_factory=utcnow)


class PostCreate(ApiInput):
    model_config = rules(any_of({"stance": {"type": "string"}}, {"parent_id": RECORD}))  # type: ignore[assignment]

    body: str = said(10_000)
    stance: PostStance | None = None
    parent_id: RecordId | None = None


class PostUpdate(ApiInput):
    version: EditVersion
    body: str = said(10_000)
    stance: PostStance | None = None


class PostHide(ApiInput):
    reason: str = said(2_000)


class PostPublic(SQLModel):
    id: int
    item_id: int
    parent_id: int | None
    author_id: int | None
    author_name: str
    stance: PostStance | None
    body: str  # empty when hidden
    body_html: str  # empty when hidden
    hidden: bool
    hidden_reason: str
    created_at: BangkokDateTime
    edited_at: BangkokDateTime | None
    edit_count: int
    version: int
    mentions: list[int]
    replies: list[PostPublic] = []


class ThreadPublic(SQLModel):
    item_id: int
    meeting_id: int
    counts: dict[str, int]  # top-level posts per stance, hidden ones left out
    posts: list[PostPublic]
