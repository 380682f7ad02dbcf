"""Writing descriptions: the prompt, the variants, the check on each, and the template fallback.

:class:`DescriptionWriter` is what /describe and the bulk command share. With a generator it asks
the shared runner for ``n`` variants of ``prompts/describe.yaml`` and checks every one against the
product's facts; without one it composes a plain description from the attributes, labelled as a
template, and says in one line that model-written variants need ``model.backend``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from supportbot.config import Config
from supportbot.knowledge import ProductHit
from supportbot.models import GenerationOptions
from supportbot.prompts import load_prompt

from . import lexicon
from .faithfulness import Checker, CheckResult, ProductFacts, split_sentences
from .settings import DescriptionSettings

__all__ = ["Variant", "Draft", "DescriptionWriter", "facts_of", "language_of"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_BRAND_KEYS = ("brand", "productbrand", "brand name", "品牌")
_MATERIAL_KEY = re.compile(r"fabric|material|材质|面料", re.I)
_COLOUR_KEY = re.compile(r"colou?r|颜色", re.I)
_SIZE_KEY = re.compile(r"\bsize\b|尺码|尺寸", re.I)
_WARRANTY_KEY = re.compile(r"warrant|保修|质保", re.I)
_LEAD = re.compile(r"^\s*(?:\*\*)?(?:product )?(?:description|描述|商品描述)\s*[:：]\s*(?:\*\*)?", re.I)
_MAX_WORDS = {"short": 40, "medium": 90, "long": 180}


@dataclass(frozen=True)
class Variant:
    text: str
    check: CheckResult


@dataclass
class Draft:
    """What one request produced: variants (checked), how they were made, and what to tell staff."""

    sku: str
    language: str
    tone: str
    length: str
    source: str  # "model" or "template"
    variants: list[Variant]
    prompt_hash: str
    settings: dict[str, Any] = field(default_factory=dict)
    note: str | None = None  # e.g. the one line saying model-written variants need a model
    label: str | None = None  # a template is labelled as such

    @property
    def accepted(self) -> list[tuple[int, Variant]]:
        return [(i, v) for i, v in enumerate(self.variants, start=1) if v.check.ok]

    @property
    def rejected(self) -> list[tuple[int, Variant]]:
        return [(i, v) for i, v in enumerate(self.variants, start=1) if not v.check.ok]


def facts_of(product: ProductHit, *, with_description: bool = True) -> ProductFacts:
    brand = next((v for k, v in product.attributes.items() if k.strip().lower() in _BRAND_KEYS), None)
    extra = (product.description,) if with_description and product.description else ()
    return ProductFacts(name=product.name, attributes=dict(product.attributes), brand=brand, category=product.category,
                        price=product.price, price_max=product.price_max, currency=product.currency, extra=extra)


def language_of(product: ProductHit, requested: str) -> str:
    if requested in ("en", "zh"):
        return requested
    text = f"{product.name} {product.description or ''}"
    return "zh" if len(_CJK.findall(text)) >= max(2, len(text) // 10) else "en"


class DescriptionWriter:
    """Variants for one product at a time; share one per process (it holds no state per product)."""

    def __init__(self, runner: Any, config: Config, settings: DescriptionSettings | None = None) -> None:
        self.runner = runner
        self.config = config
        self.settings = settings or DescriptionSettings()

    @property
    def can_generate(self) -> bool:
        return self.runner is not None and bool(getattr(self.runner, "generation_available", False))

    def prompt(self) -> dict[str, Any]:
        return load_prompt(self.config, "describe")

    def messages(self, product: ProductHit, facts: ProductFacts, language: str, tone: str, length: str) -> list[dict[str, str]]:
        prompt = self.prompt()
        lines = [f"- Name: {product.name}"]
        if product.category:
            lines.append(f"- Category: {product.category}")
        if product.price is not None:
            lines.append(f"- Price: {product.price_text}")
        lines += [f"- {k}: {v[:300]}" for k, v in product.attributes.items() if v]
        existing = ""
        if self.settings.existing_as_facts and product.description:
            existing = prompt["existing"][language].format(text=product.description[:1500])
        values = {"shop": self.config.bot.name, "tone_rule": prompt["tones"][tone][language],
                  "length_rule": prompt["lengths"][length][language], "facts": "\n".join(lines), "existing": existing}
        return [{"role": "system", "content": prompt["system"][language].format(**values)},
                {"role": "user", "content": prompt["user"][language].format(**values)}]

    def prompt_hash(self, language: str, tone: str, length: str) -> str:
        prompt = self.prompt()
        parts = [prompt["system"][language], prompt["user"][language], prompt["tones"][tone][language],
                 prompt["lengths"][length][language]]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:12]

    async def write(self, product: ProductHit, *, variants: int | None = None, language: str | None = None,
                    tone: str | None = None, length: str | None = None, temperature: float | None = None,
                    top_p: float | None = None, top_k: int | None = None) -> Draft:
        s = self.settings
        if not self.can_generate:
            return self.template(product, language=language, tone=tone, length=length)
        language = language_of(product, language or s.language)
        tone, length = tone or s.tone, length or s.length
        facts = facts_of(product, with_description=s.existing_as_facts)
        checker = Checker(facts, price_text=product.price_text)
        prompt = self.prompt()
        options = GenerationOptions(n=variants or s.variants, max_new_tokens=int(prompt["lengths"][length]["max_new_tokens"]),
                                    timeout_s=s.timeout_s, temperature=s.temperature if temperature is None else temperature,
                                    top_p=s.top_p if top_p is None else top_p, top_k=s.top_k if top_k is None else top_k)
        sampling = {"temperature": options.temperature, "top_p": options.top_p, "top_k": options.top_k}
        texts = await self.runner.generate(self.messages(product, facts, language, tone, length), options)
        out = []
        for raw in texts:
            text = _clean(raw, length, language)
            out.append(Variant(text, checker.check(text)))
        model = getattr(self.config.model, "name", None)
        return Draft(product.sku, language, tone, length, "model", out, self.prompt_hash(language, tone, length),
                     settings={**sampling, "n": options.n, "max_new_tokens": options.max_new_tokens, "model": model})

    def template(self, product: ProductHit, *, language: str | None = None, tone: str | None = None,
                 length: str | None = None) -> Draft:
        """The no-model description: the attributes, phrased by the templates of describe.yaml."""
        s = self.settings
        language = language_of(product, language or s.language)
        tone, length = tone or s.tone, length or s.length
        checker = Checker(facts_of(product, with_description=s.existing_as_facts), price_text=product.price_text)
        prompt = self.prompt()["template"]
        parts = prompt[language]
        brand = checker.facts.brand
        sentences = [parts["opening"].format(name=product.name, brand=brand) if brand
                     else parts["opening_no_brand"].format(name=product.name)]
        if product.category:
            sentences.append(parts["category"].format(category=product.category.split(" > ")[-1]))
        for key, value in product.attributes.items():
            if not value or len(value) > 120 or key.strip().lower() in _BRAND_KEYS:
                continue
            if _MATERIAL_KEY.search(key) and lexicon.materials().find(value):
                slot = "material"
            elif _COLOUR_KEY.search(key):
                slot = "colour"
            elif _SIZE_KEY.search(key):
                slot = "size"
            elif _WARRANTY_KEY.search(key):
                slot = "warranty"
            else:
                slot = "other"
            label = key.strip()[:1].upper() + key.strip()[1:]
            sentences.append(parts[slot].format(key=label, value=value.strip()))
        text = _cap(("" if language == "zh" else " ").join(sentences), length, language)
        return Draft(product.sku, language, tone, length, "template", [Variant(text, checker.check(text))],
                     self.prompt_hash(language, tone, length), settings={"template": True},
                     note=prompt["needs_model"][language], label=prompt["label"][language])


def _clean(raw: str, length: str, language: str) -> str:
    text = _LEAD.sub("", raw.strip())
    text = text.strip().strip('"“”「」').strip()
    text = re.sub(r"[ \t]+", " ", text)
    return _cap(text, length, language)


def _cap(text: str, length: str, language: str) -> str:
    """At most the length's word budget (characters for Chinese), cut at a sentence end when one is near."""
    limit = _MAX_WORDS[length]
    size = (lambda t: len(t)) if language == "zh" else (lambda t: len(t.split()))
    budget = limit * 5 // 3 if language == "zh" else limit
    if size(text) <= budget:
        return text
    kept: list[str] = []
    for sentence in split_sentences(text):
        if kept and size(" ".join(kept + [sentence])) > budget:
            break
        kept.append(sentence)
    joined = ("" if language == "zh" else " ").join(kept)
    return joined if size(joined) <= budget * 1.2 else " ".join(joined.split()[:budget])
