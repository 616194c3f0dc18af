"""PNG rendering with kaleido and a local Chromium."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import pytest
from PIL import Image

from reports.render import render_pngs
from tests.reports.conftest import require_chromium


@pytest.mark.browser
def test_figures_render_to_png_of_the_asked_size():
    require_chromium()
    figs = {
        "a": go.Figure(go.Bar(x=["x", "y"], y=[7, 9])).update_layout(width=400, height=300),
        "b": go.Figure(go.Scatter(x=[1, 2], y=[5, 6])).update_layout(width=500, height=250),
    }
    out = render_pngs(figs, scale=1)
    assert list(out) == ["a", "b"]
    assert Image.open(io.BytesIO(out["a"])).size == (400, 300)
    assert Image.open(io.BytesIO(out["b"])).size == (500, 250)


def test_no_figures_needs_no_browser():
    assert render_pngs({}) == {}


@pytest.mark.browser
def test_a_reused_tab_draws_each_figure_as_a_fresh_one_would():
    """Figures drawn one after another in one tab (no reload) match each drawn alone, byte for byte."""
    require_chromium()
    from reports import render

    figs = {
        "bars": go.Figure(go.Bar(x=["x", "y"], y=[7, 9])).update_layout(width=400, height=300),
        "line": go.Figure(go.Scatter(x=[1, 2, 3], y=[5, 6, 4])).update_layout(width=400, height=300, title="A title"),
    }
    render._cache.clear()
    together = render_pngs(figs, scale=1)
    render._cache.clear()
    alone = render_pngs({"line": figs["line"]}, scale=1)
    assert together["line"] == alone["line"]
    assert together["bars"] != together["line"]


@pytest.mark.browser
def test_a_figure_drawn_before_is_not_drawn_again():
    require_chromium()
    from reports import render

    fig = go.Figure(go.Bar(x=["a"], y=[3])).update_layout(width=300, height=200)
    render._cache.clear()
    with render.BrowserSession() as session:
        first = session.render({"a": fig}, scale=1)
        assert len(render._cache) == 1
        again = session.render({"b": go.Figure(fig)}, scale=1)  # an equal figure under another key
    assert again["b"] == first["a"] and len(render._cache) == 1
