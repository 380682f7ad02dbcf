"""Is a product description faithful to the product's attributes? A check without a model.

Every claim a description can get wrong is read from the text and looked up in the product's
facts (name, brand, category, price, attributes, and optionally its existing description):

- figures with their units, compared at the precision they were written with: "1.5 m" is
  backed by "150 cm", "两年" by "24 months", "about 4.9 kg" by "10.7 pounds";
- materials and colours from a closed vocabulary (English and Chinese): "纯棉" and "100% cotton"
  are backed by "material: cotton" but not by "cotton lycra";
- sizes, certifications, warranties, compatibility ("compatible with X"), origin ("made in X"),
  verifiable features ("waterproof", "dishwasher safe"), codes and model numbers;
- promises a shop must not make by accident (free, refund, discount), through the project's
  promise guard (:mod:`supportbot.guard`).

A claim the facts do not hold is a :class:`Finding` with its reason ("states 'waterproof', not
in the attributes"). :class:`Coverage` says which attributes the text mentions, so an omission
shows too. Puffery ("stylish", "comfortable") is not a claim and is never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from supportbot.guard import check_promises

from . import lexicon
from .quantities import Quantity, find_quantities, same_quantity

__all__ = ["ProductFacts", "Finding", "Coverage", "CheckResult", "Checker", "check_description", "split_sentences"]


@dataclass(frozen=True)
class ProductFacts:
    """What a description may state: the catalog row of one product."""

    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    brand: str | None = None
    category: str | None = None
    price: float | None = None
    price_max: float | None = None
    currency: str | None = None
    #: Other merchant text that counts as a source (the existing description), never checked itself.
    extra: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = [self.name]
        if self.brand:
            out.append(f"brand: {self.brand}")
        if self.category:
            out.append(f"category: {self.category}")
        out += [f"{k}: {v}" for k, v in self.attributes.items() if v]
        return out + [t for t in self.extra if t]


@dataclass(frozen=True)
class Finding:
    """One claim of the text that the facts do not back."""

    kind: str
    text: str
    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Coverage:
    """Which attributes the text mentions (by key), and which it leaves out."""

    mentioned: tuple[str, ...] = ()
    omitted: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        total = len(self.mentioned) + len(self.omitted)
        return len(self.mentioned) / total if total else 1.0


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    findings: tuple[Finding, ...]
    coverage: Coverage

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "findings": [asdict(f) for f in self.findings],
                "coverage": {"mentioned": list(self.coverage.mentioned), "omitted": list(self.coverage.omitted),
                             "share": round(self.coverage.share, 3)}}


_WARRANTY_WORDS = re.compile(r"warrant|guarantee|保修|质保|保固|包换|保换", re.I)
_WARRANTY = re.compile(
    r"(?P<en>(?:\b(?P<lifetime>lifetime|life-time)\s+|\b(?:limited|manufacturer'?s?|brand)\s+)?"
    r"\b(?:warranty|warrantee|guarantee[d]?)\b(?:\s+(?:of|for|period(?:\s+of)?)\s+[^.,;:]{1,20})?)"
    r"|(?P<zh>(?:保修|质保|保固|包换|保换)[^，。,.;；！!？?\s]{0,8}|[^，。,.;；！!？?\s]{1,8}(?:保修|质保|保固))",
    re.I,
)
_COMPATIBLE = re.compile(
    r"(?:\b(?:compatible with|works with|for use with|designed to fit|fits)\s+(?P<en>[^.,;:!?\n|()]{2,60}))"
    r"|(?:(?:适用于|兼容|适配)(?P<zh>[^，。,.;；！!？?\n]{1,30}))",
    re.I,
)
_ORIGIN = re.compile(r"\b(?i:made in)\s+(?:(?i:the)\s+)?(?P<en>[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?)|(?:原产地|产地)[:：]?\s*(?P<zh>[\u4e00-\u9fff]{2,4})"
                     r"|(?P<zh2>[\u4e00-\u9fff]{2,3})(?:制造|生产|原产)")
_SIZE_LIST = re.compile(
    r"\b(?:sizes?|available in sizes?)\s*:?\s*(?P<list>(?:(?:XXS|XS|S|M|L|XL|XXL|XXXL|[2-5]XL|UK\s?\d{1,2}|US\s?\d{1,2}"
    r"|EU\s?\d{2}|\d{2}|free size|one size)(?:\s*(?:,|/|and|or|to|-|&)\s*|\b))+)"
    r"|(?:尺码|尺寸|号码)[:：]?\s*(?P<zh>(?:[SMLX\d]{1,4}[、,/ ]?)+)|(?P<free>\bfree size\b|\bone size\b|均码)",
    re.I,
)
_SIZE_TOKEN = re.compile(r"XXS|XS|XXXL|XXL|XL|[2-5]XL|UK\s?\d{1,2}|US\s?\d{1,2}|EU\s?\d{2}|\d{2}|free size|one size|均码|S|M|L",
                         re.I)
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9][\w-]*[A-Za-z0-9](?![\w-])")
_PURE = re.compile(r"(?:100\s?%|100 percent|\bpure|\bpurely|\ball|纯|全)\s*$", re.I)
_NEGATION = re.compile(r"(?:\bnot|\bno|\bnon|\bwithout|不|非|无)[\s-]*$", re.I)
# "BPA-free", "lead free", "free size": product properties (read as features), not promises.
_COMPOUND_FREE = re.compile(r"\b\w+-free\b|\b(?:bpa|lead|sugar|gluten|cruelty|paraben|sulph?ate|sulfate|nickel|latex|"
                            r"phthalate|fragrance|alcohol|dust|rust|stress|hassle|worry|tangle|hands|toxin|chemical|azo|"
                            r"plastic|fat|salt|oil|maintenance|odou?r)\s+free\b|\bfree[- ]size\b", re.I)
_STOP = {"the", "a", "an", "and", "or", "most", "all", "any", "your", "their", "its", "models", "model", "devices",
         "device", "use", "with", "of", "for", "to", "in", "on", "other", "standard", "many", "both", "series"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？；])|\s*[|•\n]+\s*")


def split_sentences(text: str) -> list[str]:
    """Sentences and bullet points of a description, in order, without empty ones."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip(" .")]


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", text.lower())


class Checker:
    """The facts of one product, indexed once; :meth:`check` any number of texts against them."""

    def __init__(self, facts: ProductFacts, *, price_text: str | None = None) -> None:
        self.facts = facts
        lines = facts.lines()
        blob = "\n".join(lines)
        self._raw = blob
        self._blob = _norm(blob)
        self._alnum = _alnum(blob)
        self._quantities: list[Quantity] = [q for line in lines for q in find_quantities(line)]
        for amount in (facts.price, facts.price_max):
            if amount is not None:
                dimension = f"money:{facts.currency}" if facts.currency else "money:?"
                self._quantities.append(Quantity(str(amount), 0, 0, amount, facts.currency or "", dimension, amount, 0.005))
        self._numbers = {q.value for q in self._quantities}
        self._materials = lexicon.broader(lexicon.materials().canonical(blob))
        self._colours = lexicon.broader(lexicon.colours().canonical(blob))
        self._features = lexicon.features().canonical(blob)
        if self._features & {"waterproof"} or re.search(r"\bipx?[4-8]", self._blob):
            self._features |= {"waterproof", "water resistant"}
        self._certifications = lexicon.certifications().canonical(blob)
        warranty_lines = [line for line in lines if _WARRANTY_WORDS.search(line)]
        self._has_warranty = bool(warranty_lines)
        self._warranty_terms = [q for line in warranty_lines for q in find_quantities(line) if q.dimension == "time"]
        self._pure = [lexicon.materials().canonical(v) for v in facts.attributes.values()]
        self._promise_sources = lines + ([price_text] if price_text else [])

    # ------------------------------------------------------------------ check

    def check(self, text: str) -> CheckResult:
        findings: list[Finding] = []
        taken: list[tuple[int, int]] = []

        def flag(kind: str, start: int, end: int, reason: str) -> None:
            findings.append(Finding(kind, text[start:end], start, end, reason))

        def claim(start: int, end: int) -> bool:
            """Mark a span as read; False if an earlier claim already covers it."""
            if any(start < e and s < end for s, e in taken):
                return False
            taken.append((start, end))
            return True

        self._warranties(text, flag, claim)
        self._compatibility(text, flag, claim)
        self._origin(text, flag, claim)
        self._sizes(text, flag, claim)
        self._vocabulary(text, flag, claim, taken)
        self._figures(text, flag, claim)
        self._codes(text, flag, claim)
        self._promises(text, taken, flag)
        findings.sort(key=lambda f: f.start)
        return CheckResult(not findings, tuple(findings), self.coverage(text))

    def _supported_text(self, phrase: str) -> bool:
        return bool(phrase.strip()) and (_norm(phrase) in self._blob or _alnum(phrase) in self._alnum)

    def _warranties(self, text: str, flag: Any, claim: Any) -> None:
        durations = [q for q in find_quantities(text) if q.dimension == "time"]
        for match in _WARRANTY.finditer(text):
            start, end = match.span()
            # The duration may be inside or just before: "warranty of 2 years", "a 2-year warranty", "两年质保".
            terms = [q for q in durations if q.start < end and start - 16 <= q.end <= end + 1 and q.start >= start - 16]
            start = min([start] + [q.start for q in terms])
            if not claim(start, end):
                continue
            stated = text[start:end].strip()
            if not self._has_warranty:
                flag("warranty", start, end, f"states '{stated}', the attributes have no warranty")
            elif match.group("lifetime") and "lifetime" not in self._blob and "life time" not in self._blob:
                flag("warranty", start, end, f"states '{stated}', the attributes give no lifetime warranty")
            elif terms and not self._warranty_terms:
                flag("warranty", start, end, f"states '{stated}', the attributes give no warranty period")
            elif any(not any(same_quantity(t, s) for s in self._warranty_terms) for t in terms):
                said = ", ".join(dict.fromkeys(s.text for s in self._warranty_terms))
                flag("warranty", start, end, f"states '{stated}', the attributes say {said}")

    def _compatibility(self, text: str, flag: Any, claim: Any) -> None:
        for match in _COMPATIBLE.finditer(text):
            group = "en" if match.group("en") else "zh"
            obj = match.group(group).strip()
            words = [w for w in re.findall(r"[A-Za-z0-9+]+|[\u4e00-\u9fff]+", obj) if w.lower() not in _STOP]
            start, end = match.start(), match.end(group)
            if not words or not claim(start, end):
                continue
            missing = [w for w in words if not self._supported_text(w)]
            if missing:
                flag("compatibility", start, end, f"states '{text[start:end].strip()}', not in the attributes")

    def _origin(self, text: str, flag: Any, claim: Any) -> None:
        for match in _ORIGIN.finditer(text):
            place = match.group("en") or match.group("zh") or match.group("zh2")
            if match.group("zh2") and not re.search(r"国|本|美|英|法|德|意|日|韩|印|泰|越", place):
                continue  # "精心制造": not a place
            if claim(*match.span()) and not self._supported_text(place):
                flag("origin", match.start(), match.end(), f"states '{match.group(0).strip()}', not in the attributes")

    def _sizes(self, text: str, flag: Any, claim: Any) -> None:
        for match in _SIZE_LIST.finditer(text):
            listed = match.group("list") or match.group("zh") or match.group("free") or ""
            offset = match.start("list") if match.group("list") else match.start("zh") if match.group("zh") else match.start()
            for token in _SIZE_TOKEN.finditer(listed):
                start, end = offset + token.start(), offset + token.end()
                word = token.group(0)
                if not claim(start, end):
                    continue
                backed = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", self._raw, re.I) or (
                    word.lower() in ("free size", "one size", "均码")
                    and re.search(r"free size|one size|均码|freesize", self._raw, re.I))
                if not backed:
                    flag("size", start, end, f"states size '{word}', not in the attributes")

    def _vocabulary(self, text: str, flag: Any, claim: Any, taken: list[tuple[int, int]]) -> None:
        mats = lexicon.materials().find(text)
        cols = lexicon.colours().find(text)
        for canon, start, end in mats:
            colour_too = canon in lexicon.COLOURS and canon in self._colours
            if not claim(start, end):
                continue
            prefix = _PURE.search(text[max(0, start - 8):start])
            span_start = start - len(prefix.group(0)) if prefix else start
            if prefix:
                taken.append((span_start, start))  # "100%" is read with its material
            pure = (bool(prefix) or text[start:end] in ("纯棉", "全棉", "纯银")) and not self._supported_text(
                text[span_start:end])
            # "100% khadi cotton": the purity is of every material named together, up to the next pause.
            phrase = {c for c, s, _ in mats if start <= s and not re.search(r"[,.;，。、]|\band\b", text[start:s])}
            if canon not in self._materials and not colour_too and not self._supported_text(text[start:end]):
                said = self._said(lexicon.materials().canonical(self._raw))
                flag("material", start, end, f"states '{text[start:end]}', " +
                     (f"the attributes say {said}" if said else "not in the attributes"))
            elif pure and not any(found and found <= lexicon.broader(phrase) and phrase <= lexicon.broader(found)
                                  for found in self._pure):
                said = self._said(lexicon.materials().canonical(self._raw))
                flag("material", span_start, end, f"states '{text[span_start:end].strip()}', the attributes say {said}")
        for canon, start, end in cols:
            if not claim(start, end) or _NEGATION.search(text[max(0, start - 6):start]):
                continue
            if canon not in self._colours and canon not in self._materials and not self._supported_text(text[start:end]):
                said = self._said(lexicon.colours().canonical(self._raw))
                flag("colour", start, end, f"states '{text[start:end]}', " +
                     (f"the attributes say {said}" if said else "not in the attributes"))
        for canon, start, end in lexicon.features().find(text):
            if not claim(start, end) or _NEGATION.search(text[max(0, start - 6):start]):
                continue
            if canon not in self._features and not self._supported_text(text[start:end]):
                flag("feature", start, end, f"states '{text[start:end]}', not in the attributes")
        for canon, start, end in lexicon.certifications().find(text):
            if not claim(start, end):
                continue
            if canon not in self._certifications and not self._supported_text(text[start:end]):
                flag("certification", start, end, f"states '{text[start:end]}', not in the attributes")

    @staticmethod
    def _said(found: Iterable[str]) -> str:
        return ", ".join(sorted(found))

    def _figures(self, text: str, flag: Any, claim: Any) -> None:
        quantities = find_quantities(text)
        for q in quantities:
            if not claim(q.start, q.end) and not self._same_span_claimed(q, quantities):
                continue
            if self.figure_backed(q):
                continue
            same = [s for s in self._quantities if s.dimension == q.dimension and s.text]
            said = ", ".join(dict.fromkeys(s.text for s in same[:3]))
            if q.dimension.startswith("money") and self.facts.price is not None:
                said = said or str(self.facts.price)
            flag("number", q.start, q.end, f"states '{q.text}', " + (f"the attributes say {said}" if said
                                                                    else "not in the attributes"))

    @staticmethod
    def _same_span_claimed(q: Quantity, quantities: list[Quantity]) -> bool:
        """A range or a set of dimensions yields several figures over one span: check each."""
        return sum(1 for other in quantities if other.start == q.start and other.end == q.end) > 1

    @property
    def quantities(self) -> list[Quantity]:
        """Every figure the facts state (the price included)."""
        return list(self._quantities)

    @property
    def materials(self) -> set[str]:
        """Canonical materials the facts state, with what they imply ("stainless steel" -> "steel")."""
        return set(self._materials)

    @property
    def colours(self) -> set[str]:
        return set(self._colours)

    def figure_backed(self, q: Quantity) -> bool:
        """Does some fact state this figure, at the precision it was written with?"""
        if q.dimension == "number":
            return q.value in self._numbers or any(abs(q.value - n) <= q.precision for n in self._numbers)
        if q.dimension.startswith("money"):
            return any(s.dimension.startswith("money") and s.dimension in (q.dimension, "money:?")
                       and abs(s.value - q.value) <= q.precision + 1e-9 for s in self._quantities) or (
                q.dimension != "money:?" and any(abs(s.value - q.value) <= q.precision for s in self._quantities
                                                 if s.dimension == "money:?"))
        return any(same_quantity(q, s) for s in self._quantities)

    def _codes(self, text: str, flag: Any, claim: Any) -> None:
        for match in _CODE.finditer(text):
            word = match.group(0)
            if find_quantities(word) and not re.search(r"[A-Za-z]{2,}\d|\d[A-Za-z]*\d[A-Za-z]", word) and \
                    all(q.dimension != "number" for q in find_quantities(word)):
                continue  # "150cm", "2-year": a figure, read as one
            if not claim(*match.span()):
                continue
            if _alnum(word) not in self._alnum:
                flag("code", match.start(), match.end(), f"states '{word}', not in the attributes")

    def _promises(self, text: str, taken: list[tuple[int, int]], flag: Any) -> None:
        """Refunds, discounts, free things and deadlines: the promise guard, on what is left unread."""
        masked = list(text)
        for start, end in taken:
            masked[start:end] = " " * (end - start)
        rest = _COMPOUND_FREE.sub(lambda m: " " * len(m.group(0)), "".join(masked))
        result = check_promises(rest, self._promise_sources)
        for item in getattr(result, "unsupported", ()):
            said = str(item).split(": ", 1)[-1]
            position = text.lower().find(said.lower())
            start = max(position, 0)
            flag("promise", start, start + len(said) if position >= 0 else 0, f"states '{said}', not in the attributes")

    # ------------------------------------------------------------------ coverage

    def coverage(self, text: str) -> Coverage:
        norm_text = _norm(text)
        text_alnum = _alnum(text)
        text_mats = lexicon.broader(lexicon.materials().canonical(text))
        text_cols = lexicon.broader(lexicon.colours().canonical(text))
        text_quantities = find_quantities(text)
        mentioned: list[str] = []
        omitted: list[str] = []
        for key, value in self.facts.attributes.items():
            if not value:
                continue
            hit = _norm(value) in norm_text or (len(_alnum(value)) >= 3 and _alnum(value) in text_alnum)
            if not hit:
                mats, cols = lexicon.materials().canonical(value), lexicon.colours().canonical(value)
                quantities = [q for q in find_quantities(value) if q.dimension != "number"]
                if mats and mats <= text_mats or cols and cols <= text_cols:
                    hit = True
                elif quantities and all(any(same_quantity(t, q) for t in text_quantities) for q in quantities):
                    hit = True
                else:
                    words = [w for w in re.findall(r"[a-z0-9]+", value.lower()) if w not in _STOP]
                    found = sum(bool(re.search(rf"\b{re.escape(w)}\b", norm_text)) for w in words)
                    hit = bool(words) and found / len(words) >= 0.6
            (mentioned if hit else omitted).append(key)
        return Coverage(tuple(mentioned), tuple(omitted))


def check_description(text: str, facts: ProductFacts) -> CheckResult:
    """Check one text; use :class:`Checker` to check several against the same product."""
    return Checker(facts).check(text)
