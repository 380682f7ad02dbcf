"""British and American spellings of one word, so "watercolour pencils" finds "Watercolor Pencils"
and "personalised" covers "personalized".

Regular endings only (-ise/-ize, -our/-or, -tre/-ter, -ogue/-og, a doubled l before an ending) and a
few single words; both sides of a comparison are written one way (:func:`american`), and a catalog
search tries both (:func:`spellings`), so a form that exists in neither costs nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["american", "spellings"]

# British to American: "personalised" is "personalized", "colour" "color", "catalogue" "catalog".
_SPELLINGS = (
    (re.compile(r"(?<=\w{3})is(e|ed|es|er|ers|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w{3})ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{2})our(s|ed|ing|ite|ites)?$"), r"or\1"),
    (re.compile(r"(?<=\w{3})tre(s)?$"), r"ter\1"),
    (re.compile(r"(?<=\w{3})ogue(s)?$"), r"og\1"),
    (re.compile(r"^jewell?ery$"), "jewelry"),
    (re.compile(r"^(cancel|travel|label|model|fuel)l(ed|ing|er|ers)$"), r"\1\2"),
    (re.compile(r"^grey$"), "gray"),
)


# The other way, for a catalog that spells British where the customer spells American: tried as
# extra forms of a word, so one that exists in neither spelling costs nothing.
_BRITISH = (
    (re.compile(r"(?<=\w{3})iz(e|ed|es|er|ers|ing|ation|ations)$"), r"is\1"),
    (re.compile(r"(?<=\w{3})(?<!o)or(s)?$"), r"our\1"),
    (re.compile(r"(?<=\w{3})ter(s)?$"), r"tre\1"),
    (re.compile(r"(?<=\w{3})og(s)?$"), r"ogue\1"),
    (re.compile(r"^gray$"), "grey"),
)


def spellings(word: str) -> list[str]:
    """``word`` and its other spelling, British or American: "watercolour" and "watercolor"."""
    out = [word, american(word)]
    for pattern, replacement in _BRITISH:
        if pattern.search(word):
            out.append(pattern.sub(replacement, word))
    return list(dict.fromkeys(out))


@lru_cache(maxsize=4096)
def american(word: str) -> str:
    """``word`` in American spelling where the two differ by a regular ending (lower-cased input)."""
    for pattern, replacement in _SPELLINGS:
        word = pattern.sub(replacement, word)
    return word
