"""HTML routes: meetings."""

from fastapi import APIRouter

router = APIRouter()
