"""The JSON API (/api/v1) over the same services as the HTML routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
