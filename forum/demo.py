"""Demo data (filled in by the demo task)."""


def seed(session, progress=print) -> None:
    progress("No demo data yet.")
