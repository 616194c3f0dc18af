"""Plotly figures to PNG, offline, with kaleido driving a local Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import plotly.graph_objects as go

TABS = 1  # tabs drawing at once: more tabs were slower on two cores
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class ChromiumMissing(RuntimeError):
    """No Chromium or Chrome to draw charts with."""


def chromium_path() -> str | None:
    """BROWSER_PATH if set and present, else /usr/bin/chromium, else a Chromium or Chrome on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).is_file():
        return env
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in CANDIDATES:
        if found := shutil.which(name):
            return found
    return None


def render_pngs(figures: dict[str, go.Figure], *, scale: float = 2.0) -> dict[str, bytes]:
    """Each figure as PNG bytes, keyed as given, drawn in one browser session."""
    if not figures:
        return {}
    path = chromium_path()
    if path is None:
        raise ChromiumMissing("Charts need Chromium to draw them. Install it (apt-get install chromium) or set "
                              "BROWSER_PATH to a Chromium or Chrome executable.")
    return asyncio.run(_render(figures, path=path, scale=scale))


async def _render(figures: dict[str, go.Figure], *, path: str, scale: float) -> dict[str, bytes]:
    import kaleido

    # mathjax=False: nothing is fetched from the internet while drawing. Several tabs draw at once.
    async with kaleido.Kaleido(n=TABS, path=path, mathjax=False) as k:
        async def one(fig: go.Figure) -> bytes:
            opts = {"format": "png", "scale": scale, "width": fig.layout.width or 900,
                    "height": fig.layout.height or 450}
            return await k.calc_fig(fig, opts=opts)

        images = await asyncio.gather(*(one(f) for f in figures.values()))
    return dict(zip(figures, images, strict=True))
