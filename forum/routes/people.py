"""HTML routes: people."""

from fastapi import APIRouter

router = APIRouter()
