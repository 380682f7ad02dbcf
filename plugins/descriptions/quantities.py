"""Numbers with their units, in English and Chinese text, normalised so they can be compared.

``"1.5 m"``, ``"150 cm"``, ``"59 inches"``, ``"一米五"`` and ``"1.5米"`` are one length; ``"两年"``
and ``"24 months"`` one duration. Each :class:`Quantity` keeps the value as written, the
precision the writer used (``"1.5"`` is good to 0.05) and its value in the dimension's base unit,
so a stated figure is checked at the precision it was stated with, not to the last decimal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Quantity", "find_quantities", "parse_number", "chinese_number", "UNITS", "same_quantity"]

# unit spelling -> (dimension, factor to the dimension's base unit)
_LENGTH = {"mm": 1, "millimeter": 1, "millimetre": 1, "cm": 10, "centimeter": 10, "centimetre": 10, "m": 1000,
           "meter": 1000, "metre": 1000, "km": 1e6, "kilometer": 1e6, "kilometre": 1e6, "inch": 25.4, "inches": 25.4,
           "in.": 25.4, '"': 25.4, "″": 25.4, "ft": 304.8, "feet": 304.8, "foot": 304.8, "'": 304.8, "′": 304.8,
           "yd": 914.4, "yard": 914.4, "yards": 914.4, "毫米": 1, "厘米": 10, "公分": 10, "米": 1000, "公里": 1e6,
           "千米": 1e6, "英寸": 25.4, "寸": 25.4, "英尺": 304.8}
_MASS = {"mg": 0.001, "g": 1, "gm": 1, "gms": 1, "gram": 1, "grams": 1, "gramme": 1, "kg": 1000, "kgs": 1000,
         "kilogram": 1000, "kilograms": 1000, "lb": 453.592, "lbs": 453.592, "pound": 453.592, "pounds": 453.592,
         "oz": 28.3495, "ounce": 28.3495, "ounces": 28.3495, "毫克": 0.001, "克": 1, "千克": 1000, "公斤": 1000,
         "斤": 500, "磅": 453.592, "盎司": 28.3495}
_VOLUME = {"ml": 1, "millilitre": 1, "milliliter": 1, "cl": 10, "l": 1000, "litre": 1000, "liter": 1000,
           "litres": 1000, "liters": 1000, "fl oz": 29.5735, "fl. oz": 29.5735, "gallon": 3785.41, "gallons": 3785.41,
           "cc": 1, "毫升": 1, "升": 1000}
_TIME = {"second": 1 / 86400, "seconds": 1 / 86400, "sec": 1 / 86400, "secs": 1 / 86400, "min": 1 / 1440,
         "mins": 1 / 1440, "minute": 1 / 1440, "minutes": 1 / 1440, "hr": 1 / 24, "hrs": 1 / 24, "hour": 1 / 24,
         "hours": 1 / 24, "h": 1 / 24, "day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30.4375,
         "months": 30.4375, "year": 365.25, "years": 365.25, "yr": 365.25, "yrs": 365.25, "秒": 1 / 86400,
         "分钟": 1 / 1440, "小时": 1 / 24, "天": 1, "日": 1, "周": 7, "星期": 7, "个月": 30.4375, "月": 30.4375,
         "年": 365.25}
_OTHER: dict[str, dict[str, float]] = {
    "power": {"w": 1, "watt": 1, "watts": 1, "kw": 1000, "瓦": 1, "千瓦": 1000},
    "voltage": {"v": 1, "volt": 1, "volts": 1, "kv": 1000, "伏": 1, "伏特": 1},
    "current": {"ma": 0.001, "a": 1, "amp": 1, "amps": 1, "毫安": 0.001, "安": 1},
    "charge": {"mah": 1, "ah": 1000, "毫安时": 1},
    "energy": {"wh": 1, "kwh": 1000},
    "frequency": {"hz": 1, "khz": 1e3, "mhz": 1e6, "ghz": 1e9, "赫兹": 1},
    "data": {"kb": 1e-3, "mb": 1, "gb": 1e3, "tb": 1e6},
    "loudness": {"db": 1, "分贝": 1},
    "light": {"lm": 1, "lumen": 1, "lumens": 1, "流明": 1},
    "speed": {"rpm": 1, "转": 1},
    "resolution": {"mp": 1, "megapixel": 1, "megapixels": 1, "万像素": 0.01},
    "percent": {"%": 1, "percent": 1, "per cent": 1},
    "count": {"pcs": 1, "pc": 1, "piece": 1, "pieces": 1, "pack": 1, "packs": 1, "pair": 2, "pairs": 2,
              "件": 1, "个": 1, "只": 1, "双": 2, "套": 1, "条": 1, "片": 1, "支": 1, "颗": 1, "粒": 1, "张": 1},
}
UNITS: dict[str, tuple[str, float]] = {}
_TABLES: dict[str, dict[str, float]] = {"length": _LENGTH, "mass": _MASS, "volume": _VOLUME, "time": _TIME, **_OTHER}
for _dimension, _table in _TABLES.items():
    for _spelling, _size in _table.items():
        UNITS[_spelling] = (_dimension, float(_size))
UNITS.update({"°c": ("temperature", 1.0), "℃": ("temperature", 1.0), "°f": ("temperature", 1.0), "度": ("temperature", 1.0)})
# Currencies compare by code, never converted.
_CURRENCY_PREFIX = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
                    "₹": "INR", "rs.": "INR", "rs": "INR", "inr": "INR", "¥": "CNY", "￥": "CNY", "rmb": "CNY",
                    "cny": "CNY"}
_CURRENCY_SUFFIX = {"usd": "USD", "dollars": "USD", "dollar": "USD", "eur": "EUR", "euros": "EUR", "euro": "EUR",
                    "gbp": "GBP", "inr": "INR", "rupees": "INR", "rupee": "INR", "rs": "INR", "元": "CNY",
                    "块": "CNY", "人民币": "CNY", "cny": "CNY", "rmb": "CNY"}

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100, "a": 1, "an": 1, "single": 1,
                 "half": 0.5, "dozen": 12}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千万亿"

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_EN_WORD = r"\b(?:" + "|".join(sorted((w for w in _WORD_NUMBERS if len(w) > 1), key=len, reverse=True)) + r")\b"
_NUMBER = rf"(?:{_ARABIC}|[{_CN}]+(?:点[{_CN}]+)?半?|{_EN_WORD})"


def _unit_pattern(units: list[str]) -> str:
    parts = []
    for unit in sorted(units, key=len, reverse=True):
        escaped = re.escape(unit)
        # Latin units end at a non-letter ("5 m" but not "5 mins" as metres); CJK ones need nothing.
        parts.append(escaped + (r"(?![a-zA-Z])" if re.match(r"[a-z]", unit[-1]) else ""))
    return "|".join(parts)


# Single-letter or ambiguous spellings are only read case-sensitively or attached to their number.
_AMBIGUOUS = {"m", "g", "l", "h", "a", "v", "w", "in.", "'", '"', "″", "′", "pack", "packs", "个", "月", "日", "度",
              "转", "安", "条", "片", "支", "张", "只"}
_UNIT_RE = _unit_pattern([u for u in UNITS if u not in _AMBIGUOUS])
_QUANTITY = re.compile(
    rf"(?P<approx>\b(?:about|approx\.?|approximately|around|nearly|roughly|up to|over)\s+|约|大约|近)?"
    rf"(?P<cur>us\$|\$|€|£|₹|rs\.?(?=\s?\d)|¥|￥|inr(?=\s?\d)|usd(?=\s?\d))?\s?"
    rf"(?P<num>{_NUMBER})"
    rf"(?:\s?(?:-|–|~|to|至|到)\s?(?P<num2>{_NUMBER}))?"
    rf"(?P<dims>(?:\s?[x×X*]\s?(?:{_ARABIC}))*)"
    rf"(?:(?P<sp>\s?-?\s?)(?P<unit>{_UNIT_RE}"
    rf"|(?-i:(?<=\d)(?:in\.|in\b|m\b|g\b|l\b|L\b|h\b|A\b|V\b|W\b|mAh\b)|(?<=\d)\s(?:m|g|L|V|W)\b)|[\"″′']"
    rf"|(?<=[\d{_CN}])(?:个月|个|月|日|度|条|片|支|张|只)"
    rf"|\s?(?:{'|'.join(sorted(_CURRENCY_SUFFIX, key=len, reverse=True))})(?![a-zA-Z])))?",
    re.IGNORECASE,
)
# "一米五" / "1米8": a metre and a single digit after it is a decimal (1.5 m, 1.8 m).
_COLLOQUIAL_METRE = re.compile(rf"(?P<a>[\d{_CN}]+)米(?P<b>[一二三四五六七八九\d])(?![\d{_CN}厘毫])")
_COUNT_OF = re.compile(rf"\b(?:pack|set|box|bundle|kit)\s+of\s+(?P<num>{_ARABIC}|{_EN_WORD})", re.I)
# "一年半" = 1.5 years, "两个半小时" = 2.5 hours
_AND_A_HALF = re.compile(rf"(?P<num>[\d{_CN}]+)(?P<unit>年|个月|小时|个小时|天)半|(?P<num2>[\d{_CN}]+)个半(?P<unit2>月|小时)")
# 百分之五十 = 50%
_CN_PERCENT = re.compile(rf"百分之(?P<num>[{_CN}]+|\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class Quantity:
    """One figure found in a text: ``value`` in ``unit`` as written, ``base`` in the dimension's base unit."""

    text: str
    start: int
    end: int
    value: float
    unit: str
    dimension: str  # length, mass, ..., "money:INR", "count", or "number" for a bare figure
    base: float
    precision: float  # half of the last written digit (0.05 for "1.5"), in the written unit
    approximate: bool = False

    def base_tolerance(self) -> float:
        factor = _factor(self.unit, self.dimension)
        # Rounded as written ("59 inches" for 150 cm), but "2 m" is not 1.5 m: at most 5% either way.
        tolerance = max(min(self.precision, abs(self.value) * 0.05), abs(self.value) * 0.01)
        if self.approximate:
            tolerance = max(tolerance, abs(self.value) * 0.1)
        return tolerance * factor


def _factor(unit: str, dimension: str) -> float:
    found = UNITS.get(unit.lower())
    return found[1] if found and found[0] == dimension else 1.0


def chinese_number(text: str) -> float | None:
    """``"一百五十"`` -> 150, ``"两"`` -> 2, ``"三点五"`` -> 3.5, ``"一年半"``'s ``"一半"`` -> 1.5; None if not a number."""
    half = text.endswith("半")
    text = text.removesuffix("半")
    if "点" in text:
        whole, _, frac = text.partition("点")
        head = chinese_number(whole) if whole else 0.0
        if head is None or not frac or any(c not in _CN_DIGITS for c in frac):
            return None
        return head + float("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    if not text:
        return 0.5 if half else None
    if any(c not in _CN_DIGITS and c not in _CN_SCALES for c in text):
        return None
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:  # 二〇二四: digit by digit
        return float("".join(str(_CN_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
            continue
        scale = _CN_SCALES[char]
        if scale >= 10_000:
            total += (section + digit) * scale
            section = digit = 0
        else:
            section += (digit or 1) * scale
            digit = 0
    value = float(total + section + digit)
    return value + 0.5 if half else value


def parse_number(text: str) -> tuple[float, float] | None:
    """A written number and its precision: ``"1,299"`` -> (1299, 0.5), ``"1.5"`` -> (1.5, 0.05),
    ``"两"`` -> (2, 0.5), ``"twelve"`` -> (12, 0.5)."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(_ARABIC, text):
        plain = text.replace(",", "")
        decimals = len(plain.partition(".")[2])
        return float(plain), 0.5 * 10 ** -decimals
    lowered = text.lower()
    if lowered in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[lowered]), 0.5 if _WORD_NUMBERS[lowered] >= 1 else 0.05
    value = chinese_number(text)
    if value is None:
        return None
    return value, 0.05 if value != int(value) else 0.5


def _unit_of(raw: str) -> tuple[str, str, float] | None:
    """(unit as keyed, dimension, factor) for a unit spelling found after a number."""
    unit = raw.strip().lower()
    if unit in ("in", "in."):
        unit = "in."
    if unit in UNITS:
        dimension, factor = UNITS[unit]
        return unit, dimension, factor
    return None


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in ``text``: with a unit or currency where it has one, else as a bare number.

    Numbers inside codes (``B07KMVJJK7``, ``iPhone 12``'s model names are left to the caller) are
    not figures: the caller reads those as codes.
    """
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(q: Quantity) -> None:
        out.append(q)
        taken.append((q.start, q.end))

    for match in _COLLOQUIAL_METRE.finditer(text):
        whole = parse_number(match.group("a"))
        tenth = parse_number(match.group("b"))
        if whole and tenth:
            value = whole[0] + tenth[0] / 10
            add(Quantity(match.group(0), match.start(), match.end(), value, "m", "length", value * 1000, 0.05))
    for match in _AND_A_HALF.finditer(text):
        number = parse_number(match.group("num") or match.group("num2"))
        written = match.group("unit") or match.group("unit2")
        half_unit = {"个小时": "小时", "月": "个月"}.get(written, written)
        if number and half_unit in UNITS:
            value = number[0] + 0.5
            dimension, factor = UNITS[half_unit]
            add(Quantity(match.group(0), match.start(), match.end(), value, half_unit, dimension, value * factor, 0.05))
    for match in _CN_PERCENT.finditer(text):
        if _overlaps(match.start(), match.end(), taken):
            continue
        number = parse_number(match.group("num"))
        if number:
            add(Quantity(match.group(0), match.start(), match.end(), number[0], "%", "percent", number[0], number[1]))
    for match in _COUNT_OF.finditer(text):
        number = parse_number(match.group("num"))
        if number:
            add(Quantity(match.group(0), match.start(), match.end(), number[0], "pcs", "count", number[0], number[1]))
    for match in _QUANTITY.finditer(text):
        if _overlaps(match.start("num"), match.end(), taken) or _inside_code(text, match.start("num"), match.end("num")):
            continue
        raw_number = match.group("num")
        if re.fullmatch(_EN_WORD, raw_number, re.I) and not match.group("unit"):
            continue  # "one" alone is a word, not a figure
        if re.fullmatch(f"[{_CN}]+", raw_number) and not match.group("unit"):
            continue  # Chinese numerals without a unit are words ("一些", "万一")
        glued = text[match.end("num"): match.end("num") + 1]
        if not match.group("unit") and glued.isascii() and glued.isalpha():
            continue  # "5G", "4K": a code, read as one by the caller
        number = parse_number(raw_number)
        if number is None:
            continue
        value, precision = number
        approximate = bool(match.group("approx")) and match.group("approx").strip().lower() not in ("up to", "over")
        values = [value]
        if match.group("num2") and (second := parse_number(match.group("num2"))):
            values.append(second[0])
        for dim in re.findall(_ARABIC, match.group("dims") or ""):
            parsed = parse_number(dim)
            if parsed:
                values.append(parsed[0])
        currency = _currency(match)
        unit_raw = match.group("unit") or ""
        unit = _unit_of(unit_raw) if unit_raw and currency is None else None
        start = match.start("cur") if match.group("cur") else match.start("num")
        end = match.end("unit") if (unit or (currency and match.group("unit"))) else match.end("num2") if match.group("num2") else match.end("num")
        if match.group("dims") and unit:
            end = match.end("unit")
        elif match.group("dims") and not unit:
            end = match.end("dims")
        written = text[start:end].strip()
        for v in values:
            if currency is not None:
                add(Quantity(written, start, end, v, currency, f"money:{currency}", v, precision))
            elif unit is not None:
                name, dimension, factor = unit
                base = _to_celsius(v, name) if dimension == "temperature" else v * factor
                add(Quantity(written, start, end, v, name, dimension, base, precision, approximate))
            else:
                add(Quantity(written, start, end, v, "", "number", v, precision))
    out.sort(key=lambda q: q.start)
    return out


def _currency(match: re.Match[str]) -> str | None:
    if match.group("cur"):
        return _CURRENCY_PREFIX.get(match.group("cur").lower().rstrip(), _CURRENCY_PREFIX.get(match.group("cur").lower()))
    unit = (match.group("unit") or "").strip().lower()
    return _CURRENCY_SUFFIX.get(unit)


def _to_celsius(value: float, unit: str) -> float:
    return (value - 32) * 5 / 9 if unit == "°f" else value


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _inside_code(text: str, start: int, end: int) -> bool:
    """The digits are part of a token with letters glued to them (``B07KM``, ``ALTHT_3P_21``, ``5G``)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isascii() and (before.isalpha() or before == "_"):
        return True
    if after.isascii() and (after.isalpha() or after == "_"):
        # a unit glued to its number ("150cm", "5kg", "4GB") is a quantity, not a code
        tail = re.match(r"[A-Za-z_]+", text[end:])
        word = tail.group(0).lower() if tail else ""
        return word not in UNITS and word not in ("in", "mah", "pcs", "hrs", "yrs") and word not in _CURRENCY_SUFFIX
    return False


def same_quantity(stated: Quantity, source: Quantity) -> bool:
    """Does ``source`` back ``stated``: same dimension, equal at the precision ``stated`` was written with?"""
    if stated.dimension != source.dimension:
        return False
    return abs(stated.base - source.base) <= stated.base_tolerance() + 1e-9


def iter_numbers(text: str) -> Iterator[float]:
    """Every plain number in ``text`` (for bare figures, which any mention supports)."""
    for q in find_quantities(text):
        yield q.value
