"""The server's entry point: ``streamlit run serve.py`` (``make run``, ``make replicas``, docs/deploy.md).

``app.py`` is the Streamlit script; this wraps it in an ``st.App`` so that:

- the small routes that set and clear the HttpOnly session cookie (``ui.session_routes``) sit in front of
  it, on the same port and origin;
- when the server starts (the ``st.App`` lifespan), a background thread warms the imports and the
  overview's figures, and warms them again after every upload (``ui.warm``).

``streamlit run app.py`` still works, without these (a sign-in then lasts only as long as its tab).
"""

from contextlib import asynccontextmanager

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui import session_routes


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


app = st.App("app.py", routes=session_routes.routes(), lifespan=_lifespan)
