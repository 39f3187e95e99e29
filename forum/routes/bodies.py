"""HTML routes: bodies."""

from fastapi import APIRouter

router = APIRouter()
