"""The wording: a corpus of sentences for every indicator in every situation, held to what a report needs.

Every number is one of the indicator's figures; a small number is never written; a hidden comparison is
"not published"; better, similar or worse is metrics.compare's, only worded; answers and police records are not "women";
zero is "no women"; "all 11", never "100.0% (11 of 11)"; singular and plural agree; no code names.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from core.periods import Period, quarter
from metrics.catalogue import CATALOGUE, by_id
from metrics.stats import wilson_one
from reports.data import year_to_date
from reports.wording import (
    draft,
    missing_caveats,
    travel,
    when_phrase,
)
from tests.reports.conftest import THRESHOLD, comparison_of, exact_results, report_data

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATES = re.compile(rf"\b(\d{{1,2}} )?({_MONTHS})( \d{{4}})?\b|\b\d{{4}}-\d{{2}}\b")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
Q2 = quarter(2026, 2)  # July to September 2026: its year to date is April to September


def numbers_in(text: str, *, name: str = "") -> list[float]:
    """The numbers in a sentence once its dates (and the indicator's name, a label) are taken out."""
    if name:
        text = re.sub(re.escape(name), "", text, flags=re.IGNORECASE)
    text = re.sub(r"judged by the [\d.]+% intervals", "", text, flags=re.IGNORECASE)  # the level, not a figure
    return [float(n.replace(",", "")) for n in _NUMBER.findall(_DATES.sub("", text))]


def allowed_figures(*results) -> set[float]:
    """What a sentence may quote: the figures of the results given, as displayed, and the threshold."""
    out = {float(THRESHOLD), 4.0} | {5.0} - {4.0}  # "4 or 5 out of 5" is VOI-01's question, not a figure
    for r in results:
        if r is None:
            continue
        for x in (r.value, r.numerator, r.denominator, r.target):
            if x is not None and x == x:
                out |= {round(float(x), 1), float(round(float(x)))}
        for c in r.breakdown:
            if c.value is not None:
                out.add(float(c.value))
    return out


# --------------------------------------------------------------------------- the corpus


def _percent(r, num: int, den: int):
    lo, hi = wilson_one(numerator=num, denominator=den)
    return replace(r, numerator=num, denominator=den, value=num / den * 100, lower_ci=lo, upper_ci=hi)


def _situation(r, situation: str):
    """``r`` (an exact result) put in one situation, as the public figures would show it."""
    r = replace(r, status="complete", missing=[])
    hidden = dict(numerator=None, denominator=None, value=None, lower_ci=None, upper_ci=None, suppressed=True, rag=None)
    if situation == "hidden":
        return replace(r, **hidden, breakdown=[replace(c, value=None, suppressed=True) for c in r.breakdown])
    if situation == "not_reported":
        return replace(
            r,
            numerator=None,
            denominator=None,
            value=None,
            lower_ci=None,
            upper_ci=None,
            rag=None,
            status="not_reported",
            breakdown=[],
        )
    if situation == "incomplete":
        return replace(r, status="incomplete", missing=["dental/health_contacts/2026-08"])
    if situation == "no_target":
        return replace(r, target=None, rag=None)
    if r.unit == "percent":
        n = {"small": (3, 40), "zero": (0, 40), "all": (11, 11), "one": (20, 40)}.get(situation, (20, 40))
        return _percent(r, *n)
    if r.unit in ("count",):
        v = {"small": 3, "zero": 0, "one": 1}.get(situation, 37)
        return replace(r, numerator=v, value=v)
    if r.unit == "mean":
        return replace(r, value={"zero": 0.0}.get(situation, 12.4), numerator=124, denominator=10)
    return r


SITUATIONS = ("shown", "hidden", "small", "zero", "all", "one", "not_reported", "incomplete", "no_target")
PREVIOUS = ("none", "hidden", "not_reported", "similar", "moved")


def _previous(r, kind: str):
    if kind == "none":
        return None
    if kind == "hidden":
        return replace(r, value=None, numerator=None, denominator=None, suppressed=True, status="complete")
    if kind == "not_reported":
        return replace(r, value=None, status="not_reported")
    v = r.value if r.value is not None else 20
    bump = {"similar": 1.0, "moved": -0.6}[kind]
    if r.unit == "percent":
        return replace(r, value=max(0.0, min(100.0, v * bump if kind == "moved" else v + 1.5)))
    return replace(r, value=max(0.0, v * 3 if kind == "moved" else v + 1))


def corpus():
    """(indicator, situation, previous kind, draft, the results it may quote)."""
    base = {r.id: r for r in exact_results()}
    for ind in CATALOGUE:
        for situation in SITUATIONS:
            r = _situation(base[ind.id], situation)
            for prev_kind in PREVIOUS:
                prev = _previous(r, prev_kind)
                ytd = replace(r, value=None if r.value is None else r.value, missing=[])
                d = draft(
                    result=r,
                    indicator=ind,
                    period=Q2,
                    threshold=THRESHOLD,
                    previous=prev,
                    ytd=ytd,
                    ytd_year_ago=prev,
                    ytd_period=year_to_date(Q2),
                    comparison=comparison_of(r, prev),
                )
                yield ind, situation, prev_kind, d, (r, prev, ytd)


CORPUS = list(corpus())


def test_the_corpus_covers_every_indicator_and_situation():
    assert {i.id for i, *_ in CORPUS} == {i.id for i in CATALOGUE}
    assert {s for _, s, *_ in CORPUS} == set(SITUATIONS)
    assert len(CORPUS) == len(CATALOGUE) * len(SITUATIONS) * len(PREVIOUS)


@pytest.mark.parametrize(
    "ind, situation, prev_kind, d, results", CORPUS, ids=[f"{i.id}-{s}-{p}" for i, s, p, *_ in CORPUS]
)
def test_every_sentence_of_the_corpus(ind, situation, prev_kind, d, results):
    text = d.text
    for s in d.sentences + d.caveats:
        assert (s[:1].isupper() or s[:1].isdigit()) and s.endswith("."), f"not a sentence: {s!r}"
    # No code names (return codes, categories): snake_case never reaches a reader.
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text
    # Every number is one of the figures; no small count is ever written.
    for n in numbers_in(" ".join(d.sentences), name=ind.name):
        assert n in allowed_figures(*results), f"{n} is not a figure: {text}"
        if ind.unit in ("count", "breakdown"):
            assert not (1 <= n < THRESHOLD) or n in (4.0, 5.0) and ind.id == "VOI-01", text
    # Zero is "no ...", one whole group is "all 11", never a percentage of itself.
    assert not re.search(r"\b0 (women|woman|consultations|referrals|crimes|staff|condoms|anonymous)", text), text
    assert "100.0%" not in text and not re.search(r"(?<![\d.])0\.0% of", text), text
    assert not re.search(r"\b1 (women|were)\b", text) and "fewer than 5 woman" not in text, text
    # Answers and police records are not women.
    if ind.id in ("VOI-01", "CJS-01"):
        assert "women" not in " ".join(d.sentences).replace(ind.name.lower(), ""), text
    # A hidden comparison is not published, never "no comparable figure" or "none".
    if (
        prev_kind == "hidden"
        and results[0].value is not None
        and ind.unit != "breakdown"
        and situation != "not_reported"
        and "not published" not in d.sentences[0].split(";")[0]
    ):
        assert "previous quarter is not published" in text, text
    assert "no comparable" not in text
    if situation == "not_reported":
        assert "not been reported" in d.sentences[0] and not numbers_in(d.sentences[0], name=ind.name)
    if situation == "incomplete":
        assert any("incomplete" in c for c in d.caveats) and any("Dental service" in c for c in d.caveats)
    if situation == "no_target":
        assert "target" not in text
    if situation == "hidden":
        assert "not published" in text


def test_zero_all_and_one_read_as_a_person_writes_them():
    r = {x.id: x for x in exact_results()}
    rhb = draft(
        result=replace(r["RHB-02"], value=0, numerator=0), indicator=by_id("RHB-02"), period=Q2, threshold=THRESHOLD
    )
    assert rhb.sentences[0].startswith(
        "No women were admitted to rehab for the first time between July and September 2026"
    )
    safe = draft(result=_percent(r["HSG-01"], 11, 11), indicator=by_id("HSG-01"), period=Q2, threshold=THRESHOLD)
    assert safe.sentences[0].startswith("All 11 women whose accommodation is known were safely accommodated")
    none = draft(result=_percent(r["HLT-01"], 0, 40), indicator=by_id("HLT-01"), period=Q2, threshold=THRESHOLD)
    assert none.sentences[0].startswith("None of the 40 women engaged had a sexual health screen")
    voice = draft(result=_percent(r["VOI-01"], 20, 40), indicator=by_id("VOI-01"), period=Q2, threshold=THRESHOLD)
    assert voice.sentences[0].startswith("50.0% of feedback answers (20 of 40) scored 4 or 5 out of 5")
    police = draft(result=_percent(r["CJS-01"], 3, 18), indicator=by_id("CJS-01"), period=Q2, threshold=THRESHOLD)
    assert "small number of police records" in police.text


def test_a_change_from_the_previous_period_is_said_without_a_judgement():
    r = {x.id: x for x in exact_results()}
    eng = replace(r["ENG-01"], value=50, numerator=50)
    assert travel(eng, replace(eng, value=44)).kind == "up"
    assert travel(eng, replace(eng, value=60)).kind == "down"
    assert travel(eng, replace(eng, value=50)).kind == "same"
    d = draft(result=eng, indicator=by_id("ENG-01"), period=Q2, threshold=THRESHOLD, previous=replace(eng, value=20))
    assert "up from 20 in the previous quarter." in d.text
    assert not re.search(r"improvement|worsening|similar|better|worse", d.text), d.text  # no comparison given
    crimes = replace(r["SAF-02"], value=60, numerator=60)
    d = draft(
        result=crimes, indicator=by_id("SAF-02"), period=Q2, threshold=THRESHOLD, previous=replace(crimes, value=19)
    )
    assert "up from 19" in d.text
    assert d.note == by_id("SAF-02").notes  # read with the catalogue's caution


def test_the_wording_words_compares_judgements_and_never_judges_afresh():
    r = {x.id: x for x in exact_results()}
    eng = replace(r["ENG-01"], value=50, numerator=50, target=60.0, rag="red")
    # Whatever metrics.compare said is what the sentence says (here against the figures' own look).
    row = {"judged_target": "better", "judged_year_ago": "worse", "year_ago_value": 44.0, "confidence": 99.8}
    d = draft(result=eng, indicator=by_id("ENG-01"), period=Q2, threshold=THRESHOLD, comparison=row)
    assert d.sentences[0].endswith(
        "This is short of the target of 60 for the period. Judged by the 99.8% "
        "intervals, it is better than the target and worse than the same quarter of "
        "2025-26 (44)."
    )
    row = {"judged_target": "similar", "judged_year_ago": "similar", "year_ago_value": 44.0, "confidence": 95.0}
    d = draft(result=eng, indicator=by_id("ENG-01"), period=Q2, threshold=THRESHOLD, comparison=row)
    assert "it is similar to the target and similar to the same quarter of 2025-26 (44)." in d.text
    # No direction: higher or lower, said to be no judgement; no target.
    crimes = replace(r["SAF-02"], value=60, numerator=60)
    d = draft(
        result=crimes,
        indicator=by_id("SAF-02"),
        period=Q2,
        threshold=THRESHOLD,
        comparison={"judged_target": None, "judged_year_ago": "higher", "year_ago_value": 19.0, "confidence": 95.0},
    )
    assert "Judged by the 95% intervals, it is higher than the same quarter of 2025-26 (19; no judgement)." in d.text
    # A small year-ago count is never written; nothing judged, nothing said.
    d = draft(
        result=eng,
        indicator=by_id("ENG-01"),
        period=Q2,
        threshold=THRESHOLD,
        comparison={"judged_target": None, "judged_year_ago": "better", "year_ago_value": 3.0, "confidence": 95.0},
    )
    assert "better than the same quarter of 2025-26 (fewer than 5)" in d.text and "(3)" not in d.text
    d = draft(
        result=eng,
        indicator=by_id("ENG-01"),
        period=Q2,
        threshold=THRESHOLD,
        comparison={"judged_target": None, "judged_year_ago": None, "confidence": 95.0},
    )
    assert "Judged" not in d.text
    # A hidden figure carries no judgement, whatever a comparison holds.
    hidden = replace(eng, value=None, numerator=None, suppressed=True, rag=None)
    d = draft(
        result=hidden,
        indicator=by_id("ENG-01"),
        period=Q2,
        threshold=THRESHOLD,
        comparison={"judged_target": "worse", "judged_year_ago": None, "confidence": 95.0},
    )
    assert "Judged" not in d.text and "not published" in d.text


def test_the_99_8_setting_turns_a_borderline_better_into_similar(monkeypatch):
    r = {x.id: x for x in exact_results()}
    # 70 of 100 (95% Wilson interval about 60.4% to 78.1%; 99.8% about 54.6% to 81.9%) against a target of 58%.
    hlt = replace(_percent(r["HLT-01"], 70, 100), target=58.0, rag="green")
    words = {}
    for level in ("95", "99.8"):
        monkeypatch.setenv("OUTCOMES_CONFIDENCE", level)
        row = comparison_of(hlt, None)
        words[level] = row["judged_target"]
        d = draft(result=hlt, indicator=by_id("HLT-01"), period=Q2, threshold=THRESHOLD, comparison=row)
        said = "better than the target" if row["judged_target"] == "better" else "similar to the target"
        assert f"Judged by the {level}% intervals, it is {said}." in d.text
    assert words == {"95": "better", "99.8": "similar"}


def test_the_year_to_date_is_compared_with_the_same_months_last_year():
    r = {x.id: x for x in exact_results()}
    now = replace(r["SAF-02"], value=40, numerator=40)
    d = draft(
        result=now,
        indicator=by_id("SAF-02"),
        period=Q2,
        threshold=THRESHOLD,
        ytd=replace(now, value=70),
        ytd_year_ago=replace(now, value=66),
        ytd_period=year_to_date(Q2),
    )
    assert d.sentences[1] == (
        "70 crimes against the women were reported to police in the year to date (April to "
        "September 2026), up from 66 in the same months of 2025-26."
    )
    assert "previous period of the same length" not in d.text


def test_the_headline_sentence_from_the_report_data():
    data = report_data(public=True)
    d = draft(
        result=data.figure("period", "ENG-01", public=True),
        indicator=by_id("ENG-01"),
        period=data.period,
        threshold=THRESHOLD,
        previous=data.figure("previous", "ENG-01", public=True),
        comparison=data.comparison("ENG-01", public=True),
    )
    # 50 (Byar's 95% interval about 37 to 66) against 60: similar, as metrics.compare judges it.
    assert d.sentences[0] == (
        "50 women engaged with the drop-in or outreach between April and June 2026, up from "
        "44 in the previous quarter. This is short of the target of 60 for the period. Judged "
        "by the 95% intervals, it is similar to the target."
    )


@pytest.mark.parametrize("public", [False, True], ids=["restricted", "public"])
def test_every_number_from_the_report_data_is_a_figure_and_none_is_small(public):
    data = report_data(public=public)
    checked = 0
    for ind in CATALOGUE:
        pub, prev = data.figure("period", ind.id, public=True), data.figure("previous", ind.id, public=True)
        d = draft(result=pub, indicator=ind, period=data.period, threshold=THRESHOLD, previous=prev)
        for n in numbers_in(" ".join(d.sentences + d.caveats), name=ind.name):
            assert n in allowed_figures(pub, prev), f"{ind.id}: {n}: {d.text}"
            if ind.unit in ("count", "breakdown"):
                assert not (1 <= n < THRESHOLD), d.text
            checked += 1
    assert checked > 40


def test_no_count_from_1_to_4_is_written_even_from_an_exact_result():
    found = False
    for r in exact_results():
        d = draft(result=r, indicator=by_id(r.id), period=quarter(2026, 1), threshold=THRESHOLD)
        if r.unit == "count" and r.value is not None and 0 < r.value < THRESHOLD:
            found = True
            assert f"fewer than {THRESHOLD}" in d.text.lower()
        if r.unit in ("count", "breakdown"):
            assert not any(1 <= n < THRESHOLD for n in numbers_in(" ".join(d.sentences))), d.text
    assert found


def test_status_caveats_name_the_partner_and_months():
    assert missing_caveats(["dental/health_contacts/2026-05"]) == ["Dental service has not reported for May 2026."]
    assert missing_caveats(["aspirations/feedback/2026-05"]) == [
        "Aspirations (drop-in and outreach charity) has not reported (women's feedback) for May 2026."
    ]
    assert (
        "April and May 2026" in missing_caveats(["police/police_monthly/2026-04", "police/police_monthly/2026-05"])[0]
    )


def test_when_a_figure_applies_in_words():
    from datetime import date

    assert when_phrase("HSG-02", quarter(2026, 1)) == "at the end of June 2026"
    assert when_phrase("HLT-01", quarter(2026, 1)) == "in the twelve months to June 2026"
    assert year_to_date(Q2) == Period(date(2026, 4, 1), date(2026, 9, 30))
