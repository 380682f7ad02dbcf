"""What searches return: products and passages that an answer can cite."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

__all__ = ["ProductHit", "Passage", "Sale", "format_amount", "stock_text"]

# Canadian, Australian and New Zealand shops write their own dollars "$" too, as their pages do.
_SYMBOL = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "CNY": "¥"}


def format_amount(amount: float, currency: str | None) -> str:
    """``1299.0, "INR"`` -> ``"₹1,299"``; ``99.95, "USD"`` -> ``"$99.95"``; unknown codes are spelled out.

    Only formats what is stored: no rounding beyond the stored cents, no conversion.
    """
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    if currency in _SYMBOL:
        return f"{_SYMBOL[currency]}{text}"
    return f"{text} {currency}" if currency else text


@dataclass(frozen=True, slots=True)
class Sale:
    """A product's sale as the platform export states it: the regular price (a range where the
    children's differ) that the stored price is reduced from, and the day the sale ends, if set."""

    regular: float
    regular_max: float | None = None
    ends: str | None = None  #: ISO date, the sale's last day (WooCommerce, Magento); Shopify sets none

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Sale | None:
        return cls(value["regular"], value.get("regular_max"), value.get("ends")) if value else None

    def running(self, today: date | None = None) -> bool:
        """The sale has not ended: no end date, or one not yet past."""
        return self.ends is None or self.ends >= (today or date.today()).isoformat()

    @property
    def ends_text(self) -> str | None:
        """"24 Dec 2026": the last day, as a customer reads it (not 12/24 or 24/12)."""
        if not self.ends:
            return None
        try:
            day = date.fromisoformat(self.ends[:10])
        except ValueError:
            return self.ends
        return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True, slots=True)
class ProductHit:
    """One catalog product found by a search.

    ``score`` is a relevance in 0..1: the larger of the query's cosine similarity to the product
    and the (idf-weighted) share of the query's words found in it, which is what thresholds such
    as "good enough to show" compare. The order of a result list comes from the two combined
    (``knowledge.vector_weight``), so a later hit may have a higher ``score``.
    """

    id: int
    sku: str
    name: str
    score: float
    category: str | None = None
    price: float | None = None
    price_max: float | None = None
    currency: str | None = None
    stock: int | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    url: str | None = None
    #: A parent product's children, from a platform export: each ``{"sku": ..., "options":
    #: {"Color": "Blue", "Size": "M"}, "price": 45.0 or None, "stock": 3 or None}``; empty otherwise.
    variants: tuple[dict[str, Any], ...] = ()
    #: The export's own sale (compare-at or regular price, end date); None when not on sale.
    sale: Sale | None = None

    @property
    def source_id(self) -> str:
        """What an answer that shows this product cites: ``product:SKU``."""
        return f"product:{self.sku}"

    def variant_price_text(self, variant: NamedVariant) -> str | None:
        """A named variant's own price, formatted, where the product's prices differ between its
        children ("Pack of 6: $51.95" of a pillow at $23.95 – $51.95); None where one price says it all."""
        if variant.price is None or self.price_max is None:
            return None
        return format_amount(variant.price, self.currency)

    @property
    def price_text(self) -> str | None:
        """The stored price, formatted; None when the catalog has none (never say a price then)."""
        if self.price is None:
            return None
        low = format_amount(self.price, self.currency)
        if self.price_max is None:
            return low
        return f"{low} – {format_amount(self.price_max, self.currency)}"

    @property
    def on_sale(self) -> bool:
        """Reduced from a regular price by a sale that is still running."""
        return self.sale is not None and self.sale.running()

    @property
    def regular_price_text(self) -> str | None:
        """The price before the sale ("$64", or a range), while the sale runs; else None."""
        if not self.on_sale:
            return None
        assert self.sale is not None
        low = format_amount(self.sale.regular, self.currency)
        return low if self.sale.regular_max is None else f"{low} – {format_amount(self.sale.regular_max, self.currency)}"

    @property
    def offer_text(self) -> str | None:
        """The price as a card shows it: ``"$44 (was $64, sale ends 24 Dec 2026)"``, or the price alone."""
        price = self.price_text
        if price is None or (regular := self.regular_price_text) is None:
            return price
        assert self.sale is not None
        ends = f", sale ends {self.sale.ends_text}" if self.sale.ends_text else ""
        return f"{price} (was {regular}{ends})"

    def option_stock(self) -> dict[str, dict[str, int | None]]:
        """Per option of the children ("Colour"), each value's stock summed over its children (None
        when no child with it says): ``{"Colour": {"Pink & Red": 0, "White & Black": 40}}``."""
        out: dict[str, dict[str, int | None]] = {}
        for child in self.variants:
            for option, value in (child.get("options") or {}).items():
                if value:
                    out.setdefault(option, {}).setdefault(value, None)
        for option, values in out.items():  # values only a child of "any" has, from the product's list
            if any(option not in (c.get("options") or {}) for c in self.variants):
                for value in (self.attributes.get(option) or "").split(", "):
                    if value:
                        values.setdefault(value, None)
        for child in self.variants:
            stock, options = child.get("stock"), child.get("options") or {}
            for option, values in out.items():
                # a child without the option takes any of its values (WooCommerce's "any")
                for value in [options[option]] if options.get(option) else list(values):
                    had = values[value]
                    values[value] = stock if had is None else had + (stock or 0)
        return out

    def variants_named(self, text: str, earlier: str = "") -> list[NamedVariant]:
        """The option values of the children that ``text`` names ("in Pink & Red?"), with their stock;
        the longest values first, and none that only occurs inside a longer one named too. ``earlier``
        (the customer's previous message) names the options ``text`` leaves open: "in Spruce Green?",
        then "what about in medium?" asks for the green one in M."""
        found = self._values_named(_words_of(text))
        said = {option for option, _, _ in found}
        if found and earlier:  # "how much is it?" after "in Pink?" asks the price, not the option again
            found += [f for f in self._values_named(_words_of(earlier)) if f[0] not in said]
        named: dict[str, list[str]] = {}
        for option, value, _ in found:
            named.setdefault(option, []).append(value)
        if len(named) < 2:
            return [NamedVariant(option, value, stock, self._price_of({option: value})) for option, value, stock in found]
        order = list(self.option_stock())  # "Blue, M" as the product lists its options, whichever was said first
        named = dict(sorted(named.items(), key=lambda item: order.index(item[0])))
        # "in Lilac, 5-8 years": the children with both, not each value's total over the others
        return [NamedVariant(" / ".join(named), ", ".join(combination), self._stock_of(dict(zip(named, combination))),
                             self._price_of(dict(zip(named, combination))))
                for combination in itertools.product(*named.values())]

    def _values_named(self, words: str) -> list[tuple[str, str, int | None]]:
        found: list[tuple[str, str, int | None]] = []
        for option, values in self.option_stock().items():
            before = len(found)
            for value, stock in sorted(values.items(), key=lambda v: -len(v[0])):
                name = _words_of(value)
                if _names_value(name, words) and \
                        not any(f" {name} " in f" {_words_of(other)} " for _, other, _ in found):
                    found.append((option, value, stock))
            if len(found) == before:  # "in green?" names "Spruce Green", "in 28cm" "28 cm / 6.7 L", if only they
                said = _value_keys(words)
                partial = [(v, st) for v, st in values.items() if said & _value_keys(_words_of(v))]
                if len(partial) == 1:
                    found.append((option, *partial[0]))
        return found

    def _children_with(self, options: dict[str, str]) -> list[dict[str, Any]]:
        # a child without one of the options takes any value of it (WooCommerce's "any")
        return [c for c in self.variants if all((c.get("options") or {}).get(k, v) == v for k, v in options.items())]

    def _price_of(self, options: dict[str, str]) -> float | None:
        """The price of the children with all of ``options`` when they share one, else None."""
        prices = {c.get("price") for c in self._children_with(options)}
        return prices.pop() if len(prices) == 1 else None

    def _stock_of(self, options: dict[str, str]) -> int | None:
        """The stock of the children with all of ``options``: 0 when none is made that way."""
        matching = [c.get("stock") for c in self._children_with(options)]
        if matching and all(s is None for s in matching):
            return None
        return sum(s or 0 for s in matching)

    @property
    def stock_text(self) -> str | None:
        """``"In stock (12)"``, ``"Out of stock"``, or None when the catalog does not say."""
        return stock_text(self.stock)


#: Words of option values that say nothing about which one is meant ("5-8 years", "Pack of 2").
_NOT_A_VALUE_WORD = {"and", "the", "for", "with", "one", "size", "sizes", "years", "year", "months", "month", "pack",
                     "piece", "pieces", "set", "inch", "inches"}
#: Letter sizes as customers also write them: "in medium?", "a large".
SIZE_SPELLINGS = {"xs": ("extra small", "x-small"), "s": ("small",), "m": ("medium",), "l": ("large",),
               "xl": ("extra large", "x-large"), "xxl": ("xx-large", "2xl")}


#: The units a size or quantity is written with, "28 cm" or "28cm" (see :func:`_words_of`).
_UNIT = r"(?:mm|cm|ml|kg|g|oz|l)\b"


def _value_keys(words: str) -> set[str]:
    """What names an option value in part: its words of three letters or more, and its measures ("28 cm")."""
    measures = set(re.findall(rf"\d+(?:\.\d+)? {_UNIT}", words))
    return {w for w in words.split() if len(w) >= 3 and w.isalpha()} - _NOT_A_VALUE_WORD | measures


def _names_value(name: str, words: str) -> bool:
    """Whether ``words`` (see :func:`_words_of`) name the option value ``name``. A lone letter is a
    size only where the message says so ("size M", "in M"), not every "m" or "s" of a message."""
    spellings = [name] if len(name) >= 2 else [f"size {name}", f"in {name}", f"an {name}"]
    return any(f" {s} " in f" {words} " for s in (*spellings, *SIZE_SPELLINGS.get(name, ())))


def _words_of(text: str) -> str:
    """Lower-cased, punctuation between words dropped: "Lilac, 5-8 years?" names "lilac" and "5-8 years";
    a number and its unit apart, as sizes are written either way."""
    words = re.sub(r"[,;:!?()\"]+|\.(?=\s|$)", " ", text.lower())
    return " ".join(re.sub(rf"(\d)\s?({_UNIT})", r"\1 \2", words).split())  # "28cm" is "28 cm"


def stock_text(stock: int | None) -> str | None:
    """A product's or one option's stock as customers are told it (see :attr:`ProductHit.stock_text`)."""
    if stock is None:
        return None
    return f"In stock ({stock})" if stock > 0 else "Out of stock"


class NamedVariant(NamedTuple):
    """Children of a product that a message names by their options, as :meth:`ProductHit.variants_named` finds them."""

    option: str  #: "Colour", or "Colour / Size" for two named together
    value: str  #: "Pink & Red", or "Blue, M"
    stock: int | None  #: summed over those children; None when none says
    price: float | None  #: their price when they share one


@dataclass(frozen=True, slots=True)
class Passage:
    """An FAQ entry or a policy passage, as retrieved.

    ``id`` is stable across re-imports (``faq:12``, ``policy:shipping#3``) so answers can cite it.
    ``score`` is the cosine similarity to the query when vectors are available, otherwise the
    share of the query's words found in the passage.
    """

    id: str
    kind: str
    title: str | None
    text: str
    score: float
    source: str | None = None
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def question(self) -> str | None:
        """For an FAQ entry, its question (the title)."""
        return self.title

    @property
    def answer(self) -> str:
        """For an FAQ entry, its answer (the text)."""
        return self.text

    @property
    def label(self) -> str:
        """A short human label for citing: ``FAQ: How do I return an item?`` or a policy heading."""
        prefix = "FAQ" if self.kind == "faq" else "Policy"
        return f"{prefix}: {self.title}" if self.title else f"{prefix} ({self.source or self.id})"
