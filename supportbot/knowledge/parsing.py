"""Turning the cells of real catalog exports into typed values.

Exports from shops and marketplaces are messy: prices come as ``"$99.95"``, ``"₹1,299"``,
``"Rs. 22,646"`` or ``"$74.99 - $249.99"``; category paths as ``'["A >> B >> C"]'`` or
``"A | B | C"``; Flipkart's specifications as a Ruby hash dump. Each parser here either returns
a value or raises :class:`ValueError` with a reason that the import report can show.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

__all__ = ["Price", "currency_code", "parse_price", "parse_stock", "parse_category", "parse_specs", "clean_text"]

_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "RS": "INR", "RS.": "INR", "¥": "JPY",
            "RMB": "CNY", "INR": "INR", "USD": "USD", "EUR": "EUR", "GBP": "GBP", "CNY": "CNY", "JPY": "JPY",
            "CAD": "CAD", "AUD": "AUD", "NZD": "NZD"}
_CURRENCY = r"(?P<{0}>US\$|\$|€|£|₹|¥|[Rr][Ss]\.?|[A-Z]{{3}})"
_NUMBER = r"(?P<{0}>\d{{1,3}}(?:[,\u00a0 ]\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_AMOUNT = r"\s*{cur}?\s*{num}\s*{cur2}?\s*"
_ONE = re.compile(
    _AMOUNT.format(cur=_CURRENCY.format("c1"), num=_NUMBER.format("n1"), cur2=_CURRENCY.format("d1"))
)
_PRICE_RE = re.compile(
    rf"^{_ONE.pattern}(?:(?:-|–|to)"
    + _AMOUNT.format(cur=_CURRENCY.format("c2"), num=_NUMBER.format("n2"), cur2=_CURRENCY.format("d2"))
    + ")?$"
)
_CURRENCY_IN_HEADER = re.compile(r"\((?P<code>[A-Z]{3})\)|\b(?P<code2>INR|USD|EUR|GBP|CNY|JPY)\b")


@dataclass(frozen=True, slots=True)
class Price:
    """A price as found in the file: a single amount, or a range for products with variants."""

    amount: float
    upper: float | None = None
    currency: str | None = None


def currency_code(symbol: str) -> str | None:
    """The ISO code a price's symbol or abbreviation stands for ("$" -> "USD", "Rs." -> "INR"), or None."""
    return _SYMBOLS.get(symbol.upper())


def parse_price(raw: str, default_currency: str | None = None) -> Price | None:
    """Parse one price cell; ``None`` for an empty cell, :class:`ValueError` for anything unclear.

    Unclear cells (``"Total price:"``, two different amounts run together) are refused rather than
    guessed: a bot must never quote a price the merchant did not state.
    """
    text = clean_text(raw)
    if not text:
        return None
    match = _PRICE_RE.match(text)
    if match is None:
        raise ValueError(f"price {_short(text)!r} is not an amount")
    codes = {_SYMBOLS.get(c.upper()) for c in match.group("c1", "d1", "c2", "d2") if c}
    if None in codes or len(codes) > 1:
        raise ValueError(f"price {_short(text)!r} has an unknown or mixed currency")
    low = _number(match.group("n1"))
    high = _number(match.group("n2")) if match.group("n2") else None
    if high is not None and high < low:
        raise ValueError(f"price range {_short(text)!r} ends below its start")
    if high == low:
        high = None
    return Price(low, high, codes.pop() if codes else (default_currency or None))


def currency_from_header(header: str) -> str | None:
    """``"Price (INR)"`` -> ``"INR"``: some exports name the currency only in the column title."""
    match = _CURRENCY_IN_HEADER.search(header)
    return (match.group("code") or match.group("code2")) if match else None


def parse_stock(raw: str | int | float | None) -> int | None:
    """Units in stock; yes/no style values become 1/0. Empty means unknown (``None``)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, int | float):
        return _units(raw, repr(raw))
    text = clean_text(raw).lower()
    if not text:
        return None
    if text in ("yes", "y", "true", "in stock", "available"):
        return 1
    if text in ("no", "n", "false", "out of stock", "sold out", "unavailable"):
        return 0
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"stock {_short(text)!r} is not a number") from None
    return _units(value, repr(_short(text)))


#: More units than any shop holds, and than SQLite's 64-bit integers take ("inf", 1e23: a typo).
MAX_STOCK = 10**12


def _units(value: float, shown: str) -> int:
    if not math.isfinite(value) or abs(value) > MAX_STOCK:
        raise ValueError(f"stock {shown} is not a plausible number of units (at most {MAX_STOCK:,})")
    if value < 0:
        raise ValueError(f"stock {shown} is negative")
    if value != int(value):
        raise ValueError(f"stock {shown} is not a whole number of units")
    return int(value)


def parse_category(raw: str) -> str | None:
    """Normalise a category path to ``"A > B > C"``.

    Handles Flipkart's JSON list with ``>>`` separators (whose last segment is the product name
    cut short, ending in ``...``: dropped), Amazon's ``|`` and plain ``>`` or ``/`` paths.
    """
    text = clean_text(raw)
    if not text:
        return None
    if text.startswith("["):
        try:
            items = json.loads(text)
            text = str(items[0]) if items else ""
        except (json.JSONDecodeError, IndexError):
            text = text.strip("[]\"'")
    root = _ROOT.match(text)
    if root:  # Magento: "Default Category/Women/Tops,Default Category/Sale": the first path, no root
        text = text[root.end():].split(",")[0].replace("/", " > ")
    for sep in (">>", "|", ">", " / "):
        if sep in text:
            parts = [p.strip() for p in text.split(sep)]
            break
    else:
        parts = [text]
    parts = [p for p in parts if p and not p.endswith(("...", "…"))]
    return " > ".join(parts) or None


_ROOT = re.compile(r"(?:default category|root catalog)/", re.I)
_RUBY_PAIR = re.compile(r'\{(?:"key"=>"(?P<key>(?:[^"\\]|\\.)*)",\s*)?"value"=>"(?P<value>(?:[^"\\]|\\.)*)"\}')


def parse_specs(raw: str) -> dict[str, str]:
    """Key/value specifications from a JSON object or Flipkart's Ruby-hash dump.

    ``{"product_specification"=>[{"key"=>"Color", "value"=>"Red"}, {"value"=>"1 Sofa"}]}``
    gives ``{"Color": "Red", "Details": "1 Sofa"}`` (values without a key are collected under
    ``Details``). Plain text is not a spec: :class:`ValueError`.
    """
    text = clean_text(raw)
    if not text:
        return {}
    if "=>" in text:
        specs: dict[str, str] = {}
        extra: list[str] = []
        for match in _RUBY_PAIR.finditer(text):
            value = _unescape(match.group("value")).strip()
            if match.group("key"):
                specs[_unescape(match.group("key")).strip()] = value
            elif value:
                extra.append(value)
        if extra:
            specs["Details"] = "; ".join(extra)
        if not specs:
            raise ValueError(f"specifications {_short(text)!r} could not be read")
        return specs
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"specifications {_short(text)!r} are not valid JSON") from None
        if isinstance(data, dict):
            return {str(k): _as_text(v) for k, v in data.items() if _as_text(v)}
    raise ValueError(f"specifications {_short(text)!r} are not key/value pairs")


def clean_text(raw: object) -> str:
    """Collapse whitespace (non-breaking spaces included) and strip; ``None`` becomes ``""``."""
    if raw is None:
        return ""
    return " ".join(str(raw).replace("\u00a0", " ").split())


def _as_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value if _as_text(v))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return clean_text(value)


def _number(text: str) -> float:
    return float(re.sub(r"[,\u00a0 ]", "", text))


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
