"""The partner data returns, as data: the contract of ``shared/spec/data-returns.md``.

Every other part (loaders, storage, templates, guidance) reads these
definitions; nothing else lists columns, codes or aliases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["date", "month", "reference", "yesno", "code", "multi", "count", "scale"]


@dataclass(frozen=True)
class Column:
    """One column of a return."""

    name: str
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    minimum: int = 0  # counts
    scale: tuple[int, int] = (1, 5)  # scale answers
    help: str = ""


@dataclass(frozen=True)
class ReturnSpec:
    """One return: its columns, the key that makes two rows the same, its date column."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    date_column: str
    # Extra words that identify a place column (refused on these sheets).
    refuse_place_columns: bool = False
    person_data: bool = True

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


SERVICES = ("sexual_health", "mental_health", "nurse_prescriber", "dental")

ACTIVITIES_BY_SERVICE: dict[str, tuple[str, ...]] = {
    "sexual_health": ("sti_screen", "contraception", "vaccination", "treatment"),
    "mental_health": ("assessment", "support"),
    "nurse_prescriber": ("consultation",),
    "dental": ("check_up", "treatment", "emergency"),
}

ALL_ACTIVITIES: tuple[str, ...] = tuple(dict.fromkeys(a for acts in ACTIVITIES_BY_SERVICE.values() for a in acts))

DROP_IN_SERVICES = (
    "drug_alcohol",
    "mental_health",
    "sexual_health",
    "nurse_prescriber",
    "dental",
    "hairdressing",
    "arts_crafts",
    "housing_advice",
    "food",
    "other",
)

ACCOMMODATION = ("rough_sleeping", "sofa_surfing", "hostel", "temporary", "supported", "settled", "unknown")
CHILD_CONTACT = ("none", "indirect", "supervised", "unsupervised", "living_with")
DIRECT_CONTACT = ("supervised", "unsupervised", "living_with")
WORKING_STATUS = ("active", "reduced", "stopped")
SUBSTANCES = ("opiates", "crack", "opiates_and_crack", "alcohol", "cannabis", "other", "none")
REHAB_STAGES = ("not_assessed", "considering", "ready", "referred", "admitted", "completed", "disengaged")
NURSE_REASONS = ("skin_infection", "wound_care", "oral_health", "respiratory", "womens_health", "other")
REFERRALS = ("breast_screening", "cervical_screening", "dental", "gp_registration", "mental_health", "other")
RISK_LEVELS = ("high", "medium", "low")
AGENCIES = ("police", "probation", "housing", "health", "council", "voluntary", "other")
ITEMS = ("condoms", "leaflets", "other")
CONTACT_TYPES = ("street", "phone", "other")

_PERSON_ALIASES = ("client ref", "partnership ref", "ref")

RETURNS: dict[str, ReturnSpec] = {
    r.name: r
    for r in (
        ReturnSpec(
            name="attendance",
            title="Drop-in attendance register",
            description="One row for each woman at each weekly drop-in session.",
            columns=(
                Column("session_date", "date", True, ("date", "session", "drop in date")),
                Column("person_id", "reference", True, _PERSON_ALIASES),
                Column(
                    "services_used", "multi", False, ("services",), DROP_IN_SERVICES, help="Codes separated by ; or ,"
                ),
            ),
            key=("session_date", "person_id"),
            date_column="session_date",
        ),
        ReturnSpec(
            name="outreach",
            title="Outreach contacts",
            description="One row per outreach contact; leave the reference blank for an anonymous contact.",
            columns=(
                Column("contact_date", "date", True, ("date",)),
                Column("person_id", "reference", False, ("client ref", "ref"), help="Blank for an anonymous contact"),
                Column("contact_type", "code", True, ("type",), CONTACT_TYPES),
                Column("condoms_given", "yesno"),
                Column("leaflet_given", "yesno"),
            ),
            key=(),
            date_column="contact_date",
            refuse_place_columns=True,
        ),
        ReturnSpec(
            name="keywork_review",
            title="Monthly key-work review",
            description="One row per woman per monthly key-work review.",
            columns=(
                Column("review_date", "date", True),
                Column("person_id", "reference", True),
                Column("accommodation", "code", False, (), ACCOMMODATION),
                Column("has_children", "yesno"),
                Column("child_contact", "code", False, (), CHILD_CONTACT, help="Leave blank when has_children is N"),
                Column("working_status", "code", False, (), WORKING_STATUS),
            ),
            key=("review_date", "person_id"),
            date_column="review_date",
        ),
        ReturnSpec(
            name="treatment",
            title="Drug and alcohol treatment status",
            description="A monthly snapshot of each woman known to the treatment service.",
            columns=(
                Column("snapshot_date", "date", True),
                Column("person_id", "reference", True),
                Column("in_treatment", "yesno", True),
                Column("primary_substance", "code", False, (), SUBSTANCES),
                Column("rehab_stage", "code", False, (), REHAB_STAGES),
            ),
            key=("snapshot_date", "person_id"),
            date_column="snapshot_date",
        ),
        ReturnSpec(
            name="health_contacts",
            title="Health contacts",
            description="Sexual health, mental health, nurse prescriber and dental contacts.",
            columns=(
                Column("contact_date", "date", True),
                Column("person_id", "reference", True),
                Column("service", "code", True, (), SERVICES),
                Column("activity", "code", True, (), ALL_ACTIVITIES, help="Must belong to the row's service"),
                Column("reason", "code", False, (), NURSE_REASONS, help="Nurse prescriber rows only"),
                Column("referral_to", "code", False, (), REFERRALS),
            ),
            key=("contact_date", "person_id", "service", "activity"),
            date_column="contact_date",
        ),
        ReturnSpec(
            name="safeguarding",
            title="Safeguarding meeting",
            description="One row per woman discussed at the fortnightly safeguarding meeting.",
            columns=(
                Column("meeting_date", "date", True),
                Column("person_id", "reference", True),
                Column("risk_level", "code", True, (), RISK_LEVELS),
                Column("care_plan_in_place", "yesno", True),
            ),
            key=("meeting_date", "person_id"),
            date_column="meeting_date",
        ),
        ReturnSpec(
            name="police_monthly",
            title="Police monthly figures",
            description="Aggregate monthly figures; no person data.",
            columns=(
                Column("month", "month", True, help="Any date in the month, YYYY-MM or Mon YYYY"),
                Column("violence_reports", "count", True, help="Crimes against the women reported to police"),
                Column("arrests_soliciting", "count", True, help="Women arrested for soliciting or loitering"),
                Column("support_referrals", "count", True, help="Women referred to support instead of arrest"),
                Column("kerb_crawling_actions", "count", False, help="Enforcement actions against buyers"),
            ),
            key=("month",),
            date_column="month",
            person_data=False,
        ),
        ReturnSpec(
            name="training",
            title="Trauma-informed care training",
            description="One row per course.",
            columns=(
                Column("course_date", "date", True),
                Column("agency", "code", True, (), AGENCIES),
                Column("staff_trained", "count", True, minimum=1),
            ),
            key=("course_date", "agency"),
            date_column="course_date",
            person_data=False,
        ),
        ReturnSpec(
            name="supplies",
            title="Supplies handed out",
            description="Condoms and leaflets handed out or left at supply points. Never record where.",
            columns=(
                Column("date", "date", True),
                Column("item", "code", True, (), ITEMS),
                Column("quantity", "count", True),
            ),
            key=("date", "item"),
            date_column="date",
            refuse_place_columns=True,
            person_data=False,
        ),
        ReturnSpec(
            name="feedback",
            title="Women's feedback",
            description="Short survey at the drop-in; answers from 1 (not at all) to 5 (very much).",
            columns=(
                Column("survey_date", "date", True),
                Column("person_id", "reference", False, help="May be blank"),
                Column("feel_heard", "scale"),
                Column("feel_safe", "scale"),
                Column("service_helpful", "scale"),
            ),
            key=(),
            date_column="survey_date",
        ),
    )
}


def normalise_header(text: object) -> str:
    """Fold a header or sheet name: ignore case, spaces, underscores and punctuation."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def header_lookup(spec: ReturnSpec) -> dict[str, str]:
    """Folded header text (name or alias) -> canonical column name, for one return."""
    out: dict[str, str] = {}
    for c in spec.columns:
        out[normalise_header(c.name)] = c.name
    for c in spec.columns:
        for a in c.aliases:
            out.setdefault(normalise_header(a), c.name)
    return out
