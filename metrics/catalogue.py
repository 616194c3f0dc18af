"""The indicator registry: every fact about each indicator, in its record (spec sections 2 and 4).

A record says what the indicator reads, how it is computed (``metrics.compute`` registers the function with
``@computes``), how it adds up (``Adds``), whether it is a period, snapshot or look-back figure and what the
exports' sentences say (``Words``). The pages' extra breakdowns are records too (``Breakdown``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal, NamedTuple

Unit = Literal["count", "percent", "mean", "breakdown"]
Polarity = Literal["up", "down", "none"]
Timing = Literal["period", "snapshot", "look_back"]  # over the period, at its end, the 12 months to its end

# The cohort (engaged women) is built from these sources.
COHORT_SOURCES: tuple[str, ...] = ("aspirations/attendance", "aspirations/outreach", "vineyard/outreach")

THEMES: tuple[tuple[str, str], ...] = (
    ("engagement", "Engagement"),
    ("health", "Health"),
    ("dental", "Dental"),
    ("recovery", "Recovery"),
    ("family", "Family"),
    ("housing", "Housing and moving on"),
    ("safety", "Safety and justice"),
    ("workforce", "Workforce and wider offer"),
    ("voice", "Women's voice"),
)

_SYMBOL = {"up": "↑", "down": "↓", "none": "·"}


@dataclass(frozen=True)
class Part:
    """One of an indicator's figures equals the sum of some cells of a breakdown published elsewhere.

    ``figure`` is "value", "numerator" or "complement" (denominator - numerator); ``breakdown`` is an
    indicator ID or a ``Breakdown``'s ("accommodation", "working_status").
    """

    figure: str
    breakdown: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Adds:
    """What of an indicator adds up, and how (disclosure control works from this).

    - ``over_time``: the figures whose value for a quarter, a year to date or a year is the sum of the
      months' ("value" for a count; "numerator" and "denominator" for a percent of summed rows);
    - ``cells``: the breakdown's cells add up to the value (and, with ``over_time``, across periods too);
    - ``parts``: figures that are sums of cells of a breakdown shown elsewhere.
    Figures not named here (distinct women, current status) are protected output by output.
    """

    over_time: tuple[str, ...] = ()
    cells: bool = False
    parts: tuple[Part, ...] = ()


NOT_ADDITIVE = Adds()  # distinct women, current status, means: no sum of figures gives another


class Words(NamedTuple):
    """What the exports' sentences say (``reports.wording``). A count: (singular, plural) of what is counted and
    the sentence ("{n}", "{noun}", "{were}"/"{was}", "{when}"). A percent: what the denominator counts, what
    the numerator did, and what a small percentage rests on."""

    noun: tuple[str, str]
    says: str
    base: str = "women"


@dataclass(frozen=True)
class Indicator:
    """One strategy indicator and everything needed to compute, protect and explain it."""

    id: str
    name: str
    definition: str
    unit: Unit
    polarity: Polarity
    timing: Timing
    theme: str
    own_sources: tuple[str, ...]
    uses_cohort: bool
    notes: str
    _: KW_ONLY
    adds: Adds  # required: a new count must say whether it adds up (NOT_ADDITIVE if not)
    words: Words | None  # None for a mean or a breakdown: their sentences are built from name and breakdown_by
    breakdown_by: str | None = None
    headline: bool = False
    first_time: bool = False  # "new" or "first-ever" women: in a series' first months everyone looks new
    compute: Callable | None = field(default=None, init=False, compare=False, repr=False)  # see ``computes``

    @property
    def sources(self) -> tuple[str, ...]:
        """Own sources plus the cohort's when the indicator divides by ENG-01."""
        return tuple(dict.fromkeys((*self.own_sources, *(COHORT_SOURCES if self.uses_cohort else ()))))

    @property
    def tables(self) -> tuple[str, ...]:
        """The returns it reads (the cohort's first: it is built before anything divides by it)."""
        sources = (*(COHORT_SOURCES if self.uses_cohort else ()), *self.own_sources)
        return tuple(dict.fromkeys(s.split("/", 1)[1] for s in sources))  # "partner/return"

    @property
    def period_total(self) -> bool:
        """A count over the period: its size grows with the period's length, so a target is for a period."""
        return self.unit == "count" and self.timing == "period"

    @property
    def symbol(self) -> str:
        return _SYMBOL[self.polarity]


_HEALTH = (
    "sexual_health/health_contacts",
    "mental_health/health_contacts",
    "nurse_prescriber/health_contacts",
    "dental/health_contacts",
)

CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "ENG-01",
        "Women engaged",
        "Distinct women with at least one drop-in attendance or one outreach contact (with a reference) in the period.",
        "count",
        "up",
        "period",
        "engagement",
        COHORT_SOURCES,
        False,
        "Counts women, not visits. A fall can mean a missing outreach or attendance return, not fewer women: "
        "check completeness.",
        headline=True,
        adds=NOT_ADDITIVE,
        words=Words(("woman", "women"), "{n} {noun} engaged with the drop-in or outreach {when}"),
    ),
    Indicator(
        "ENG-02",
        "New women engaged",
        "Engaged women with no drop-in attendance or outreach contact held before the period starts.",
        "count",
        "up",
        "period",
        "engagement",
        COHORT_SOURCES,
        False,
        "'New' is judged on the data held: in the first months of the dashboard almost every woman looks new.",
        adds=NOT_ADDITIVE,
        words=Words(("woman", "women"), "{n} {noun} engaged with the drop-in or outreach for the first time {when}"),
        first_time=True,
    ),
    Indicator(
        "ENG-03",
        "Sustained engagement",
        "Engaged women who came to the drop-in on 3 or more different session dates in the period, as a share "
        "of all engaged women.",
        "percent",
        "up",
        "period",
        "engagement",
        ("aspirations/attendance",),
        True,
        "Longer periods make 3 sessions easier to reach: compare like with like (month with month).",
        adds=NOT_ADDITIVE,
        words=Words(("woman engaged", "women engaged"), "came to the drop-in on three or more dates"),
    ),
    Indicator(
        "ENG-04",
        "Average attendance per drop-in",
        "Women's attendances at the drop-in in the period (each woman once per session) divided by the number "
        "of sessions held.",
        "mean",
        "up",
        "period",
        "engagement",
        ("aspirations/attendance",),
        False,
        "A mean over few sessions moves a lot; a cancelled session is simply not counted.",
        adds=NOT_ADDITIVE,
        words=None,
    ),
    Indicator(
        "ENG-05",
        "Anonymous outreach contacts",
        "Outreach contacts in the period where no reference was recorded.",
        "count",
        "none",
        "period",
        "engagement",
        ("aspirations/outreach", "vineyard/outreach"),
        False,
        "More anonymous contacts can mean more outreach, or fewer women willing to give a reference.",
        adds=Adds(over_time=("value",)),
        words=Words(("anonymous outreach contact", "anonymous outreach contacts"), "{n} {noun} {were} made {when}"),
    ),
    Indicator(
        "HLT-01",
        "Sexual health screen in last 12 months",
        "Engaged women with a sexual health STI screen in the 12 months up to the period end, as a share of all "
        "engaged women.",
        "percent",
        "up",
        "look_back",
        "health",
        ("sexual_health/health_contacts",),
        True,
        "Looks back 12 months from the period end, so it changes slowly; screens done elsewhere are not seen.",
        headline=True,
        adds=NOT_ADDITIVE,
        words=Words(("woman engaged", "women engaged"), "had a sexual health screen"),
    ),
    Indicator(
        "HLT-02",
        "Mental health support",
        "Engaged women with any mental health contact in the period, as a share of all engaged women.",
        "percent",
        "up",
        "period",
        "health",
        ("mental_health/health_contacts",),
        True,
        "Support from services outside the partnership (e.g. GP) is not seen.",
        adds=NOT_ADDITIVE,
        words=Words(("woman engaged", "women engaged"), "had mental health support"),
    ),
    Indicator(
        "HLT-03",
        "Nurse prescriber consultations",
        "Nurse prescriber consultations in the period, broken down by reason.",
        "count",
        "none",
        "period",
        "health",
        ("nurse_prescriber/health_contacts",),
        False,
        "Counts consultations, not women: one woman seen often raises the count.",
        breakdown_by="reason",
        adds=Adds(over_time=("value",), cells=True),
        words=Words(("consultation", "consultations"), "the nurse prescriber held {n} {noun} {when}"),
    ),
    Indicator(
        "HLT-04",
        "Screening referrals",
        "Health contacts in the period that led to a referral to breast or cervical screening.",
        "count",
        "up",
        "period",
        "health",
        _HEALTH,
        False,
        "A referral is not an attendance: it says nothing about whether the screen happened.",
        adds=Adds(over_time=("value",)),
        words=Words(("referral", "referrals"), "{n} {noun} to breast or cervical screening {were} made {when}"),
    ),
    Indicator(
        "DEN-01",
        "Dental access in last 12 months",
        "Engaged women with any dental contact in the 12 months up to the period end, as a share of all engaged women.",
        "percent",
        "up",
        "look_back",
        "dental",
        ("dental/health_contacts",),
        True,
        "Only the partnership's dental service is seen; women registered with a dentist elsewhere are missed.",
        headline=True,
        adds=NOT_ADDITIVE,
        words=Words(("woman engaged", "women engaged"), "saw the dental service"),
    ),
    Indicator(
        "DEN-02",
        "Oral health consultations",
        "Nurse prescriber consultations in the period recorded with the reason 'oral health'.",
        "count",
        "none",
        "period",
        "dental",
        ("nurse_prescriber/health_contacts",),
        False,
        "A rise can mean unmet dental need rather than better care.",
        adds=Adds(over_time=("value",), parts=(Part("value", "HLT-03", ("oral_health",)),)),
        words=Words(
            ("oral health consultation", "oral health consultations"), "the nurse prescriber held {n} {noun} {when}"
        ),
    ),
    Indicator(
        "DRG-01",
        "In drug or alcohol treatment",
        "Engaged women whose current treatment status (a snapshot in the 91 days to the period end) says they "
        "are in treatment, as a share of all engaged women.",
        "percent",
        "up",
        "snapshot",
        "recovery",
        ("drug_alcohol/treatment",),
        True,
        "Women not known to the treatment service count as not in treatment.",
        headline=True,
        adds=NOT_ADDITIVE,
        words=Words(("woman engaged", "women engaged"), "were in drug or alcohol treatment"),
    ),
    Indicator(
        "RHB-01",
        "Ready for rehab",
        "Women (engaged in the period or not) whose current treatment status has rehab stage 'ready' or 'referred'.",
        "count",
        "up",
        "snapshot",
        "recovery",
        ("drug_alcohol/treatment",),
        False,
        "A fall can be good news (women admitted to rehab) or bad (women disengaged).",
        adds=Adds(parts=(Part("value", "RHB-03", ("ready", "referred")),)),
        words=Words(("woman", "women"), "{n} {noun} {were} ready for rehab or referred to it {when}"),
    ),
    Indicator(
        "RHB-02",
        "Rehab admissions",
        "Women whose first-ever treatment snapshot held with rehab stage 'admitted' or 'completed' is dated in "
        "the period.",
        "count",
        "up",
        "period",
        "recovery",
        ("drug_alcohol/treatment",),
        False,
        "'First-ever' is judged on the data held: early on, women already in rehab look newly admitted.",
        adds=Adds(over_time=("value",)),
        words=Words(("woman", "women"), "{n} {noun} {were} admitted to rehab for the first time {when}"),
        first_time=True,
    ),
    Indicator(
        "RHB-03",
        "Rehab pathway",
        "Women with a current treatment status, by rehab stage (blank shown as 'not recorded').",
        "breakdown",
        "none",
        "snapshot",
        "recovery",
        ("drug_alcohol/treatment",),
        False,
        "A snapshot, not a flow: it does not show how women moved between stages.",
        breakdown_by="stage",
        adds=Adds(cells=True),
        words=None,
    ),
    Indicator(
        "FAM-01",
        "Child contact restarted",
        "Women whose key-work review in the period shows direct contact with their children (supervised, "
        "unsupervised or living with) when their previous review showed none or only indirect contact.",
        "count",
        "up",
        "period",
        "family",
        ("aspirations/keywork_review",),
        False,
        "Needs two reviews in a row; a missed review can hide or delay a restart.",
        adds=NOT_ADDITIVE,
        words=Words(("woman", "women"), "{n} {noun} restarted direct contact with their children {when}"),
    ),
    Indicator(
        "FAM-02",
        "Direct contact with children",
        "Women whose current key-work review says they have children and have direct contact, as a share of "
        "women whose current review says they have children.",
        "percent",
        "up",
        "snapshot",
        "family",
        ("aspirations/keywork_review",),
        False,
        "Direct contact is not always in a child's interest: read with the safeguarding picture.",
        adds=NOT_ADDITIVE,
        words=Words(("woman with children", "women with children"), "had direct contact with them"),
    ),
    Indicator(
        "HSG-01",
        "Safely accommodated",
        "Women whose current key-work review records temporary, supported or settled accommodation, as a share "
        "of women whose current review records a known accommodation.",
        "percent",
        "up",
        "snapshot",
        "housing",
        ("aspirations/keywork_review",),
        False,
        "Women whose accommodation is unknown are left out of both parts, which can flatter the figure.",
        headline=True,
        adds=Adds(
            parts=(
                Part("numerator", "accommodation", ("temporary", "supported", "settled")),
                Part(
                    "denominator",
                    "accommodation",
                    ("rough_sleeping", "sofa_surfing", "hostel", "temporary", "supported", "settled"),
                ),
            )
        ),
        words=Words(
            ("woman whose accommodation is known", "women whose accommodation is known"), "were safely accommodated"
        ),
    ),
    Indicator(
        "HSG-02",
        "Rough sleeping",
        "Women whose current key-work review records rough sleeping.",
        "count",
        "down",
        "snapshot",
        "housing",
        ("aspirations/keywork_review",),
        False,
        "Only women reviewed in the last 91 days are counted; women out of touch are not seen.",
        adds=Adds(parts=(Part("value", "accommodation", ("rough_sleeping",)),)),
        words=Words(("woman", "women"), "{n} {noun} {were} sleeping rough at their latest key-work review {when}"),
    ),
    Indicator(
        "EXT-01",
        "Reduced or stopped street work",
        "Women whose current key-work review says they have reduced or stopped street-based sex work, as a "
        "share of women whose current review records their working status.",
        "percent",
        "up",
        "snapshot",
        "housing",
        ("aspirations/keywork_review",),
        False,
        "Self-reported; women who have stopped may stop coming to reviews, so the figure can fall as things improve.",
        headline=True,
        adds=Adds(
            parts=(
                Part("numerator", "working_status", ("reduced", "stopped")),
                Part("complement", "working_status", ("active",)),
                Part("denominator", "working_status", ("active", "reduced", "stopped")),
            )
        ),
        words=Words(
            ("woman whose working status is recorded", "women whose working status is recorded"),
            "had reduced or stopped street work",
        ),
    ),
    Indicator(
        "SAF-01",
        "High-risk women with a care plan",
        "Of the women assessed as high risk at their latest safeguarding meeting in the period, the share with a "
        "care plan in place at that meeting.",
        "percent",
        "up",
        "period",
        "safety",
        ("safeguarding/safeguarding",),
        False,
        "Only women discussed at a meeting in the period are counted.",
        adds=NOT_ADDITIVE,
        words=Words(("woman assessed as high risk", "women assessed as high risk"), "had a care plan in place"),
    ),
    Indicator(
        "SAF-02",
        "Crimes against the women reported to police",
        "Crimes against the women reported to police, summed over the months that start in the period.",
        "count",
        "none",
        "period",
        "safety",
        ("police/police_monthly",),
        False,
        "A rise can mean more trust in the police and more reporting, not more crime.",
        adds=Adds(over_time=("value",)),
        words=Words(("crime", "crimes"), "{n} {noun} against the women {were} reported to police {when}"),
    ),
    Indicator(
        "CJS-01",
        "Referred to support instead of arrest",
        "Women referred to support instead of arrest, as a share of those referred plus those arrested for "
        "soliciting or loitering, over the months that start in the period.",
        "percent",
        "up",
        "period",
        "safety",
        ("police/police_monthly",),
        False,
        "Counts police decisions, not distinct women: one woman can appear more than once.",
        headline=True,
        adds=Adds(over_time=("numerator", "denominator")),
        words=Words(
            (
                "police outcome (a referral to support or an arrest for soliciting)",
                "police outcomes (referrals to support and arrests for soliciting)",
            ),
            "were referrals to support instead of arrest",
            base="police records",
        ),
    ),
    Indicator(
        "WKF-01",
        "Staff trained in trauma-informed care",
        "Staff trained in trauma-informed care on courses held in the period, broken down by agency.",
        "count",
        "up",
        "period",
        "workforce",
        ("trauma_alliance/training",),
        False,
        "Counts places on courses; one person trained twice counts twice.",
        breakdown_by="agency",
        adds=Adds(over_time=("value",), cells=True),
        words=Words(("member of staff", "staff"), "{n} {noun} {were} trained in trauma-informed care {when}"),
    ),
    Indicator(
        "WID-01",
        "Wider offer uptake",
        "Engaged women who used hairdressing or the arts and crafts group at the drop-in in the period, as a "
        "share of all engaged women.",
        "percent",
        "up",
        "period",
        "workforce",
        ("aspirations/attendance",),
        True,
        "Depends on which services were offered on the day as much as on the women's choice.",
        adds=NOT_ADDITIVE,
        words=Words(("woman engaged", "women engaged"), "took up the wider offer (hairdressing or arts and crafts)"),
    ),
    Indicator(
        "SUP-01",
        "Condoms distributed",
        "Condoms handed out or left at supply points in the period.",
        "count",
        "none",
        "period",
        "workforce",
        ("aspirations/supplies", "vineyard/supplies"),
        False,
        "Supplies left at supply points are counted when left, not when taken.",
        adds=Adds(over_time=("value",)),
        words=Words(("condom", "condoms"), "{n} {noun} {were} handed out {when}"),
    ),
    Indicator(
        "VOI-01",
        "Women who feel heard",
        "Feedback answers in the period scoring 4 or 5 (out of 5) for feeling heard, as a share of all answers "
        "to that question.",
        "percent",
        "up",
        "period",
        "voice",
        ("aspirations/feedback",),
        False,
        "Counts answers, not women; women who answer are not all the women who come.",
        headline=True,
        adds=Adds(over_time=("numerator", "denominator")),
        words=Words(
            ("feedback answer", "feedback answers"), "scored 4 or 5 out of 5 for feeling heard", base="feedback answers"
        ),
    ),
)


@dataclass(frozen=True)
class Breakdown:
    """A breakdown the pages show beyond the indicators' own. ``of``: the indicator it is read with (what it
    reads; not reported when that is not). ``adds.cells``: its cells add up to a total (women by a current
    status), or not (a woman may use several services, so no total is protected with them)."""

    id: str
    of: str
    adds: Adds
    compute: Callable | None = field(default=None, init=False, compare=False, repr=False)  # see ``computes``

    @property
    def tables(self) -> tuple[str, ...]:
        return by_id(self.of).tables


BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown("accommodation", "HSG-01", Adds(cells=True)),  # women by current accommodation
    Breakdown("working_status", "EXT-01", Adds(cells=True)),  # women by current working status
    Breakdown("services", "ENG-04", NOT_ADDITIVE),  # women using each drop-in service
)

_BY_ID = {i.id: i for i in CATALOGUE}
_ENTRIES: dict[str, Indicator | Breakdown] = {**_BY_ID, **{b.id: b for b in BREAKDOWNS}}


def by_id(indicator_id: str) -> Indicator:
    """The indicator with this ID (KeyError for an unknown ID)."""
    return _BY_ID[indicator_id]


def entry(key: str) -> Indicator | Breakdown:
    """The indicator or page breakdown with this ID (KeyError for an unknown one)."""
    return _ENTRIES[key]


def ids() -> tuple[str, ...]:
    return tuple(_BY_ID)


def computes(key: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as how indicator (or breakdown) ``key`` is computed."""
    record = entry(key)

    def register(fn: Callable) -> Callable:
        if record.compute is not None:
            raise ValueError(f"{key} already has a compute function")
        object.__setattr__(record, "compute", fn)  # the record's one late fact, set when compute is imported
        return fn

    return register


def tables_for(wanted: list[str] | tuple[str, ...]) -> list[str]:
    """The returns the indicators and breakdowns ``wanted`` read, each once."""
    return list(dict.fromkeys(t for k in wanted for t in entry(k).tables))


def linked(key: str) -> tuple[tuple[str, ...], ...]:
    """Groups of breakdown ``key``'s categories whose sums other figures show (the catalogue's ``parts``):
    HLT-03 -> (("oral_health",),), which DEN-02 shows."""
    return tuple(p.categories for i in CATALOGUE for p in i.adds.parts if p.breakdown == key)


def breakdown_of(key: str) -> str:
    """The breakdown a page shows for ``key``: a breakdown's own, an indicator's own, or the page breakdown
    its figures are parts of (HSG-01 -> accommodation). KeyError when there is none."""
    got = entry(key)
    if isinstance(got, Breakdown) or got.breakdown_by is not None:
        return key
    for part in got.adds.parts:
        if isinstance(_ENTRIES[part.breakdown], Breakdown):
            return part.breakdown
    raise KeyError(f"{key} has no breakdown")
