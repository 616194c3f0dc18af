"""Warm a server process before anyone needs it: the heavy imports and the meeting overview's figures.

Started when the server starts (``serve.py``'s lifespan), in a background thread, and again whenever the
data version changes (an upload through any process, or the command line): otherwise the first person
after a restart or an upload pays for everyone who arrives in the same seconds. The work is exactly what
the overview asks ``ui.data`` for, for the default period, for both views (exact and published), so the
pages then find it in the cache.
"""

from __future__ import annotations

import gc
import logging
import threading

log = logging.getLogger(__name__)

# How often the data version is read to notice an upload made elsewhere: one small query.
POLL_SECONDS = 5.0
_frozen = False


def warm() -> tuple[int, int]:
    """Import what a page run needs and compute the default overview's figures; the data version warmed."""
    from core import clock
    from core.periods import latest_complete_quarter
    from storage import repository
    from ui import components as _components  # noqa: F401 - plotly and the charts, imported once here
    from ui import data

    # What was imported lives as long as the process: out of the collector's sight, so that its own
    # full collections (runner.postScriptGC is off) walk only what page runs made. Before any figure is
    # computed, so cached figures, which are replaced after an upload, stay collectable.
    global _frozen
    if not _frozen:
        gc.freeze()
        _frozen = True
    eng = data.engine()
    data.begin_run()
    version = repository.data_version(eng)
    period = latest_complete_quarter(clock.today())
    for public in (False, True):
        data.overview(eng, period=period, public=public)
        data.trend_markers(eng, end=period.end, public=public, freq="quarter")
    return version


def keep_warm(stop: threading.Event, *, every: float = POLL_SECONDS) -> None:
    """Warm now, then again after every change of the data version, until ``stop`` is set."""
    from storage import repository
    from ui import data

    warmed = None
    while not stop.is_set():
        try:
            if warmed is None or repository.data_version(data.engine()) != warmed:
                warmed = warm()
                log.info("warmed for data version %s", warmed)
        except Exception as exc:  # a warm-up never stops the server; a page run will say what is wrong
            log.warning("warming failed with %s", type(exc).__name__)
        stop.wait(every)


def start() -> threading.Event:
    """Start ``keep_warm`` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=keep_warm, args=(stop,), name="outcomes-warm", daemon=True).start()
    return stop
