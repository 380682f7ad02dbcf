"""One detail of a product a customer asks about, and the part of the product's own data that states it.

"Is the Genie 17 inch medium laptop backpack water resistant?" names a product and asks one thing
about it. The words of the message that the product's name, brand and category do not hold are
what is asked ("water", "resistant"); the answer is the description's sentence or list item, or
the attribute, that holds them ("Water-resistance: Yes"), or nothing: then the product's data does
not say, and an honest "not stated" is due, never the card as if it answered.

Some questions ask for a kind of value rather than a word: "how heavy" is answered by "Weight:
1.2 kg" or "weighs 900 g", "who makes" by the brand, "where is it made" by "Made in Portugal".
Those are :data:`_KINDS`: what asks for the kind, and what in a product's text states one.

Which of several close products a message names (:func:`named_product`) is decided by the
message's words too: the product holding most of the words that name products, and of those the
one whose name the message leaves least out ("the russell athletic hooded sweatshirt" is that
product, not "Russell Athletic Printed Hooded Sweatshirt").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .search import query_terms, stem
from .sentences import sentences
from .spelling import american

__all__ = ["Detail", "asked_words", "asks_about", "detail_of", "is_detail_question", "leading_product", "named_product",
           "plural_kind", "states"]

# A question: a question word first, or a question mark.
_QUESTION = re.compile(r"^\W*(?:what|what's|whats|which|how|who|where|is|are|does|do|did|can|could|will|would|has|"
                       r"have|any)\b|\?\s*$", re.I)
# Words that ask nothing in particular of a product: "does it have", "does it come with", "is it".
_GENERIC = frozenset("""it its they them their this these those one ones have has had come comes came include includes
included including contain contains containing there here really actually exactly please know tell say said
like kind sort type use used using get go goes going all also very much many long hi hey thanks thank
ok okay the of on in for with whats what's how who where which is are does do can will would could should
fit fits suitable good nice great enough""".split())
# Topics the shop's policies answer, about any product: "what's the warranty on the parka?", "can I return it?".
_POLICY = re.compile(r"\b(?:warrant\w*|guarantee\w*|returns?|returning|refunds?|exchange\w*|ship\w*|deliver\w*|"
                     r"postage|orders?|cancel\w*|discount\w*|coupons?|promo\w*|vouchers?|gift ?(?:wrap\w*|cards?)|"
                     r"pick ?up|collect\w*|track\w*|pay\w*|instal+ments?|points?|rewards?|reserve|hold|"
                     # and the order's own troubles: "my parcel never came, where is it?"
                     r"parcels?|packages?|arriv\w*|came|received?|damaged|broken|missing|lost|late|wrong)\b", re.I)
# A size or quantity with its unit: "1.2 kg", "45 cm", "8 fl oz", "30L", "12 x 8 in".
_AMOUNT = r"\d+(?:[.,]\d+)?\s?"
_WEIGHT_VALUE = re.compile(rf"\bweigh\w*|{_AMOUNT}(?:kg|g|grams?|lbs?|pounds?|oz|ounces?)\b", re.I)
_SIZE_VALUE = re.compile(rf"\b(?:dimensions?|measure\w*|capacity|volume|length|width|height|depth)\b|"
                         rf"{_AMOUNT}(?:mm|cm|m|in|inch(?:es)?|\"|ft|feet|l|litres?|liters?|ml|fl\.? ?oz|oz)\b", re.I)
_LENGTH_OR_TIME_VALUE = re.compile(rf"\b(?:length|long)\b|{_AMOUNT}(?:mm|cm|m|in|inch(?:es)?|\"|ft|feet|hours?|hrs?|"
                                   rf"minutes?|mins?|days?|weeks?|months?|years?)\b", re.I)
_ORIGIN_VALUE = re.compile(r"\b(?:made|manufactured|produced|crafted|designed|printed|assembled) in\b|\borigin\b|"
                           r"\bproduct of\b|\bimported from\b|\bsourced from\b", re.I)
_MATERIAL_VALUE = re.compile(r"\d+\s?%|\b(?:materials?|fabric|made (?:of|from|with)|upper|shell|lining|outer|sole|"
                             r"composition|cotton|polyester|nylon|leather|suede|wool|merino|linen|silk|denim|"
                             r"canvas|rubber|synthetic|acrylic|viscose|rayon|spandex|elastane|fleece|down|"
                             r"steel|stainless|aluminium|aluminum|iron|brass|copper|wood\w*|bamboo|glass|ceramic|"
                             r"porcelain|stoneware|plastic|silicone|wax|soy|resin|metal)\b", re.I)


@dataclass(frozen=True)
class _Kind:
    """A kind of value a question asks for: what asks for it, and what states one in a product's text."""

    name: str
    asks: re.Pattern[str]
    states: re.Pattern[str] | None  # None: the brand attribute states it


_KINDS = (
    _Kind("brand", re.compile(r"\bwho (?:makes?|made|manufactures?|produces?)\b|\bmade by\b|\bbrand\b|"
                              r"\bmanufacturer\b|\bmaker\b", re.I), None),
    _Kind("origin", re.compile(r"\bwhere\b.*\b(?:made|manufactured|produced|from)\b|\bcountry\b|\bmade in\b|"
                               r"\bmanufactured\b|\borigin\b", re.I), _ORIGIN_VALUE),
    _Kind("weight", re.compile(r"\bhow heavy\b|\bweigh\w*|\bheavy\b", re.I), _WEIGHT_VALUE),
    _Kind("size", re.compile(r"\bhow (?:big|large|small|wide|tall|high|deep)\b|\bdimensions?\b|\bmeasurements?\b|"
                             r"\bcapacity\b|\bvolume\b|\blit(?:re|er)s?\b|\bheight\b|\bwidth\b|\bdepth\b|"
                             r"\b(?:in|how many) (?:inches|cm|mm|ml)\b", re.I), _SIZE_VALUE),
    _Kind("length", re.compile(r"\bhow long\b|\blength\b", re.I), _LENGTH_OR_TIME_VALUE),
    _Kind("material", re.compile(r"\bmade (?:of|from|out of|with)\b|\bmaterials?\b|\bfabric\b|\bwhat\b.*\bmade\b",
                                 re.I), _MATERIAL_VALUE),
)
# The words a kind's question is said with: not asked words of their own ("heavy", "made", "country").
_KIND_WORDS = frozenset("""who makes make made manufacture manufactures manufactured manufacturer produce produces
produced brand maker where from country origin heavy weigh weighs weight big large small wide tall high deep
dimension dimensions measurement measurements capacity volume litre litres liter liters height width depth inches
inch cm mm ml long length material materials fabric out""".split())
_BRAND_KEYS = frozenset({"brand", "manufacturer", "vendor", "maker", "designer", "brands"})
# A word glued to the next item by an importer that dropped a list's breaks: "PaddedWater-resistance: Yes".
_GLUED = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z]|[A-Z]{2,}\b)")  # "PaddedUSB Charging Socket" too
_WORD = re.compile(r"[^\W_]+")
#: A root this long matches the same root: "resistant" and "resistance", "lined" and "lining" share theirs.
_ROOT = 6


@dataclass(frozen=True)
class Detail:
    """What a product's data states about the detail asked: the sentences or attributes, as written."""

    text: str
    covered: float  # share of what was asked that ``text`` holds


def is_detail_question(text: str) -> bool:
    """Phrased as a question, and about no shop policy (a return, a delivery, a warranty)."""
    return bool(_QUESTION.search(text)) and not _POLICY.search(text)


def _root(word: str) -> str:
    base = stem(american(word.lower()))
    return (base[:-1] if base.endswith("e") and len(base) > 3 else base)[:_ROOT]  # "inches" is "inche", "inch" is not


def _roots(text: str) -> set[str]:
    return {_root(w) for w in _WORD.findall(text.replace("-", " "))}


def _product_words(hit: Any) -> set[str]:
    """The roots a product is named by: its name, category and brand."""
    brand = " ".join(v for k, v in hit.attributes.items() if k.lower() in _BRAND_KEYS)
    return _roots(" ".join(filter(None, [_spaced(hit.name), hit.category or "", brand])))


def _spaced(name: str) -> str:
    """A name with numbers apart from their units, as customers write them: "17inches" is "17 inches"."""
    return re.sub(r"(\d)([^\W\d_])", r"\1 \2", name)


def asked_words(text: str, hit: Any, ignore: frozenset[str] = frozenset()) -> list[str]:
    """The roots of what ``text`` asks about the product ``hit``: its words that the product's name,
    category and brand do not hold, less stopwords, generic words, the words a kind's question is
    said with ("how heavy", "who makes") and ``ignore`` (a caller's words that ask no detail: colours)."""
    named = _product_words(hit)
    out = []
    for word in query_terms(_spaced(text).replace("-", " "), max_terms=40).words:
        if word in _GENERIC or word in _KIND_WORDS or word in ignore or any(c.isdigit() for c in word):
            continue
        root = _root(word)
        if root not in named and root not in out:
            out.append(root)
    return out


def _kinds(text: str) -> list[_Kind]:
    return [k for k in _KINDS if k.asks.search(text)]


def _units(hit: Any) -> list[str]:
    """The product's statements: its description's sentences and list items, and its attributes."""
    units = [f"{key}: {value}" for key, value in hit.attributes.items() if value]
    for line in (hit.description or "").splitlines():
        line = line.strip().lstrip("•").strip()
        for part in _GLUED.split(line):
            units.extend(s.strip() for s in sentences(part) if s.strip())
    return units


def _holds(unit: str, asked: Sequence[str], kinds: Sequence[_Kind], hit: Any) -> float:
    """Share of the question's items (asked roots, kinds of value) that ``unit`` holds."""
    items = len(asked) + len(kinds)
    if not items:
        return 0.0
    have = _roots(unit)
    found = sum(1 for a in asked if a in have)
    for kind in kinds:
        if kind.states is None:  # the brand: its attribute, the only statement of it we trust
            key = unit.split(":", 1)[0].strip().lower()
            found += key in _BRAND_KEYS
        elif kind.states.search(unit):
            found += 1
    return found / items


def _needed(items: int) -> float:
    """What a statement must hold of the question's items: half ("USB Charging Socket" answers "a usb
    port?", "Water-resistance: Yes" "waterproof?"), and of one, that one."""
    return 1.0 if items <= 1 else 0.5


def asks_about(text: str, hit: Any, ignore: frozenset[str] = frozenset()) -> bool:
    """``text`` asks something of ``hit`` beyond naming it: a word of its own or a kind of value."""
    return bool(asked_words(text, hit, ignore) or _kinds(text))


def detail_of(text: str, hit: Any, *, ignore: frozenset[str] = frozenset(), max_units: int = 2) -> Detail | None:
    """The product's statements that answer the detail ``text`` asks, best first, or None when the
    product's data states nothing that holds it (nor a question without a detail: nothing asked)."""
    asked = asked_words(text, hit, ignore)
    kinds = _kinds(text)
    items = len(asked) + len(kinds)
    if not items:
        return None
    scored = sorted(((_holds(u, asked, kinds, hit), -i, u) for i, u in enumerate(_units(hit))), reverse=True)
    chosen = [(score, u) for score, _, u in scored[:max_units] if score >= _needed(items)]
    if not chosen:
        return None
    best = chosen[0][0]
    text_out = "; ".join(u.rstrip(".") for score, u in chosen if score >= best)
    return Detail(text_out, round(best, 3))


def states(text: str, hit: Any, statement: str, ignore: frozenset[str] = frozenset()) -> bool:
    """``statement`` (an FAQ answer, a policy) holds the detail ``text`` asks of ``hit`` as fully as
    :func:`detail_of` asks of the product's own statements."""
    asked, kinds = asked_words(text, hit, ignore), _kinds(text)
    items = len(asked) + len(kinds)
    return bool(items) and _holds(statement, asked, kinds, hit) >= _needed(items)


def leading_product(text: str, hits: Sequence[Any], margin: float) -> Any | None:
    """The first of ``hits`` when it leads the others by more than ``margin`` and the message says
    two words of its name at least ("the tundra parka" of "Maple Ridge Tundra Down Parka")."""
    if not hits or (len(hits) > 1 and hits[0].score - max(h.score for h in hits[1:]) <= margin):
        return None
    name = _roots(_spaced(hits[0].name)) - _STOP_ROOTS
    return hits[0] if len(name & _roots(_spaced(text))) >= 2 else None


def named_product(text: str, hits: Sequence[Any], *, loose: bool = False) -> Any | None:
    """The one of ``hits`` the message names, or None when it names none of them clearly.

    A product is named by the words of its name and brand (sizes and units aside: "20 cm" is how a
    knife is told from another, not what a customer calls it). The named product holds more of the
    message's words than any other, two at least and three unless it leaves at most two of its own
    unsaid; or it holds as many as the best of the others and is said whole where they are not
    ("russell athletic hooded sweatshirt" names that product, not "Russell Athletic Printed Hooded
    Sweatshirt"; "trail runner" names neither "Trail Runner Shoe" nor "Trail Runner Shoe GTX").
    ``loose`` (a detail asked, not a product looked for) also takes, of products holding as many,
    the one whose unsaid words the others share: "chopard wish" names "Wish Eau de Parfum 75 ml",
    not "Pink Wish Eau de Parfum 75 ml", whose "pink" was not said.
    """
    said = _roots(_spaced(text))
    names = [_naming_roots(hit) for hit in hits]

    def unsaid(name: set[str]) -> set[str]:
        return {r for r in name - said if not r.isdigit()}

    ranked = sorted(((len(name & said), -len(unsaid(name)), i) for i, name in enumerate(names)), reverse=True)
    if not ranked or ranked[0][0] < 2:
        return None
    held, left, i = ranked[0]
    tied = [(other_left, k) for other_held, other_left, k in ranked[1:] if other_held == held]
    if tied:
        whole = left == 0 and all(other_left < 0 for other_left, _ in tied)
        alone = loose and all(len(unsaid(names[i]) - names[k]) < len(unsaid(names[k]) - names[i]) for _, k in tied)
        return hits[i] if whole or alone else None
    return hits[i] if held >= 3 or -left <= 2 else None


# Units and single letters say how big, not which product: "20 cm", "75 ml", the "s" of "chef's".
_UNIT_ROOTS = frozenset("mm cm m ml l g kg oz lb lbs in inch fl pc pcs pk x".split())


def _naming_roots(hit: Any) -> set[str]:
    brand = " ".join(v for k, v in hit.attributes.items() if k.lower() in _BRAND_KEYS)
    return {r for r in _roots(_spaced(f"{hit.name} {brand}")) if len(r) > 1 and r not in _UNIT_ROOTS} - _STOP_ROOTS


_STOP_ROOTS = frozenset(_root(w) for w in "a an and the with for of in on by to from".split())


def plural_kind(text: str, hit: Any) -> str | None:
    """The kind of product ``hit`` is (its name's last word), when the message says it only in the
    plural: "lamp" for "what bulb goes in the table lamps?" of "Solid Bedside Table Lamp"."""
    words = {w.lower() for w in _WORD.findall(text)}
    heads = [w.lower() for w in _WORD.findall(hit.name) if w.isalpha() and len(w) > 2]
    if not heads or heads[-1] in words:
        return None
    return heads[-1] if {f"{heads[-1]}s", f"{heads[-1]}es"} & words else None
