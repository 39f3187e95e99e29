"""HTML routes: privacy."""

from fastapi import APIRouter

router = APIRouter()
