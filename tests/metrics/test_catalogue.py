"""The catalogue matches the spec: 27 indicators, units, polarity, sources."""

from __future__ import annotations

from metrics.catalogue import CATALOGUE, COHORT_SOURCES, THEMES, by_id

SPEC = {  # id: (unit, polarity) from indicators spec section 2
    "ENG-01": ("count", "up"), "ENG-02": ("count", "up"), "ENG-03": ("percent", "up"), "ENG-04": ("mean", "up"),
    "ENG-05": ("count", "none"), "HLT-01": ("percent", "up"), "HLT-02": ("percent", "up"),
    "HLT-03": ("count", "none"), "HLT-04": ("count", "up"), "DEN-01": ("percent", "up"),
    "DEN-02": ("count", "none"), "DRG-01": ("percent", "up"), "RHB-01": ("count", "up"), "RHB-02": ("count", "up"),
    "RHB-03": ("breakdown", "none"), "FAM-01": ("count", "up"), "FAM-02": ("percent", "up"),
    "HSG-01": ("percent", "up"), "HSG-02": ("count", "down"), "EXT-01": ("percent", "up"),
    "SAF-01": ("percent", "up"), "SAF-02": ("count", "none"), "CJS-01": ("percent", "up"),
    "WKF-01": ("count", "up"), "WID-01": ("percent", "up"), "SUP-01": ("count", "none"),
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
        "HLT-03": "reason", "RHB-03": "stage", "WKF-01": "agency"}
