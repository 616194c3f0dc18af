"""The catalogue matches the spec: 27 indicators, units, polarity, sources."""

from __future__ import annotations

from metrics.catalogue import CATALOGUE, COHORT_SOURCES, THEMES, by_id

SPEC = {  # id: (unit, polarity) from indicators spec section 2
    "ENG-01": ("count", "up"),
    "ENG-02": ("count", "up"),
    "ENG-03": ("percent", "up"),
    "ENG-04": ("mean", "up"),
    "ENG-05": ("count", "none"),
    "HLT-01": ("percent", "up"),
    "HLT-02": ("percent", "up"),
    "HLT-03": ("count", "none"),
    "HLT-04": ("count", "up"),
    "DEN-01": ("percent", "up"),
    "DEN-02": ("count", "none"),
    "DRG-01": ("percent", "up"),
    "RHB-01": ("count", "up"),
    "RHB-02": ("count", "up"),
    "RHB-03": ("breakdown", "none"),
    "FAM-01": ("count", "up"),
    "FAM-02": ("percent", "up"),
    "HSG-01": ("percent", "up"),
    "HSG-02": ("count", "down"),
    "EXT-01": ("percent", "up"),
    "SAF-01": ("percent", "up"),
    "SAF-02": ("count", "none"),
    "CJS-01": ("percent", "up"),
    "WKF-01": ("count", "up"),
    "WID-01": ("percent", "up"),
    "SUP-01": ("count", "none"),
    "VOI-01": ("percent", "up"),
}


def test_all_27_in_spec_order_with_units_and_polarity():
    assert [i.id for i in CATALOGUE] == list(SPEC)
    for i in CATALOGUE:
        assert (i.unit, i.polarity) == SPEC[i.id], i.id
        assert i.name and i.definition and i.notes and i.theme in dict(THEMES)
        assert i.symbol in "↑↓·"


def test_sources_per_spec_section_4():
    assert by_id("ENG-03").sources == ("aspirations/attendance", "aspirations/outreach", "vineyard/outreach")
    assert by_id("ENG-04").sources == ("aspirations/attendance",)
    assert by_id("HLT-01").sources == ("sexual_health/health_contacts", *COHORT_SOURCES)
    assert len(by_id("HLT-04").sources) == 4
    assert by_id("SUP-01").sources == ("aspirations/supplies", "vineyard/supplies")
    with_cohort = {i.id for i in CATALOGUE if i.uses_cohort}
    assert with_cohort == {"ENG-03", "WID-01", "HLT-01", "HLT-02", "DEN-01", "DRG-01"}
    assert {i.id: i.breakdown_by for i in CATALOGUE if i.breakdown_by} == {
        "HLT-03": "reason",
        "RHB-03": "stage",
        "WKF-01": "agency",
    }


# --- the registry: every fact of every indicator in its record ---------------------------------------------


def _missing_facts(ind) -> list[str]:
    """What the record ``ind`` lacks of the facts everything else derives from (empty when complete)."""
    import metrics.compute  # noqa: F401 - registers the compute functions
    from core.returns import RETURNS
    from metrics.catalogue import Adds, Breakdown, entry

    out = []
    if not callable(ind.compute):
        out.append("no registered compute function")
    if not ind.tables or not set(ind.tables) <= set(RETURNS):
        out.append(f"reads {ind.tables}")
    if not isinstance(ind.adds, Adds):
        out.append("not marked additive or not (adds)")
    if isinstance(ind, Breakdown):
        return out + ([] if ind.of in {i.id for i in CATALOGUE} else [f"read with unknown {ind.of}"])
    adding = {"count": {"value"}, "breakdown": {"value"}, "mean": set(), "percent": {"numerator", "denominator"}}
    if isinstance(ind.adds, Adds) and not set(ind.adds.over_time) <= adding[ind.unit]:
        out.append(f"a {ind.unit} cannot add up in {ind.adds.over_time}")
    for part in ind.adds.parts if isinstance(ind.adds, Adds) else ():
        if part.figure not in ("value", "numerator", "denominator", "complement") or not part.categories:
            out.append(f"part {part}")
        entry(part.breakdown)  # KeyError for a part of an unknown breakdown
    if ind.timing not in ("period", "snapshot", "look_back"):
        out.append(f"timing {ind.timing!r}")
    if (ind.words is None) != (ind.unit in ("mean", "breakdown")):
        out.append("words (a count or a percent needs them, a mean or a breakdown has none)")
    elif ind.words is not None:
        one, many = ind.words.noun
        if ind.unit == "count":
            said = ind.words.says.format(n="no", noun=many, were="were", was="was", when="in April 2026")
            if "{" in said or "no" not in said:
                out.append("a count's sentence must place {n}")
        if not (one and many and ind.words.says and ind.words.base):
            out.append("empty words")
    if ind.unit == "breakdown" and ind.breakdown_by is None:
        out.append("a breakdown needs breakdown_by")
    return out


def test_every_indicator_and_breakdown_has_every_fact_in_its_record():
    from metrics.catalogue import BREAKDOWNS

    for rec in (*CATALOGUE, *BREAKDOWNS):
        assert _missing_facts(rec) == [], rec.id


def test_a_new_count_not_marked_additive_or_not_is_caught():
    import dataclasses

    import pytest

    from metrics.catalogue import Indicator, Words

    args = (
        "NEW-01",
        "New count",
        "Things in the period.",
        "count",
        "up",
        "period",
        "engagement",
        ("aspirations/outreach",),
        False,
        "Notes.",
    )
    with pytest.raises(TypeError, match="adds"):
        Indicator(*args, words=Words(("thing", "things"), "{n} {noun} {when}"))
    # A record that gets past the constructor without saying so (or without a function) fails the check.
    unmarked = dataclasses.replace(by_id("SUP-01"), adds=None)
    assert "not marked additive or not (adds)" in _missing_facts(unmarked)
    assert "no registered compute function" in _missing_facts(dataclasses.replace(by_id("SUP-01")))
    wordless = dataclasses.replace(by_id("SUP-01"), words=None)
    assert any(f.startswith("words") for f in _missing_facts(wordless))


def test_one_function_per_indicator_and_only_for_a_record():
    import pytest

    import metrics.compute  # noqa: F401
    from metrics.catalogue import computes

    with pytest.raises(ValueError, match="already"):
        computes("ENG-01")(lambda c: None)
    with pytest.raises(KeyError):
        computes("ENG-99")
    assert by_id("ENG-01").compute.__name__ == "_eng01"


def test_what_derives_from_the_records():
    import pytest

    from metrics.catalogue import breakdown_of, linked, tables_for

    assert {i.id for i in CATALOGUE if i.period_total} == {
        "ENG-01",
        "ENG-02",
        "ENG-05",
        "HLT-03",
        "HLT-04",
        "DEN-02",
        "RHB-02",
        "FAM-01",
        "SAF-02",
        "WKF-01",
        "SUP-01",
    }
    assert {i.id for i in CATALOGUE if i.timing == "snapshot"} == {
        "RHB-01",
        "RHB-03",
        "DRG-01",
        "FAM-02",
        "HSG-01",
        "HSG-02",
        "EXT-01",
    }
    assert {i.id for i in CATALOGUE if i.timing == "look_back"} == {"HLT-01", "DEN-01"}
    assert {i.id for i in CATALOGUE if i.first_time} == {"ENG-02", "RHB-02"}
    assert by_id("CJS-01").words.base == "police records" and by_id("HLT-01").words.base == "women"
    # the cohort's returns first: it is built before anything divides by it
    assert tables_for(["DRG-01", "SAF-01"]) == ["attendance", "outreach", "treatment", "safeguarding"]
    assert tables_for(["services"]) == ["attendance"]
    assert linked("HLT-03") == (("oral_health",),) and linked("RHB-03") == (("ready", "referred"),)
    assert linked("accommodation")[0] == ("temporary", "supported", "settled") and linked("ENG-01") == ()
    assert [breakdown_of(k) for k in ("HLT-03", "RHB-03", "HSG-01", "HSG-02", "EXT-01", "services")] == [
        "HLT-03",
        "RHB-03",
        "accommodation",
        "accommodation",
        "working_status",
        "services",
    ]
    for no_breakdown in ("ENG-01", "DEN-02", "RHB-01", "XYZ-01"):
        with pytest.raises(KeyError):
            breakdown_of(no_breakdown)
