"""Strategy outcomes dashboard: the frame around every page.

Sign-in, the menu each role is allowed to see, the shared period controls and
the sample-data banner. The pages themselves live in ``pages/`` and each checks
the role again before it shows anything.
"""

import streamlit as st

from core import formatting as fmt
from metrics import permissions
from storage.users import ROLE_LABELS
from ui import auth, config, data, frame, navigation, periods

frame.setup()
data.begin_run()
config.overlay_streamlit_secrets(auth.secrets_dict())

try:
    config.cookie_secret()
    auth.oidc_provider()  # a misread [auth] section stops here, with what to fix
    engine = data.engine()
except config.ConfigurationError as exc:
    st.error(f"The dashboard is not configured yet: {exc}")
    st.stop()
except Exception:  # never a traceback in front of a user
    st.error(
        "The dashboard cannot reach its database just now. Please try again in a few minutes; "
        "if it keeps happening, tell the dashboard administrator."
    )
    st.stop()

user = auth.restore(engine)
script = auth.browser_script()  # before any page runs: a page may stop the run early
if script:
    with st.sidebar if user is not None else st.container():
        st.html(script, unsafe_allow_javascript=True)


@st.fragment(run_every=60)
def idle_watch() -> None:
    """Each minute: warn before an idle session ends, and leave a session that has ended (runs are not use)."""
    if auth.idle_over(engine):
        st.rerun(scope="app")
    notice = auth.idle_notice(engine)
    if notice:
        st.warning(notice, icon=":material/timer:")
        if st.button("Stay signed in", key="stay-signed-in"):
            auth.stay_signed_in(engine)
            st.rerun(scope="app")


if user is None:
    frame.sample_banner()
    st.navigation(
        [st.Page(lambda: auth.login_view(engine), title="Log in", url_path="login", icon=":material/login:")],
        position="hidden",
    ).run()
else:
    mine = navigation.pages_for(user.role)
    first = navigation.default_page(user.role)
    sections: dict[str, list] = {}
    for d in mine:
        sections.setdefault(d.section, []).append(
            st.Page(d.file, title=d.title, icon=d.icon, url_path=d.key, default=first is not None and d is first)
        )
    current = st.navigation(sections)
    # The default page has an empty URL path, so find the page by its title.
    shown = next((d for d in mine if d.title == current.title), None)

    with st.sidebar:
        if shown is not None and shown.needs_period:
            periods.period_controls(public=not permissions.sees_exact_figures(user))
            st.divider()
        who = f"**{fmt.plain(user.username)}**  \n{ROLE_LABELS.get(user.role, user.role)}"
        if user.partner:
            who += f"  \nPartner: {user.partner}"
        st.markdown(who)
        if st.button("Log out", icon=":material/logout:"):
            auth.logout(engine)
            st.rerun()
        idle_watch()

    frame.sample_banner()
    try:
        current.run()
    except Exception as exc:  # a friendly message instead of a traceback; the log gets where, not what
        frame.page_failed(current.title, exc)
