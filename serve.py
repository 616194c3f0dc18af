"""The server's entry point: ``streamlit run serve.py`` (``make run``, ``make replicas``, docs/deploy.md).

The app is ``app.py``, unchanged; this adds what happens when the server starts (Streamlit's ``st.App``
lifespan): a background thread warms the imports and the overview's figures, and warms them again after
every upload (``ui.warm``). ``streamlit run app.py`` still works, without these.
"""

from contextlib import asynccontextmanager

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


@asynccontextmanager
async def _lifespan(_app):
    from ui import warm

    # app.py always chooses the page with st.navigation, but a fresh process believes the pages/ folder is
    # Streamlit's old automatic menu until some run has called st.navigation. A browser that reconnects
    # after a restart, or to another replica, asks for its page by hash, and in that mode the page file ran
    # alone, without app.py's sign-in: "Please log in" and a menu of file names. Said once, here, at start.
    PagesManager.uses_pages_directory = False
    stop = warm.start()
    yield
    stop.set()


app = st.App("app.py", lifespan=_lifespan)
