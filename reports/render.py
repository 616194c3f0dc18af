"""Plotly figures to PNG, offline, with kaleido driving a local Chromium.

A pack's charts are drawn in one browser session. The browser starts in the
background (``BrowserSession``) while the figures are computed, and images
already drawn in this process are reused when the same figure is asked for again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

TABS = 1  # tabs drawing at once: more tabs were slower on two cores
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CACHE_SIZE = 256  # images kept for reuse (about 150 KB each)
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


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


def _require_chromium() -> str:
    path = chromium_path()
    if path is None:
        raise ChromiumMissing(
            "Charts need Chromium to draw them. Install it (apt-get install chromium) or set "
            "BROWSER_PATH to a Chromium or Chrome executable."
        )
    return path


def _spec(fig: go.Figure, scale: float) -> tuple[str, dict, dict]:
    """The figure as plain JSON data, its drawing options, and the key its image is cached under."""
    data = fig.to_plotly_json()
    opts = {"format": "png", "scale": scale, "width": fig.layout.width or 900, "height": fig.layout.height or 450}
    text = json.dumps([data, opts], cls=PlotlyJSONEncoder, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest(), json.loads(text)[0], opts


def _reusing_tabs():
    """kaleido's session class, drawing each figure in the same tab without reloading plotly.js in between.

    kaleido reloads the tab after every figure (parsing plotly.js again), which was two thirds of a pack's
    drawing time; every plot replaces the last one in the page, so the images are the same byte for byte
    (tests/reports/test_render.py holds that).
    """
    import kaleido

    class Reusing(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:
            await self.tabs_ready.put(tab)

    return Reusing if hasattr(kaleido.Kaleido, "_return_kaleido_tab") else kaleido.Kaleido


class BrowserSession:
    """One Chromium, started in a background thread as soon as the session is made; ``render`` waits for it."""

    def __init__(self) -> None:
        path = _require_chromium()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido", daemon=True)
        self._thread.start()
        self._started = asyncio.run_coroutine_threadsafe(self._open(path), self._loop)

    @staticmethod
    async def _open(path: str):
        # mathjax=False: nothing is fetched from the internet while drawing.
        k = _reusing_tabs()(n=TABS, path=path, mathjax=False)
        await k.__aenter__()
        return k

    def render(self, figures: dict[str, go.Figure], *, scale: float = 2.0) -> dict[str, bytes]:
        """Each figure as PNG bytes, keyed as given; figures drawn before are not drawn again."""
        specs = {key: _spec(fig, scale) for key, fig in figures.items()}
        with _cache_lock:
            done = {key: _cache[h] for key, (h, _, _) in specs.items() if h in _cache}
        todo = {key: s for key, s in specs.items() if key not in done}
        if todo:
            drawn = asyncio.run_coroutine_threadsafe(self._draw(todo), self._loop).result()
            with _cache_lock:
                for key, png in drawn.items():
                    _cache[todo[key][0]] = png
                    while len(_cache) > CACHE_SIZE:
                        _cache.popitem(last=False)
            done.update(drawn)
        return {key: done[key] for key in figures}

    async def _draw(self, todo: dict[str, tuple[str, dict, dict]]) -> dict[str, bytes]:
        k = await asyncio.wrap_future(self._started)
        images = await asyncio.gather(*(k.calc_fig(data, opts=opts) for _, data, opts in todo.values()))
        return dict(zip(todo, images, strict=True))

    def close(self) -> None:
        async def shut():
            k = await asyncio.wrap_future(self._started)
            await k.__aexit__(None, None, None)

        try:
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> BrowserSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def render_pngs(figures: dict[str, go.Figure], *, scale: float = 2.0) -> dict[str, bytes]:
    """Each figure as PNG bytes, keyed as given, drawn in one browser session."""
    if not figures:
        return {}
    with BrowserSession() as session:
        return session.render(figures, scale=scale)
