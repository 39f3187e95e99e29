"""HTML routes: organisations."""

from fastapi import APIRouter

router = APIRouter()
