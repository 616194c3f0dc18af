"""Screen pieces the pages arrange: tiles, a chart with its figures beside it, an indicator section.

Everything shown comes from ``ui.data`` (which calls ``metrics``), already
disclosure-controlled for published-figures sessions.
"""

from __future__ import annotations

import hashlib
import pickle
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts import figures
from core import formatting as fmt
from core.cells import neutral_frame
from metrics import catalogue, disclosure, permissions
from ui import data, frame, meetings
from ui.frame import PageContext

PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
}


@st.cache_resource(show_spinner=False, max_entries=2048)
def _built(name: str, digest: str, _build, _frame: pd.DataFrame, _options: dict):
    return _build(_frame, **_options)


def _digest(frame: pd.DataFrame | pd.Series, options: dict) -> str:
    """A key for a frame's contents: the same for a frame and its copy from Streamlit's cache.

    (Pickled bytes are not: a frame unpickled from ``st.cache_data`` is laid out differently, so the
    first rerun after a cold render missed every cached figure.)
    """
    h = hashlib.blake2b(digest_size=20)
    h.update(pickle.dumps(sorted(options.items())))
    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    # Plain Python values pickle the same however pandas lays the frame out.
    h.update(
        pickle.dumps(
            (
                list(frame.columns),
                [str(d) for d in frame.dtypes],
                frame.index.tolist(),
                [frame[c].tolist() for c in frame.columns],
            )
        )
    )
    return h.hexdigest()


def built(build, frame: pd.DataFrame, **options):
    """``build(frame, **options)``, worked out once per distinct frame and options, then shared.

    Building a plotly figure validates every property and costs tens of milliseconds, and a page
    holds a dozen charts and their tables, so reruns reuse them. The key is a digest of the pickled
    frame's contents and the options (cheaper than Streamlit's own hashing of a frame). What comes back is
    shared between sessions: nothing may change it.
    """
    digest = _digest(frame, options)
    return _built(f"{build.__module__}.{build.__qualname__}", digest, build, frame, options)


def figure(builder: str, frame: pd.DataFrame, **options) -> go.Figure:
    """``charts.figures.<builder>(frame, **options)``, built once (see ``built``)."""
    return built(getattr(figures, builder), frame, **options)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV (UTF-8 with BOM, for Excel), no cell of which can run as a formula."""
    return neutral_frame(frame).to_csv(index=False).encode("utf-8-sig")


def download(ctx: PageContext, frame: pd.DataFrame, *, name: str, key: str) -> None:
    """A CSV download of a table, for report authors."""
    if permissions.may_download_tables(ctx.user) and not frame.empty:
        st.download_button(
            "Download these figures (CSV)",
            csv_bytes(frame),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"dl-{key}",
            icon=":material/download:",
            on_click="ignore",
        )


def table(frame: pd.DataFrame, *, key: str | None = None) -> None:
    """A small static table of figures (no row numbers)."""
    height = min(36 * (len(frame) + 1) + 10, 760)
    st.dataframe(frame, hide_index=True, width="stretch", key=key, height=height)


def chart_with_table(
    ctx: PageContext, fig: go.Figure, frame: pd.DataFrame, *, name: str, key: str, caption: str | None = None
) -> None:
    """A chart with its figures in a table beside it (every chart has one)."""
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"chart-{key}", width="stretch")
    with right:
        st.markdown("**The figures**")
        table(frame, key=f"table-{key}")
        download(ctx, frame, name=name, key=key)
    if caption:
        st.caption(caption)


def badges(result) -> str:
    """A result's rating, status and suppression as badges whose words say what the colour means."""
    out = [fmt.rag_badge(result.rag)]
    if result.status == "not_reported":
        out.append(fmt.badge("Not reported", "grey"))
    elif result.status == "incomplete":
        out.append(fmt.badge("Incomplete", "amber"))
    if result.suppressed:
        out.append(fmt.badge(f"Suppressed ({disclosure.small_range()} or would give one away)", "grey"))
    return "".join(out)


def tile(
    result,
    *,
    comparison: pd.Series | None = None,
    show_id: bool = True,
    versus: tuple[str, str] = ("", ""),
    marker: pd.Series | None = None,
    span: str = "",
) -> None:
    """One headline figure: value, status, RAG, change against the previous period and a year earlier,
    whether it is better, similar or worse by its interval, and its trend marker (over ``span``)."""
    ind = catalogue.by_id(result.id)
    value = fmt.value_text(result.value, result.unit, suppressed=result.suppressed, status=result.status)
    parts = [
        f'<div class="tile"><div class="tile-name">{escape(result.name)}'
        + (f' <span class="tile-id">{result.id} {ind.symbol}</span>' if show_id else "")
        + "</div>",
        f'<div class="tile-value">{escape(value)}</div>',
    ]
    sub = []
    if result.unit == "percent" and not result.suppressed:
        ci = fmt.ci_text(result.lower_ci, result.upper_ci)
        if ci:
            sub.append(f"95% CI {ci}")
    if result.target is not None:
        sub.append(f"target {fmt.value_text(result.target, result.unit)}")
    if result.suppressed:
        sub.append("not published: small numbers")
    if sub:
        parts.append(f'<div class="tile-sub">{escape(" · ".join(sub))}</div>')
    if comparison is not None:
        for (col, dcol, pcol), words in zip(
            (
                ("change_previous", "direction_previous", "previous_period"),
                ("change_year_ago", "direction_year_ago", "year_ago_period"),
            ),
            versus,
            strict=True,
        ):
            parts.append(
                '<div class="tile-change">'
                + fmt.direction_html(
                    comparison.get(dcol), comparison.get(col), result.unit, words or str(comparison.get(pcol) or "")
                )
                + "</div>"
            )
        judged = fmt.judged_text(
            target=comparison.get("judged_target"),
            year_ago=comparison.get("judged_year_ago"),
            level=comparison.get("confidence"),
        )
        if judged:
            parts.append(f'<div class="tile-sub">{escape(judged[0].upper() + judged[1:])}</div>')
    if marker is not None:
        parts.append(
            '<div class="tile-change">'
            + fmt.trend_marker_html(marker.get("marker"), marker.get("words"), span=span)
            + "</div>"
        )
    parts.append("<div>" + badges(result) + "</div></div>")
    st.markdown("".join(parts), unsafe_allow_html=True)


def tiles(
    results: list,
    *,
    comparisons: pd.DataFrame | None = None,
    per_row: int = 4,
    period=None,
    markers: pd.DataFrame | None = None,
) -> None:
    """A grid of tiles (``period``: the period shown, to name what each change is measured against;
    ``markers``: ``metrics.markers.markers_for`` rows, the trend marker of each)."""
    versus = ("", "")
    if period is not None:
        from core.periods import previous, year_earlier

        versus = (fmt.short_label(previous(period)), fmt.short_label(year_earlier(period)))
    by_id = comparisons.set_index("id") if comparisons is not None and not comparisons.empty else None
    by_marker = markers.set_index("id") if markers is not None and not markers.empty else None
    span = ""
    if by_marker is not None:
        from metrics.markers import FREQ_WORDS, POINTS

        span = f"last {POINTS} {FREQ_WORDS.get(str(by_marker['freq'].iloc[0]), 'periods')}"
    for i in range(0, len(results), per_row):
        cols = st.columns(per_row, gap="small")
        for col, r in zip(cols, results[i : i + per_row], strict=False):
            with col:
                tile(
                    r,
                    comparison=by_id.loc[r.id] if by_id is not None and r.id in by_id.index else None,
                    versus=versus,
                    span=span,
                    marker=by_marker.loc[r.id] if by_marker is not None and r.id in by_marker.index else None,
                )
        st.write("")


def with_short_labels(trend: pd.DataFrame) -> pd.DataFrame:
    """Replace long period labels ('Q1 2026-27 (April to June 2026)') by short ones ('Q1 2026-27')."""
    if trend.empty:
        return trend
    from core.periods import Period

    short = [
        fmt.short_label(Period(pd.Timestamp(s).date(), pd.Timestamp(e).date()))
        for s, e in zip(trend["period_start"], trend["period_end"], strict=True)
    ]
    return trend.assign(period_label=short)


def trend_table(trend: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The figures behind a trend chart, formatted for reading."""
    out = pd.DataFrame({"Period": trend["period_label"].astype(str)})
    out["Value"] = [
        fmt.value_text(v, unit, suppressed=bool(s), status=st_)
        for v, s, st_ in zip(trend["value"], trend["suppressed"], trend["status"], strict=True)
    ]
    if unit == "percent":
        out["95% CI"] = [fmt.ci_text(lo, hi) for lo, hi in zip(trend["lower_ci"], trend["upper_ci"], strict=True)]
        out["Of"] = [fmt.value_text(d, "count") if not fmt.is_missing(d) else "" for d in trend["denominator"]]
    out["Status"] = [fmt.label(s) for s in trend["status"]]
    return out


def breakdown_table(cells: pd.DataFrame, *, unit: str = "count", heading: str = "Category") -> pd.DataFrame:
    return pd.DataFrame(
        {
            heading: [fmt.label(c) for c in cells["category"]],
            "Value": [
                fmt.value_text(v, unit, suppressed=bool(s))
                for v, s in zip(cells["value"], cells["suppressed"], strict=True)
            ],
        }
    )


def trend_frequency(ctx: PageContext) -> tuple[str, int, str]:
    """Monthly trends for a month, quarterly otherwise: (freq, how many, words)."""
    p = ctx.period
    if p is not None and p.start.day == 1 and len(p.months()) == 1:
        return "month", 12, "by month"
    return "quarter", 8, "by quarter"


def indicator_section(ctx: PageContext, result, trend: pd.DataFrame, *, extra: str | None = None) -> None:
    """One indicator: what it is, its trend as a chart with the figures beside it, what could mislead."""
    ind = catalogue.by_id(result.id)
    st.subheader(f"{ind.name}")
    value = fmt.value_text(result.value, result.unit, suppressed=result.suppressed, status=result.status)
    line = f"**{value}** in {ctx.period.label() if ctx.period else 'the period'} " + badges(result)
    st.markdown(line, unsafe_allow_html=True)
    st.caption(f"{ind.id} · {ind.definition}")
    mine = built(with_short_labels, trend[trend["id"] == result.id])
    if not mine.empty:
        fig = figure(
            "trend_chart", mine, title=f"{ind.name}, {trend_frequency(ctx)[2]}", unit=result.unit, target=result.target
        )
        chart_with_table(ctx, fig, built(trend_table, mine, unit=result.unit), name=f"{ind.id}-trend", key=ind.id)
    if result.status != "complete" and result.missing:
        st.caption(f"Not yet received: {fmt.missing_text(result.missing)}.")
    notes = " ".join(x for x in (ind.notes, extra or "") if x)
    if notes:
        st.caption(f"Read with care: {notes}")
    meetings.indicator_panel(ctx, result)


def breakdown_section(ctx: PageContext, result, *, title: str, heading: str, highlight: str | None = None) -> None:
    """A breakdown of one indicator in the period, as bars with the figures beside them."""
    cells = pd.DataFrame(
        [{"category": c.category, "value": c.value, "suppressed": c.suppressed} for c in result.breakdown],
        columns=["category", "value", "suppressed"],
    )
    if result.status == "not_reported" or cells.empty:
        st.info(f"{title}: nothing reported for this period.")
        return
    shown = cells.assign(category=[fmt.label(c) for c in cells["category"]])
    fig = figure("breakdown_chart", shown, title=title, highlight=fmt.label(highlight) if highlight else None)
    chart_with_table(
        ctx, fig, breakdown_table(cells, heading=heading), name=f"{result.id}-breakdown", key=f"{result.id}-bd"
    )


def theme_sections(ctx: PageContext, ids: list[str]) -> None:
    """Tiles for the page's indicators, then a section for each with its trend."""
    results = data.indicators(ctx.engine, period=ctx.period, public=ctx.public, ids=ids)
    comparisons = data.compare(ctx.engine, period=ctx.period, public=ctx.public)
    ordered = [results.by_id(i) for i in ids]
    meetings.revised_warning(ctx, results)
    freq, n, _ = trend_frequency(ctx)
    periods = data.trend_periods(ctx.engine, freq=freq, end=ctx.period.end, last=n)
    trend = (
        data.trend(ctx.engine, periods=periods, public=ctx.public, ids=ids) if periods else pd.DataFrame(columns=["id"])
    )
    # The markers are worked out from the very series shown below (so never from a figure hidden there).
    marks = built(trend_markers_of, trend, freq=freq)
    tiles(ordered, comparisons=comparisons[comparisons["id"].isin(ids)], period=ctx.period, markers=marks)
    for r in ordered:
        if catalogue.by_id(r.id).unit == "breakdown":
            continue
        st.divider()
        indicator_section(ctx, r, trend)


def trend_markers_of(trend: pd.DataFrame, *, freq: str) -> pd.DataFrame:
    """Fingertips' trend marker of each indicator in a trend frame (of ``freq`` periods, in period order)."""
    from metrics.markers import MARKER_COLUMNS, markers_for

    if trend.empty or "period_start" not in trend.columns:
        return pd.DataFrame(columns=MARKER_COLUMNS)
    return markers_for(trend, freq=freq)


def no_period() -> None:
    st.info("Choose a reporting period in the sidebar.")
    st.stop()


def outcomes_page(key: str, title: str, intro: str) -> PageContext:
    """The top of every outcomes page: the role check, the title and introduction, and a period to show."""
    ctx = frame.page_context(key)
    frame.page_header(title, intro, ctx=ctx)
    if ctx.period is None:
        no_period()
    return ctx


ATTENTION_CSS = {
    "red_rag": "attention",
    "special_cause": "attention attention-special",
    "missing_return": "attention attention-missing",
    "not_reported": "attention attention-missing",
}
ATTENTION_WORDS = {
    "red_rag": fmt.RAG_WORDS["red"],
    "special_cause": "Unusual change",
    "missing_return": "Return missing",
    "not_reported": "Not reported",
}


def attention_list(items: list) -> None:
    """'What needs attention': off-target figures, special-cause concerns, missing returns."""
    if not items:
        st.success(
            "Nothing needs particular attention for this period: no figure is off target, no "
            "special-cause concern, and every return has arrived."
        )
        return
    order = {"red_rag": 0, "special_cause": 1, "not_reported": 2, "missing_return": 3}
    for item in sorted(items, key=lambda i: order.get(i.kind, 9)):
        css = ATTENTION_CSS.get(item.kind, "attention")
        head = ATTENTION_WORDS.get(item.kind, "Note")
        ref = f" ({item.indicator_id})" if item.indicator_id else ""
        st.markdown(
            f'<div class="{css}"><strong>{escape(head)}{escape(ref)}:</strong> {escape(item.message)}</div>',
            unsafe_allow_html=True,
        )


def summary_table(results: list, comparisons: pd.DataFrame, markers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator in one table: value, interval, target, RAG, completeness, change and, given
    ``markers``, better/similar/worse against the target and a year earlier and the trend marker."""
    comp = comparisons.set_index("id") if not comparisons.empty else pd.DataFrame()
    marks = markers.set_index("id")["words"] if markers is not None and not markers.empty else None
    rows = []
    for r in results:
        ind = catalogue.by_id(r.id)
        if ind.unit == "breakdown":
            continue
        c = comp.loc[r.id] if r.id in comp.index else {}
        rows.append(
            {
                "ID": r.id,
                "Indicator": r.name,
                "Better": ind.symbol,
                "Value": fmt.value_text(r.value, r.unit, suppressed=r.suppressed, status=r.status),
                "95% CI": fmt.ci_text(r.lower_ci, r.upper_ci) if r.unit == "percent" else "",
                "Target": fmt.value_text(r.target, r.unit) if r.target is not None else "",
                "RAG": fmt.RAG_WORDS.get(r.rag or "", ""),
                "Change on previous": fmt.change_text(c.get("change_previous") if len(c) else None, r.unit),
                "Change on a year ago": fmt.change_text(c.get("change_year_ago") if len(c) else None, r.unit),
                "Data": fmt.label(r.status),
            }
        )
        if marks is not None:
            rows[-1]["Against target"] = fmt.JUDGED_WORDS.get(c.get("judged_target") if len(c) else None, "")
            rows[-1]["Against a year earlier"] = fmt.JUDGED_WORDS.get(c.get("judged_year_ago") if len(c) else None, "")
            rows[-1]["Trend"] = str(marks.get(r.id, ""))
    return pd.DataFrame(rows)


def _mdc_icon(letter: str, colour: str, title: str) -> str:
    return (
        f'<svg width="44" height="44" viewBox="0 0 44 44" role="img" aria-label="{escape(title)}">'
        f'<title>{escape(title)}</title><circle cx="22" cy="22" r="19" fill="white" stroke="{colour}" '
        f'stroke-width="4"/><text x="22" y="28" text-anchor="middle" font-size="17" font-weight="700" '
        f'font-family="Arial" fill="{colour}">{escape(letter)}</text></svg>'
    )


def _xmr(series: pd.Series, polarity: str, target: float | None, changes: tuple = ()):
    from metrics import spc

    return spc.xmr(
        values=series,
        polarity=polarity,
        target=target,
        changes=[spc.ProcessChange(pd.Timestamp(d).date(), r) for d, r in changes],
    )


def spc_section(
    ctx: PageContext,
    series: pd.Series,
    *,
    title: str,
    what: str,
    polarity: str = "up",
    target: float | None = None,
    series_key: str = "attendance",
) -> None:
    """An XmR chart with Making Data Count variation and assurance icons, captions and the figures beside it."""
    from charts import palette

    values = series.dropna()
    if len(values) < 6:
        st.info(f"{title}: not enough sessions in the last 12 months to draw a control chart (at least 6 are needed).")
        return
    from metrics.spc import process_changes

    recorded = tuple((c.date.isoformat(), c.reason) for c in process_changes(series_key, engine=ctx.engine))
    result = built(_xmr, series, polarity=polarity, target=target, changes=recorded)
    shown_changes = tuple((c.date.isoformat(), c.reason) for c in result.changes)
    var_letter = {
        "improvement": "H" if polarity == "up" else "L",
        "concern": "L" if polarity == "up" else "H",
        "neither": "~",
        "common_cause": "~",
    }.get(result.variation, "~")
    var_colour = palette.VARIATION.get(result.variation, palette.GREY)
    ass_letter = {"pass": "P", "fail": "F", "hit_or_miss": "?"}.get(result.assurance or "", "–")
    ass_colour = {"pass": palette.BLUE, "fail": palette.ORANGE}.get(result.assurance or "", palette.GREY)
    icons = (
        f'<div style="display:flex;gap:1.2rem;align-items:center;margin:0.3rem 0 0.2rem 0">'
        f'<div style="display:flex;gap:0.5rem;align-items:center">'
        f"{_mdc_icon(var_letter, var_colour, result.variation_label)}"
        f"<span><strong>Variation</strong><br>{escape(result.variation_label)}</span></div>"
        f'<div style="display:flex;gap:0.5rem;align-items:center">'
        f"{_mdc_icon(ass_letter, ass_colour, result.assurance_label or 'No target')}"
        f"<span><strong>Assurance</strong><br>{escape(result.assurance_label or 'No target set')}</span></div>"
        f"</div>"
    )
    st.markdown(icons, unsafe_allow_html=True)
    frame = result.frame
    fig = figure("spc_chart", frame, title=title, target=target, changes=shown_changes)
    shown = pd.DataFrame(
        {
            "Session": [fmt.uk_date(d) for d in frame["date"]],
            what: [fmt.value_text(v, "count") if not fmt.is_missing(v) else fmt.SUPPRESSED for v in frame["value"]],
            "Signal": [
                fmt.VARIATION_WORDS.get(c, "") if s else ""
                for c, s in zip(frame["cause"], frame["special_cause"].fillna(False), strict=True)
            ],
        }
    ).iloc[::-1]
    chart_with_table(ctx, fig, shown, name="weekly-attendance-spc", key="spc", caption=spc_caption(result))
    if result.warning:
        st.caption(result.warning)


def spc_caption(result) -> str:
    """The limits of an XmR chart in words, with each process change and why the limits were worked out again."""
    text = (
        f"Mean {result.mean:.1f}; process limits {result.lower:.1f} to {result.upper:.1f}"
        if result.upper is not None
        else f"Mean {result.mean:.1f}; too few points for process limits"
    )
    for change in result.changes:
        text += f" (worked out afresh from {fmt.uk_date(change.date)}: {change.reason})"
    return (
        text + ". Points outside the limits, a trend or run of seven points, or two of three points close to "
        "a limit are 'special cause' signals worth discussing; everything else is ordinary variation."
    )


def indicator_breakdown(
    ctx: PageContext, indicator_id: str, *, title: str, heading: str, highlight: str | None = None
) -> None:
    """The breakdown of one indicator in the period (reason, stage, agency)."""
    result = data.indicators(ctx.engine, period=ctx.period, public=ctx.public, ids=[indicator_id]).by_id(indicator_id)
    breakdown_section(ctx, result, title=title, heading=heading, highlight=highlight)


def over_time_table(shown: pd.DataFrame, heading: str) -> pd.DataFrame:
    """Categories down, periods across: the figures behind a breakdown over time."""
    wide = shown.assign(
        text=[
            fmt.value_text(v, "count", suppressed=bool(s))
            for v, s in zip(shown["value"], shown["suppressed"], strict=True)
        ]
    )
    return (
        wide.pivot_table(index="category", columns="period_label", values="text", aggfunc="first", sort=False)
        .reset_index()
        .rename(columns={"category": heading})
        .fillna("")
    )


def breakdown_trend(ctx: PageContext, indicator_id: str, *, title: str, heading: str = "Stage") -> None:
    """A breakdown over time as stacked bars, with the figures beside it."""
    freq, n, words = trend_frequency(ctx)
    periods = data.trend_periods(ctx.engine, freq=freq, end=ctx.period.end, last=n)
    if not periods:
        return
    cells = data.trend_breakdown(ctx.engine, periods=periods, public=ctx.public, id=indicator_id)
    if cells.empty:
        st.info(f"{title}: nothing reported yet.")
        return
    short = {pd.Timestamp(p.start): fmt.short_label(p) for p in periods}
    shown = cells.assign(
        category=[fmt.label(c) for c in cells["category"]],
        period_label=[
            short.get(pd.Timestamp(s), lab) for s, lab in zip(cells["period_start"], cells["period_label"], strict=True)
        ],
    )
    fig = figure("grouped_trend_chart", shown, title=f"{title}, {words}", unit="count")
    chart_with_table(
        ctx,
        fig,
        built(over_time_table, shown, heading=heading),
        name=f"{indicator_id}-over-time",
        key=f"{indicator_id}-time",
    )


def service_mix_section(ctx: PageContext, mix: pd.DataFrame) -> None:
    """Women using each drop-in service in the period."""
    if mix.empty or mix["value"].isna().all() and not mix["suppressed"].any():
        st.info("No drop-in attendance has been reported for this period.")
        return
    shown = mix.assign(category=[fmt.label(c) for c in mix["category"]])
    fig = figure("breakdown_chart", shown, title="Women using each service at the drop-in", highlight="Dental")
    chart_with_table(
        ctx,
        fig,
        breakdown_table(mix, heading="Service"),
        name="service-mix",
        key="service-mix",
        caption="A woman who used several services counts once under each.",
    )


def police_section(ctx: PageContext) -> None:
    """Enforcement against kerb-crawlers (buyers, not the women), month by month."""
    monthly = data.kerb_crawling(ctx.engine, period=ctx.period, public=ctx.public)
    st.subheader("Action against kerb-crawlers")
    if monthly.empty:
        st.info("No police return covers this period yet.")
        return
    shown = monthly.assign(period_label=[fmt.month_label(m) for m in monthly["month"]])
    fig = figure("trend_chart", shown, title="Kerb-crawling enforcement actions, by month", unit="count")
    table_ = pd.DataFrame(
        {
            "Month": shown["period_label"],
            "Enforcement actions": [
                fmt.value_text(v, "count", suppressed=bool(s))
                for v, s in zip(shown["value"], shown["suppressed"], strict=True)
            ],
        }
    )
    chart_with_table(
        ctx,
        fig,
        table_,
        name="kerb-crawling",
        key="kerb",
        caption="Enforcement actions against buyers, from the police monthly return. "
        "A blank month means the police did not record this figure that month.",
    )
