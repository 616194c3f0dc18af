"""The one colour palette of the product: Okabe–Ito, safe for colour-blind readers.

Colour never carries meaning alone: every coloured mark also has a word or a symbol.
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#6E6E6E"  # neutral: no judgement, common-cause variation
LIGHT_GREY = "#D9D9D9"

# Series colours in the order charts use them.
SEQUENCE: tuple[str, ...] = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW, BLACK)

# Making Data Count: improvement blue, concern orange, neither/common cause grey.
VARIATION = {"improvement": BLUE, "concern": ORANGE, "neither": GREY, "common_cause": GREY}
RETURN_STATE = {
    "on_time": BLUISH_GREEN,
    "late": ORANGE,
    "nil_return": SKY_BLUE,
    "missing": VERMILLION,
    "not_yet_due": LIGHT_GREY,
}


def colour(index: int) -> str:
    """The series colour for position ``index`` (wraps around)."""
    return SEQUENCE[index % len(SEQUENCE)]
