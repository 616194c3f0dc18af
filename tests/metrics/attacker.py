"""An analyst with every public figure of a financial year, solving the sums (independent of metrics.disclosure).

What she knows (indicators spec sections 2 and 5): which figures add up (months to quarters, quarters to the
years to date and the year; breakdown cells to their total; DEN-02 is HLT-03's oral health cell), that a
hidden count is at least 1 (zero is shown), and that a numerator is at most its denominator. She collects
what ``metrics`` gives a public viewer for every standard period and asks, for each hidden figure (and each
hidden percent's complement), the least and greatest values it can take.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

import metrics
from core.periods import Period, financial_year, quarter, standard_periods, year_to_date

COUNTS = ("ENG-05", "HLT-03", "HLT-04", "DEN-02", "RHB-02", "SAF-02", "WKF-01", "SUP-01")  # sums of rows
PERCENTS = ("CJS-01", "VOI-01")  # numerator and denominator are both sums of rows
WITH_CELLS = ("HLT-03", "WKF-01")


def collect(engine, fy: int, *, tag: str = "") -> tuple[dict, dict]:
    """(public, exact): figure name -> value (None where hidden), for every standard period of ``fy``.
    Names are (tag, period code, indicator, figure[, category])."""
    public, exact = {}, {}
    for p in standard_periods(fy):
        for out, pub in ((public, True), (exact, False)):
            s = metrics.compute_indicators(engine=engine, period=p, public=pub)
            for r in s.results:
                if r.id in COUNTS:
                    out[(tag, p.code(), r.id, "value")] = r.value
                if r.id in PERCENTS:
                    out[(tag, p.code(), r.id, "numerator")] = r.numerator
                    out[(tag, p.code(), r.id, "denominator")] = r.denominator
                for c in r.breakdown if r.id in WITH_CELLS else []:
                    out[(tag, p.code(), r.id, "cell", c.category)] = c.value
            if not pub:  # not reported: nothing held, so the analyst knows what there is (usually nothing)
                for r in s.results:
                    if r.status == "not_reported":
                        for k in [k for k in out if k[1:3] == (p.code(), r.id)]:
                            public[k] = 0 if out[k] is None else out[k]
    return public, exact


def sums(fy: int, names: set, tag: str = "") -> list[tuple[tuple, list[tuple]]]:
    """Every sum the analyst can write down between the figures ``names`` of ``fy``."""
    months = standard_periods(fy)[:12]
    q = [quarter(fy, k) for k in (1, 2, 3, 4)]
    periods: list[tuple[Period, list[Period]]] = [(q[k], months[3 * k : 3 * k + 3]) for k in range(4)]
    periods += [(year_to_date(fy, 2), q[:2]), (year_to_date(fy, 3), q[:3]), (financial_year(fy), q)]
    figures = {k[2:] for k in names}
    out = []
    for fig in figures:
        for total, parts in periods:
            t = (tag, total.code(), *fig)
            ps = [(tag, p.code(), *fig) for p in parts]
            if t in names or any(p in names for p in ps):
                out.append((t, [p for p in ps if p in names] if fig[1] == "cell" else ps))
    for p in standard_periods(fy):
        for ind in WITH_CELLS:
            cells = [k for k in names if k[:3] == (tag, p.code(), ind) and k[3] == "cell"]
            out.append(((tag, p.code(), ind, "value"), cells))
        out.append(
            (
                (tag, p.code(), "DEN-02", "value"),
                [k for k in names if k == (tag, p.code(), "HLT-03", "cell", "oral_health")],
            )
        )
    return [(t, ps) for t, ps in out if t in names]


def ranges(known: dict, equations: list[tuple[tuple, list[tuple]]], *, same: dict | None = None) -> dict:
    """Least and greatest value of every hidden figure (and hidden percent complement) given ``known``
    (name -> value or None where hidden) and the ``equations``. ``same`` maps a name to another that is
    known to hold the same value (a figure unchanged between two publications)."""
    same = same or {}
    canon = {k: same.get(k, k) for k in known}
    value = {canon[k]: v for k, v in known.items() if v is not None}  # shown in any publication: known
    hidden = sorted({canon[k] for k, v in known.items() if v is None} - set(value), key=str)
    col = {k: i for i, k in enumerate(hidden)}
    a_eq, b_eq = [], []
    for total, parts in equations:
        row, rhs = np.zeros(len(hidden)), 0.0
        for name, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
            name = canon.get(name, name)
            if name in col:
                row[col[name]] += sign
            else:
                rhs -= sign * float(value.get(name, 0.0) or 0.0)
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    a_ub, b_ub, complements = [], [], []
    for k in known:
        if k[3] == "numerator":
            d = (*k[:3], "denominator")
            n_, d_ = canon[k], canon.get(d, d)
            if n_ in col or d_ in col:
                row, rhs = np.zeros(len(hidden)), 0.0
                for name, sign in ((n_, 1.0), (d_, -1.0)):
                    if name in col:
                        row[col[name]] += sign
                    else:
                        rhs -= sign * float(value[name])
                a_ub.append(row)
                b_ub.append(rhs)
                complements.append((d_, n_))
    bounds = [(0.0 if k[3] == "numerator" else 1.0, None) for k in hidden]
    objectives = [(k, {k: 1.0}) for k in hidden] + [(("complement", d), {d: 1.0, n: -1.0}) for d, n in complements]
    out = {}
    for name, coefs in objectives:
        c = np.zeros(len(hidden))
        const = 0.0
        for k, w in coefs.items():
            if k in col:
                c[col[k]] += w
            else:
                const += w * float(value[k])
        ends = []
        for sign in (1.0, -1.0):
            res = linprog(
                sign * c,
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=b_ub or None,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=b_eq or None,
                bounds=bounds,
                method="highs",
            )
            assert res.status in (0, 3), f"the true values satisfy the sums: {res.message}"
            ends.append(np.inf * -sign if res.status == 3 else sign * res.fun + const)
        out[name] = (ends[0], ends[1])
    return out


def found_out(engine, fy: int, *, need: int) -> dict:
    """Every hidden figure of ``fy`` the analyst narrows to fewer than ``need`` + 1 possible values."""
    public, _ = collect(engine, fy)
    got = ranges(public, sums(fy, set(public)))
    return {k: r for k, r in got.items() if r[1] - r[0] < need - 1e-6}


KNOWN_ACCOMMODATION = ("rough_sleeping", "sofa_surfing", "hostel", "temporary", "supported", "settled")


def status_found_out(engine, fy: int, *, need: int) -> dict:
    """The same analyst on the current-status figures, period by period: HSG-01's numerator and denominator,
    HSG-02 and EXT-01 are sums of the accommodation and working-status cells the pages show, RHB-01 and
    RHB-03's value of the rehab pathway's."""
    out = {}
    for p in standard_periods(fy):
        s = metrics.compute_indicators(engine=engine, period=p, public=True)
        known: dict = {}

        def k(*a, p=p):
            return ("", p.code(), *a)

        for i in ("HSG-01", "EXT-01"):
            known[k(i, "numerator")], known[k(i, "denominator")] = s.by_id(i).numerator, s.by_id(i).denominator
        for i in ("HSG-02", "RHB-01", "RHB-03"):
            known[k(i, "value")] = s.by_id(i).value
        for name in ("accommodation", "working_status"):
            for c in metrics.trend_breakdown(engine=engine, periods=[p], public=True, id=name).itertuples():
                known[k(name, "cell", c.category)] = None if c.suppressed else c.value
        for c in s.by_id("RHB-03").breakdown:
            known[k("RHB-03", "cell", c.category)] = c.value

        def cells(name, cats=None, known=known):
            return [x for x in known if x[2:4] == (name, "cell") and (cats is None or x[4] in cats)]

        if s.by_id("HSG-01").status == "not_reported":
            continue
        equations = [
            (k("HSG-01", "numerator"), cells("accommodation", ("temporary", "supported", "settled"))),
            (k("HSG-01", "denominator"), cells("accommodation", KNOWN_ACCOMMODATION)),
            (k("HSG-02", "value"), cells("accommodation", ("rough_sleeping",))),
            (k("EXT-01", "numerator"), cells("working_status", ("reduced", "stopped"))),
            (k("EXT-01", "denominator"), cells("working_status", ("active", "reduced", "stopped"))),
            (k("RHB-03", "value"), cells("RHB-03")),
            (k("RHB-01", "value"), cells("RHB-03", ("ready", "referred"))),
        ]
        got = ranges(known, equations)
        out.update({x: r for x, r in got.items() if r[1] - r[0] < need - 1e-6})
    return out
