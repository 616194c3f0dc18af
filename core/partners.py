"""Partners and what each may send, read from configuration (``config/partners.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core import identifiers, settings
from core.returns import RETURNS


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    returns: tuple[str, ...]
    service: str | None = None  # health partners may send only rows of their own service


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Partner]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, Partner] = {}
    for code, body in data.get("partners", {}).items():
        unknown = [r for r in body["returns"] if r not in RETURNS]
        if unknown:
            raise ValueError(f"partner {code!r} in {path} names unknown returns {unknown}")
        name = body.get("name", code)
        if problem := identifiers.contact_problem(f"{code} {name}"):
            # Partner names are shown on every page and in every export; the name itself is not repeated.
            raise ValueError(
                f"a partner in {path} has a code or name that looks like "
                f"{identifiers.KIND_TEXT[problem]}: give the organisation's name"
            )
        out[code] = Partner(code, name, tuple(body["returns"]), body.get("service"))
    return out


def partners() -> dict[str, Partner]:
    """All configured partners by code."""
    return _load(str(settings.get("OUTCOMES_PARTNERS_FILE")))


def partner(code: str) -> Partner | None:
    return partners().get(code)
