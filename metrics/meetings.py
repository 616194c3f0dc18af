"""The meeting loop: the checks on free text (who may write what is ``metrics.permissions``), and what the pages,
the pack and exports read (commentary, actions carried forward, decisions, sign-off and revisions).

See ``docs/meetings.md``. Storage is in ``storage.meetings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from core import clock
from core.partners import partners
from core.periods import Period, financial_year, fy_of, month_end, previous
from core.personal import refusal_message, text_problem
from metrics.api import AttentionItem, compute_indicators
from metrics.catalogue import by_id
from metrics.permissions import may, own_partner
from metrics.results import IndicatorResult, IndicatorSet
from storage import meetings as store
from storage.repository import data_version, read_coverage, utcnow
from storage.users import User

STATUSES = store.STATUSES
STATUS_WORDS = {"open": "Open", "done": "Done", "dropped": "Dropped"}
MAX_TEXT = 4000
# Named roles an action may be given to when no single partner owns it.
OWNER_ROLES = ("Chair", "Commissioner", "Report author", "Public health lead", "Community safety lead")


class NotAllowed(PermissionError):
    """The account may not make this change; the message says so plainly."""


class TextRefused(ValueError):
    """Free text was refused (it looks like personal data, or is empty or too long); the message never repeats it."""


# --------------------------------------------------------------------------- the rules


def _require(user: User, what: str, **kw) -> tuple[str, str | None]:
    if not may(user, what, **kw):
        raise NotAllowed("Your account may not make this change.")
    return user.username, user.role


def checked_text(text: str, *, field_name: str) -> str:
    """Free text as it will be stored (trimmed), or ``TextRefused`` with a plain message that never repeats it."""
    text = (text or "").strip()
    if not text:
        raise TextRefused(f"Write the {field_name} first.")
    if len(text) > MAX_TEXT:
        raise TextRefused(f"The {field_name} is longer than {MAX_TEXT} characters: shorten it, then save again.")
    kind = text_problem(text, today=clock.today())
    if kind:
        raise TextRefused(refusal_message(kind, field=field_name))
    return text


def _check_ids(ids: list[str]) -> list[str]:
    for i in ids:
        by_id(i)  # KeyError for an unknown indicator
    return list(dict.fromkeys(ids))


# --------------------------------------------------------------------------- writes


def create_meeting(engine: sa.Engine, user: User, *, held_on: date, period: Period, at: datetime | None = None) -> int:
    """A meeting reviewing ``period``; it keeps the data version and time the figures stand at now."""
    by = _require(user, "create_meeting")
    return store.create_meeting(
        engine,
        held_on=held_on,
        period=period,
        data_version=data_version(engine),
        data_as_of=at or utcnow(),
        by=by,
        at=at,
    )


def add_commentary(
    engine: sa.Engine, user: User, *, indicator_id: str, period: Period, text: str, at: datetime | None = None
) -> int:
    by_id(indicator_id)
    by = _require(user, "comment", indicator_id=indicator_id)
    text = checked_text(text, field_name="commentary")
    return store.add_commentary(
        engine, indicator_id=indicator_id, period=period, text=text, partner=own_partner(user), by=by, at=at
    )


def mark_public(engine: sa.Engine, user: User, *, commentary_id: int, public: bool = True) -> None:
    by = _require(user, "mark_public")
    store.set_commentary_public(engine, commentary_id=commentary_id, public=public, by=by)


def raise_action(
    engine: sa.Engine,
    user: User,
    *,
    meeting_id: int,
    text: str,
    indicator_ids: list[str],
    due_on: date,
    owner_partner: str | None = None,
    owner_role: str | None = None,
    at: datetime | None = None,
) -> int:
    """An action from a meeting, owned by one partner organisation or one named role."""
    by = _require(user, "raise_action")
    if bool(owner_partner) == bool(owner_role):
        raise TextRefused("Give the action one owner: a partner organisation or a named role.")
    if owner_partner and owner_partner not in partners():
        raise TextRefused("That partner organisation is not configured.")
    if owner_role:
        owner_role = checked_text(owner_role, field_name="owner")[:80]
    text = checked_text(text, field_name="action")
    return store.raise_action(
        engine,
        meeting_id=meeting_id,
        text=text,
        indicator_ids=_check_ids(indicator_ids),
        owner_partner=owner_partner or None,
        owner_role=owner_role,
        due_on=due_on,
        by=by,
        at=at,
    )


def update_action(
    engine: sa.Engine, user: User, *, action_id: int, status: str, note: str, at: datetime | None = None
) -> None:
    """A dated note on an action (today, or the day of ``at``), setting its status."""
    action = next((a for a in store.read_actions(engine) if a["id"] == action_id), None)
    if action is None:
        raise KeyError(f"no action {action_id}")
    by = _require(user, "update_action", action=action)
    if status not in STATUSES:
        raise TextRefused("Choose open, done or dropped.")
    note = checked_text(note, field_name="note")
    store.update_action(
        engine, action_id=action_id, status=status, note=note, noted_on=at.date() if at else clock.today(), by=by, at=at
    )


def record_decision(
    engine: sa.Engine,
    user: User,
    *,
    meeting_id: int,
    text: str,
    indicator_ids: list[str],
    decided_on: date | None = None,
    at: datetime | None = None,
) -> int:
    by = _require(user, "record_decision")
    text = checked_text(text, field_name="decision")
    meeting = next((m for m in store.list_meetings(engine) if m["id"] == meeting_id), None)
    if meeting is None:
        raise KeyError(f"no meeting {meeting_id}")
    return store.record_decision(
        engine,
        meeting_id=meeting_id,
        decided_on=decided_on or meeting["held_on"],
        text=text,
        indicator_ids=_check_ids(indicator_ids),
        by=by,
        at=at,
    )


def _snapshot(s: IndicatorSet) -> dict:
    return {r.id: {"value": r.value, "suppressed": r.suppressed} for r in s.results}


def sign_off(engine: sa.Engine, user: User, *, period: Period, at: datetime | None = None) -> int:
    """The chair signs off a period's figures: the data version and the figures (exact and published) are kept."""
    by = _require(user, "sign_off")
    at = at or utcnow()
    exact = _snapshot(compute_indicators(engine=engine, period=period, public=False, as_of=at))
    sid = store.store_signoff(
        engine, period=period, data_version=data_version(engine), figures={"exact": exact}, by=by, at=at
    )
    # The year's public figures now come from the data at this sign-off (``metrics.api._publication_as_of``).
    store.record_signoff_published(
        engine,
        signoff_id=sid,
        by=by,
        figures=_snapshot(compute_indicators(engine=engine, period=period, public=True, as_of=at)),
    )
    return sid


# --------------------------------------------------------------------------- reads


def meetings(engine: sa.Engine) -> list[dict]:
    """Every meeting, newest first: id, held_on, period, data_version, data_as_of."""
    return store.list_meetings(engine)


def figures_seen(engine: sa.Engine, meeting: dict, *, public: bool) -> IndicatorSet:
    """The period's figures exactly as they stood when the meeting was set up (its ``data_as_of``)."""
    return compute_indicators(engine=engine, period=meeting["period"], public=public, as_of=meeting["data_as_of"])


def commentary(
    engine: sa.Engine, *, period: Period, indicator_id: str | None = None, public_only: bool = False
) -> list[dict]:
    """Commentary on a period (newest first); ``public_only`` for anything that leaves the group."""
    return store.read_commentary(engine, period=period, indicator_id=indicator_id, public_only=public_only)


def _is_overdue(a: dict, today: date) -> bool:
    return a["status"] == "open" and a["due_on"] < today


def owner_text(a: dict) -> str:
    if a.get("owner_partner"):
        p = partners().get(a["owner_partner"])
        return p.name if p else a["owner_partner"]
    return a.get("owner_role") or ""


def actions(
    engine: sa.Engine,
    *,
    indicator_id: str | None = None,
    partner: str | None = None,
    open_only: bool = False,
    today: date | None = None,
) -> list[dict]:
    """Actions (oldest first), each with ``overdue`` (open past its due date) and ``owner`` in words."""
    today = today or clock.today()
    out = []
    for a in store.read_actions(engine):
        if indicator_id is not None and indicator_id not in a["indicator_ids"]:
            continue
        if partner is not None and a["owner_partner"] != partner:
            continue
        if open_only and a["status"] != "open":
            continue
        out.append({**a, "overdue": _is_overdue(a, today), "owner": owner_text(a)})
    return out


def carried_forward(engine: sa.Engine, *, today: date | None = None) -> list[dict]:
    """Open actions for the next meeting, overdue ones first, then by due date."""
    return sorted(actions(engine, open_only=True, today=today), key=lambda a: (not a["overdue"], a["due_on"]))


def decisions(engine: sa.Engine, *, indicator_id: str | None = None) -> list[dict]:
    return [d for d in store.read_decisions(engine) if indicator_id is None or indicator_id in d["indicator_ids"]]


@dataclass(frozen=True)
class PackItems:
    """What the meeting pack's actions and decisions section lists for a period (public commentary only)."""

    period: Period
    actions: list[dict]
    decisions: list[dict]
    commentary: list[dict]
    signoff: dict | None = None
    revised: bool = False
    changes: list[dict] = field(default_factory=list)


def pack_items(engine: sa.Engine, *, period: Period, public: bool = True, today: date | None = None) -> PackItems:
    """For the pack: open actions and those raised at meetings on the period, the decisions of its meetings,
    the commentary (a public pack: only what is marked for publication, never restricted text) and its
    sign-off state (revised or not: the group's exact pack only)."""
    today = today or clock.today()
    reviewing = {m["id"] for m in store.list_meetings(engine) if m["period"] == period}
    acts = [a for a in actions(engine, today=today) if a["status"] == "open" or a["meeting_id"] in reviewing]
    decs = [d for d in decisions(engine) if d["meeting_id"] in reviewing]
    so = signed_off(engine, period=period)
    # A public pack's figures are the signed-off ones (docs/meetings.md): it names no revision.
    revision = (
        revision_of(engine, period=period, current=compute_indicators(engine=engine, period=period, public=False))
        if so and not public
        else None
    )
    return PackItems(
        period=period,
        actions=acts,
        decisions=decs,
        commentary=commentary(engine, period=period, public_only=public),
        signoff=so,
        revised=bool(revision and revision.revised),
        changes=revision.changes if revision else [],
    )


def commentary_needed(
    attention: list[AttentionItem], written: list[dict], *, indicator_ids: list[str] | None = None
) -> list[AttentionItem]:
    """Red ratings and special-cause signals on indicators that have no commentary for the period yet."""
    have = {c["indicator_id"] for c in written}
    seen, out = set(), []
    for item in attention:
        if item.kind not in ("red_rag", "special_cause") or item.indicator_id is None:
            continue
        if item.indicator_id in have or (indicator_ids is not None and item.indicator_id not in indicator_ids):
            continue
        if (item.indicator_id, item.kind) not in seen:
            seen.add((item.indicator_id, item.kind))
            out.append(item)
    return out


# --------------------------------------------------------------------------- sign-off and revisions


def signed_off(engine: sa.Engine, *, period: Period) -> dict | None:
    """The latest sign-off of exactly ``period`` (signed_by, signed_at, data_version, figures), or None."""
    got = store.read_signoffs(engine, period=period)
    return got[0] if got else None


def signed_off_figures(engine: sa.Engine, *, period: Period, public: bool) -> IndicatorSet | None:
    """The period's figures exactly as the chair signed them off (the data as it stood at the sign-off), for
    public outputs that must come from the signed-off data; None when the period was never signed off."""
    so = signed_off(engine, period=period)
    if so is None:
        return None
    return compute_indicators(engine=engine, period=period, public=public, as_of=so["signed_at"])


def published_from(engine: sa.Engine, *, period: Period, by: datetime | None = None) -> dict | None:
    """The sign-off the public figures of ``period``'s financial year rest on (the latest of any period in that
    year, made by ``by`` when given: ``signed_at`` and ``period``), or None when the year is published from the
    data now. Names no one and carries no figure, so public outputs may say it."""
    fy = financial_year(fy_of(period.start))
    so = store.latest_signoff_within(engine, start=fy.start, end=fy.end, by=by)
    return {"signed_at": so["signed_at"], "period": so["period"]} if so else None


def latest_published(engine: sa.Engine, *, period: Period) -> Period:
    """``period`` (a month or a quarter), or the latest one before it whose figures are published: not after
    the period its year's public figures were signed off with (a year not signed off is published as it
    stands). What a published view opens on, rather than a period not yet agreed."""
    for _ in range(12):
        so = published_from(engine, period=period)
        if so is None or period.end <= so["period"].end:
            return period
        period = previous(period)
    return period


@dataclass(frozen=True)
class Revision:
    """A signed-off period against its figures now: what changed since the sign-off."""

    signoff: dict
    changes: list[dict]  # id, name, before, after (values as the view shows them; None when suppressed)
    files_since: int  # files covering the period loaded since the sign-off

    @property
    def revised(self) -> bool:
        return bool(self.changes)


def files_since_signoff(engine: sa.Engine, *, period: Period, signoff: dict, partner: str | None = None) -> int:
    cov = read_coverage(engine)
    if cov.empty:
        return 0
    hit = (
        (cov["loaded_at"] > pd.Timestamp(signoff["signed_at"]))
        & (cov["period_start"] <= pd.Timestamp(period.end))
        & (cov["period_end"] >= pd.Timestamp(period.start))
    )
    if partner is not None:
        hit &= cov["partner"] == partner
    return int(cov.loc[hit, "submission_id"].nunique())


def revision_of(engine: sa.Engine, *, period: Period, current: IndicatorSet) -> Revision | None:
    """None when the period was never signed off; else the changes between its signed-off figures and
    ``current`` (the set a page or export shows, exact or published: compared with the same view)."""
    so = signed_off(engine, period=period)
    if so is None:
        return None
    since = files_since_signoff(engine, period=period, signoff=so)
    if not since:
        return Revision(so, [], 0)
    before = so["figures"].get("public" if current.public else "exact", {})
    changes = []
    for r in current.results:
        was = before.get(r.id)
        if was is None:
            continue
        now = {"value": r.value, "suppressed": r.suppressed}
        if _differs(was, now):
            changes.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "unit": r.unit,
                    "before": was["value"],
                    "before_suppressed": bool(was["suppressed"]),
                    "after": r.value,
                    "after_suppressed": r.suppressed,
                }
            )
    return Revision(so, changes, since)


def _differs(a: dict, b: dict) -> bool:
    if bool(a["suppressed"]) != bool(b["suppressed"]):
        return True
    x, y = a["value"], b["value"]
    if x is None or y is None:
        return (x is None) != (y is None)
    return abs(float(x) - float(y)) > 1e-9


def months_signed_off(engine: sa.Engine, *, partner: str, months: list[date]) -> pd.DataFrame:
    """For a partner's months: whether a signed-off period covers each, when, and whether its files changed since."""
    offs = store.read_signoffs(engine)
    rows = []
    for m in months:
        so = next((s for s in offs if s["period"].start <= m <= s["period"].end), None)
        later = files_since_signoff(engine, period=Period(m, month_end(m)), signoff=so, partner=partner) if so else 0
        rows.append(
            {
                "month": m,
                "signed_off": so is not None,
                "signed_off_on": so["signed_at"].date() if so else None,
                "signed_off_period": so["period"] if so else None,
                "changed_since": later > 0,
            }
        )
    return pd.DataFrame(rows, columns=["month", "signed_off", "signed_off_on", "signed_off_period", "changed_since"])


# --------------------------------------------------------------------------- the figure since an action


@dataclass(frozen=True)
class Movement:
    """An indicator's figure in the period an action's meeting reviewed, and in the period shown now."""

    then: IndicatorResult
    now: IndicatorResult

    @property
    def change(self) -> float | None:
        if self.then.value is None or self.now.value is None:
            return None
        return float(self.now.value) - float(self.then.value)

    @property
    def direction(self) -> str | None:
        ch = self.change
        if ch is None:
            return None
        if ch == 0 or self.now.polarity == "none":
            return "same" if ch == 0 else "no_judgement"
        return "better" if (ch > 0) == (self.now.polarity == "up") else "worse"
