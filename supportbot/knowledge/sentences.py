"""Where a shop's text ends a sentence: at . ! ? before the next word, but not after an
abbreviation ("e.g. for sizing") or a time that goes on ("8 a.m. to 6 p.m. Mountain Time"), which
would cut an answer in the middle ("Mountain Time, and Saturday, 9 a.m.")."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+(?=[^\W\d_]|[\"'“(₹$€£])|\n+")
# A full stop that ends no sentence: "e.g. for sizing".
_ABBREVIATION_END = re.compile(r"\b(?:e\.g|i\.e|vs|approx|no|st|mt|dr)\.$", re.I)
# These may end a sentence too: only a small word or a time zone after them goes on ("other U.S. territories").
_TIME_END = re.compile(r"\b(?:[ap]\.m|U\.S|U\.K)\.$", re.I)
_GOES_ON = re.compile(r"^(?:[a-z]|(?:Mountain|Pacific|Eastern|Central|Atlantic|Newfoundland|local|[A-Z]{1,2}[SD]?T)\b)")


def sentences(line: str) -> list[str]:
    """The sentences of one line, not cut after an abbreviation or a time that goes on."""
    out: list[str] = []
    for piece in (p.strip() for p in _SENTENCE_END.split(line)):
        if not piece:
            continue
        if out and (_ABBREVIATION_END.search(out[-1]) or (_TIME_END.search(out[-1]) and _GOES_ON.match(piece))):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
