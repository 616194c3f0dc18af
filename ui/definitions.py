"""Screen pieces for the indicator definitions page (from ``metrics.catalogue``)."""

from __future__ import annotations

import streamlit as st

from core import clock, settings
from core import formatting as fmt
from core.periods import fy_label, fy_of
from metrics import targets as targets_mod
from metrics.catalogue import Indicator
from ui.frame import PageContext
from ui.returns import partner_name

UNIT_WORDS = {
    "count": "A count",
    "percent": "A percentage, with a 95% Wilson confidence interval",
    "mean": "An average",
    "breakdown": "A breakdown by category",
}
POLARITY_WORDS = {"up": "Higher is better ↑", "down": "Lower is better ↓", "none": "No judgement · (context only)"}


def general_rules() -> None:
    t = settings.suppression_threshold()
    with st.container(border=True):
        st.markdown(
            f"""**Reading the figures**

- **Published figures** (commissioners, council reports): any count from 1 to {t - 1} is shown as \\*. A
  percentage is hidden when the number of women it counts, the number it is out of, or the difference between
  them is from 1 to {t - 1}. More figures are hidden where needed so that no hidden figure can be worked out,
  or narrowed down, from all the published figures together (other months, quarters, the year to date, the
  year, totals and breakdowns). Published figures are given for months, financial-year quarters, the year to
  date at the end of September and December, and financial years only. The group's own meeting view shows exact figures.
- **Not reported is not zero.** When no return covers a period the figure is shown as —, never 0. A figure is
  *incomplete* when some returns it needs are missing for some months.
- **Engaged women** are the women with a drop-in attendance or an outreach contact (with a reference) in the
  period. A woman's **current status** is her latest key-work review or treatment record in the 91 days to the
  end of the period.
- **RAG**: green meets the target, amber misses it by no more than 10% of the target, red otherwise.
- Periods follow the financial year: Q1 is April to June."""
        )


def current_targets(ctx: PageContext) -> dict[str, float]:
    fy = fy_of(ctx.period.end if ctx.period else clock.today())
    st.caption(f"Targets shown are for {fy_label(fy)}.")
    return targets_mod.targets_for(engine=ctx.engine, financial_year=fy)


def _source_words(source: str) -> str:
    partner, ret = source.split("/", 1)
    return f"{partner_name(partner)} — {fmt.RETURN_LABELS.get(ret, ret).lower()}"


def definition_card(ind: Indicator, *, target: float | None) -> None:
    with st.expander(f"{ind.id} · {ind.name}", expanded=False):
        st.markdown(f"**Definition.** {ind.definition}")
        cols = st.columns(3)
        cols[0].markdown(f"**Unit**  \n{UNIT_WORDS.get(ind.unit, ind.unit)}")
        cols[1].markdown(f"**Direction**  \n{POLARITY_WORDS.get(ind.polarity, ind.polarity)}")
        cols[2].markdown(f"**Target**  \n{fmt.value_text(target, ind.unit) if target is not None else 'None set'}")
        srcs = "\n".join(f"- {_source_words(s)}" for s in ind.own_sources)
        st.markdown(f"**Comes from**\n{srcs}")
        if ind.uses_cohort:
            st.markdown(
                "Divided by the number of engaged women (ENG-01), so it also needs the attendance and outreach returns."
            )
        if ind.breakdown_by:
            st.markdown(f"**Broken down by** {ind.breakdown_by}.")
        if ind.notes:
            st.markdown(f"**Read with care.** {ind.notes}")
        t = settings.suppression_threshold()
        rule = (
            f"hidden when the women counted, the women it is out of, or the difference is from 1 to {t - 1}"
            if ind.unit == "percent"
            else f"hidden when fewer than {t} women are behind it"
            if ind.unit == "mean"
            else f"each count from 1 to {t - 1} hidden, with a second figure hidden where needed"
            if ind.unit == "breakdown"
            else f"hidden when from 1 to {t - 1}"
        )
        st.markdown(f"**In published figures** {rule}.")
