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
    figs = {"a": go.Figure(go.Bar(x=["x", "y"], y=[7, 9])).update_layout(width=400, height=300),
            "b": go.Figure(go.Scatter(x=[1, 2], y=[5, 6])).update_layout(width=500, height=250)}
    out = render_pngs(figs, scale=1)
    assert list(out) == ["a", "b"]
    assert Image.open(io.BytesIO(out["a"])).size == (400, 300)
    assert Image.open(io.BytesIO(out["b"])).size == (500, 250)


def test_no_figures_needs_no_browser():
    assert render_pngs({}) == {}
