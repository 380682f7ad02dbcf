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


# What a short question asks for, and the kind of value that answers it: "how long does it last?" is
# answered by "6 months", "how much is it?" by "$5" or "free".
_ASKED_VALUES = (
    (re.compile(r"\b(?:how long|how soon|how many (?:days|weeks|months|hours)|when)\b", re.I),
     re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:[-–]\s*\d+\s*)?(?:business |working )?"
                r"(?:min(?:ute)?s?|hours?|days?|weeks?|months?|years?)\b|"
                r"\b\d+[- ](?:minute|hour|day|week|month|year)\b|\b(?:same|next)[- ](?:business |working )?day\b", re.I)),
    (re.compile(r"\bhow (?:long|big|wide|tall|large|heavy)\b", re.I),  # "how long can the note be?": 250 characters
     re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:characters|words|letters|mm|cm|m|in|inches|ft|feet|oz|fl oz|ml|l|g|kg|lb|lbs)\b|\d\s*[\"”]",
                re.I)),
    (re.compile(r"\b(?:how much|cost|costs|price|prices|fee|fees|charge)\b", re.I),
     re.compile(r"[$€£¥₹]\s*\d|\d\s*(?:[$€£¥₹]|usd|eur|gbp|cad|aud)\b|\bfree\b", re.I)),
)


# What a question asks for when it names the kind of value outright, and what such a value looks like:
# "email address for support?" is answered by a passage holding an address, "is there a fee to return
# something?" by one holding an amount. ("when" is left out: "when do you open?" wants a time of day.)
_NAMED_VALUES = (
    (re.compile(r"\be-?mail address\b|\bwhat(?:'s| is) (?:your|the) e-?mail\b", re.I), re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")),
    (re.compile(r"\b(?:phone|telephone) number\b|\bnumber (?:to|i can) (?:call|ring|text)\b", re.I),
     re.compile(r"(?:\+?\d[\d ().-]{7,}\d)")),
    # "how long does it take", not "how long can the message be": a bare "how long" may be a length
    (re.compile(r"\bhow long (?:does|do|will|would|until|till|before|have|has|to)\b|\bhow soon\b|"
                r"\bhow many (?:days|weeks|months|hours)\b", re.I), _ASKED_VALUES[0][1]),
    (re.compile(r"\bhow much\b|\bwhat(?:'s| is| are) the (?:fee|cost|price|charge)s?\b|\bis there an? (?:fee|charge)\b",
                re.I), _ASKED_VALUES[2][1]),
)


def asks_for_a_value(question: str) -> bool:
    """Whether ``question`` names the kind of value it wants (an email address, a phone number, a
    duration, an amount): see :func:`holds_what_is_asked`."""
    return any(asks.search(question) is not None for asks, _ in _NAMED_VALUES)


def holds_what_is_asked(question: str, text: str) -> bool:
    """Whether ``text`` holds a value of each kind ``question`` names (:func:`asks_for_a_value`)."""
    return all(value.search(text) is not None for asks, value in _NAMED_VALUES if asks.search(question))


def states_what_is_asked(question: str, text: str) -> bool:
    """Whether ``text`` states a value of the kind ``question`` asks for (a duration for "how long",
    an amount for "how much"); False when it asks for no such kind."""
    return any(asks.search(question) is not None and value.search(text) is not None for asks, value in _ASKED_VALUES)
