"""Deliberation's HTML routes, one module per topic, each with `router = APIRouter()`."""
