"""A throwaway PostgreSQL cluster for the tests in tests/pg: started once per session on a
free port of 127.0.0.1, one fresh database per test (copied from a template), removed at
the end. Without PostgreSQL's server binaries these tests skip, unless
WETHI_REQUIRE_POSTGRES=1 (CI) makes that a failure."""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from forum import db, reference
from tests import schema

TEMPLATE = "wethi_template"
_numbers = itertools.count(1)


def _bin_dir() -> Path | None:
    """The newest installed server's bin directory (Debian keeps them versioned)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(n) for n in Path(p).parts[-3].split(".") if n.isdigit()],
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("WETHI_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (WETHI_REQUIRE_POSTGRES=1)", pytrace=False)
    pytest.skip(reason)


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int = 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a server program, as the `postgres` user when we are root (initdb refuses root)."""
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        result = self.run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        for _attempt in range(3):  # the free port can be taken between probing and binding
            self.port = _free_port()
            options = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            result = self.run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            )
            if result.returncode == 0:
                return
        raise RuntimeError(
            f"PostgreSQL did not start:\n{result.stderr}\n{self.log.read_text() if self.log.exists() else ''}"
        )

    def stop(self) -> None:
        if self.data.exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "20", "stop")
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():  # pg_ctl could not stop it: end the postmaster by its PID
                try:
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
                    time.sleep(0.5)
                except (ValueError, IndexError, ProcessLookupError, PermissionError):
                    pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        _skip_or_fail("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="wethi-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PostgresServer(bin_dir, root)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def admin_engine(server: PostgresServer) -> Engine:
    """Autocommit on the maintenance database: CREATE/DROP DATABASE cannot run in a transaction."""
    return create_engine(server.url(), isolation_level="AUTOCOMMIT")


class TestDatabases:
    """Copies of the template, one per test. The next copy is made (and the last one
    dropped) in the background while a test runs: no test waits for CREATE DATABASE."""

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server, self.template = server, template
        self.admin = admin_engine(server)
        self.maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-template-copy")
        self.next: Future[str] = self.maker.submit(self._create)

    def _create(self) -> str:
        name = f"t_{next(_numbers)}"
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {self.template}"))
        return name

    def take(self) -> str:
        name = self.next.result()
        self.next = self.maker.submit(self._create)
        return name

    def drop(self, name: str) -> None:
        """In the background too (after the next copy: that is what the next test waits for)."""
        self.maker.submit(self._drop, name)

    def _drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.drop(self.next.result(timeout=60))
        self.maker.shutdown(wait=True)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database with the models' schema and the reference data, copied for each test."""
    admin = admin_engine(postgres_server)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {TEMPLATE}"))
    admin.dispose()
    template = db.make_engine(postgres_server.url(TEMPLATE))
    schema.create_all(template)
    with Session(template) as session:
        reference.load_reference_data(session)
    template.dispose()
    return TEMPLATE


@pytest.fixture(scope="session")
def test_databases(
    postgres_server: PostgresServer, postgres_template: str
) -> Iterator[TestDatabases]:
    databases = TestDatabases(postgres_server, postgres_template)
    yield databases
    databases.close()


@pytest.fixture
def fresh_database(postgres_server: PostgresServer, test_databases: TestDatabases) -> Iterator[str]:
    """The URL of a new database holding only the reference data, dropped after the test."""
    name = test_databases.take()
    try:
        yield postgres_server.url(name)
    finally:
        test_databases.drop(name)


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a database with no schema at all (for the migration tests)."""
    name = f"e_{next(_numbers)}"
    admin = admin_engine(postgres_server)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield postgres_server.url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def engine(fresh_database: str) -> Iterator[Engine]:
    """Overrides tests/conftest.py's SQLite engine: the same tests, on PostgreSQL."""
    engine = db.make_engine(fresh_database)
    yield engine
    engine.dispose()
