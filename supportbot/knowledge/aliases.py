"""Short names customers use for things a shop's pages spell out: "Amex" is "American Express".

A question is searched with each short name it uses written out ("Do you take American Express?"),
so the passage that lists "Visa, Mastercard, American Express" is found and covers it. Only names
with one meaning in a shop's support questions are listed.
"""

from __future__ import annotations

import re

__all__ = ["spelled_out"]

_LONG_FORMS = {
    "amex": "American Express",
    "gpay": "Google Pay",
    "cod": "cash on delivery",
    "bnpl": "buy now pay later",
    "asap": "as soon as possible",
    "eta": "estimated delivery date",
    "return window": "how long to return",  # "what's your return window?": the days the pages give
    "returns window": "how long to return",
}
_SHORT = re.compile(r"\b(" + "|".join(re.escape(k) for k in _LONG_FORMS) + r")\b", re.I)


def spelled_out(text: str) -> str:
    """``text`` with each short name in it written out: "Do you take Amex?" is "Do you take American Express?"."""
    return _SHORT.sub(lambda m: _LONG_FORMS[m.group(1).lower()], text)
