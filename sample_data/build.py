"""Write the sample files and load them, in order, through the real loader."""

from __future__ import annotations

import importlib
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from core.periods import month_start
from sample_data.meetings import seed_meetings
from sample_data.render import SampleFile, render_files
from sample_data.story import DEFAULT_MONTHS, DEFAULT_SEED, DEFAULT_WOMEN, World, build_world, last_month


@dataclass
class LoadedFile:
    """One sample file and what the loader said about it."""

    name: str
    partner: str
    period: str
    loaded_at: str
    kind: str  # "return" | "nil" | "superseded" | "correction" | "refused" (deliberately wrong, then resent)
    late: bool
    rows: dict[str, int]
    status: str = "not loaded"  # "accepted" | "rejected" | "duplicate"
    errors: list[dict] = field(default_factory=list)
    loaded_period: str | None = None  # the period the loader read (from the file name)
    loaded_rows: dict[str, int] = field(default_factory=dict)  # rows per return the loader found

    @property
    def expected_status(self) -> str:
        return "rejected" if self.kind == "refused" else "accepted"


@dataclass
class BuildSummary:
    """What the build wrote and loaded."""

    out_dir: Path
    files: list[LoadedFile]
    rows: dict[str, int]  # current rows per return the database should hold (from the generator's frames)
    world: World = field(repr=False)

    @property
    def accepted(self) -> int:
        return sum(f.status == "accepted" for f in self.files)

    @property
    def unexpected(self) -> list[LoadedFile]:
        """Files the loader treated otherwise than the story meant (a duplicate counts as fine)."""
        return [
            f
            for f in self.files
            if f.status != f.expected_status and not (f.status == "duplicate" and f.expected_status == "accepted")
        ]

    @property
    def statuses(self) -> Counter:
        return Counter(f.status for f in self.files)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def write_files(files: list[SampleFile], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in files:
        (out_dir / f.name).write_bytes(f.content)


def _summary_files(files: list[SampleFile]) -> list[LoadedFile]:
    return [
        LoadedFile(f.name, f.partner, f.period.code(), f.loaded_at.isoformat(sep=" "), f.kind, f.late, dict(f.rows))
        for f in files
    ]


def write_sample(
    *,
    out_dir: str | Path,
    women: int = DEFAULT_WOMEN,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    tidy: bool = False,
) -> BuildSummary:
    """Generate and write every partner's files (no database)."""
    world = build_world(women=women, months=months, seed=seed)
    files = render_files(world, tidy=tidy)
    out = Path(out_dir)
    write_files(files, out)
    return BuildSummary(out, _summary_files(files), world.rows_per_return(), world)


def _ensure_demo_accounts(engine) -> None:
    """Create the demo log-ins when the users module offers it (written by another part of the project)."""
    try:
        users = importlib.import_module("storage.users")
    except ImportError:
        return
    fn = getattr(users, "ensure_demo_accounts", None)
    if fn is not None:
        fn(engine)


def sample_end(db_url: str) -> date | None:
    """The last month the sample database at ``db_url`` holds returns for (None when it has none or is absent)."""
    import sqlalchemy as sa

    from storage.db import get_engine
    from storage.repository import read_coverage

    path = sa.make_url(db_url).database
    if db_url.startswith("sqlite") and (not path or not Path(path).exists()):
        return None
    engine = get_engine(db_url)
    try:
        cov = read_coverage(engine)
    except sa.exc.DBAPIError:  # not a database of ours (yet)
        return None
    finally:
        engine.dispose()  # the file may be replaced next
    return None if cov.empty else month_start(cov["period_end"].max().date())


def ensure_current_sample(*, db_url: str) -> tuple[bool, BuildSummary | None]:
    """Build the sample at ``db_url`` unless it already ends with the story's last month (today's).

    A sample built in an earlier month is rebuilt, so the demo is current on whatever day it is opened.
    Returns (rebuilt, summary).
    """
    import sqlalchemy as sa

    if sample_end(db_url) == last_month():
        return False, None
    path = sa.make_url(db_url).database
    if db_url.startswith("sqlite") and path:
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return True, build_sample(db_url=db_url)


def build_sample(
    *,
    db_url: str,
    women: int = DEFAULT_WOMEN,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    out_dir: str | Path | None = None,
    tidy: bool = False,
) -> BuildSummary:
    """Write the sample files and load them all through ``ingest_file``, in the order partners sent them.

    Each file is loaded as ``sample:<partner>`` at its realistic ``loaded_at`` time, with "today" set to
    that day, so on-time, late, nil and missing returns show as they would have.
    """
    from data_loaders.ingest import ingest_file  # the loader is the only way data gets in
    from storage.db import ensure_schema

    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="outcomes-sample-"))
    world = build_world(women=women, months=months, seed=seed)
    files = render_files(world, tidy=tidy)
    write_files(files, out)
    engine = ensure_schema(db_url)
    summary = BuildSummary(out, _summary_files(files), world.rows_per_return(), world)
    for f, s in zip(files, summary.files, strict=True):
        report = ingest_file(
            engine=engine,
            content=f.content,
            file_name=f.name,
            partner=f.partner,
            loaded_by=f"sample:{f.partner}",
            today=f.loaded_at.date(),
            loaded_at=f.loaded_at,
        )
        s.status = report.status
        s.errors = list(report.errors)
        s.loaded_period = report.period.code() if report.period else None
        for sheet in report.sheets:
            s.loaded_rows[sheet["return"]] = s.loaded_rows.get(sheet["return"], 0) + sheet["rows"]
    seed_meetings(engine, world.months[-1])
    record_process_changes(engine, world)
    _ensure_demo_accounts(engine)
    return summary


def record_process_changes(engine, world) -> None:
    """The story's process change, recorded as an administrator records one (the same storage function): the
    dental service starting at the drop-in, which rebases the dental charts' SPC limits."""
    from storage.process_changes import add_change

    facts = getattr(world, "facts", None)
    if facts is None or not world.start < facts.dental_start <= world.end:
        return
    add_change(
        engine,
        changed_on=facts.dental_start,
        reason="Dental service started at the drop-in",
        applies_to=["DEN-01", "DEN-02"],
        by=("sample:admin", "admin"),
        at=datetime.combine(facts.dental_start, time(9, 0)),
    )
