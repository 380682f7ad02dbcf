"""Questions about one order, named by its number: only staff can look it up.

"Has my order #100004512 shipped yet?" and "what's the tracking number for order 4471" ask what the
shop's order system knows, which the bot does not see; the pages' "you can track your order from
Order History" answers another question, and a guess at the status would be worse. So a message
that names an order number (as ``order_number_patterns`` find it) and asks where the order is,
whether it shipped, its tracking, or a change to it goes to a person at once, number and all.
Policy questions ("how long does standard shipping take?") name no number and are answered as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["order_asked_about"]

_ABOUT_IT = re.compile(
    r"\b(?:ship(?:ped|ping)?|dispatch(?:ed)?|sent|posted|track(?:ed|ing)?|where(?:'s)?|status|update|arriv\w*|"
    r"deliver\w*|come|coming|came|received?|yet|still|cancel\w*|change|amend|modify|address|late|delayed|"
    r"lost|missing|stuck|when)\b"
    r"|\b(?:enviad[oa]|envío|seguimiento|dónde|llega\w*|cancelar|estado)\b"
    r"|\b(?:expédiée?|suivi|où|arrive\w*|annuler|statut|livr\w*)\b"
    r"|\b(?:versendet|verschickt|sendungsverfolgung|wo ist|angekommen|stornieren|geliefert)\b"
    r"|发货|物流|快递|到了吗|在哪|取消",
    re.IGNORECASE)


def order_asked_about(text: str, order_numbers: Sequence[str]) -> str | None:
    """The first of ``order_numbers`` (found in ``text``) when ``text`` asks about that order's
    whereabouts, tracking or a change to it; else None."""
    return order_numbers[0] if order_numbers and _ABOUT_IT.search(text) else None
