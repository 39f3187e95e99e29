"""Settings: defaults that just work, and one clear line for a wrong value."""

from __future__ import annotations

import pytest

from forum.config import ConfigError, load_settings


def test_defaults_put_sqlite_and_a_generated_key_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WETHI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WETHI_SECRET_KEY", raising=False)
    monkeypatch.delenv("WETHI_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'wethi.sqlite3'}"
    assert len(settings.secret_key) >= 32
    assert load_settings().secret_key == settings.secret_key  # kept, not regenerated
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("WETHI_DATABASE_URL", "mysql://localhost/x", "Configuration error: WETHI_DATABASE_URL:"),
        ("WETHI_LIVE_BACKEND", "redis", "Configuration error: WETHI_LIVE_BACKEND:"),
        ("WETHI_SESSION_DAYS", "zero", "Configuration error: WETHI_SESSION_DAYS:"),
        ("WETHI_SECRET_KEY", "short", "Configuration error: WETHI_SECRET_KEY:"),
        ("WETHI_REQUEST_THREADS", "0", "Configuration error: WETHI_REQUEST_THREADS:"),
    ],
)
def test_a_wrong_value_is_one_clear_line(tmp_path, monkeypatch, name, value, expected):
    monkeypatch.setenv("WETHI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)


def test_the_postgres_live_backend_is_refused_on_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("WETHI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WETHI_DATABASE_URL", raising=False)
    monkeypatch.setenv("WETHI_LIVE_BACKEND", "postgres")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(
        "Configuration error: WETHI_LIVE_BACKEND: 'postgres' needs a PostgreSQL database"
    )
    monkeypatch.setenv("WETHI_LIVE_BACKEND", "auto")  # auto: in-process on SQLite
    assert load_settings().live_backend == "auto"
