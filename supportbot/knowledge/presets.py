"""Product exports of the common shop platforms, read without a column mapping.

``python bot.py import products export.csv --preset shopify|woocommerce|magento``, or no option at
all: the preset is detected from the header. Each platform writes one row per variant beside (or
under) its parent product; a customer asks about the product. So each preset gives **one product
per parent**, with

- stock summed over its children (a configurable parent's own qty is 0 on Magento, blank on
  WooCommerce: it never means "out of stock"), price the children's range;
- each option (colour, size, ...) listed with every value its children have, in file order;
- the children themselves in :attr:`~.store.ProductRecord.variants` (SKU, options, price, stock),
  so "is the blue one in stock?" can be answered;
- a running sale kept beside the price paid (:attr:`~.store.ProductRecord.sale`): Shopify's
  ``Variant Compare At Price`` above the price, WooCommerce's ``Regular price`` under a ``Sale price``
  between ``Date sale price starts`` and ``Date sale price ends``, Magento's ``special_price`` within its dates;
- platform bookkeeping left out: option flags (``has_options``, ``required_options``), visibility,
  tax classes, the ``Default Category/`` root; products hidden from the shop are not imported;
- HTML descriptions cleaned to text.

Column names are the platforms' own export headers: Shopify's product CSV (``Handle``, ``Title``,
``Body (HTML)``, ``Option1 Name``, ``Variant SKU``, ``Variant Inventory Qty``, ``Variant Price``),
WooCommerce's product CSV exporter (``ID``, ``Type``, ``SKU``, ``Parent``, ``Attribute 1 name``,
``Stock``, ``Regular price``) and Magento 2's catalog export (``sku``, ``product_type``,
``configurable_variations``, ``additional_attributes``, ``qty``, ``categories``, ``visibility``).
A bad row is reported by its row number; the rest import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .pages import html_to_text, looks_like_html
from .parsing import clean_text, parse_price, parse_stock
from .report import ImportReport
from .store import ProductRecord

__all__ = ["PRESETS", "detect_preset", "preset_products", "customer_attributes", "parse_pairs"]

Rows = Iterable[tuple[int, "dict[str, Any] | str"]]

#: Attribute keys that are platform bookkeeping, never product facts for a customer.
_PLATFORM_KEYS = {
    "has_options", "required_options", "options_container", "quantity_and_stock_status", "tax_class_id",
    "gift_message_available", "msrp_display_actual_price_type", "url_key", "url_path", "visibility", "status",
    "custom_design", "page_layout", "news_from_date", "news_to_date", "special_from_date", "special_to_date",
    "meta_title", "meta_keyword", "meta_description", "thumbnail_label", "small_image_label", "image_label",
    "swatch_image", "country_of_manufacture", "weight_type", "price_type", "sku_type", "price_view",
    "shipment_type", "links_purchased_separately", "samples_title", "links_title", "links_exist",
}
_FLAG_VALUE = re.compile(r"^(?:0|1|yes|no|true|false|y|n)$", re.I)


@dataclass
class _Product:
    """A parent (or a product without variants) while its children are collected."""

    record: ProductRecord
    options: dict[str, list[str]] = field(default_factory=dict)  # option name -> values, file order
    children: list[dict[str, Any]] = field(default_factory=list)
    #: Shopify: option names by position (only a product's first row names them).
    option_names: dict[int, str] = field(default_factory=dict)
    #: WooCommerce: a variable product's own values, for variations that take "any".
    any_values: dict[str, str] = field(default_factory=dict)
    #: Magento: the ``configurable_variations`` cell, resolved once every row is read.
    variations: str = ""

    def add_child(self, sku: str, options: Mapping[str, str], price: float | None, stock: int | None,
                  sale: dict[str, Any] | None = None) -> None:
        for name, value in options.items():
            values = self.options.setdefault(name, [])
            if value and value not in values:
                values.append(value)
        child = {"sku": sku, "options": dict(options), "price": price, "stock": stock}
        if sale:
            child["sale"] = sale
        self.children.append(child)

    def finish(self) -> ProductRecord:
        """The parent as one product: children's stock summed, their prices as the range."""
        p = self.record
        if self.children:
            stocks = [c["stock"] for c in self.children if c["stock"] is not None]
            if stocks:
                p.stock = sum(stocks)
            prices = [c["price"] for c in self.children if c["price"] is not None]
            if prices:
                low, high = min(prices), max(prices)
                p.price, p.price_max = low, (high if high != low else None)
            p.sale = _children_sale(self.children) or p.sale
            p.variants = self.children
        for name, values in self.options.items():
            takes_any = any(name not in c["options"] for c in self.children)
            if takes_any and self.any_values.get(name):  # a variation of "any" size: all the parent's sizes
                own = _split_values(self.any_values[name])
                values = own + [v for v in values if v not in own]
            if values:
                p.attributes[name] = ", ".join(values)
        return p


def _sale(price: float | None, regular: float | None, ends: str | None = None) -> dict[str, Any] | None:
    """A sale as :class:`~.store.ProductRecord` keeps it, when ``regular`` is above the price paid."""
    if price is None or regular is None or regular <= price:
        return None  # a compare-at price at or below the price is no reduction (Shopify keeps stale ones)
    return {"regular": regular, "ends": ends or None}


def _children_sale(children: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The product's sale from its children's: their regular prices as a range, the end date they
    share (none when they differ: the card then names no date rather than a wrong one)."""
    sales = [c["sale"] for c in children if c.get("sale")]
    if not sales:
        return None
    low, high = min(s["regular"] for s in sales), max(s["regular"] for s in sales)
    ends = {s.get("ends") for s in sales}
    out: dict[str, Any] = {"regular": low, "ends": ends.pop() if len(ends) == 1 else None}
    if high != low:
        out["regular_max"] = high
    return out


def _split_values(cell: str) -> list[str]:
    """WooCommerce's attribute cell: "Large, Medium, Small" (or with | between)."""
    return [v.strip() for v in re.split(r"[,|]", cell) if v.strip()]


def customer_attributes(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Attributes a customer may see: no platform flags, no yes/no switches, readable names
    (``style_general`` -> ``Style general``)."""
    out: dict[str, str] = {}
    for key, value in pairs:
        key, value = clean_text(key), clean_text(value)
        if not key or not value or key.lower() in _PLATFORM_KEYS or _FLAG_VALUE.match(value):
            continue
        label = key.replace("_", " ").strip()
        out[label[:1].upper() + label[1:]] = value.replace("|", ", ")
    return out


def _text(record: Mapping[str, Any], column: str) -> str:
    return clean_text(record.get(column))


def _html(record: Mapping[str, Any], *columns: str) -> str | None:
    for column in columns:
        # WooCommerce's exporter writes a description's line breaks as the two characters "\\n".
        raw = str(record.get(column) or "").replace("\\r\\n", "\n").replace("\\n", "\n").strip()
        if raw:
            return html_to_text(raw) if looks_like_html(raw) else clean_text(raw)
    return None


def _price(number: int, raw: str, currency: str | None, report: ImportReport) -> float | None:
    try:
        price = parse_price(raw, currency)
    except ValueError as exc:
        report.problem(number, f"{exc}; imported without a price", skipped=False)
        return None
    return price.amount if price is not None else None


def _stock(number: int, raw: Any, report: ImportReport) -> int | None:
    try:
        return parse_stock(raw)
    except ValueError as exc:
        report.problem(number, f"{exc}; imported without stock", skipped=False)
        return None


def _category(path: str, *, separator: str, drop_root: bool = False) -> str | None:
    parts = [p.strip() for p in path.split(separator) if p.strip()]
    if drop_root and len(parts) > 1:
        parts = parts[1:]  # Magento paths start at the store's root category ("Default Category")
    return " > ".join(parts) or None


def _skipped_note(report: ImportReport, count: int, why: str) -> None:
    if count:
        report.notes.append(f"{count} row(s) not imported: {why}")


# --- Shopify ------------------------------------------------------------------------------------


def _shopify(rows: Rows, report: ImportReport, currency: str | None) -> list[ProductRecord]:
    """Rows sharing a ``Handle``: the first carries the product, each with a ``Variant SKU`` or
    option value is a variant; rows with only an image are neither."""
    products: dict[str, _Product] = {}
    hidden: set[str] = set()
    for number, record in rows:
        report.rows += 1
        if isinstance(record, str):
            report.problem(number, record)
            continue
        handle = _text(record, "Handle")
        if not handle:
            report.problem(number, "no Handle")
            continue
        title = _text(record, "Title")
        if handle not in products and handle not in hidden:
            if not title:
                report.problem(number, f"handle {handle!r}: its first row has no Title")
                continue
            status = _text(record, "Status").lower()
            published = _text(record, "Published").lower()
            if status in ("draft", "archived") or published == "false":
                hidden.add(handle)
                continue
            category = _text(record, "Product Category") or _text(record, "Type")
            attrs = customer_attributes([("Brand", _text(record, "Vendor"))])
            products[handle] = _Product(ProductRecord(
                row=number, sku=handle, name=title, category=_category(category, separator=">"),
                attributes=attrs, description=_html(record, "Body (HTML)"), currency=currency))
        if handle in hidden:
            continue
        product = products[handle]
        options = {}
        for n in (1, 2, 3):
            name, value = _text(record, f"Option{n} Name"), _text(record, f"Option{n} Value")
            if value and not (name == "Title" and value == "Default Title"):
                # Only the first row names the options; variant rows give values in the same order.
                name = product.option_names.setdefault(n, name or f"Option {n}")
                options[name] = value
        sku = _text(record, "Variant SKU")
        raw_price = _text(record, "Variant Price")
        if not (sku or options or raw_price):
            continue  # an image row
        price = _price(number, raw_price, currency, report)
        compare_at = _text(record, "Variant Compare At Price")
        product.add_child(sku or f"{handle}#{len(product.children) + 1}", options, price,
                          _stock(number, record.get("Variant Inventory Qty"), report),
                          _sale(price, _price(number, compare_at, currency, report) if compare_at else None))
    _skipped_note(report, len(hidden), "draft, archived or unpublished products")
    out = []
    for product in products.values():
        if len(product.children) == 1 and not product.children[0]["options"]:
            # A product without variants: its one variant row is the product itself.
            child = product.children[0]
            product.record.price, product.record.stock = child["price"], child["stock"]
            product.record.sale = child.get("sale")
            product.children = []
        out.append(product.finish())
    return out


# --- WooCommerce --------------------------------------------------------------------------------


def _woo_attributes(record: Mapping[str, Any], *, visible_only: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for n in range(1, 50):
        name = _text(record, f"Attribute {n} name")
        if not name:
            if f"Attribute {n} name" not in record:
                break
            continue
        if visible_only and _text(record, f"Attribute {n} visible") == "0":
            continue
        out[name] = _text(record, f"Attribute {n} value(s)")
    return out


def _price_and_sale(number: int, record: Mapping[str, Any], currency: str | None, report: ImportReport,
                    columns: tuple[str, str, str, str]) -> tuple[float | None, dict[str, Any] | None]:
    """The price and the sale from ``columns`` (regular price, sale price, the sale's first and last
    day): the sale price while the sale runs (begun, or no start date; not ended, or no end date),
    else the regular price and no sale."""
    regular_column, sale_column, starts_column, ends_column = columns
    regular = _price(number, _text(record, regular_column), currency, report)
    sale = _text(record, sale_column)
    starts, ends = _text(record, starts_column)[:10], _text(record, ends_column)[:10]
    today = date.today().isoformat()
    if sale and (not starts or starts <= today) and (not ends or ends >= today):
        price = _price(number, sale, currency, report)
        return price, _sale(price, regular, ends)
    return regular, None


_WOO_PRICES = ("Regular price", "Sale price", "Date sale price starts", "Date sale price ends")
_MAGENTO_PRICES = ("price", "special_price", "special_price_from_date", "special_price_to_date")


def _woo_stock(number: int, record: Mapping[str, Any], report: ImportReport) -> int | None:
    if _text(record, "Stock"):
        return _stock(number, record.get("Stock"), report)
    # "In stock?" without a quantity: 0 is a fact; 1 says available, not how many (left unknown).
    return 0 if _text(record, "In stock?") == "0" else None


def _woocommerce(rows: Rows, report: ImportReport, currency: str | None) -> list[ProductRecord]:
    """``Type`` variable (parent) and variation (child, ``Parent`` = the parent's SKU or ``id:N``)."""
    products: dict[str, _Product] = {}
    by_id: dict[str, str] = {}
    variations: list[tuple[int, dict[str, Any]]] = []
    hidden = 0
    for number, record in rows:
        report.rows += 1
        if isinstance(record, str):
            report.problem(number, record)
            continue
        kinds = {k.strip() for k in _text(record, "Type").lower().split(",")}
        if "variation" in kinds:
            variations.append((number, record))
            continue
        sku = _text(record, "SKU") or (f"id:{_text(record, 'ID')}" if _text(record, "ID") else "")
        name = _text(record, "Name")
        if not sku:
            report.problem(number, "no SKU or ID")
            continue
        if not name:
            report.problem(number, f"sku {sku!r} has no Name")
            continue
        if sku in products:
            report.problem(number, f"duplicate sku {sku!r} (first at row {products[sku].record.row})")
            continue
        if _text(record, "Published") in ("0", "-1") or _text(record, "Visibility in catalog").lower() == "hidden":
            hidden += 1
            continue
        categories = re.split(r"(?<!\\),", _text(record, "Categories"))[0].replace("\\,", ",")
        attrs = customer_attributes([("Brand", _text(record, "Brands"))])
        own = _woo_attributes(record, visible_only=True)
        variable = "variable" in kinds
        if not variable:
            attrs.update(customer_attributes(own.items()))
        product = _Product(ProductRecord(
            row=number, sku=sku, name=name, category=_category(categories, separator=">"), attributes=attrs,
            description=_html(record, "Description", "Short description"), currency=currency))
        if not variable:
            product.record.price, product.record.sale = _price_and_sale(number, record, currency, report, _WOO_PRICES)
            product.record.stock = _woo_stock(number, record, report)
        else:
            product.options = {k: [] for k in own}  # filled from the variations, in their order
            product.any_values = own
        products[sku] = product
        if _text(record, "ID"):
            by_id[_text(record, "ID")] = sku
    for number, record in variations:
        parent_ref = _text(record, "Parent")
        parent_sku = by_id.get(parent_ref[3:]) if parent_ref.startswith("id:") else parent_ref
        parent = products.get(parent_sku or "")
        if parent is None:
            report.problem(number, f"variation of an unknown or hidden product {parent_ref!r}")
            continue
        # An empty value means "any": the child is left without that option, so it counts for every
        # value (its stock is not one more value "2-4 years, 5-8 years").
        options = {name: value for name, value in _woo_attributes(record, visible_only=False).items() if value}
        price, sale = _price_and_sale(number, record, currency, report, _WOO_PRICES)
        parent.add_child(_text(record, "SKU") or f"id:{_text(record, 'ID')}", options, price,
                         _woo_stock(number, record, report), sale)
    _skipped_note(report, hidden, "unpublished or hidden from the catalog")
    out = []
    for product in products.values():
        for name in list(product.options):
            # "Blue, Green, Red" from an "any" variation is several values, not one.
            product.options[name] = list(dict.fromkeys(v.strip() for vs in product.options[name]
                                                       for v in vs.split(",") if v.strip()))
        out.append(product.finish())
    return out


# --- Magento 2 ----------------------------------------------------------------------------------


def parse_pairs(text: str, separator: str = ",") -> list[tuple[str, str]]:
    """``"color=Black,size=M"`` -> ``[("color", "Black"), ("size", "M")]`` (a comma inside a value,
    as Magento writes multi-word values unquoted, stays with its value)."""
    pairs: list[tuple[str, str]] = []
    for part in re.split(rf"{re.escape(separator)}(?=[\w ]+=)", text):
        key, sep, value = part.partition("=")
        if sep:
            pairs.append((key.strip(), value.strip()))
        elif pairs:
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]}{separator}{part}")
    return pairs


def _magento(rows: Rows, report: ImportReport, currency: str | None) -> list[ProductRecord]:
    """``configurable`` parents list their children in ``configurable_variations``
    (``sku=X,color=Black,size=M|sku=Y,...``); children are simple products, usually
    ``Not Visible Individually``, holding the stock."""
    products: dict[str, _Product] = {}
    simples: dict[str, tuple[int, dict[str, Any]]] = {}
    store_views = hidden = 0
    labels: dict[str, dict[str, str]] = {}
    for number, record in rows:
        report.rows += 1
        if isinstance(record, str):
            report.problem(number, record)
            continue
        if _text(record, "store_view_code"):
            store_views += 1  # a translation or override of a row given in full elsewhere
            continue
        sku, name = _text(record, "sku"), _text(record, "name")
        if not sku:
            report.problem(number, "no sku")
            continue
        if not name:
            report.problem(number, f"sku {sku!r} has no name")
            continue
        if sku in products or sku in simples:
            first = products[sku].record.row if sku in products else simples[sku][0]
            report.problem(number, f"duplicate sku {sku!r} (first at row {first})")
            continue
        kind = _text(record, "product_type").lower() or "simple"
        if kind == "configurable" and _text(record, "product_online") == "2":
            hidden += 1  # disabled in the shop
            continue
        if kind != "configurable":
            simples[sku] = (number, record)
            continue
        products[sku] = _magento_product(number, record, currency)
        labels[sku] = dict(parse_pairs(_text(record, "configurable_variation_labels")))
    children_of: dict[str, str] = {}
    for parent_sku, product in products.items():
        for variation in (v for v in product.variations.split("|") if v.strip()):
            values = dict(parse_pairs(variation))
            child_sku = values.pop("sku", "")
            if not child_sku:
                continue
            children_of[child_sku] = parent_sku
            named = {labels[parent_sku].get(k, k.replace("_", " ").capitalize()): v for k, v in values.items()}
            child = simples.get(child_sku)
            if child is None:
                report.problem(product.record.row, f"variation {child_sku!r} is not in the file; listed without stock",
                               skipped=False)
                product.add_child(child_sku, named, None, None)
                continue
            number, record = child
            price, sale = _price_and_sale(number, record, currency, report, _MAGENTO_PRICES)
            product.add_child(child_sku, named, price, _magento_stock(number, record, report), sale)
    for sku, (number, record) in simples.items():
        if sku in children_of:
            continue
        if _text(record, "visibility").lower() == "not visible individually" or _text(record, "product_online") == "2":
            hidden += 1
            continue
        product = _magento_product(number, record, currency)
        product.record.price, product.record.sale = _price_and_sale(number, record, currency, report, _MAGENTO_PRICES)
        product.record.stock = _magento_stock(number, record, report)
        products[sku] = product
    _skipped_note(report, store_views, "store-view rows (translations of rows imported once)")
    _skipped_note(report, hidden, "not visible individually and no configurable product's variation, or disabled")
    return [p.finish() for p in sorted(products.values(), key=lambda p: p.record.row)]


def _magento_product(number: int, record: Mapping[str, Any], currency: str | None) -> _Product:
    categories = _text(record, "categories").split(",")[0]
    return _Product(ProductRecord(
        row=number, sku=_text(record, "sku"), name=_text(record, "name"),
        category=_category(categories, separator="/", drop_root=True),
        attributes=customer_attributes(parse_pairs(_text(record, "additional_attributes"))),
        description=_html(record, "description", "short_description"), currency=currency),
        variations=_text(record, "configurable_variations"))


def _magento_stock(number: int, record: Mapping[str, Any], report: ImportReport) -> int | None:
    if _text(record, "is_in_stock") == "0":
        return 0
    return _stock(number, _text(record, "qty"), report)


# --- choosing one -------------------------------------------------------------------------------

Reader = Callable[[Rows, ImportReport, "str | None"], list[ProductRecord]]

_SHOPIFY_COLUMNS = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Status", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
    "Variant SKU", "Variant Price", "Variant Compare At Price", "Variant Inventory Qty")
_WOO_COLUMNS = (
    "ID", "Type", "SKU", "Name", "Parent", "Stock", "In stock?", "Published", "Visibility in catalog", "Regular price",
    "Sale price", "Date sale price starts", "Date sale price ends", "Categories", "Brands", "Description", "Short description",
    *(f"Attribute {n} {part}" for n in range(1, 50) for part in ("name", "value(s)", "visible")))
_MAGENTO_COLUMNS = (
    "sku", "store_view_code", "product_type", "name", "description", "short_description", "categories", "visibility",
    "product_online", "price", "special_price", "special_price_from_date", "special_price_to_date", "qty",
    "is_in_stock", "additional_attributes", "configurable_variations",
    "configurable_variation_labels")


@dataclass(frozen=True)
class _Preset:
    identifying: frozenset[str]  # lower-case header names that only this platform's export has together
    read: Reader
    columns: tuple[str, ...]  # the documented names the reader uses


#: Preset name -> how to recognise and read its export.
PRESETS: dict[str, _Preset] = {
    "shopify": _Preset(frozenset({"handle", "title", "variant price"}), _shopify, _SHOPIFY_COLUMNS),
    "woocommerce": _Preset(frozenset({"type", "sku", "name", "parent", "regular price"}), _woocommerce, _WOO_COLUMNS),
    "magento": _Preset(frozenset({"sku", "product_type", "name", "additional_attributes"}), _magento, _MAGENTO_COLUMNS),
}


def detect_preset(columns: Iterable[str]) -> str | None:
    """The platform whose export has these columns, or None."""
    names = {c.strip().lower() for c in columns}
    return next((name for name, preset in PRESETS.items() if preset.identifying <= names), None)


def preset_products(preset: str, columns: list[str], rows: Rows, report: ImportReport,
                    currency: str | None) -> list[ProductRecord]:
    """Read an export with a named preset; the file must have the columns that identify it."""
    spec = PRESETS[preset]
    have = {c.strip().lower() for c in columns}
    missing = sorted(spec.identifying - have)
    if missing:
        from .importers import MappingError

        raise MappingError(f"--preset {preset}: the file lacks {', '.join(missing)}; it has {', '.join(columns)}")
    canonical = {c.lower(): c for c in spec.columns}

    def renamed() -> Iterable[tuple[int, dict[str, Any] | str]]:
        # Exports differ in letter case between versions: give the readers the documented names.
        for number, record in rows:
            if isinstance(record, str):
                yield number, record
            else:
                yield number, {canonical.get(k.strip().lower(), k): v for k, v in record.items()}

    report.columns = {"preset": preset, "currency": currency or "unknown"}
    products = spec.read(renamed(), report, currency)
    report.problems.sort(key=lambda p: p.row)  # children are read after their parents: list in file order
    return products

