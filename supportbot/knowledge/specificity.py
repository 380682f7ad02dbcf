"""Which of a shop's sources read as boilerplate rather than the shop's own word.

A merchant often imports a generic FAQ (a template, or a retailer's FAQ downloaded as is) beside
the pages of their own shop. Where both speak to one question they may disagree ("we offer
international shipping to select countries" against the shipping page's "we ship within the US
only"), and the shop's page is what holds. The generic file gives itself away: its answers
state almost no concrete detail (no amount, day count, phone number or address), while a shop's
own pages state them in most passages. Measured on the bench shops' sources: the shared retailer
FAQ 4-7% of passages with a digit, an @ or a currency sign; every shop page 25-100%.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

#: A concrete detail: a digit (amount, days, phone), an email address, a currency sign.
_CONCRETE = re.compile(r"\d|@|[$€£¥₹]")
#: Fewer passages than this say too little about a source to call it generic.
MIN_PASSAGES = 10
#: A source with a smaller share of passages stating a concrete detail is generic.
MAX_CONCRETE_SHARE = 0.2


def generic_sources(passages: Iterable[tuple[str | None, str]]) -> frozenset[str]:
    """The sources among ``(source, text)`` pairs whose passages state next to no concrete detail."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for source, text in passages:
        if source:
            tally = counts[source]
            tally[0] += 1
            tally[1] += bool(_CONCRETE.search(text))
    return frozenset(source for source, (n, concrete) in counts.items()
                     if n >= MIN_PASSAGES and concrete / n < MAX_CONCRETE_SHARE)


# Words that point to what follows instead of saying it: "If something isn't right, here's how returns work."
_POINTS_AHEAD = re.compile(r"\bhere(?:'s|’s| is| are)\b|\bbelow\b|\bthe following\b|\bas follows\b|\bread on\b|"
                           r"\beverything you need to know\b|:\s*$", re.I)


def is_lead_in(text: str) -> bool:
    """A page's introduction that only points ahead ("We want you to love your candles. If something isn't
    right, here's how returns work."): no concrete detail, and words that announce the details below."""
    return _CONCRETE.search(text) is None and _POINTS_AHEAD.search(text) is not None
