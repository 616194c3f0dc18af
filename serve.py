"""The server's entry point: ``streamlit run serve.py`` (``make run``, ``make replicas``, docs/deploy.md).

The app is ``app.py``, unchanged; this adds what happens when the server starts (Streamlit's ``st.App``
lifespan): a background thread warms the imports and the overview's figures, and warms them again after
every upload (``ui.warm``). ``streamlit run app.py`` still works, without the warming.
"""

from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def _lifespan(_app):
    from ui import warm

    stop = warm.start()
    yield
    stop.set()


app = st.App("app.py", lifespan=_lifespan)
