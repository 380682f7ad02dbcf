"""Entities worth acting on without a model: order numbers, emails and phone numbers.

Regexes, not NER: an order number is whatever the merchant's format says it is, and a wrong
guess costs only a failed lookup. Spans are claimed in order (emails, then phone numbers, then
order numbers), so the digits of an email or a phone number are never read as an order number,
and neither is an amount of money ("$250000", "250000 yen").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["EntityExtractor"]

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A phone number needs a leading + or separators between digit groups: a bare run of digits is
# far more often an order number in a support channel.
_PHONE = re.compile(r"(?<![\w#-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w-])")
_PHONE_MIN_DIGITS = 7
# Money is not an order number: "$250000", "250000 yen", "€ 129900", "129900円".
_CURRENCY_BEFORE = re.compile(r"[$€£¥₹₩]\s*$|\b(?:usd|eur|gbp|jpy|cny|rmb|inr|aud|cad|chf)\s*$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"^\s*(?:[$€£¥₹₩元円]|(?:usd|eur|gbp|jpy|cny|rmb|inr|aud|cad|chf|dollars?|euros?|pounds?|yen|yuan|rupees?|"
    r"bucks)\b)",
    re.IGNORECASE,
)


class EntityExtractor:
    """Finds entities in one message; each list keeps first-seen order without duplicates."""

    def __init__(self, order_number_patterns: Sequence[str], *, phone_numbers: bool = True) -> None:
        self._order_patterns = [re.compile(p, re.IGNORECASE) for p in order_number_patterns]
        self._phone_numbers = phone_numbers

    def extract(self, text: str) -> dict[str, list[str]]:
        claimed: list[tuple[int, int]] = []
        found: dict[str, list[str]] = {}

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e in claimed)

        def add(kind: str, value: str, span: tuple[int, int]) -> None:
            claimed.append(span)
            values = found.setdefault(kind, [])
            if value not in values:
                values.append(value)

        for match in _EMAIL.finditer(text):
            add("email", match.group(0), match.span())
        if self._phone_numbers:
            for match in _PHONE.finditer(text):
                value = match.group(0).strip()
                if free(*match.span()) and _is_phone(value):
                    add("phone", value, match.span())
        for pattern in self._order_patterns:
            for match in pattern.finditer(text):
                group = 1 if pattern.groups else 0
                start, end = match.span(group)
                if free(start, end) and not _is_money(text, start, end):
                    add("order_number", match.group(group).upper(), match.span(group))
        return found


def _is_money(text: str, start: int, end: int) -> bool:
    return bool(_CURRENCY_BEFORE.search(text[max(0, start - 5):start]) or _CURRENCY_AFTER.match(text[end:end + 10]))


def _is_phone(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    # Dates (2024-05-01) and prices (1.299.00) share the shape; real numbers are longer.
    return digits >= _PHONE_MIN_DIGITS and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
