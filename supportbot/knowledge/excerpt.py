"""The one or two sentences of a passage that answer a question, and how much of it they cover.

A policy passage holds several facts ("Standard delivery takes 4 to 6 days ... Overnight delivery
costs ₹200 ..."); a customer asked one. Knowledge-only answers send the sentences (or table rows)
that share the most of the question's words, in the passage's order, instead of the whole
passage. A table row that states a band of amounts ("₹500 to ₹1,999", "Under $100", "$200 and
above") wins when the question names an amount inside it: "shipping on a ₹1,200 order" is the
₹500-₹1,999 row, which shares no word with it.

Tables come either one row a line (Markdown) or squashed into one paragraph by an importer that
joins lines; both are read as rows, each said with its header ("Under ₹500: Standard delivery ₹49,
Express delivery ₹149").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .models import SIZE_SPELLINGS
from .places import ABROAD, is_place, regions_of
from .sentences import sentences
from .search import query_terms, stem
from .spelling import american
from .synonyms import canonical

__all__ = ["AGREEMENT_WEIGHT", "COSINE_WEIGHT", "Excerpt", "american", "answer_confidence", "confidence_parts", "coverage",
           "excerpt", "is_list_item", "stem", "stems"]

#: Weight of the retrieval score in :func:`answer_confidence` (the rest is word coverage), calibrated.
COSINE_WEIGHT = 0.8
#: Weight of the topic agreement a caller may add (whether the passage is about what was asked), calibrated.
AGREEMENT_WEIGHT = 0.1
#: A passage this short is given whole to a broad question (one no sentence answers by its words).
_WHOLE_CHARS = 500
# A table row as the page importer says it: "Destination European Union: Orders under €30 €12.95, ..."
_SAID_ROW = re.compile(r"^[^:|]{1,100}: [^:]+, [^:]+(?<![.!?])$")
#: Another row of the best row's table joins the answer only when it scores this share of the best.
_ROW_TIE = 0.9
#: Items given after a chosen sentence that introduces a list ("... depends on your level:").
_LIST_ITEMS = 5
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_AMOUNT = r"(?:[$€£₹]|rs\.?\s?|inr\s?|usd\s?)?\s?(\d[\d,]*(?:\.\d+)?)"
_RANGE = re.compile(_AMOUNT + r"\s?(?:-|–|to)\s?" + _AMOUNT, re.I)
_BELOW = re.compile(r"\b(?:under|below|less than|up to)\s" + _AMOUNT, re.I)
_ABOVE = re.compile(_AMOUNT + r"\s(?:and (?:above|over|more)|or more|\+)|\b(?:over|above|more than|from)\s" + _AMOUNT, re.I)
_MONEY_IN_QUESTION = re.compile(r"(?:[$€£₹]|rs\.?\s?|inr\s?)\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:rupees|dollars|euros|pounds|rs\b|inr\b|usd\b)"
                                r"|\b(?:order|spend|spending|total|of)\s(?:of\s)?(\d[\d,]*(?:\.\d+)?)\b", re.I)

# A body measurement in a question ("my chest is 100 cm", "foot is 28cm long") and a size table's
# cell that states one ("Chest (cm) 96–104", "Foot length (cm) 28.0").
_MEASURE_IN_QUESTION = re.compile(r"(\d+(?:\.\d+)?)\s?(cm|mm|in|inch|inches)\b", re.I)
_MEASURE_CELL = re.compile(r"([^\W\d_][^\W\d]*(?:\s[^\W\d_]+)*)\s?\((cm|mm|in|inch|inches)\)\s?"
                           r"(\d+(?:\.\d+)?)(?:\s?(?:-|–|to)\s?(\d+(?:\.\d+)?))?", re.I)


@dataclass(frozen=True, slots=True)
class Excerpt:
    text: str
    coverage: float
    """Share of the question's words found in the excerpt (0..1), or 1.0 for an amount inside a row's band."""


def stems(text: str) -> list[str]:
    return list(_stems(text))


# Passages are scored against every question that finds them: their stems and units are worked
# out once per text, not once per message (these are pure functions of the text).
_TEXTS_KEPT = 4096


@lru_cache(maxsize=_TEXTS_KEPT)
def _stems(text: str) -> tuple[str, ...]:
    """Cached: each retrieved passage's stems are asked for again by every question it is scored for."""
    terms = query_terms(text, max_terms=400)
    # a hyphenated word counts by its parts too: "E-gift cards" answers "gift cards"
    words = [part for w in terms.words for part in (w, *(p for p in w.split("-") if len(p) >= 3 and "-" in w))]
    return tuple(dict.fromkeys([canonical(stem(american(w))) for w in words] + list(terms.cjk)))




@lru_cache(maxsize=_TEXTS_KEPT)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(_stems(text))


#: How much "international" or "worldwide" answers for a named country: some, less than its own region.
_ABROAD_COVERS = 0.5
#: A phone number has this many digits at least (an ISO date, 2026-12-01, has 8).
_PHONE_DIGITS = 9
_PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?\d[\d\s().-]{7,}\d)(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
# A lower and an upper bound on a number: "orders from $50 to $2,000", "at least 2", "$35 minimum";
# "up to 250 characters", "no more than 5". Not a time of day: "ready from 10am" bounds no amount.
_RANGED = r"\d\s?(?:-|–|to)\s?[$€£₹]?\d"
_BOUND_NUMBER = r"\s(?:of\s)?[$€£₹]?\s?\d[\d,.]*(?![\d,.])(?!\s?(?:am|pm|a\.m|p\.m|:))"
_LOWER_BOUND = re.compile(_RANGED + r"|\b(?:from|at least|minimum|min)" + _BOUND_NUMBER +
                          r"|\d\s(?:minimum|or more|and (?:above|over))\b", re.I)
_UPPER_BOUND = re.compile(_RANGED + r"|\b(?:up to|at most|no more than|maximum|max)" + _BOUND_NUMBER +
                          r"|\d\s(?:maximum|or less)\b", re.I)
# A band of amounts stated in a sentence: "Available on orders from $50 to $2,000".
_MONEY_BAND = re.compile(r"[$€£₹]\s?\d[\d,.]*\s?(?:-|–|to)\s?[$€£₹]?\s?\d", re.I)
#: What a sentence stating a band of amounts scores for an amount outside it ("$2,500 order?": "from $50 to $2,000").
_BAND_OUTSIDE = 0.5
_CLOCK = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|"
                    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)


def _has_phone_number(text: str) -> bool:
    return any(sum(c.isdigit() for c in m.group()) >= _PHONE_DIGITS for m in _PHONE_LIKE.finditer(text))


# Questions that ask for a kind of value, and what that value looks like in a passage: "what's your
# phone number?" is answered by "call 1-800-555-0142", which shares no word with it. Each entry: the
# question stems that ask for it, the stems a passage holding such a value covers, and the test for one.
_ANSWER_TYPES: tuple[tuple[frozenset[str], frozenset[str], Callable[[str], bool]], ...] = (
    (frozenset({"phone", "telephone", "call", "ring"}), frozenset({"phone", "telephone", "call", "ring", "number"}),
     _has_phone_number),
    (frozenset({"email", "e-mail"}), frozenset({"email", "e-mail", "address", "mail"}),
     lambda text: _EMAIL.search(text) is not None),
    (frozenset({"hour", "open", "close"}), frozenset({"hour", "open", "close", "time"}),
     lambda text: _CLOCK.search(text) is not None),
    # "what's the minimum order for afterpay?" is answered by "orders from $50 to $2,000"
    (frozenset({"minimum", "min"}), frozenset({"minimum", "min"}), lambda text: _LOWER_BOUND.search(text) is not None),
    (frozenset({"maximum", "max", "limit"}), frozenset({"maximum", "max", "limit"}),
     lambda text: _UPPER_BOUND.search(text) is not None),
)


@lru_cache(maxsize=_TEXTS_KEPT)
def _values_in(text: str) -> tuple[int, ...]:
    """Which of :data:`_ANSWER_TYPES` ``text`` holds a value of."""
    return tuple(i for i, (_, _, holds) in enumerate(_ANSWER_TYPES) if holds(text))


def coverage(question_stems: list[str], text: str) -> float:
    """Share of ``question_stems`` found among ``text``'s stems, answered by a value of the kind
    they ask for (a phone number, an email address, opening times), or, for a place, by a region
    it lies in ("germany" by "EU countries", see :mod:`.places`)."""
    if not question_stems:
        return 0.0
    have = _stem_set(text)
    asked = set(question_stems)
    for i in _values_in(text):
        asks, covers, _ = _ANSWER_TYPES[i]
        if asks & asked:
            have = have | covers
    return sum(_covered(s, have) for s in question_stems) / len(question_stems)


def _covered(asked: str, have: frozenset[str]) -> float:
    if asked in have or not have.isdisjoint(regions_of(asked)):
        return 1.0
    return _ABROAD_COVERS if is_place(asked) and not have.isdisjoint(ABROAD) else 0.0


def is_list_item(line: str) -> bool:
    """A bulleted or numbered line ("• PayPal", "2) Print the label")."""
    return _BULLET.match(line) is not None


def split_units(text: str) -> list[str]:
    """Sentences, list items and table rows (said with their header) of a passage."""
    return list(_units(text))


def _units(text: str) -> tuple[str, ...]:
    return _parsed(text)[0]


@lru_cache(maxsize=_TEXTS_KEPT)
def _parsed(text: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """The units of ``text``, and which of them are table rows."""
    units: list[str] = []
    rows: set[int] = set()
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    expanded: list[str] = []
    for line in lines:  # a table squashed onto one line: "| a | b | |---|---| | c | d |"
        if line.startswith("|") and re.search(r"\|\s+\|", line):
            expanded.extend(f"|{row}|" for row in re.split(r"\|\s+\|", line.strip().strip("|")))
        else:
            expanded.append(line)
    header: list[str] | None = None
    said = [line for line in expanded if _SAID_ROW.match(line)]
    said_rows = set(said) if len(said) >= 2 else set()
    for line in expanded:
        if line.startswith("|") and line.endswith("|"):
            if _TABLE_SEPARATOR.match(line):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if header is None:
                header = cells
                continue
            rows.add(len(units))
            if len(header) == len(cells) and len(cells) > 1:
                units.append(f"{cells[0]}: " + ", ".join(f"{h} {c}" for h, c in zip(header[1:], cells[1:], strict=True)))
            else:
                units.append(" ".join(cells))
            continue
        header = None
        if line in said_rows:  # a row the page importer already said with its header: one unit
            rows.add(len(units))
            units.append(line)
            continue
        units.extend(sentences(_BULLET.sub("", line)))
    return tuple(units), frozenset(rows)


def excerpt(question: str, text: str, *, max_units: int = 2, title: str = "") -> Excerpt:
    """The units of ``text`` that best answer ``question`` (in their order), with their coverage.

    A passage of at most ``max_units`` units is given whole. When no unit shares a word with the
    question, the passage's first units are given (it was found by meaning, not by words). Words
    of the question its ``title`` holds choose no unit: under the heading "Afterpay", every
    sentence is about Afterpay, named in it or not.
    """
    units, rows = _parsed(text)
    wanted = stems(question)
    if not units:
        return Excerpt(text, coverage(wanted, text))
    amount = _amount_in(question)
    measure = _MEASURE_IN_QUESTION.search(question)
    said = _tokens(question)
    # a place still chooses: under "Highlands & Islands, Northern Ireland, Isle of Man", a row per area
    headed = {s for s in stems(title) if not is_place(s)} if title else set()
    unheaded = [s for s in wanted if s not in headed]
    # Only the heading's words asked: the section's first units. Words of its own that no unit holds: the
    # heading's words choose as before ("gift hampers?" under "Gift wrapping" is the row with "gift").
    found = not unheaded or any(coverage(unheaded, u) for u in units)
    weighted = _by_rarity(unheaded if found else wanted, units)
    scored, words = [], []  # by rarity-weighted words (to choose), and plain coverage (to report), with bonuses
    for i, unit in enumerate(units):
        holds: float = (amount is not None and _band_holds(unit, amount)) or (
            measure is not None and _measure_holds(unit, float(measure.group(1)), measure.group(2), wanted)) or (
            _head_named(unit, said))  # "what is US 8 in UK size?": the row "US size 8: ..., UK size 7"
        if not holds and amount is not None and i not in rows and _MONEY_BAND.search(unit):
            holds = _BAND_OUTSIDE  # a limit the amount asked about is outside: the answer is no
        scored.append((weighted(unit) + holds, i))
        words.append(coverage(wanted, unit) + holds)
    if len(text) <= _WHOLE_CHARS and max(words) < 0.5:
        return Excerpt(text, coverage(wanted, text))  # a broad question about a short passage: all of it
    if len(units) <= max_units:
        chosen = list(range(len(units)))
    else:
        ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
        best = ranked[0][0]
        if best <= 0:
            chosen = list(range(max_units))
        else:
            # The runner-up joins only if it is nearly as good: one clear sentence beats two. Rows of
            # one table are alternatives (destinations, order bands): another row joins only on a near tie.
            top = ranked[0][1]
            chosen = [i for score, i in ranked[:max_units] if score > 0 and score >= 0.6 * best and (
                i == top or top not in rows or i not in rows or
                (score >= _ROW_TIE * best and words[i] >= _ROW_TIE * words[top]))]
            chosen.sort()
            if chosen and units[chosen[-1]].endswith(":"):  # an introduction: its list follows
                chosen += list(range(chosen[-1] + 1, min(len(units), chosen[-1] + 1 + _LIST_ITEMS)))
    picked = " ".join(units[i] for i in chosen)
    cover = max(coverage(wanted, picked), min(1.0, max(words)))
    return Excerpt(picked, round(cover, 3))


def _by_rarity(wanted: list[str], units: tuple[str, ...]) -> Callable[[str], float]:
    """Coverage of ``wanted`` with each word weighted by how few of the passage's units hold it: in
    "do your gift cards expire?" on a gift-card passage, every sentence has "gift cards" and only
    "They never expire" has "expire". A unit holding every word found anywhere scores 1."""
    found = {s: sum(coverage([s], u) > 0 for u in units) for s in dict.fromkeys(wanted)}
    weights = {s: math.log((len(units) + 1) / (n + 0.5)) for s, n in found.items() if n}
    total = sum(weights.values())

    def score(unit: str) -> float:
        return sum(w * coverage([s], unit) for s, w in weights.items()) / total if total else 0.0
    return score


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


def _amount_in(question: str) -> float | None:
    match = _MONEY_IN_QUESTION.search(question)
    if match is None:
        return None
    amount = _number(next(g for g in match.groups() if g))
    before = question[max(0, match.start() - 12):match.start()].lower()
    return amount - 0.01 if re.search(r"\b(?:under|below|less than)\s*$", before) else amount


def _band_holds(unit: str, amount: float) -> bool:
    """The unit starts with (or names) a band of amounts that ``amount`` falls in."""
    head = unit.split(":", 1)[0] if ":" in unit else unit
    if m := _RANGE.search(head):
        return _number(m.group(1)) <= amount <= _number(m.group(2))
    if m := _BELOW.search(head):
        return amount < _number(m.group(1))
    if m := _ABOVE.search(head):
        return amount >= _number(m.group(1) or m.group(2))
    return False


#: Letter sizes as a question spells them in one word, for a size table's rows ("a large" asks the row "Size L").
_SIZE_LETTERS = {word: letter for letter, words in SIZE_SPELLINGS.items() for word in words if word.isalpha()}


def _tokens(text: str) -> frozenset[str]:
    words = re.findall(r"\d+(?:\.\d+)?|[^\W\d_]+", re.sub(r"['’]s\b", "", text.lower()))  # "women's" has no "s"
    return frozenset(_SIZE_LETTERS.get(w, w) for w in words)


#: Words of a row's head that only label its value: "Size L", "Age 9–10 years", "3-6 months".
_HEAD_LABELS = frozenset({"size", "age", "ages", "year", "years", "yrs", "month", "months"})
#: What a question says of a measurement in other words: "my son is 120cm tall" gives his height.
_MEASURED_AS = {"tall": "height", "high": "height", "long": "length"}


def _head_named(unit: str, said: frozenset[str]) -> bool:
    """A table row whose head ("US size 8", "Size L") the question names word for word, a number or
    a size letter among them: of the rows of one table, the one asked for."""
    if ":" not in unit:
        return False
    # "what's the waist for a large?" names "Size L", "height for 4-5 years?" the row "Age 4–5 years"
    head = _tokens(unit.split(":", 1)[0]) - _HEAD_LABELS
    return bool(head) and head <= said and any(t.replace(".", "").isdigit() or len(t) == 1 for t in head)


def _measure_holds(unit: str, value: float, measure_unit: str, wanted: list[str]) -> bool:
    """The unit is a size table's row whose cell for the measurement asked ("chest", in cm) holds
    ``value``: within its range, or the value itself ("Foot length (cm) 28.0")."""
    asked = set(wanted) | {_MEASURED_AS[w] for w in wanted if w in _MEASURED_AS}
    for m in _MEASURE_CELL.finditer(unit):
        label, cell_unit, low, high = m.groups()
        if cell_unit.lower()[:2] != measure_unit.lower()[:2] or not set(stems(label)) & asked:
            continue
        if (float(low) <= value <= float(high)) if high else abs(float(low) - value) < 0.5:
            return True
    return False


def answer_confidence(question: str, passage: object, agreement: float = 0.0) -> float:
    """How sure a knowledge-only answer can be that ``passage`` answers ``question``, 0..1.

    The passage's retrieval score (cosine similarity with vectors, word overlap without) blended
    with the share of the question's words the passage holds (its title, the FAQ question, counts
    too): a cosine alone rates "do you ship abroad?" against "Do you offer international
    shipping?" no better than against a passage that merely mentions shipping. ``agreement``
    (0..1) is what a caller knows beyond words and vectors: auto-reply passes how far the two
    classify as the same intent (:func:`supportbot.understanding.intents.topic_agreement`), which
    finds "call 1-800-555-0142" for "what's your phone number?". The blend and the thresholds on
    it are calibrated on data: see ``bench/calibrate.py`` and the README.
    """
    score, words = confidence_parts(question, passage)
    blended = COSINE_WEIGHT * score + (1 - COSINE_WEIGHT) * words + AGREEMENT_WEIGHT * agreement
    return round(min(1.0, blended), 4)


def confidence_parts(question: str, passage: object) -> tuple[float, float]:
    """The two parts :func:`answer_confidence` blends: retrieval score and word coverage."""
    title = getattr(passage, "title", None) or ""
    text = getattr(passage, "text", "")
    alternatives = " ".join(getattr(passage, "extra", {}).get("alternatives", []))
    # The best sentence counts too: a table row whose band holds the amount asked about covers it.
    words = max(coverage(stems(question), f"{title} {alternatives} {text}"), excerpt(question, text).coverage)
    return float(getattr(passage, "score", 0.0)), words
