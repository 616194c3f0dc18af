"""Serve the dashboard: ``streamlit run serve.py`` (``make run``; the systemd unit in docs/deploy.md).

``app.py`` is the Streamlit script; this wraps it in an ``st.App`` so the small
routes that set and clear the HttpOnly session cookie (``ui.session_routes``)
sit in front of it, on the same port and origin.
"""

import streamlit as st

from ui import session_routes

app = st.App("app.py", routes=session_routes.routes())
