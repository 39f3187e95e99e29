"""`wethi`: serve, migrate, demo, create-admin, vendor."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from forum.config import ConfigError, Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Wethi (เวที) — participatory forum and deliberation platform.")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def _engine(settings: Settings):
    from forum import db

    return db.make_engine(settings.database_url)


def _stop(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _migrate(settings: Settings) -> None:
    from sqlalchemy.exc import OperationalError

    from forum import db, reference
    from forum.db import session_scope

    engine = _engine(settings)
    try:
        current, head = db.schema_state(engine)
    except OperationalError as error:
        _stop(f"Cannot reach the database ({settings.database_url.split('@')[-1]}): {error.orig}")
    if current != head:
        typer.echo(f"Migrating the database schema {current or '(empty)'} → {head} …")
        db.migrate(engine)
    for session in session_scope(engine):
        added = reference.load_reference_data(session)
        if added:
            typer.echo(f"Loaded {added} provinces and their Provincial Energy Offices.")


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (and load reference data)."""
    settings = _settings()
    _migrate(settings)
    typer.echo("The database is up to date.")


@app.command("demo")
def seed_demo() -> None:
    """Fill the database with a realistic demo programme (only when it has no bodies yet)."""
    from forum import demo as demo_data
    from forum.app import create_app
    from forum.db import session_scope

    settings = _settings()
    _migrate(settings)
    engine = _engine(settings)
    create_app(settings, engine=engine)  # the packages' manifests register their demo content
    for session in session_scope(engine):
        demo_data.seed(session, progress=typer.echo)


@app.command()
def verify(
    ballot: Annotated[str, typer.Argument(help="The ballot's number, or a downloaded bulletin (.json).")],
) -> None:
    """Check a closed ballot: recount its bulletin and its hash chain, apart from the stored result."""
    from forum import components
    from forum.app import create_app

    settings = _settings()
    _require_current_schema(settings)
    engine = _engine(settings)
    create_app(settings, engine=engine)  # the packages' manifests register their commands
    command = components.COMMANDS.get("verify")
    if command is None:
        _stop("No package offers `verify`.")
    code, lines = command(engine, settings, ballot)  # type: ignore[misc]
    for line in lines:
        typer.echo(line, err=code != 0)
    raise typer.Exit(code)


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt="Display name")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create a site administrator (or make an existing account one)."""
    from forum import accounts
    from forum.db import session_scope
    from forum.errors import InvalidInput
    from forum.web import field_message

    settings = _settings()
    _require_current_schema(settings)
    for session in session_scope(_engine(settings)):
        try:
            person = accounts.create_admin(session, email=email, display_name=name, password=password)
        except InvalidInput as error:
            _stop("; ".join(f"{field}: {field_message(message)}" for field, message in error.fields.items()))
        typer.echo(f"{person.email} is now a site administrator.")


def _require_current_schema(settings: Settings) -> None:
    from sqlalchemy.exc import OperationalError

    from forum import db

    try:
        current, head = db.schema_state(_engine(settings))
    except OperationalError as error:
        _stop(f"Cannot reach the database ({settings.database_url.split('@')[-1]}): {error.orig}")
    if current != head:
        _stop(f"The database schema is behind ({current or 'empty'}, code needs {head}): run `wethi migrate` first.")


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Migrate and load demo data first.")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Run the web server."""
    import uvicorn

    settings = _settings()
    if demo:
        seed_demo()
    else:
        _require_current_schema(settings)
    if workers > 1 and settings.is_sqlite:
        typer.echo("Note: several workers on SQLite work, but PostgreSQL is the database for scale.", err=True)
    elif workers > 1 and settings.live_backend == "memory":
        typer.echo("Note: live updates reach only the pages on the worker that made them; set WETHI_LIVE_BACKEND=postgres.", err=True)
    # Workers re-read the settings: hand them the generated ones so all share one key.
    os.environ["WETHI_SECRET_KEY"] = settings.secret_key
    os.environ["WETHI_DATABASE_URL"] = settings.database_url
    typer.echo(f"Wethi is running at http://{host}:{port}  (Ctrl+C to stop)")
    uvicorn.run(
        "forum.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        server_header=False,
        # A hall of phones on one socket each: the sans-I/O implementation holds thousands
        # reconnecting at once. Live messages are lean HTML fragments, compressed once for
        # every phone (forum/live_socket.py) unless WETHI_WS_COMPRESSION=false: on a venue's
        # one Wi-Fi the bytes run out first (tests/bench/live_fanout.py).
        ws="forum.live_socket:SharedDeflateProtocol" if settings.ws_compression else "websockets-sansio",
        ws_per_message_deflate=settings.ws_compression,
        backlog=4096,  # a reconnect storm: thousands of connections arrive in the same second
    )


@app.command()
def vendor(check: Annotated[bool, typer.Option("--check", help="Only verify checksums.")] = False) -> None:
    """Fetch the pinned third-party browser assets (htmx, Sarabun) into static/vendor/."""
    from forum import vendor as vendoring

    sys.exit(vendoring.main(check=check, progress=typer.echo))


def main() -> None:
    app()
