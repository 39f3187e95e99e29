"""HTML routes of live sessions: session_clusters (issue 4)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
