"""Report charts: one per indicator, and a public chart's data holds no count from 1 to 4."""

from __future__ import annotations

import numpy as np

from metrics.catalogue import CATALOGUE


def _numbers(fig) -> list[float]:
    out = []
    for tr in fig.data:
        for axis in ("x", "y"):
            vals = getattr(tr, axis, None)
            if vals is None:
                continue
            arr = np.asarray(vals, dtype=object)
            out += [float(v) for v in arr if isinstance(v, int | float) and v == v]
        for attr in ("text", "hovertext"):
            v = getattr(tr, attr, None)
            if isinstance(v, tuple | list):
                out += [float(t) for t in v if isinstance(t, str) and t.replace(",", "").isdigit()]
    return out


def test_one_figure_per_indicator_sized_for_print(public_data):
    from reports.figures import indicator_figures

    figs = indicator_figures(public_data)
    assert list(figs) == [i.id for i in CATALOGUE]
    assert all(f.layout.width == 900 for f in figs.values())
    assert "hidden" in figs["ENG-01"].layout.annotations[-1].text


def test_public_count_charts_hold_no_small_count(public_data, restricted_data):
    from reports.figures import indicator_figures

    units = {i.id: i.unit for i in CATALOGUE}
    counts = {"public": [], "restricted": []}
    for name, data in (("public", public_data), ("restricted", restricted_data)):
        for ind_id, fig in indicator_figures(data).items():
            if units[ind_id] in ("count", "breakdown"):
                counts[name] += [v for v in _numbers(fig) if 1 <= v < 5 and v == int(v)]
    assert counts["restricted"], "the test data must hold small counts"
    assert counts["public"] == []


def test_hidden_breakdown_parts_are_marked(public_data):
    from reports.figures import indicator_figures

    fig = indicator_figures(public_data)["RHB-03"]
    marks = [tr for tr in fig.data if tr.type == "scatter" and tr.mode == "text"]
    assert marks and set(marks[0].text) == {"*"}
    assert set(marks[0].y) == {"Ready", "Referred"}  # 3 is small; 6 is hidden so 3 cannot be worked out
