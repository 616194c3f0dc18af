"""The synthetic world behind the sample data: what happened, as canonical frames.

Everything here is invented. People are ``P####`` references only; there are
no names, contact details, places or dates of birth anywhere. The frames are
the truth the sample files are rendered from (``sample_data.render``), so tests
can compare what the database holds with what the generator meant.

The story follows Southend's strategy: a weekly Thursday drop-in (drug and
alcohol, mental health, sexual health nurses, a nurse prescriber,
hairdressers, arts group, food, housing advice), outreach, monthly key-work
reviews, a fortnightly safeguarding meeting, police referring women to support
instead of arrest, trauma-informed training, and a dental service that starts
in the second financial year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from core import clock
from core.periods import add_months, fy_of, fy_start, last_complete_month, month_end, month_start
from core.returns import ACCOMMODATION, ACTIVITIES_BY_SERVICE, RETURNS

DEFAULT_SEED = 20250401
DEFAULT_WOMEN = 50
DEFAULT_MONTHS = 19


def last_month(today: date | None = None) -> date:
    """The month a story ends with by default: the last complete month before today (the product's clock).

    So the demo is current on any date; a longer story (--months 36 for a region's years of returns)
    reaches further back, never into the future, which the loader would rightly refuse.
    """
    return last_complete_month(today or clock.today()).start


MAX_REFERENCES = 9999  # P0001 .. P9999: the reference scheme holds no more

# Drop-in services and how often a woman at a session uses each.
_SERVICE_P = {
    "drug_alcohol": 0.35,
    "mental_health": 0.18,
    "sexual_health": 0.22,
    "nurse_prescriber": 0.18,
    "dental": 0.0,  # set by the dental service's start and build-up (below)
    "hairdressing": 0.2,
    "arts_crafts": 0.25,
    "housing_advice": 0.12,
    "food": 0.7,
    "other": 0.03,
}
_SERVICES = tuple(_SERVICE_P)


@dataclass(frozen=True)
class StoryFacts:
    """Deliberate facts of the story, for tests and the docs."""

    restart_women: tuple[str, ...]  # references of the women who restart direct child contact
    restart_months: tuple[date, ...]
    admitted_women: tuple[str, ...]
    dental_start: date
    missing_month: date | None  # the month vineyard never sent
    corrected_month: date | None  # aspirations attendance corrected by a later file
    corrected_session: date | None  # the session the first file left out


@dataclass
class World:
    """The generated truth: canonical frames per (partner, return), plus the story's facts."""

    start: date
    months: list[date]
    women: int
    seed: int
    frames: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    facts: StoryFacts | None = None

    @property
    def end(self) -> date:
        return month_end(self.months[-1])

    def rows_per_return(self) -> dict[str, int]:
        """Rows of each return the world holds (summed over partners)."""
        out = dict.fromkeys(RETURNS, 0)
        for (_, ret), df in self.frames.items():
            out[ret] += len(df)
        return out


def references(n: int) -> np.ndarray:
    """``P0001``… for n women. Past 9,999 the scheme wraps (see docs/sample-data.md)."""
    nums = (np.arange(n) % MAX_REFERENCES) + 1
    return np.char.add("P", np.char.zfill(nums.astype(str), 4)).astype(object)


def _thursdays(start: date, end: date) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="W-THU")


def _month_index(dates: pd.Series | pd.DatetimeIndex, start: date) -> np.ndarray:
    d = pd.DatetimeIndex(dates)
    return ((d.year - start.year) * 12 + (d.month - start.month)).to_numpy()


def _random_days(rng: np.random.Generator, months: np.ndarray, first: list[date], *, weekdays: bool) -> pd.Series:
    """A random day (optionally a weekday) in each given month index."""
    starts = pd.to_datetime(pd.Series([first[m] for m in range(len(first))]))
    lengths = np.array([month_end(f).day for f in first])
    day = (rng.random(len(months)) * lengths[months]).astype(int)
    out = starts.to_numpy()[months] + day.astype("timedelta64[D]")
    out = pd.Series(pd.DatetimeIndex(out))
    if weekdays:  # move weekend days back to Friday (stays in the month when day>=3)
        dow = out.dt.day_of_week.to_numpy()
        back = np.where(dow == 5, 1, np.where(dow == 6, 2, 0))
        moved = out - pd.to_timedelta(back, unit="D")
        same_month = moved.dt.month.to_numpy() == out.dt.month.to_numpy()
        fwd = out + pd.to_timedelta(np.where(dow == 5, 2, np.where(dow == 6, 1, 0)), unit="D")
        out = pd.Series(np.where(same_month, moved, fwd))
    return out.astype("datetime64[ns]")


def _pick(rng: np.random.Generator, codes: tuple[str, ...] | list[str], p: list[float], n: int) -> np.ndarray:
    p_arr = np.asarray(p, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p_arr / p_arr.sum())]


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """Leave some cells blank: 'not recorded' is part of real data."""
    out = values.astype(object).copy()
    out[rng.random(len(out)) < share] = None
    return out


def _service_strings() -> np.ndarray:
    """Lookup from a services bitmask to its '; '-joined codes (vectorised joining)."""
    n = len(_SERVICES)
    table = []
    for mask in range(1 << n):
        table.append("; ".join(s for i, s in enumerate(_SERVICES) if mask >> i & 1) or None)
    return np.asarray(table, dtype=object)


def build_world(
    *, women: int = DEFAULT_WOMEN, months: int = DEFAULT_MONTHS, seed: int = DEFAULT_SEED, end_month: date | None = None
) -> World:
    """Generate every partner's rows for ``women`` women over ``months`` months.

    The months end with ``end_month`` (by default :func:`last_month`); the same seed and end month always
    give the same world.
    """
    if women < 10:
        raise ValueError("the sample needs at least 10 women")
    if months < 3:
        raise ValueError("the sample needs at least 3 months")
    rng = np.random.default_rng(seed)
    start = add_months(month_start(end_month or last_month()), 1 - months)
    first = [add_months(start, i) for i in range(months)]
    end = month_end(first[-1])
    world = World(start=start, months=first, women=women, seed=seed)
    scale = women / DEFAULT_WOMEN
    refs = references(women)

    # Women: when each first came, whether she later drifted away, how often she attends.
    arrival = np.where(rng.random(women) < 0.7, 0, rng.integers(1, months, women))
    leaves = rng.random(women) < 0.12
    departure = np.where(leaves, np.minimum(arrival + rng.integers(4, 14, women), months), months)
    propensity = np.clip(rng.beta(6, 5, women) * 0.95, 0.1, 0.95)
    month_active = (np.arange(months)[:, None] >= arrival[None, :]) & (np.arange(months)[:, None] < departure[None, :])

    dental_start = fy_start(fy_of(start) + 1)
    missing_month = first[8] if months > 9 else None
    corrected_month = first[7] if months > 8 else None

    # --- attendance: the weekly Thursday drop-in ---------------------------------------------------
    sessions = _thursdays(start, end)
    s_month = _month_index(sessions, start)
    attend = month_active[s_month] & (rng.random((len(sessions), women)) < propensity[None, :])
    s_idx, w_idx = np.nonzero(attend)
    n_att = len(s_idx)
    sdates = sessions.to_numpy()[s_idx]
    probs = np.array([_SERVICE_P[s] for s in _SERVICES])
    u = rng.random((n_att, len(_SERVICES)))
    use = u < probs[None, :]
    # The dental service starts with the second year and builds up over its first year (2% -> 10% of visits).
    dental_col = _SERVICES.index("dental")
    months_in = (sdates - np.datetime64(dental_start)).astype("timedelta64[D]").astype(int) / 30.4
    p_dental = np.where(months_in >= 0, np.clip(0.02 + 0.08 * months_in / 12, 0, 0.1), 0.0)
    use[:, dental_col] = u[:, dental_col] < p_dental
    mask = (use * (1 << np.arange(len(_SERVICES)))[None, :]).sum(axis=1)
    services = _service_strings()[mask]
    attendance = pd.DataFrame(
        {
            "session_date": pd.DatetimeIndex(sdates),
            "person_id": refs[w_idx],
            "services_used": _blank(rng, services, 0.03),
        }
    )
    attendance = attendance.drop_duplicates(["session_date", "person_id"]).reset_index(drop=True)
    corrected_session = None
    if corrected_month is not None:
        in_month = sessions[(sessions.year == corrected_month.year) & (sessions.month == corrected_month.month)]
        corrected_session = in_month[-1].date()
    world.frames[("aspirations", "attendance")] = attendance

    # --- health contacts, from the services each woman used at the drop-in ---------------------------
    kept = ~pd.DataFrame({"d": sdates, "p": refs[w_idx]}).duplicated().to_numpy()
    base = pd.DataFrame({"contact_date": pd.DatetimeIndex(sdates), "person_id": refs[w_idx]})[kept]
    use_k = use[kept]
    year2 = (base["contact_date"] >= pd.Timestamp(dental_start)).to_numpy()

    def contacts(service: str, activity: np.ndarray, reason=None, referral=None) -> pd.DataFrame:
        col = use_k[:, _SERVICES.index(service)]
        df = base[col].copy()
        df["service"] = service
        df["activity"] = activity[col]
        df["reason"] = None if reason is None else reason[col]
        df["referral_to"] = None if referral is None else referral[col]
        return df.reset_index(drop=True)

    n = len(base)
    sh_referral = _pick(
        rng, ["cervical_screening", "breast_screening", "gp_registration", "none"], [0.06, 0.02, 0.02, 0.9], n
    )
    world.frames[("sexual_health", "health_contacts")] = contacts(
        "sexual_health",
        _pick(rng, ACTIVITIES_BY_SERVICE["sexual_health"], [0.4, 0.25, 0.15, 0.2], n),
        referral=np.where(sh_referral == "none", None, sh_referral),
    )
    mh_ref = np.where(rng.random(n) < 0.04, "gp_registration", None)
    world.frames[("mental_health", "health_contacts")] = contacts(
        "mental_health",
        _pick(rng, ACTIVITIES_BY_SERVICE["mental_health"], [0.2, 0.8], n),
        referral=mh_ref,
    )
    reasons = ("skin_infection", "wound_care", "oral_health", "respiratory", "womens_health", "other")
    r1 = _pick(rng, reasons, [0.24, 0.24, 0.22, 0.12, 0.13, 0.05], n)
    r2 = _pick(rng, reasons, [0.28, 0.28, 0.08, 0.14, 0.16, 0.06], n)
    reason = np.where(year2, r2, r1)
    # Before the dental service there was nowhere to refer to: oral health went to a GP, if anywhere.
    np_ref = np.where(
        year2 & (reason == "oral_health") & (rng.random(n) < 0.6),
        "dental",
        np.where(rng.random(n) < 0.05, "cervical_screening", np.where(rng.random(n) < 0.04, "gp_registration", None)),
    )
    world.frames[("nurse_prescriber", "health_contacts")] = contacts(
        "nurse_prescriber",
        np.full(n, "consultation", dtype=object),
        reason=reason,
        referral=np_ref,
    )
    world.frames[("dental", "health_contacts")] = contacts(
        "dental",
        _pick(rng, ACTIVITIES_BY_SERVICE["dental"], [0.5, 0.35, 0.15], n),
    )

    # --- outreach: aspirations and vineyard ----------------------------------------------------------
    def outreach(per_woman: float, anonymous: float, street: float, partner_seed: int) -> pd.DataFrame:
        prng = np.random.default_rng([seed, partner_seed])
        counts = prng.poisson(per_woman, (months, women)) * month_active
        # A first outreach contact in the month before a woman first comes to the drop-in.
        first_contact = np.zeros((months, women), dtype=int)
        later = arrival > 0
        first_contact[arrival[later] - 1, np.nonzero(later)[0]] = prng.random(later.sum()) < 0.5
        counts = counts + first_contact
        m_idx, w = np.nonzero(counts)
        reps = counts[m_idx, w]
        m_idx, w = np.repeat(m_idx, reps), np.repeat(w, reps)
        anon = prng.poisson(anonymous * scale, months)
        am = np.repeat(np.arange(months), anon)
        mm = np.concatenate([m_idx, am])
        person = np.concatenate([refs[w], np.full(len(am), None, dtype=object)])
        k = len(mm)
        ctype = _pick(prng, ["street", "phone", "other"], [street, 0.93 - street, 0.07], k)
        condoms = np.where(ctype == "street", prng.random(k) < 0.65, prng.random(k) < 0.1)
        leaflet = prng.random(k) < 0.4
        df = pd.DataFrame(
            {
                "contact_date": _random_days(prng, mm, first, weekdays=False),
                "person_id": person,
                "contact_type": ctype,
                "condoms_given": pd.array(_blank(prng, condoms, 0.04), dtype="boolean"),
                "leaflet_given": pd.array(_blank(prng, leaflet, 0.04), dtype="boolean"),
            }
        )
        return df.sort_values(["contact_date"], kind="stable").reset_index(drop=True)

    world.frames[("aspirations", "outreach")] = outreach(0.35, 5, 0.55, 1)
    vineyard_outreach = outreach(0.3, 10, 0.8, 2)

    # --- key-work reviews: monthly ---------------------------------------------------------------------
    kw_rng = np.random.default_rng([seed, 3])
    acc = _pick(kw_rng, range(6), [0.25, 0.2, 0.2, 0.15, 0.1, 0.1], women).astype(int)
    has_children = kw_rng.random(women) < 0.6
    contact = _pick(
        kw_rng, ["none", "indirect", "supervised", "unsupervised", "living_with"], [0.45, 0.3, 0.12, 0.05, 0.08], women
    )
    working = _pick(kw_rng, ["active", "reduced", "stopped"], [0.75, 0.2, 0.05], women)
    # Three women (more at larger scale) restart direct contact with their children.
    eligible = np.nonzero(has_children & np.isin(contact, ["none", "indirect"]) & (arrival == 0) & ~leaves)[0]
    n_restart = min(max(3, women // 20), len(eligible))
    restart = kw_rng.choice(eligible, size=n_restart, replace=False)
    restart_at = np.linspace(months * 0.3, months * 0.8, n_restart).astype(int)
    restart_at = np.clip(restart_at, 1, months - 1)
    always_reviewed = np.zeros(women, dtype=bool)
    always_reviewed[restart] = True
    frames = []
    for m in range(months):  # states evolve month by month; each step is vectorised over women
        if m:
            u = kw_rng.random(women)
            acc = np.where(u < 0.08, np.minimum(acc + 1, 5), np.where(u > 0.985, np.maximum(acc - 1, 0), acc))
            flip = (kw_rng.random(women) < 0.05) & np.isin(contact, ["none", "indirect"])
            contact = np.where(flip, np.where(contact == "none", "indirect", "none"), contact)
            u = kw_rng.random(women)
            working = np.where(
                (working == "active") & (u < 0.04),
                "reduced",
                np.where(
                    (working == "reduced") & (u < 0.04),
                    "stopped",
                    np.where(
                        (working == "reduced") & (u > 0.98),
                        "active",
                        np.where((working == "stopped") & (u > 0.99), "reduced", working),
                    ),
                ),
            )
        starting = restart[restart_at == m]
        contact[starting] = "supervised"
        later = restart[(restart_at + 4) == m]
        contact[later] = "unsupervised"
        reviewed = month_active[m] & ((kw_rng.random(women) < 0.9) | always_reviewed)
        w = np.nonzero(reviewed)[0]
        k = len(w)
        acc_code = np.asarray(ACCOMMODATION, dtype=object)[acc[w]]
        acc_code = np.where(kw_rng.random(k) < 0.03, "unknown", acc_code)
        hc = _blank(kw_rng, has_children[w], 0.02)
        hc[always_reviewed[w]] = True
        hc_b = pd.array(hc, dtype="boolean")
        cc = np.where(hc_b.fillna(False).to_numpy(dtype=bool), contact[w], None)
        frames.append(
            pd.DataFrame(
                {
                    "review_date": _random_days(kw_rng, np.full(k, m), first, weekdays=True),
                    "person_id": refs[w],
                    "accommodation": _blank(kw_rng, acc_code, 0.02),
                    "has_children": hc_b,
                    "child_contact": cc,
                    "working_status": _blank(kw_rng, working[w].astype(object), 0.03),
                }
            )
        )
    keywork = pd.concat(frames, ignore_index=True).drop_duplicates(["review_date", "person_id"])
    world.frames[("aspirations", "keywork_review")] = keywork.reset_index(drop=True)

    # --- treatment: monthly snapshot from the drug and alcohol service --------------------------------
    tr_rng = np.random.default_rng([seed, 4])
    known = tr_rng.random(women) < 0.8
    engaged_in_treatment = np.where(tr_rng.random(women) < 0.8, 0.92, 0.25)
    substance = _pick(
        tr_rng,
        ["opiates_and_crack", "crack", "opiates", "alcohol", "cannabis", "other"],
        [0.35, 0.25, 0.15, 0.15, 0.05, 0.05],
        women,
    )
    stage = _pick(tr_rng, ["not_assessed", "considering", "disengaged"], [0.6, 0.33, 0.07], women)
    candidates = np.nonzero(known & (arrival == 0) & ~leaves)[0]
    n_path = min(max(5, women // 10), len(candidates))
    path = tr_rng.choice(candidates, size=n_path, replace=False)
    n_admit = min(max(2, women // 25), n_path)
    ready_at = np.empty(n_path, dtype=int)
    ready_at[:n_admit] = tr_rng.integers(1, max(2, months - 7), n_admit)
    ready_at[n_admit:] = tr_rng.integers(months // 2, months - 1, n_path - n_admit)
    stage[path] = "considering"
    frames = []
    snapshot_days = pd.DatetimeIndex([month_end(f) for f in first])
    for m in range(months):
        w = np.nonzero(known & month_active[m])[0]
        st = stage.copy()
        since = m - ready_at
        ps = np.where(since >= 2, "referred", np.where(since >= 0, "ready", "considering")).astype(object)
        adm = since[:n_admit]
        ps[:n_admit] = np.where(adm >= 6, "completed", np.where(adm >= 3, "admitted", ps[:n_admit]))
        st[path] = ps
        in_tr = tr_rng.random(women) < engaged_in_treatment
        in_tr = np.where(np.isin(st, ["ready", "referred", "admitted", "completed"]), True, in_tr)
        k = len(w)
        frames.append(
            pd.DataFrame(
                {
                    "snapshot_date": pd.DatetimeIndex(np.repeat(snapshot_days[m : m + 1], k)),
                    "person_id": refs[w],
                    "in_treatment": pd.array(in_tr[w], dtype="boolean"),
                    "primary_substance": _blank(tr_rng, substance[w], 0.03),
                    "rehab_stage": _blank(tr_rng, st[w].astype(object), 0.05),
                }
            )
        )
        # Rehab pathway women always have a recorded stage: the story depends on it.
        frames[-1].loc[np.isin(w, path), "rehab_stage"] = st[w][np.isin(w, path)]
    treatment = pd.concat(frames, ignore_index=True).drop_duplicates(["snapshot_date", "person_id"])
    world.frames[("drug_alcohol", "treatment")] = treatment.reset_index(drop=True)

    # --- safeguarding: fortnightly multi-agency meeting --------------------------------------------------
    sg_rng = np.random.default_rng([seed, 5])
    meetings = pd.date_range(start, end, freq="W-TUE")[::2]
    risk = _pick(sg_rng, [0, 1, 2], [0.2, 0.3, 0.5], women).astype(int)  # 0 high, 1 medium, 2 low
    frames = []
    m_of = _month_index(meetings, start)
    for i, d in enumerate(meetings):
        if i and i % 2 == 0:
            risk = np.where((risk == 0) & (sg_rng.random(women) < 0.06), 1, risk)
            risk = np.where((risk == 1) & (sg_rng.random(women) < 0.03), 0, risk)
        p_discussed = np.array([0.7, 0.25, 0.05])[risk]
        w = np.nonzero(month_active[m_of[i]] & (sg_rng.random(women) < p_discussed))[0]
        progress = i / max(1, len(meetings) - 1)
        p_plan = np.array([0.78 + 0.17 * progress, 0.6, 0.3])[risk[w]]
        frames.append(
            pd.DataFrame(
                {
                    "meeting_date": pd.DatetimeIndex(np.repeat(np.datetime64(d.date()), len(w))),
                    "person_id": refs[w],
                    "risk_level": np.asarray(["high", "medium", "low"], dtype=object)[risk[w]],
                    "care_plan_in_place": pd.array(sg_rng.random(len(w)) < p_plan, dtype="boolean"),
                }
            )
        )
    safeguarding = pd.concat(frames, ignore_index=True).drop_duplicates(["meeting_date", "person_id"])
    world.frames[("safeguarding", "safeguarding")] = safeguarding.reset_index(drop=True)

    # --- police: monthly aggregate figures ---------------------------------------------------------------
    po_rng = np.random.default_rng([seed, 6])
    t = np.arange(months) / max(1, months - 1)
    world.frames[("police", "police_monthly")] = pd.DataFrame(
        {
            "month": pd.DatetimeIndex(first),
            "violence_reports": po_rng.poisson(5 * scale, months),
            "arrests_soliciting": po_rng.poisson((4.0 - 3.2 * t) * scale),
            "support_referrals": po_rng.poisson((2.0 + 7.0 * t) * scale),
            "kerb_crawling_actions": po_rng.poisson(3 * scale, months),
        }
    )

    # --- training: trauma-informed care courses, at least one a quarter ------------------------------------
    tn_rng = np.random.default_rng([seed, 7])
    agencies = np.array(["police", "probation", "housing", "health", "council", "voluntary"], dtype=object)
    p_course = np.array([0.45, 0.3, 0.06, 0.06, 0.05, 0.08])
    courses = tn_rng.random((months, len(agencies))) < p_course[None, :]
    courses[::3, 0] = True  # police every quarter: the strategy's first training priority
    m_idx, a_idx = np.nonzero(courses)
    staff = np.where(
        agencies[a_idx] == "police", tn_rng.integers(8, 26, len(a_idx)), tn_rng.integers(4, 16, len(a_idx))
    )
    training = pd.DataFrame(
        {
            "course_date": _random_days(tn_rng, m_idx, first, weekdays=True),
            "agency": agencies[a_idx],
            "staff_trained": staff,
        }
    ).drop_duplicates(["course_date", "agency"])
    world.frames[("trauma_alliance", "training")] = training.sort_values("course_date").reset_index(drop=True)

    # --- supplies: condoms and leaflets ----------------------------------------------------------------------
    su_rng = np.random.default_rng([seed, 8])

    def supplies(days: pd.DatetimeIndex, condoms: float, leaflets: float) -> pd.DataFrame:
        k = len(days)
        df = pd.DataFrame(
            {
                "date": pd.DatetimeIndex(np.concatenate([days.to_numpy(), days.to_numpy()])),
                "item": np.repeat(np.array(["condoms", "leaflets"], dtype=object), k),
                "quantity": np.concatenate([su_rng.poisson(condoms * scale, k), su_rng.poisson(leaflets * scale, k)]),
            }
        )
        return df.sort_values(["date", "item"]).reset_index(drop=True)

    world.frames[("aspirations", "supplies")] = supplies(sessions, 60, 15)
    outreach_nights = pd.date_range(start, end, freq="W-FRI")
    vineyard_supplies = supplies(outreach_nights, 90, 25)

    # --- feedback: the women's short survey at the drop-in ---------------------------------------------------
    fb_rng = np.random.default_rng([seed, 9])
    n_fb = fb_rng.poisson(7 * scale, months)
    fm = np.repeat(np.arange(months), n_fb)
    k = len(fm)
    month_sessions = [sessions[s_month == m] for m in range(months)]
    pick = (fb_rng.random(k) * np.array([len(month_sessions[m]) for m in fm])).astype(int)
    survey_dates = pd.DatetimeIndex([month_sessions[m][j] for m, j in zip(fm, pick, strict=True)])
    progress = fm / max(1, months - 1)

    def answers(good: np.ndarray) -> pd.arrays.IntegerArray:
        high = fb_rng.random(k) < good
        score = np.where(high, fb_rng.integers(4, 6, k), fb_rng.integers(1, 4, k))
        return pd.array(_blank(fb_rng, score, 0.05), dtype="Int64")

    person = np.where(fb_rng.random(k) < 0.5, refs[fb_rng.integers(0, women, k)], None)
    world.frames[("aspirations", "feedback")] = pd.DataFrame(
        {
            "survey_date": survey_dates,
            "person_id": person,
            "feel_heard": answers(0.62 + 0.2 * progress),
            "feel_safe": answers(0.5 + 0.2 * progress),
            "service_helpful": answers(0.75 + 0.1 * progress),
        }
    )

    # Vineyard never sent its return for one month: those rows never reach anyone.
    if missing_month is not None:
        lo, hi = pd.Timestamp(missing_month), pd.Timestamp(month_end(missing_month))
        vineyard_outreach = vineyard_outreach[~vineyard_outreach["contact_date"].between(lo, hi)]
        vineyard_supplies = vineyard_supplies[~vineyard_supplies["date"].between(lo, hi)]
    world.frames[("vineyard", "outreach")] = vineyard_outreach.reset_index(drop=True)
    world.frames[("vineyard", "supplies")] = vineyard_supplies.reset_index(drop=True)

    for key, df in world.frames.items():
        spec = RETURNS[key[1]]
        world.frames[key] = df[list(spec.column_names)]

    world.facts = StoryFacts(
        restart_women=tuple(refs[np.sort(restart)]),
        restart_months=tuple(first[m] for m in np.sort(restart_at)),
        admitted_women=tuple(refs[path[:n_admit]]),
        dental_start=dental_start,
        missing_month=missing_month,
        corrected_month=corrected_month,
        corrected_session=corrected_session,
    )
    return world
