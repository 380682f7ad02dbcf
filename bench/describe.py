"""Faithfulness checker benchmark: planted errors in real listings, false alarms on supported text.

    python -m bench.describe                    # every product of the three shared catalogs
    python -m bench.describe --limit 300        # at most 300 products per catalog
    python -m bench.describe --generate 16 --model PATH   # also write variants with a model

Products and their attributes come from ../shared/data: Flipkart's specifications, Amazon's
product specification and technical details, Myntra's fields (brand, gender, colour, price).

- **Recall per kind**: each product's own description is copied and one error of a kind is
  planted in the copy: a changed number, a changed unit, a material or a colour the attributes
  do not hold, or an added claim (waterproof, a warranty, a certification, a compatibility, an
  origin, a promise). A planted error is detected when the checker flags the planted span. Where
  the text states a supported figure, material or colour, that one is changed (so the checker
  must notice the change, not a claim it would flag anyway); otherwise the error is added as a
  sentence. The replacement words come from pools written for this bench before it was first
  run, and a planted value is kept only if nothing in the product's facts states it.
- **False alarms**: texts supported by construction, one sentence per attribute in several
  phrasings and units ("150 cm" as "1.5 m" or "59.1 inches", "Fabric: Cotton" as "Made of 100%
  cotton" where cotton is the only material), in English and in Chinese (Chinese numerals and
  units). The share of these sentences flagged is the false-alarm rate. The same Chinese texts
  carry planted errors too (recall for ``zh``).
- **Real descriptions**: the share of their sentences flagged, for information: real listings
  often state more than their attributes.

The last line printed is JSON: ``planted``, ``detected_recall``, ``false_alarm_rate``, ``per_kind``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plugins.descriptions import lexicon
from plugins.descriptions.faithfulness import Checker, ProductFacts, split_sentences
from plugins.descriptions.quantities import UNITS, Quantity, find_quantities
from supportbot.knowledge.parsing import parse_price, parse_specs

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
KINDS = ("number", "unit", "material", "colour", "claim")

# --- pools written before the first run (never edited to fit the checker) ------------------------
MATERIAL_POOL = ["silk", "wool", "linen", "genuine leather", "polyester", "nylon", "bamboo", "stainless steel", "brass",
                 "glass", "ceramic", "cashmere", "velvet", "denim", "teak wood", "hemp", "corduroy", "cork", "titanium",
                 "satin", "acrylic", "marble", "copper", "suede"]
COLOUR_POOL = ["red", "green", "purple", "orange", "yellow", "pink", "turquoise", "maroon", "beige", "silver", "white",
               "black", "navy blue", "lavender", "olive green", "magenta", "teal", "mustard yellow", "sky blue", "peach",
               "emerald green", "scarlet", "cobalt blue", "brown"]
CLAIM_POOL = [  # (sentence, the words that must not be in the facts for it to be an invented claim)
    ("It is fully waterproof.", "waterproof"), ("Comes with a 2-year warranty.", "warrant"),
    ("Certified by BIS.", "bis"), ("Compatible with iPhone 12 and Samsung Galaxy S21.", "iphone"),
    ("Made in Italy.", "italy"), ("Dishwasher safe.", "dishwasher"), ("Machine washable.", "machine wash"),
    ("Offers UV protection.", "uv"), ("Eco-friendly and biodegradable.", "biodegradable"),
    ("Free shipping on every order.", "free"), ("Includes a lifetime guarantee.", "lifetime"),
    ("Hypoallergenic and clinically tested.", "hypoallergenic"), ("The rechargeable battery lasts 20 hours.", "recharge"),
    ("Bluetooth 5.0 connectivity.", "bluetooth"), ("Flame retardant.", "flame"), ("Wrinkle-free fabric.", "wrinkle"),
    ("Scratch resistant coating.", "scratch"), ("Shock proof design.", "shock"), ("Handmade by local artisans.", "handmade"),
    ("Anti-bacterial finish.", "bacteri"), ("Fits all Honda Civic models.", "honda"),
    ("Backed by a 30-day money-back guarantee.", "guarantee"), ("CE certified for safety.", "certif"),
    ("Get 10% off with code SAVE10.", "save10"),
]
CLAIM_POOL_ZH = [  # the words checked are the claim's in both languages: the facts are mostly English
    ("防水设计。", "防水|waterproof|water resist"), ("保修三年。", "保修|warrant"), ("通过CE认证。", "认证|certif"),
    ("适用于iPhone 12。", "iphone"), ("意大利制造。", "意大利|italy"), ("可机洗。", "机洗|machine wash"),
    ("抗菌防臭。", "抗菌|bacteri|microb"), ("无线蓝牙连接。", "蓝牙|bluetooth"), ("终身质保。", "质保|lifetime|warrant"),
    ("防紫外线。", "紫外线|uv"), ("纯手工制作。", "手工|handmade|hand made|handcraft"), ("阻燃材质。", "阻燃|flame|fire"),
]
# The pools' Chinese words with their English names, to tell whether the facts already state them.
MATERIAL_POOL_ZH = {"真丝": "silk", "羊毛": "wool", "亚麻": "linen", "真皮": "leather", "涤纶": "polyester",
                    "尼龙": "nylon", "竹纤维": "bamboo", "不锈钢": "stainless", "黄铜": "brass", "玻璃": "glass",
                    "陶瓷": "ceramic", "羊绒": "cashmere"}
COLOUR_POOL_ZH = {"红色": "red", "绿色": "green", "紫色": "purple", "橙色": "orange", "黄色": "yellow", "粉色": "pink",
                  "酒红色": "burgundy", "米色": "beige", "银色": "silver", "白色": "white", "黑色": "black",
                  "藏青色": "navy"}
UNIT_CHOICES = {"length": ["mm", "cm", "m", "inches", "feet"], "mass": ["g", "kg", "pounds", "ounces"],
                "volume": ["ml", "litres"], "time": ["days", "weeks", "months", "years"], "power": ["W", "kW"],
                "data": ["MB", "GB", "TB"], "voltage": ["V", "kV"], "current": ["mA", "A"], "charge": ["mAh", "Ah"]}
UNIT_CHOICES_ZH = {"length": ["毫米", "厘米", "米", "英寸"], "mass": ["克", "公斤", "斤"], "time": ["天", "周", "个月", "年"],
                   "volume": ["毫升", "升"]}
_CN_DIGITS = "零一二三四五六七八九"


@dataclass
class Product:
    catalog: str
    sku: str
    facts: ProductFacts
    description: str


@dataclass
class Tally:
    planted: Counter[str] = field(default_factory=Counter)
    detected: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)  # planted by changing a supported claim
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def recall(self, kind: str) -> float | None:
        return self.detected[kind] / self.planted[kind] if self.planted[kind] else None


# --- catalogs ------------------------------------------------------------------------------------


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _price(raw: str, currency: str | None = None) -> tuple[float | None, str | None]:
    try:
        price = parse_price(raw or "", currency)
    except ValueError:
        return None, None
    return (price.amount, price.currency) if price else (None, None)


def flipkart(limit: int | None) -> Iterator[Product]:
    for row in _rows(DATA / "catalog-flipkart" / "flipkart_com-ecommerce_sample_first999.csv"):
        try:
            attributes = parse_specs(row.get("product_specifications") or "")
        except ValueError:
            attributes = {}
        price, currency = _price(row.get("discounted_price", ""), "INR")
        yield Product("flipkart", row["pid"], ProductFacts(
            name=row["product_name"].strip(), attributes=attributes, brand=row.get("brand") or None,
            price=price, currency=currency), (row.get("description") or "").strip())


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split("|"):
        key, sep, value = part.partition(":")
        value = re.sub(r"\(View shipping rates and policies\)|\(Viewshippingratesandpolicies\)|Learn More|LearnMore", "",
                       value).strip()
        key = " ".join(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).split())
        if sep and key and value and len(key) <= 40 and not key.startswith("#"):
            out[key] = value
    return out


def amazon(limit: int | None) -> Iterator[Product]:
    for row in _rows(DATA / "catalog-amazon" / "amazon_products_sample_1000.csv"):
        attributes = _pairs(row.get("Product Specification") or "")
        for i, part in enumerate(p.strip() for p in (row.get("Technical Details") or "").split("|")):
            if part and len(part) <= 80 and not part.startswith("Go to your orders"):
                attributes.setdefault(f"Technical detail {i + 1}", part)
        for column in ("Model Number", "Color", "Size Quantity Variant"):
            if (row.get(column) or "").strip():
                attributes[column] = row[column].strip()
        price, currency = _price(row.get("Selling Price", ""))
        about = (row.get("About Product") or "").replace("Make sure this fits by entering your model number.", "")
        yield Product("amazon", row["Uniq Id"], ProductFacts(
            name=row["Product Name"].strip(), attributes=attributes, category=row.get("Category") or None,
            price=price, currency=currency), about.strip(" |"))


def myntra(limit: int | None) -> Iterator[Product]:
    for row in _rows(DATA / "catalog-myntra" / "myntra_products_catalog.csv"):
        attributes = {k: row[k].strip() for k in ("Gender", "PrimaryColor") if (row.get(k) or "").strip()}
        price, currency = _price(row.get("Price (INR)", ""), "INR")
        yield Product("myntra", row["ProductID"], ProductFacts(
            name=row["ProductName"].strip(), attributes=attributes, brand=row.get("ProductBrand") or None,
            price=price, currency=currency), (row.get("Description") or "").strip())


def load(limit: int | None, seed: int) -> list[Product]:
    rng = random.Random(seed)
    out = []
    for reader in (flipkart, amazon, myntra):
        products = [p for p in reader(limit) if p.description]
        rng.shuffle(products)
        out += products[:limit] if limit else products
    return out


# --- planting ------------------------------------------------------------------------------------


def _fmt(value: float, like: str) -> str:
    decimals = len(like.partition(".")[2]) if "." in like else 0
    return f"{value:.{decimals}f}" if decimals else str(int(round(value)))


def _cn(n: int) -> str:
    """Small integers as Chinese numerals (1..99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _far(base: float, dimension: str, facts_q: list[Quantity]) -> bool:
    """A planted figure no fact states: more than 10% away from every figure of its dimension."""
    same = [q for q in facts_q if q.dimension == dimension or dimension == "number"]
    return all(abs(base - q.base) > 0.1 * max(abs(q.base), 1e-9) for q in same)


def _blob(facts: ProductFacts) -> str:
    return "\n".join(facts.lines()).lower()


def _choose(items: list[Any], prefer: list[Any], rng: random.Random) -> tuple[Any, bool]:
    if prefer:
        return rng.choice(prefer), True
    return (rng.choice(items), False) if items else (None, False)


def plant(kind: str, text: str, facts: ProductFacts, checker: Checker, rng: random.Random,
          zh: bool = False) -> tuple[str, tuple[int, int], bool] | None:
    """``(new text, planted span, changed a supported claim)`` or None when nothing fits."""
    blob = _blob(facts)
    facts_q = checker.quantities
    sep = "" if zh else " "
    if kind in ("number", "unit"):
        quantities = [q for q in find_quantities(text) if not q.dimension.startswith("money")]
        if kind == "unit":
            quantities = [q for q in quantities if q.dimension in (UNIT_CHOICES_ZH if zh else UNIT_CHOICES) and q.unit]
        backed = [q for q in quantities if checker.figure_backed(q)]
        for q, changed in ([(q, True) for q in rng.sample(backed, len(backed))] +
                           [(q, False) for q in rng.sample(quantities, len(quantities))]):
            number = re.search(r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百]+", q.text)
            if number is None:
                continue
            start = q.start + number.start()
            if kind == "number":
                for factor in rng.sample([1.5, 2.0, 3.0, 0.5, 4.0], 5):
                    new = q.value * factor if q.value >= 2 or factor > 1 else q.value + 3
                    if not _far(q.base * new / q.value if q.value else new, q.dimension, facts_q):
                        continue
                    if q.dimension == "number" and _fmt(new, number.group(0)) in blob:
                        continue
                    written = _cn(int(new)) if not number.group(0)[0].isdigit() and new == int(new) and new < 100 \
                        else _fmt(new, number.group(0))
                    return text[:start] + written + text[start + len(number.group(0)):], \
                        (start, start + len(written)), changed
            else:
                unit_at = text.find(q.unit, q.start + number.end()) if q.unit else -1
                raw_unit = re.search(r"(?i)" + re.escape(q.unit), text[q.start:q.end]) if q.unit else None
                if raw_unit is None:
                    continue
                u_start, u_end = q.start + raw_unit.start(), q.start + raw_unit.end()
                del unit_at
                for unit in rng.sample((UNIT_CHOICES_ZH if zh else UNIT_CHOICES)[q.dimension],
                                       len((UNIT_CHOICES_ZH if zh else UNIT_CHOICES)[q.dimension])):
                    dimension, factor = UNITS[unit.lower()]
                    if unit.lower() == q.unit.lower() or not _far(q.value * factor, q.dimension, facts_q):
                        continue
                    glue = "" if zh or text[u_start - 1:u_start] != " " else ""
                    new_text = text[:u_start] + glue + unit + text[u_end:]
                    return new_text, (q.start, u_start + len(unit)), changed
        return None
    if kind in ("material", "colour"):
        lex = lexicon.materials() if kind == "material" else lexicon.colours()
        pool = (MATERIAL_POOL_ZH if kind == "material" else COLOUR_POOL_ZH) if zh else \
            (MATERIAL_POOL if kind == "material" else COLOUR_POOL)
        english = pool if isinstance(pool, dict) else {w: w for w in pool}
        fresh = [w for w, name in english.items() if w.lower() not in blob
                 and not any(re.search(rf"\b{re.escape(part)}", blob) for part in name.lower().split())]
        if not fresh:
            return None
        word = rng.choice(fresh)
        mentions = lex.find(text)
        backed = [m for m in mentions if m[0] in (checker.materials if kind == "material" else checker.colours)]
        target, changed = _choose(mentions, backed, rng)
        if target is not None:
            _, start, end = target
            return text[:start] + word + text[end:], (start, start + len(word)), changed
        sentence = (f"采用{word}材质。" if kind == "material" else f"颜色为{word}。") if zh else \
            (f"Made of {word}." if kind == "material" else f"Available in {word}.")
        start = len(text) + len(sep) + sentence.index(word)
        return text + sep + sentence, (start, start + len(word)), False
    pool = CLAIM_POOL_ZH if zh else CLAIM_POOL
    fresh = [(s, key) for s, key in pool if not re.search(key, blob)]
    if not fresh:
        return None
    sentence, _ = rng.choice(fresh)
    start = len(text) + len(sep)
    return text + sep + sentence, (start, start + len(sentence)), False


def detected(checker: Checker, text: str, span: tuple[int, int]) -> tuple[bool, list[str]]:
    result = checker.check(text)
    hit = any(f.start < span[1] and span[0] < f.end for f in result.findings)
    return hit, result.reasons


# --- texts supported by construction ------------------------------------------------------------

_MATERIAL_KEY = re.compile(r"fabric|material|upper|sole|outer|lining|shell|frame|strap|body|stone|plating|基材|材质|面料", re.I)
_COLOUR_KEY = re.compile(r"colou?r|shade|颜色", re.I)
_WARRANTY_KEY = re.compile(r"warrant|guarantee", re.I)
_ALT_UNITS = {"length": [("cm", 10), ("m", 1000), ("inches", 25.4), ("mm", 1)], "mass": [("g", 1), ("kg", 1000),
              ("pounds", 453.592), ("ounces", 28.3495)], "time": [("months", 30.4375), ("years", 365.25), ("days", 1)],
              "volume": [("ml", 1), ("litres", 1000)]}
_ALT_UNITS_ZH = {"length": [("厘米", 10), ("米", 1000), ("毫米", 1)], "mass": [("克", 1), ("公斤", 1000), ("斤", 500)],
                 "time": [("个月", 30.4375), ("年", 365.25), ("天", 1)], "volume": [("毫升", 1), ("升", 1000)]}


def _converted(q: Quantity, rng: random.Random, zh: bool) -> str | None:
    """The figure in another unit of its dimension, rounded the way a writer would."""
    choices = [(u, f) for u, f in (_ALT_UNITS_ZH if zh else _ALT_UNITS).get(q.dimension, [])]
    rng.shuffle(choices)
    for unit, factor in choices:
        value = q.base / factor
        if value < (1 if q.dimension == "time" else 0.1) or value > 100_000:
            continue
        if zh and q.dimension == "time" and abs(value - round(value)) < 0.01 and 0 < round(value) < 100:
            return _cn(int(round(value))) + unit
        if abs(value - round(value)) < 0.005 * max(value, 1):
            written = str(int(round(value)))
        elif value < 10:
            written = f"{value:.2f}"
        elif value < 100:
            written = f"{value:.1f}"
        else:
            written = str(int(round(value)))
        return f"{written}{'' if zh else ' '}{unit}"
    return None


def _zh_word(canon: str, entries: dict[str, tuple[str, ...]]) -> str | None:
    spellings = [s for s in entries.get(canon, ()) if not s.isascii() and not s.startswith(("纯", "全"))]
    return spellings[0] if spellings else None


def supported_sentences(facts: ProductFacts, rng: random.Random, zh: bool = False) -> list[str]:
    """Sentences that state only the product's own facts, in varied phrasings and units."""
    out = []
    if facts.brand:
        out.append(rng.choice([f"{facts.name}，{facts.brand}出品。", f"品牌：{facts.brand}。"]) if zh else
                   rng.choice([f"{facts.name} by {facts.brand}.", f"A {facts.name} from {facts.brand}."]))
    else:
        out.append(f"{facts.name}。" if zh else f"Meet the {facts.name}.")
    for key, value in facts.attributes.items():
        if not value or len(value) > 60:
            continue
        quantities = [q for q in find_quantities(value) if q.dimension in _ALT_UNITS]
        mats = lexicon.materials().canonical(value)
        cols = lexicon.colours().canonical(value)
        if _WARRANTY_KEY.search(key) and quantities:
            converted = _converted(quantities[0], rng, zh)
            if converted:
                out.append(rng.choice([f"保修{converted}。", f"{converted}质保。"]) if zh else
                           rng.choice([f"It comes with a {converted} warranty.", f"Warranty: {converted}."]))
                continue
        if quantities and len(quantities) == 1:
            converted = _converted(quantities[0], rng, zh)
            if converted:
                out.append(f"{key}：{converted}。" if zh else rng.choice([f"{key}: {converted}.", f"The {key.lower()} is {converted}."]))
                continue
        if _MATERIAL_KEY.search(key) and mats:
            if zh:
                words = [w for w in (_zh_word(c, lexicon.MATERIALS) for c in sorted(mats)) if w]
                if words:
                    out.append(("纯棉面料。" if mats == {"cotton"} and rng.random() < 0.5 else f"采用{'、'.join(words)}材质。"))
                    continue
            else:
                pure = len(mats) == 1 and len(value.split()) <= 2
                out.append(rng.choice([f"Made of {value.lower()}.", f"It is crafted from {value.lower()}."] +
                                      ([f"Made of 100% {value.lower()}."] if pure else [])))
                continue
        if _COLOUR_KEY.search(key) and cols:
            if zh:
                words = [w for w in (_zh_word(c, lexicon.COLOURS) for c in sorted(cols)) if w]
                if words:
                    out.append(f"颜色：{'、'.join(words)}。")
                    continue
            else:
                out.append(rng.choice([f"Available in {value.lower()}.", f"It comes in {value.strip()}."]))
                continue
        out.append(f"{key}：{value}。" if zh else rng.choice([f"{key}: {value}.", f"The {key.lower()} is {value}."]))
    return out


# --- the run -------------------------------------------------------------------------------------


def run(products: list[Product], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    tallies = {"en": Tally(), "zh": Tally()}
    by_catalog: dict[str, Tally] = defaultdict(Tally)
    sentences = flagged = 0
    real_sentences = real_flagged = 0
    coverage_real: list[float] = []
    coverage_built: list[float] = []
    false_alarms: list[str] = []
    for product in products:
        checker = Checker(product.facts)
        for sentence in split_sentences(product.description):
            real_sentences += 1
            real_flagged += not checker.check(sentence).ok
        coverage_real.append(checker.coverage(product.description).share)
        for kind in KINDS:
            planted = plant(kind, product.description, product.facts, checker, rng)
            if planted is None:
                continue
            text, span, changed = planted
            hit, reasons = detected(checker, text, span)
            for tally in (tallies["en"], by_catalog[product.catalog]):
                tally.planted[kind] += 1
                tally.detected[kind] += hit
                tally.changed[kind] += changed
            if not hit:
                tallies["en"].misses[kind].append(f"{product.catalog} {product.sku}: {text[span[0]:span[1]]!r}")
        for zh in (False, True):
            built = supported_sentences(product.facts, rng, zh)
            for sentence in built:
                sentences += 1
                result = checker.check(sentence)
                if not result.ok:
                    flagged += 1
                    false_alarms.append(f"{product.catalog} {product.sku}: {sentence!r} -> {result.reasons}")
            joined = ("" if zh else " ").join(built)
            coverage_built.append(checker.coverage(joined).share)
            if zh:
                for kind in KINDS:
                    planted = plant(kind, joined, product.facts, checker, rng, zh=True)
                    if planted is None:
                        continue
                    text, span, changed = planted
                    hit, _ = detected(checker, text, span)
                    tallies["zh"].planted[kind] += 1
                    tallies["zh"].detected[kind] += hit
                    tallies["zh"].changed[kind] += changed
                    if not hit:
                        tallies["zh"].misses[kind].append(f"{product.catalog} {product.sku}: {text[span[0]:span[1]]!r}")
    per_kind = {}
    for kind in KINDS:
        planted = tallies["en"].planted[kind] + tallies["zh"].planted[kind]
        hits = tallies["en"].detected[kind] + tallies["zh"].detected[kind]
        per_kind[kind] = {"planted": planted, "recall": round(hits / planted, 4) if planted else None,
                          "en": _round(tallies["en"].recall(kind)), "zh": _round(tallies["zh"].recall(kind)),
                          "changed_supported": tallies["en"].changed[kind] + tallies["zh"].changed[kind]}
    planted = sum(v["planted"] for v in per_kind.values())
    hits = sum(tallies[t].detected[k] for t in tallies for k in KINDS)
    return {
        "products": len(products),
        "planted": planted,
        "detected_recall": round(hits / planted, 4) if planted else None,
        "false_alarm_rate": round(flagged / sentences, 4) if sentences else None,
        "supported_sentences": sentences,
        "real_sentences_flagged": round(real_flagged / real_sentences, 4) if real_sentences else None,
        "real_sentences": real_sentences,
        "coverage_real": round(sum(coverage_real) / len(coverage_real), 4) if coverage_real else None,
        "coverage_supported": round(sum(coverage_built) / len(coverage_built), 4) if coverage_built else None,
        "per_kind": per_kind,
        "per_catalog": {c: {k: _round(t.recall(k)) for k in KINDS} for c, t in sorted(by_catalog.items())},
        "_misses": {lang: dict(t.misses) for lang, t in tallies.items()},
        "_false_alarms": false_alarms,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def generate(products: list[Product], count: int, model: str) -> dict[str, Any]:
    """Write one variant each for ``count`` products with a real (or tiny) model; share that pass."""
    import asyncio

    from plugins.descriptions.settings import DescriptionSettings
    from plugins.descriptions.writer import DescriptionWriter
    from supportbot.config import load_config
    from supportbot.models import create_runner

    config = load_config(None, overrides={"model": {"backend": "transformers", "name": model}})
    runner = create_runner(config.model, config.embeddings)

    async def go() -> dict[str, Any]:
        await runner.start()
        try:
            if not runner.generation_available:
                return {"generated": 0, "note": f"model {model!r} could not be loaded"}
            from prometheus_client import REGISTRY

            from supportbot.knowledge import ProductHit

            def tokens() -> float:
                name = runner.generator.name if runner.generator else ""
                return REGISTRY.get_sample_value("supportbot_model_generated_tokens_total", {"backend": name}) or 0.0

            writer = DescriptionWriter(runner, config, DescriptionSettings(timeout_s=1800))
            hits = [ProductHit(id=i, sku=p.sku, name=p.facts.name, score=1.0, category=p.facts.category,
                               price=p.facts.price, currency=p.facts.currency, attributes=dict(p.facts.attributes))
                    for i, p in enumerate(products[:count])]
            before, started = tokens(), time.perf_counter()
            results = await asyncio.gather(*(writer.write(h, variants=1, length="short") for h in hits),
                                           return_exceptions=True)  # all in flight: the runner batches them
            seconds = time.perf_counter() - started
            variants = [v for d in results if not isinstance(d, BaseException) for v in d.variants]
            return {"generated": len(variants), "failed": sum(isinstance(d, BaseException) for d in results),
                    "passed": round(sum(v.check.ok for v in variants) / max(len(variants), 1), 4),
                    "tokens_per_s": round((tokens() - before) / seconds, 1) if seconds else None}
        finally:
            await runner.close()

    return asyncio.run(go())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.describe", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="products per catalog (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=5, help="misses and false alarms to list per kind")
    parser.add_argument("--generate", type=int, default=0, metavar="N", help="also write variants for N products")
    parser.add_argument("--model", default="Qwen/Qwen2.5-0.5B-Instruct", help="model for --generate")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"needs the shared catalogs at {DATA}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    products = load(args.limit, args.seed)
    report = run(products, args.seed)
    print(f"{report['products']} products from {', '.join(sorted({p.catalog for p in products}))} "
          f"({time.perf_counter() - started:.0f} s)")
    print(f"{'kind':<10}{'planted':>9}{'recall':>9}{'en':>9}{'zh':>9}{'changed':>9}")
    for kind, row in report["per_kind"].items():
        print(f"{kind:<10}{row['planted']:>9}{_pct(row['recall']):>9}{_pct(row['en']):>9}{_pct(row['zh']):>9}"
              f"{row['changed_supported']:>9}")
    print(f"per catalog (en recall): {json.dumps(report['per_catalog'])}")
    print(f"false alarms on supported sentences: {report['false_alarm_rate']} of {report['supported_sentences']}")
    print(f"real description sentences flagged (information): {report['real_sentences_flagged']} "
          f"of {report['real_sentences']}")
    print(f"attribute coverage: real descriptions {report['coverage_real']}, supported texts {report['coverage_supported']}")
    for lang, misses in report.pop("_misses").items():
        for kind, items in misses.items():
            for item in items[: args.show]:
                print(f"  missed {lang} {kind}: {item}")
    for item in report.pop("_false_alarms")[: args.show * 3]:
        print(f"  false alarm: {item}")
    if args.generate:
        report["generate"] = generate(products, args.generate, args.model)
        print(f"generated: {report['generate']}")
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
