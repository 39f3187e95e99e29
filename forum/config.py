"""Settings read from WETHI_* environment variables.

A wrong value stops start-up with one clear line (`ConfigError`), never a traceback.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A setting is wrong; the message is one line a person can act on."""


POSTGRES_ONLY = (
    "Configuration error: WETHI_LIVE_BACKEND: 'postgres' needs a PostgreSQL database"
    " (WETHI_DATABASE_URL=postgresql+psycopg://...); on SQLite use 'memory' or 'auto'"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WETHI_", extra="ignore")

    data_dir: Path = Path("wethi-data")
    database_url: str = ""
    secret_key: str = ""
    # memory: one worker; postgres: LISTEN/NOTIFY across workers; auto: postgres on PostgreSQL
    live_backend: Literal["memory", "postgres", "auto"] = "memory"
    default_locale: Literal["th", "en"] = "th"
    # Per-message compression of the live sockets, each message compressed once for every
    # phone (forum/live_socket.py): at 2,000 phones two thirds of the bytes on a hall's one
    # Wi-Fi, for ~19 points of a core and ~70 MB (tests/bench/live_fanout.py, issue 11).
    ws_compression: bool = True
    # Threads a worker runs its requests' database work in. Python runs one of them at a
    # time: past a few, they only take the lock from each other (a hall of 2,000 phones
    # joining at once: 380 joins/s with 1, 330 with 4, 260 with 40, Starlette's default —
    # issue 11). Enough for a slow export not to hold the rest up.
    request_threads: int = 4
    # Behind HTTPS (a reverse proxy), cookies get the Secure flag.
    secure_cookies: bool = False
    session_days: int = 14
    invitation_days: int = 14
    login_attempts_per_15_min: int = 10
    # How long personal data kept only for running the platform stays (PDPA: no longer than
    # needed; the privacy page states these): a live page's stored frames (they name
    # participants; a reconnect needs minutes), and the rate limiters' attempts (addresses).
    retain_live_frames_hours: int = 1
    retain_login_attempts_hours: int = 24
    # after a live session closes, its participants' nicknames (its ideas stay, anonymous)
    retain_session_nicknames_days: int = 365
    # after a live session closes, the ideas it did not take forward (with their votes)
    retain_session_ideas_days: int = 1095
    # the attendance and traffic record of meetings (e-meeting decree B.E. 2563); never less
    # than the 90 days the Computer-Related Crime Act keeps traffic data
    retain_attendance_log_days: int = 730
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_starttls: bool = True  # off only for a relay on the same host or network
    base_url: str = "http://127.0.0.1:8000"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "postgresql+psycopg://", "postgresql://")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator(
        "session_days",
        "invitation_days",
        "login_attempts_per_15_min",
        "retain_live_frames_hours",
        "retain_login_attempts_hours",
        "retain_session_nicknames_days",
        "retain_session_ideas_days",
        "request_threads",
    )
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("retain_attendance_log_days")
    @classmethod
    def _traffic_data(cls, value: int) -> int:
        if value < 90:
            raise ValueError("must be at least 90 (days of traffic data the law asks to keep)")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    name = "WETHI_" + str(first["loc"][0]).upper() if first["loc"] else "WETHI_*"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"Configuration error: {name}: {message}"


def load_settings() -> Settings:
    """Read, validate and complete the settings (data dir, database URL, secret key)."""
    try:
        settings = Settings()
    except ValidationError as error:
        raise ConfigError(_one_line(error)) from None
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"Configuration error: WETHI_DATA_DIR: cannot create {settings.data_dir}: {error.strerror}"
        ) from None
    if not settings.database_url:
        settings.database_url = f"sqlite:///{(settings.data_dir / 'wethi.sqlite3').resolve()}"
    if settings.live_backend == "postgres" and settings.is_sqlite:
        raise ConfigError(POSTGRES_ONLY)
    if not settings.secret_key:
        settings.secret_key = _stored_secret(settings.data_dir / "secret_key")
    elif len(settings.secret_key) < 32:
        raise ConfigError("Configuration error: WETHI_SECRET_KEY: must be at least 32 characters")
    return settings


def _stored_secret(path: Path) -> str:
    """Generate the secret key on first start and keep it in the data directory."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@lru_cache
def get_settings() -> Settings:
    return load_settings()
