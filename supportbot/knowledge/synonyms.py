"""Words a shop's pages and its customers use for one thing: "store" and "shop", "delivery" and
"shipping", "parcel" and "package". Both sides of a comparison of words are written with one of
them (:func:`canonical`), so "where is your store?" covers "Visit our shop" and "how long does
delivery take" covers "Shipping takes 3-5 days".

Only words with one meaning in support questions are listed, as the stems :func:`~.search.stem`
gives ("deliveries" is "delivery"); a word in no group is itself.
"""

from __future__ import annotations

__all__ = ["canonical"]

_GROUPS = (
    ("store", "shop", "boutique", "showroom"),
    ("ship", "shipp", "deliver", "delivery", "postage"),
    ("parcel", "package"),
    ("courier", "carrier"),
    ("refund", "reimburse", "reimbursement"),
    ("exchange", "swap", "swapp"),
    ("warranty", "guarantee", "guarante"),
    ("coupon", "promo", "discount"),
    ("cancel", "cancellation"),
    ("email", "e-mail"),
)
_CANONICAL = {word: group[0] for group in _GROUPS for word in group}


def canonical(word_stem: str) -> str:
    """The one word of ``word_stem``'s group ("shop" is "store"), or the stem itself."""
    return _CANONICAL.get(word_stem, word_stem)
