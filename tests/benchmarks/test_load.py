"""The load step: each session's page is checked, not just timed; tiny bursts against real servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import load, sessions
from deploy import replicas
from tests.needs import need
from tests.pages import sample_db

CHAIR = load.Expect("chair", load.EXACT, (("Women engaged", "36"), ("Dental access", "47.2%")))
COMMISSIONER = load.Expect("commissioner", load.PUBLISHED, (("Women engaged", "36"), ("Dental access", "*")))
PARTNER = load.Expect("aspirations", None, ())
EVERYONE = {e.username: e for e in (CHAIR, COMMISSIONER, PARTNER)}


def _tile(name: str, value: str) -> str:
    return (
        f'<div class="tile"><div class="tile-name">{name} <span class="tile-id">X-01 ↑</span></div>'
        f'<div class="tile-value">{value}</div><div class="tile-sub">target 40</div></div>'
    )


def _page(who: str, banner: str | None, tiles: tuple) -> sessions.Run:
    texts = [f"**{who}**  \nsomeone's role", "Meeting overview"]
    if banner:
        texts.append(f"Period: **Q2** · {banner} — more words")
    texts += [_tile(n, v) for n, v in tiles]
    return sessions.Run(seconds=0.1, texts=texts)


def test_a_session_showing_its_own_figures_passes():
    assert load.check(_page("commissioner", load.PUBLISHED, COMMISSIONER.tiles), COMMISSIONER, EVERYONE) == ([], False)
    assert load.check(_page("aspirations", None, ()), PARTNER, EVERYONE) == ([], False)


def test_another_accounts_exact_figures_are_foreign():
    problems, foreign = load.check(_page("commissioner", load.PUBLISHED, CHAIR.tiles), COMMISSIONER, EVERYONE)
    assert foreign and problems == ["headline figures differ from metrics"]


def test_another_accounts_name_or_banner_is_foreign():
    assert load.check(_page("chair", load.PUBLISHED, COMMISSIONER.tiles), COMMISSIONER, EVERYONE)[1]
    assert load.check(_page("commissioner", load.EXACT, COMMISSIONER.tiles), COMMISSIONER, EVERYONE)[1]
    assert load.check(_page("aspirations", load.EXACT, ()), PARTNER, EVERYONE)[1]


def test_wrong_figures_that_are_no_one_elses_are_an_error_not_a_leak():
    problems, foreign = load.check(_page("chair", load.EXACT, (("Women engaged", "35"),)), CHAIR, EVERYONE)
    assert problems and not foreign


def test_a_signed_out_or_failed_page_is_an_error():
    run = sessions.Run(seconds=1, texts=["Strategy outcomes dashboard", "Log in"])
    problems, _ = load.check(run, CHAIR, EVERYONE)
    assert "signed in as nobody" in problems
    run = _page("chair", load.EXACT, CHAIR.tiles)
    run.texts.append("Something went wrong showing this page.")
    assert "the page failed" in load.check(run, CHAIR, EVERYONE)[0]


def test_p90_is_the_nearest_rank():
    times = [float(i) for i in range(1, 16)]
    assert load._quantile(times, 0.9) == 14.0
    assert load._quantile([3.0], 0.9) == 3.0
    assert load._quantile([1.0, 2.0], 0.9) == 2.0


def _need_browser_and_nginx(processes: int) -> None:
    missing = [] if Path(sessions.CHROMIUM).exists() else [f"Chromium at {sessions.CHROMIUM}"]
    if processes and replicas.nginx_binary() is None:
        missing.append("nginx")
    need(not missing, f"missing {', '.join(missing)}: the load step was NOT run", flag="OUTCOMES_REQUIRE_CHROMIUM")


@pytest.mark.slow
@pytest.mark.browser
# One process only: behind nginx the step differs only in starting the replicas, which tests/deploy drives
# (the suite's ten minutes are worth more than a second 40-second run of the same client).
@pytest.mark.parametrize(("processes", "counts"), [(0, [2])], ids=["one process"])
def test_tiny_bursts_every_scenario_checked(tmp_path, processes, counts):
    _need_browser_and_nginx(processes)
    db = f"sqlite:///{tmp_path / 'load.db'}"
    sample_db.build(db)
    rows = load.run_bursts(db=db, counts=counts, processes=processes, say=lambda m: None)
    assert [r["scenario"] for r in rows] == ["after a restart", "warm", "after new data"]
    for r in rows:
        assert r["sessions"] == counts[0] and r["errors"] == 0 and r["foreign"] == 0, r["problems"]
        assert 0 < r["median"] <= r["p90"] <= r["max"]
        assert r["server_mb"] > 50  # a live app process was sampled
        assert r["processes"] == (processes or 1)


def _row(n, scenario, p90, processes=1, per_second=10.0, errors=0, foreign=0):
    return {
        "sessions": n,
        "scenario": scenario,
        "p90": p90,
        "median": p90 / 2,
        "max": p90 * 1.2,
        "processes": processes,
        "per_second": per_second,
        "errors": errors,
        "foreign": foreign,
        "where": "x",
        "server_mb": 200.0,
    }


def test_the_load_targets_are_the_issues():
    from benchmarks import report

    rows = [
        _row(15, "warm", 0.9),
        _row(15, "after new data", 3.6),
        _row(40, "warm", 2.9, per_second=10),
        _row(40, "after new data", 3.9),
        _row(15, "after a restart", 2.0),
        _row(15, "warm", 0.6, processes=2),
        _row(40, "warm", 1.0, processes=2, per_second=15.0, foreign=1),
    ]
    got = {t.name: t.met for t in report.load_targets({"load": {"rows": {"sample": rows}}})}
    assert got["15 sessions at once, warm, p90 (sample, one process)"]
    assert not got["15 sessions at once, after new data, p90 (sample, one process)"]
    assert got["40 sessions at once, warm, p90 (sample, one process)"]
    assert got["15 sessions at once, after a restart, p90 (sample, one process)"]
    assert not got["15 sessions at once, warm, p90 (sample, 2 processes behind nginx)"]
    assert not got["throughput behind nginx ÷ one process (sample, 40 sessions, warm)"]  # 1.5× < 1.6×
    assert got["sessions without errors (sample, every burst)"]
    assert not got["sessions shown another account's figures (sample)"]


def test_a_load_step_not_measured_is_a_missed_target_not_a_pass():
    from benchmarks import report

    (t,) = report.load_targets({"load": {"not_measured": "Chromium is not installed"}})
    assert not t.met and "NOT MEASURED" in t.measured


def test_memory_growing_over_the_soak_misses_its_target():
    from benchmarks import report

    soak = {"seconds": 1800, "gc": False, "rss_first_third_mb": 200.0, "rss_last_third_mb": 230.0}
    (t,) = report.load_targets({"load": {"rows": {}}, "soak": [soak]})
    assert not t.met and t.measured == "+15.0 %"
    (t,) = report.load_targets({"load": {"rows": {}}, "soak": [{**soak, "rss_last_third_mb": 204.0}]})
    assert t.met


def test_the_results_table_shows_every_burst():
    from benchmarks import report

    rows = [_row(15, "warm", 0.72), _row(15, "warm", 0.35, processes=2)]
    results = {"machine": report.machine(), "scales": {"sample": {}}, "load": {"rows": {"sample": rows}}}
    results["targets"] = [t.as_dict() for t in report.load_targets(results)]
    table = report.markdown(results)
    assert "Sessions at once, sample data" in table
    assert table.count("| x | warm | 15 |") == 2 and "| 0.72 |" in table and "| 0.35 |" in table
