"""Statistical process control the NHS "Making Data Count" way, with the rules as NHSRplotthedots tests them.

- centre line: the mean; process limits: mean ± 2.66 × mean moving range (no clipping at zero);
- moving ranges next to a gap (a suppressed or unreported point) are dropped, not bridged; moving-range
  screening (on by default, ``OUTCOMES_SPC_SCREEN_OUTLIERS``) drops ranges at or above 3.267 × their mean
  before the limits are worked out (Nelson 1982); the Making Data Count Excel tool does not screen;
- a fixed baseline (``OUTCOMES_SPC_BASELINE_POINTS``, 12 or more) takes the mean and limits from the first
  N points of each period; process changes (recorded by an administrator in the app, with a reason:
  ``record_process_change``) start a new period with its own limits at the first point dated on or after
  the change;
- rules, within each period: a point outside the limits; a trend of 7 points each rising (or each falling)
  from the last; two of three points in a row on the same side of the mean with at least two of them
  between two and three sigma (points beyond a limit do not count towards it); a run of 7 points on one side
  of the mean. A point on the mean, an equal step or a gap breaks a run, a trend and a two-of-three window.
  A point takes the first rule that holds in that order: outside > trend > two of three > run;
- a special-cause point is improvement or concern by the indicator's polarity (its side of the mean, or for
  a trend the trend's way); 'neither' for indicators without a direction;
- variation (the icon) is read from the latest point; assurance compares the latest period's limits with the
  target: a target exactly on a limit is hit-or-miss ("inconsistent" in the package).
Missing values (suppressed or not reported) keep their place and are left out of the calculation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core import clock, settings
from core.personal import refusal_message, text_problem
from storage import process_changes as store

LIMIT_FACTOR = 2.66
SCREEN_FACTOR = 3.267  # moving ranges at or above this times their mean are screened out
RUN_LENGTH = 7
TREND_LENGTH = 7
SHORT_SERIES = 12  # fewer points than this: trial limits (the package's warning)
MIN_BASELINE = 12
MAX_REASON = 120  # a process change's reason is a chart label
ATTENDANCE = "attendance"  # the women-per-drop-in-session chart, beside the indicators' IDs
RECORDERS = frozenset({"admin"})  # who may record or remove a process change

VARIATION_LABELS = {
    "common_cause": "Common cause variation: no significant change",
    "improvement": "Special cause variation: improvement",
    "concern": "Special cause variation: concern",
    "neither": "Special cause variation: a change that is neither better nor worse",
}
ASSURANCE_LABELS = {
    "pass": "The target will consistently be met",
    "fail": "The target will consistently not be met unless something changes",
    "hit_or_miss": "The target may or may not be met (hit and miss)",
}
SHORT_WARNING = (
    f"Fewer than {SHORT_SERIES} points: these are trial limits, which will change as each new point is added."
)


class ProcessChangeRefused(ValueError):
    """A process change was not recorded; the message says what to fix (never repeating the reason)."""


@dataclass(frozen=True)
class ProcessChange:
    """A date when the process changed (the limits are worked out afresh from then), and why."""

    date: date
    reason: str


@dataclass
class SPCPeriod:
    """One stretch of the chart with its own limits: from ``start`` (a process change, or the first point)."""

    start: object
    mean: float | None
    upper: float | None
    lower: float | None
    points: int
    change: ProcessChange | None = None


@dataclass
class SPCResult:
    frame: pd.DataFrame  # date, value, mean, upper, lower, moving_range, screened, period, special_cause, cause,
    #                      rule
    mean: float | None  # of the latest period
    upper: float | None
    lower: float | None
    variation: str
    assurance: str | None
    points: int
    periods: list[SPCPeriod] = field(default_factory=list)
    warning: str | None = None

    @property
    def variation_label(self) -> str:
        return VARIATION_LABELS[self.variation]

    @property
    def assurance_label(self) -> str | None:
        return ASSURANCE_LABELS.get(self.assurance) if self.assurance else None

    @property
    def changes(self) -> list[ProcessChange]:
        """The process changes that start a period of this chart."""
        return [p.change for p in self.periods if p.change is not None]


def screening_on() -> bool:
    """Whether moving-range screening is on (``OUTCOMES_SPC_SCREEN_OUTLIERS``; 0 matches the Excel tool)."""
    return str(settings.get("OUTCOMES_SPC_SCREEN_OUTLIERS")).strip().lower() not in {"0", "false", "no", "off"}


def baseline_points() -> int | None:
    """``OUTCOMES_SPC_BASELINE_POINTS``: limits from the first N (>= 12) points of each period, or None."""
    n = settings.get("OUTCOMES_SPC_BASELINE_POINTS")
    if n is None or int(n) <= 0:
        return None
    if int(n) < MIN_BASELINE:
        raise ValueError(f"OUTCOMES_SPC_BASELINE_POINTS must be {MIN_BASELINE} or more (or 0 for none)")
    return int(n)


def chart_names() -> dict[str, str]:
    """The charts a process change can apply to: indicator ID (or 'attendance') -> its name."""
    from metrics.catalogue import CATALOGUE

    return {
        ATTENDANCE: "Women at each drop-in session (attendance chart)",
        **{i.id: f"{i.id} {i.name}" for i in CATALOGUE if i.unit != "breakdown"},
    }


def recorded_changes(engine: sa.Engine) -> list[dict]:
    """Every recorded process change, oldest first (``storage.process_changes.list_changes``)."""
    return store.list_changes(engine)


def changes_for(recorded: list[dict], series: str) -> list[ProcessChange]:
    """The changes of ``recorded`` that apply to the chart of ``series`` (an indicator ID or 'attendance')."""
    return [
        ProcessChange(r["changed_on"], r["reason"])
        for r in recorded
        if r["applies_to"] is None or series in r["applies_to"]
    ]


def process_changes(series: str, *, engine: sa.Engine) -> list[ProcessChange]:
    """The process changes recorded for the chart of ``series`` (an indicator ID or 'attendance'), oldest first."""
    return changes_for(recorded_changes(engine), series)


def checked_reason(reason: str) -> str:
    """The reason as it will be stored (trimmed), or ``ProcessChangeRefused``: empty, too long, or looking like
    personal data (the message names the kind, never the text)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ProcessChangeRefused("Write the reason first: what changed in the service.")
    if len(reason) > MAX_REASON:
        raise ProcessChangeRefused(
            f"The reason is longer than {MAX_REASON} characters (it is shown on the chart): "
            "shorten it, then save again."
        )
    kind = text_problem(reason, today=clock.today())
    if kind:
        raise ProcessChangeRefused(refusal_message(kind, field="reason"))
    return reason


def record_process_change(
    engine: sa.Engine, user, *, changed_on: date, reason: str, applies_to: list[str] | None
) -> int:
    """Record (as ``user``, an administrator) that the process changed on ``changed_on``, why, and for which
    charts (``applies_to``: indicator IDs and/or 'attendance'; None for every chart)."""
    if user.role not in RECORDERS:
        raise PermissionError("Only an administrator may record a process change.")
    if not isinstance(changed_on, date):
        raise ProcessChangeRefused("Give the date the service changed.")
    if changed_on > clock.today():
        raise ProcessChangeRefused("The date is in the future: record a change once it has happened.")
    text = checked_reason(reason)
    if applies_to is not None:
        known = chart_names()
        applies_to = list(dict.fromkeys(applies_to))
        if not applies_to:
            raise ProcessChangeRefused("Choose the charts it applies to, or every chart.")
        unknown = [a for a in applies_to if a not in known]
        if unknown:
            raise ProcessChangeRefused(f"No such chart: {', '.join(unknown)}.")
    return store.add_change(
        engine, changed_on=changed_on, reason=text, applies_to=applies_to, by=(user.username, user.role)
    )


def remove_process_change(engine: sa.Engine, user, *, change_id: int) -> None:
    """Take a recorded process change away (as ``user``, an administrator)."""
    if user.role not in RECORDERS:
        raise PermissionError("Only an administrator may remove a process change.")
    store.remove_change(engine, change_id=change_id, by=(user.username, user.role))


def rule_run(side: np.ndarray) -> np.ndarray:
    """Points in a run of 7 or more on one side of the mean (``side``: +1, -1, or 0 on the mean or a gap)."""
    return _run_flags(np.asarray(side, dtype=float), RUN_LENGTH)


def rule_trend(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points in a trend of 7 or more each rising (or each falling) from the last, and the trend's way there.

    A point joining a falling trend to a rising one takes the way of the trend after it.
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    step = np.sign(np.diff(x)) if n > 1 else np.zeros(0)
    step = np.where(np.isfinite(step), step, 0.0)  # an equal value or a gap breaks a trend
    steps = _run_flags(step, TREND_LENGTH - 1)  # 7 points = 6 steps the same way
    flags = np.zeros(n, dtype=bool)
    flags[1:] |= steps
    flags[:-1] |= steps
    after = np.concatenate([np.where(steps, step, 0.0), [0.0]])
    before = np.concatenate([[0.0], np.where(steps, step, 0.0)])
    return flags, np.where(after != 0, after, before)


def rule_two_of_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Close-to-limit points in a window of three all on one side of the mean, two or more of them close.

    ``close``: between two and three sigma (not beyond a limit); ``side``: +1, -1, or 0 on the mean or a gap.
    """
    close = np.asarray(close, dtype=bool)
    side = np.asarray(side, dtype=float)
    n = len(close)
    out = np.zeros(n, dtype=bool)
    if n < 3:
        return out
    c = np.lib.stride_tricks.sliding_window_view(close.astype(int), 3).sum(axis=1)
    s = np.lib.stride_tricks.sliding_window_view(side, 3).sum(axis=1)
    hit = (c >= 2) & (np.abs(s) == 3)
    for offset in range(3):
        out[offset : offset + len(hit)] |= hit
    return out & close


def classify(*, outside, trend, two_of_three, run, side, trend_direction) -> tuple[np.ndarray, np.ndarray]:
    """Each point's rule by priority (outside > trend > two of three > run; '' for none) and its direction.

    The direction is the point's side of the mean, or for a trend the trend's way.
    """
    rule = np.select(
        [np.asarray(outside, bool), np.asarray(trend, bool), np.asarray(two_of_three, bool), np.asarray(run, bool)],
        ["outside_limits", "trend", "two_of_three", "run"],
        default="",
    )
    direction = np.where(rule == "trend", np.asarray(trend_direction, float), np.asarray(side, float))
    return rule, direction


def assurance(*, lower: float | None, upper: float | None, target: float | None, polarity: str) -> str | None:
    """Pass, fail or hit-or-miss: is the target outside the process limits? A target on a limit is hit-or-miss."""
    if target is None or not np.isfinite(target) or polarity not in ("up", "down") or upper is None:
        return None
    above, below = target > upper, target < lower
    if polarity == "up":
        return "fail" if above else "pass" if below else "hit_or_miss"
    return "pass" if above else "fail" if below else "hit_or_miss"


def _run_flags(key: np.ndarray, min_len: int) -> np.ndarray:
    """Positions in runs of equal, non-zero ``key`` at least ``min_len`` long."""
    if len(key) == 0:
        return np.zeros(0, dtype=bool)
    change = np.concatenate([[True], key[1:] != key[:-1]])
    group = np.cumsum(change)
    sizes = np.bincount(group)
    return (sizes[group] >= min_len) & (key != 0)


def _limits(x: np.ndarray, *, screen: bool, fix_after: int | None) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Mean, mean moving range, the moving ranges (NaN next to a gap) and which were screened out."""
    mr = np.concatenate([[np.nan], np.abs(np.diff(x))])
    base = np.ones(len(x), dtype=bool)
    if fix_after is not None:
        base = np.cumsum(np.isfinite(x)) <= fix_after
    xb = np.where(base, x, np.nan)
    mrb = np.concatenate([[np.nan], np.abs(np.diff(xb))])
    mean = float(np.nanmean(xb)) if np.isfinite(xb).any() else np.nan
    amr = float(np.nanmean(mrb)) if np.isfinite(mrb).any() else np.nan
    screened = np.zeros(len(x), dtype=bool)
    if screen and np.isfinite(amr):
        screened = np.isfinite(mrb) & (mrb >= SCREEN_FACTOR * amr)
        kept = np.where(screened, np.nan, mrb)
        amr = float(np.nanmean(kept)) if np.isfinite(kept).any() else np.nan
    return mean, amr, mr, screened


def _signals(x: np.ndarray, mean: float, amr: float) -> tuple[np.ndarray, np.ndarray]:
    """For one period: the rule of each point ('' for none) and its direction (+1 up, -1 down)."""
    ok = np.isfinite(x)
    side = np.where(ok, np.sign(np.where(ok, x, mean) - mean), 0.0)
    outside = close = np.zeros(len(x), dtype=bool)
    if np.isfinite(amr):
        upper, lower = mean + LIMIT_FACTOR * amr, mean - LIMIT_FACTOR * amr
        near = 2 / 3 * LIMIT_FACTOR * amr
        with np.errstate(invalid="ignore"):
            outside = ok & ((x > upper) | (x < lower))
            close = ok & ~outside & ((x > mean + near) | (x < mean - near))
    trend, trend_dir = rule_trend(x)
    return classify(
        outside=outside,
        trend=trend,
        two_of_three=rule_two_of_three(close, side),
        run=rule_run(side),
        side=side,
        trend_direction=trend_dir,
    )


def xmr(
    *,
    values: pd.Series,
    polarity: str,
    target: float | None = None,
    changes: list[ProcessChange] | tuple[ProcessChange, ...] = (),
    screen: bool | None = None,
    fix_after: int | None = None,
) -> SPCResult:
    """An XmR chart of ``values`` (index: dates, sorted) for an indicator of ``polarity`` ('up'|'down'|'none').

    ``changes``: process changes (a new period with its own limits starts at the first point dated on or
    after each). ``screen``: moving-range screening (default: the setting). ``fix_after``: limits from the
    first N points of each period (N >= 12; default: the setting).
    """
    s = pd.Series(values, dtype=float)
    x = s.to_numpy(float)
    n = int(np.isfinite(x).sum())
    screen = screening_on() if screen is None else screen
    fix_after = baseline_points() if fix_after is None else fix_after
    if fix_after is not None and fix_after < MIN_BASELINE:
        raise ValueError(f"a fixed baseline needs {MIN_BASELINE} or more points")
    frame = pd.DataFrame({"date": list(s.index), "value": x})
    for col in ("mean", "upper", "lower", "moving_range"):
        frame[col] = np.nan
    frame["screened"] = False
    frame["period"] = 0
    frame["special_cause"] = False
    frame["cause"] = pd.Series([None] * len(frame), dtype=object)
    frame["rule"] = pd.Series([None] * len(frame), dtype=object)

    # Periods: a change opens one at the first point dated on or after it (none before the first point).
    dates = pd.to_datetime(pd.Series(list(s.index), dtype=object)) if len(s) else pd.Series([], dtype="datetime64[ns]")
    starts: list[tuple[int, ProcessChange | None]] = [(0, None)]
    for ch in changes:
        at = int(np.searchsorted(dates.to_numpy(), np.datetime64(pd.Timestamp(ch.date)), side="left"))
        if 0 < at < len(s):
            if at == starts[-1][0]:
                starts[-1] = (at, ch)  # two changes before the same point: the later one names it
            elif at > starts[-1][0]:
                starts.append((at, ch))
    bounds = [a for a, _ in starts] + [len(s)]

    periods: list[SPCPeriod] = []
    special = np.zeros(len(s), dtype=bool)
    cause = np.full(len(s), None, dtype=object)
    rules = np.full(len(s), None, dtype=object)
    good = {"up": 1, "down": -1}.get(polarity, 0)
    for k, (lo, ch) in enumerate(starts):
        hi = bounds[k + 1]
        xs = x[lo:hi]
        pts = int(np.isfinite(xs).sum())
        mean, amr, mr, screened = _limits(xs, screen=screen, fix_after=fix_after)
        frame.loc[lo : hi - 1, "period"] = k
        frame.loc[lo : hi - 1, "moving_range"] = mr
        frame.loc[lo : hi - 1, "screened"] = screened
        upper = mean + LIMIT_FACTOR * amr if np.isfinite(amr) else None
        lower = mean - LIMIT_FACTOR * amr if np.isfinite(amr) else None
        periods.append(
            SPCPeriod(
                start=s.index[lo] if len(s) else None,
                mean=mean if np.isfinite(mean) else None,
                upper=upper,
                lower=lower,
                points=pts,
                change=ch,
            )
        )
        if not np.isfinite(mean):
            continue
        frame.loc[lo : hi - 1, "mean"] = mean
        if upper is not None:
            frame.loc[lo : hi - 1, "upper"] = upper
            frame.loc[lo : hi - 1, "lower"] = lower
        if pts < 2:
            continue
        rule, direction = _signals(xs, mean, amr)
        hit = rule != ""
        special[lo:hi] = hit
        rules[lo:hi] = np.where(hit, rule, None)
        if good == 0:
            cause[lo:hi] = np.where(hit, "neither", None)
        else:
            cause[lo:hi] = np.where(hit, np.where(direction == good, "improvement", "concern"), None)
    frame["special_cause"] = special
    frame["cause"] = pd.Series(cause, dtype=object)
    frame["rule"] = pd.Series(rules, dtype=object)

    last = periods[-1] if periods else SPCPeriod(None, None, None, None, 0)
    present = np.flatnonzero(np.isfinite(x))
    variation = "common_cause"
    if len(present) and special[present[-1]]:
        variation = str(cause[present[-1]])
    assured = assurance(lower=last.lower, upper=last.upper, target=target, polarity=polarity)
    warning = SHORT_WARNING if any(p.points < SHORT_SERIES for p in periods) and n else None
    return SPCResult(frame, last.mean, last.upper, last.lower, variation, assured, n, periods, warning)
