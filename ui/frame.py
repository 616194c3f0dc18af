"""What every page shares: the look, the sample-data banner and the role check each page makes itself."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

import sqlalchemy as sa
import streamlit as st

from core.periods import Period
from metrics import disclosure, permissions
from storage.users import User
from ui import auth, config, data, navigation

CSS = """
<style>
.block-container {padding-top: 3.6rem; max-width: 1400px;}
h1 {font-size: 1.9rem !important; font-weight: 700 !important;}
h2 {font-size: 1.35rem !important; margin-top: 0.6rem !important;}
.sample-banner {background: #FFF4D6; border-left: 6px solid #E69F00; padding: 0.55rem 0.9rem;
  margin-bottom: 0.8rem; border-radius: 4px; color: #1B1B1B; font-size: 0.95rem;}
.tile {border: 1px solid #D9D9D9; border-radius: 8px; padding: 0.8rem 0.9rem 0.7rem 0.9rem; background: #FFFFFF;
  height: 100%; min-height: 178px; box-shadow: 0 1px 2px rgba(0,0,0,0.04);}
.tile-name {font-size: 0.92rem; color: #333333; font-weight: 600; line-height: 1.25; min-height: 2.3em;}
.tile-id {font-size: 0.75rem; color: #6E6E6E; font-weight: 400;}
.tile-value {font-size: 2.0rem; font-weight: 700; color: #1B1B1B; margin: 0.15rem 0 0.1rem 0;}
.tile-sub {font-size: 0.8rem; color: #555555;}
.tile-change {font-size: 0.82rem; margin-top: 0.2rem; color: #333333;}
.badge {display: inline-block; border-radius: 10px; padding: 0.05rem 0.5rem; font-size: 0.75rem; font-weight: 600;
  margin-right: 0.25rem; margin-top: 0.2rem; border: 1px solid transparent;}
.badge-green {background: #E0F3EC; color: #00573F; border-color: #009E73;}
.badge-amber {background: #FDF0D5; color: #7A5200; border-color: #E69F00;}
.badge-red {background: #FBE3D6; color: #8A3A00; border-color: #D55E00;}
.badge-grey {background: #EFEFEF; color: #3A3A3A; border-color: #BDBDBD;}
.badge-blue {background: #E0EEF8; color: #004B75; border-color: #0072B2;}
.arrow-better {color: #0072B2; font-weight: 700;}
.arrow-worse {color: #D55E00; font-weight: 700;}
.arrow-neutral {color: #6E6E6E; font-weight: 700;}
.attention {border-left: 5px solid #D55E00; background: #FFF8F4; padding: 0.45rem 0.8rem; margin: 0.3rem 0;
  border-radius: 3px;}
.attention-missing {border-left-color: #56B4E9; background: #F3F9FD;}
.attention-special {border-left-color: #E69F00; background: #FFFAF0;}
.muted {color: #555555; font-size: 0.9rem;}
/* The element that sets or clears the login cookie shows nothing and takes no space. */
[data-testid="stElementContainer"]:has(script) {display: none;}
</style>
"""


log = logging.getLogger("outcomes.app")
FAILED = "Something went wrong showing this page."


@dataclass(frozen=True)
class PageContext:
    """What a page needs: who is looking, the database, the period, and whether figures must be published-safe."""

    user: User
    engine: sa.Engine
    period: Period | None
    public: bool


def setup() -> None:
    """Page configuration and the shared look (called once at the top of app.py)."""
    st.set_page_config(
        page_title="Strategy outcomes dashboard",
        page_icon=":material/monitoring:",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    st.html(CSS)


def sample_banner() -> None:
    """A banner on every page while the database holds the synthetic sample data."""
    if config.is_sample():
        st.html(
            '<div class="sample-banner" role="status"><strong>Sample data</strong> — every figure here is '
            "made up for demonstration and testing. It describes no real person.</div>"
        )


def page_context(key: str) -> PageContext:
    """The role check every page makes itself, before it shows anything."""
    user = auth.current_user()
    if user is None:
        st.warning("Please log in to see this page.")
        st.stop()
    if not permissions.may_open(user.role, key):
        st.error("This page is not available to your account.")
        st.stop()
    period = st.session_state.get("period") if navigation.page(key).needs_period else None
    data.begin_run()  # this run's figures all use one reading of the data version
    return PageContext(user=user, engine=data.engine(), period=period, public=not permissions.sees_exact_figures(user))


def page_header(title: str, intro: str | None = None, *, ctx: PageContext | None = None) -> None:
    """The page title, a plain-words introduction, and which figures the reader is seeing."""
    st.title(title)
    bits = []
    if ctx is not None and ctx.period is not None:
        bits.append(f"Period: **{ctx.period.label()}**")
    if ctx is not None and ctx.user.role in permissions.INDICATOR_READERS:
        bits.append(
            f"Published figures: numbers from {disclosure.small_range()} are shown as \\*"
            if ctx.public
            else "Exact figures for the group's meeting — not for publication"
        )
    if bits:
        st.caption(" · ".join(bits))
    if intro:
        st.markdown(f'<p class="muted">{intro}</p>', unsafe_allow_html=True)


def page_failed(title: str, exc: Exception) -> None:
    """Say plainly that a page failed; log where it failed (never the message, which could hold data).
    A public request for a period that has no published figures is not a failure: say which periods have."""
    if isinstance(exc, disclosure.NotPublished):
        st.warning(str(exc), icon=":material/info:")
        return
    where = "".join(traceback.format_tb(exc.__traceback__)[-3:])
    log.error("page %r failed with %s at:\n%s", title, type(exc).__name__, where)
    st.error(
        f"{FAILED} Please try again, or choose another period. If it keeps happening, tell the dashboard "
        "administrator (the time it happened helps).",
        icon=":material/error:",
    )
