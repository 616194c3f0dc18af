"""Strategy outcomes dashboard: the frame. (Pages arrive with the dashboard issue.)"""

import streamlit as st

from storage.db import ensure_schema
from storage.repository import list_submissions

st.set_page_config(page_title="Strategy outcomes dashboard", layout="wide")
st.title("Strategy outcomes dashboard")
st.caption("Southend Strategic Street Prostitution Group")

engine = ensure_schema()
subs, sheets = list_submissions(engine)
st.subheader("Submissions loaded")
if subs.empty:
    st.info("No submissions have been loaded yet.")
else:
    st.dataframe(subs[["partner", "file_name", "period_start", "period_end", "loaded_by", "loaded_at"]],
                 hide_index=True)
