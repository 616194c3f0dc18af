"""Shared fixtures. Databases are built by code; nothing binary is committed.

Every test that asks for ``engine`` runs twice: on SQLite and on a real
PostgreSQL server that these fixtures start (one throwaway cluster per pytest
worker, run as the ``postgres`` user, stopped at the end of the session).
When that test also asks for ``db_url``, both point at the same database.

- ``db_url``: a fresh database URL. Alone, it is an empty SQLite file (as it
  always was). Together with ``engine`` it follows the engine's backend; on
  PostgreSQL the database is already migrated to the latest schema.
- ``engine``: an engine on a fresh database migrated to the latest schema.
- ``backend``: ``"sqlite"`` or ``"postgresql"`` for the current test.
- ``pg_url``: a fresh, migrated PostgreSQL database (PostgreSQL only).
- ``pg_empty_url``: a fresh PostgreSQL database with no tables at all.
- ``pg_cluster``: the running cluster (binaries, port, socket directory).

Without PostgreSQL server binaries the PostgreSQL variants are skipped with
a loud reason; with ``OUTCOMES_REQUIRE_POSTGRES=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.needs import need

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"

# The suite's clock: every test, and every process a test starts, sees this date unless the test fixes
# another (monkeypatch.setenv("OUTCOMES_TODAY", ...)). So no test depends on the day it runs;
# tests/core/test_any_date.py runs the date-sensitive behaviour at the awkward dates of the calendar.
SUITE_TODAY = "2026-11-20"
os.environ["OUTCOMES_TODAY"] = SUITE_TODAY

BACKENDS = ("sqlite", "postgresql")
_TEMPLATE_DB = "outcomes_template"
_PG_PROBLEMS: list[str] = []


# --------------------------------------------------------------------------- PostgreSQL cluster


def pg_bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (``OUTCOMES_PG_BIN`` wins)."""
    given = os.environ.get("OUTCOMES_PG_BIN")
    if given:
        return Path(given) if (Path(given) / "initdb").exists() else None
    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()]
    if not found:
        return None

    def major(p: Path) -> float:
        try:
            return float(p.parent.name)
        except ValueError:
            return 0.0

    return max(found, key=major)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    """A throwaway PostgreSQL cluster owned by this pytest worker."""

    bin_dir: Path
    base: Path
    port: int
    _admin: object = field(default=None, repr=False)

    @property
    def socket_dir(self) -> Path:
        return self.base

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self):
        """An autocommit connection to the ``postgres`` database (CREATE/DROP DATABASE)."""
        import psycopg

        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(
                host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
            )
        return self._admin

    def create_database(self, *, template: str = _TEMPLATE_DB) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.admin().execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return name

    def drop_database(self, name: str) -> None:
        self.admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_postgres() -> list[str]:
    # The server refuses to run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _reap_orphans(bin_dir: Path) -> None:
    """Stop clusters left behind by test runs that were killed before their teardown."""
    for owner in Path(tempfile.gettempdir()).glob("outcomes-pg-*/owner.pid"):
        try:
            os.kill(int(owner.read_text()), 0)
            continue  # its test run is still going
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue
        base = owner.parent
        subprocess.run(
            [*_as_postgres(), str(bin_dir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
            cwd=tempfile.gettempdir(),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


def _start_cluster(bin_dir: Path) -> PgCluster:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    _reap_orphans(bin_dir)
    base = Path(tempfile.mkdtemp(prefix=f"outcomes-pg-{worker}-"))
    (base / "owner.pid").write_text(str(os.getpid()))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    run = dict(cwd=base, capture_output=True, text=True, timeout=120)
    res = subprocess.run(
        [
            *_as_postgres(),
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        **run,
    )
    if res.returncode:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {res.stderr.strip()[-500:]}")
    last = ""
    for _attempt in range(5):  # another process may take the free port between probe and start
        port = _free_port()
        opts = (
            f"-F -p {port} -k {base} -c listen_addresses=127.0.0.1 -c full_page_writes=off "
            f"-c synchronous_commit=off -c max_connections=200 -c shared_buffers=32MB"
        )
        res = subprocess.run(
            [
                *_as_postgres(),
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                opts,
                "start",
            ],
            **run,
        )
        if res.returncode == 0:
            return PgCluster(bin_dir=bin_dir, base=base, port=port)
        last = (base / "server.log").read_text(errors="replace")[-500:] if (base / "server.log").exists() else ""
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(f"pg_ctl start failed: {res.stderr.strip()[-300:]} {last}")


def _stop_cluster(c: PgCluster) -> None:
    if c._admin is not None:
        c._admin.close()
    subprocess.run(
        [*_as_postgres(), str(c.bin_dir / "pg_ctl"), "-D", str(c.base / "data"), "-m", "immediate", "stop"],
        cwd=c.base,
        capture_output=True,
        timeout=60,
    )
    shutil.rmtree(c.base, ignore_errors=True)


def _unavailable(reason: str):
    msg = f"PostgreSQL NOT TESTED: {reason}"
    _PG_PROBLEMS.append(msg)
    need(False, msg, flag="OUTCOMES_REQUIRE_POSTGRES")


@pytest.fixture(scope="session")
def _pg_cluster_or_error():
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        yield (
            None,
            (
                "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin "
                "(install the Debian 'postgresql' package or set OUTCOMES_PG_BIN)"
            ),
        )
        return
    try:
        cluster = _start_cluster(bin_dir)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        yield None, f"could not start a throwaway cluster with {bin_dir}: {exc}"
        return
    try:
        from storage.db import ensure_schema, get_engine

        cluster.admin().execute(f'CREATE DATABASE "{_TEMPLATE_DB}"')
        eng = ensure_schema(cluster.url(_TEMPLATE_DB))
        eng.dispose()
        get_engine.cache_clear()
        yield cluster, None
    finally:
        _stop_cluster(cluster)


@pytest.fixture(scope="session")
def pg_cluster(_pg_cluster_or_error) -> PgCluster:
    """The running throwaway cluster of this worker (skips or fails loudly without PostgreSQL)."""
    cluster, problem = _pg_cluster_or_error
    if cluster is None:
        _unavailable(problem)
    return cluster


def _fresh_pg(cluster: PgCluster, template: str):
    from storage.db import get_engine

    name = cluster.create_database(template=template)
    yield cluster.url(name)
    get_engine.cache_clear()
    cluster.drop_database(name)


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh PostgreSQL database, migrated to the latest schema."""
    yield from _fresh_pg(pg_cluster, _TEMPLATE_DB)


@pytest.fixture
def pg_empty_url(pg_cluster):
    """A fresh PostgreSQL database without any table."""
    yield from _fresh_pg(pg_cluster, "template0")


# --------------------------------------------------------------------------- backend-parametrised fixtures


def pytest_generate_tests(metafunc):
    # Anything built on ``engine`` runs on both backends; ``db_url`` alone stays SQLite.
    if "backend" in metafunc.fixturenames and "engine" in metafunc.fixturenames:
        metafunc.parametrize(
            "backend",
            ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
            indirect=True,
        )


@pytest.fixture
def backend(request) -> str:
    """The database backend of this test: ``sqlite`` or ``postgresql``."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_url(request, backend, tmp_path) -> str:
    """A fresh database for one test: empty SQLite, or (with ``engine``) a migrated PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    yield from _fresh_pg(cluster, _TEMPLATE_DB)


@pytest.fixture
def engine(db_url, backend):
    """An engine on a fresh database migrated to the latest schema (runs on SQLite and PostgreSQL)."""
    from storage.db import ensure_schema, get_engine

    eng = ensure_schema(db_url)
    assert eng.dialect.name == backend
    yield eng
    eng.dispose()
    get_engine.cache_clear()


def pytest_terminal_summary(terminalreporter):
    if _PG_PROBLEMS:
        terminalreporter.write_sep("!", "PostgreSQL variants were NOT run", red=True, bold=True)
        terminalreporter.write_line(_PG_PROBLEMS[0], red=True)
