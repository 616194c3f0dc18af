"""The two small routes in front of the app that set and clear the HttpOnly session cookie.

A Streamlit script cannot send ``Set-Cookie`` (it talks to the browser over a
WebSocket), and a cookie written by page script cannot be HttpOnly. So the app
is served as an ``st.App`` (``serve.py``) with these routes beside Streamlit's:

- ``POST /session/cookie`` takes the one-time hand-over code of a sign-in that
  has just happened (``storage.sessions.start``) and answers with the cookie:
  ``HttpOnly; SameSite=Strict; Path=/``, ``Secure`` when the request came over
  HTTPS (directly or through the TLS proxy's ``X-Forwarded-Proto``).
- ``GET /session/end`` clears it and sends the browser on to Streamlit's
  ``/auth/logout``, which clears Streamlit's identity cookies and, after a
  provider sign-in, ends the provider's session too (its end-session endpoint).

The session itself is ended in the database by the script (``ui.auth.logout``)
before the browser comes here: clearing the cookie is tidying, not security.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from storage import sessions
from storage.db import database_url, get_engine
from ui import config, tokens

COOKIE_PATH = "/session/cookie"
END_PATH = "/session/end"
MAX_BODY = 1000


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _secret() -> str:
    from ui import auth  # the secrets file may hold the cookie secret, as it does for the app

    config.overlay_streamlit_secrets(auth.secrets_dict())
    return config.cookie_secret()


async def set_cookie(request: Request) -> Response:
    """Exchange a hand-over code for the session cookie (once, within a minute of the sign-in)."""
    body = await request.body()
    code = body.decode("utf-8", "replace").strip() if len(body) <= MAX_BODY else ""
    key = sessions.hand_over(get_engine(database_url()), code=code)
    if key is None:
        return Response(status_code=403, headers={"Cache-Control": "no-store"})
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        tokens.COOKIE_NAME,
        tokens.seal(secret=_secret(), key=key),
        max_age=config.session_hours() * 3600,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return response


async def end(request: Request) -> Response:
    """Clear the session cookie, then Streamlit's identity cookies and the provider's session."""
    response = RedirectResponse("/auth/logout", status_code=303, headers={"Cache-Control": "no-store"})
    response.delete_cookie(tokens.COOKIE_NAME, path="/", secure=_secure(request), httponly=True, samesite="strict")
    return response


def routes() -> list[Route]:
    return [Route(COOKIE_PATH, set_cookie, methods=["POST"]), Route(END_PATH, end, methods=["GET"])]
