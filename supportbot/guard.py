"""Checks on generated text before a customer sees it.

A reply may only promise what the merchant's own passages say: every amount, percentage, date
or duration in it must appear in the passages, and words such as refund, discount or free must be
backed by a passage that uses them too. What fails is not sent; the conversation goes to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PromiseCheck", "check_promises"]

_NUMBER = r"\d+(?:[.,]\d+)*"
_PATTERNS = {
    "amount": re.compile(rf"(?:[$€£¥₹]\s?{_NUMBER}|{_NUMBER}\s?(?:usd|eur|gbp|inr|dollars?|euros?|pounds?|rupees?)\b)", re.I),
    "percent": re.compile(rf"{_NUMBER}\s?(?:%|percent\b)", re.I),
    "duration": re.compile(rf"\b{_NUMBER}\s?(?:-\s?{_NUMBER}\s?)?(?:business\s|working\s)?(?:hours?|days?|weeks?|months?)\b", re.I),
    "date": re.compile(
        r"\b(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}[.-]\d{1,2}[.-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
        r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?|"
        r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*|"
        r"(?:by|on|before|until)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow))\b",
        re.I,
    ),
}
_PROMISE_WORDS = ("refund", "discount", "free", "voucher", "coupon", "compensat", "reimburse", "credit", "cashback", "waive")


@dataclass(frozen=True)
class PromiseCheck:
    ok: bool
    unsupported: tuple[str, ...] = ()


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace(",", ""))


def check_promises(reply: str, passages: list[str]) -> PromiseCheck:
    """Is every figure, date and promise word of ``reply`` backed by ``passages``?"""
    source = _normalise(" ".join(passages))
    source_digits = re.sub(r"[^\d.]", " ", source).split()
    unsupported = []
    for kind, pattern in _PATTERNS.items():
        for match in pattern.finditer(reply):
            token = _normalise(match.group(0))
            if token in source:
                continue
            numbers = re.findall(r"\d+(?:\.\d+)?", token)
            # "$25" is backed by "25 USD" or "25.00": compare the numbers, not the formatting.
            if kind in ("amount", "percent", "duration") and numbers and all(
                any(_same_number(n, s) for s in source_digits) for n in numbers
            ) and (kind != "duration" or _unit(token) in source):
                continue
            unsupported.append(f"{kind}: {match.group(0)}")
    lowered = reply.lower()
    for word in _PROMISE_WORDS:
        if word in lowered and word not in source:
            unsupported.append(f"promise: {word}")
    return PromiseCheck(not unsupported, tuple(unsupported))


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b.strip("."))
    except ValueError:
        return False


def _unit(token: str) -> str:
    match = re.search(r"(hour|day|week|month)", token)
    return match.group(1) if match else ""
