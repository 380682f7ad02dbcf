"""Importing products, FAQ entries and policies from the merchant's files.

``python bot.py import products catalog.csv --map "sku=ProductID,name=ProductName,price=Price (INR)"``

- Products and FAQ come from CSV/TSV, JSON (a list of objects, or an object holding one) or
  JSON Lines. A column mapping says which column holds each field; fields not mapped fall back
  to ``knowledge.product_columns`` / ``faq_columns`` in the config, then to a column of the
  field's own name. ``attributes`` and ``description`` may join several columns with ``+``.
- Policies are Markdown or plain text, split into passages at headings and paragraphs.

A bad row is reported with its number and reason and the rest import. A cell that cannot be
read (a price such as ``"Total price:"``) is left out of its row, and reported, rather than guessed.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .pages import Block, html_to_text, looks_like_html, page_blocks, page_faq, page_passages
from .presets import PRESETS, customer_attributes, detect_preset, parse_pairs, preset_products
from .parsing import clean_text, currency_from_header, parse_category, parse_price, parse_specs, parse_stock
from .report import ImportReport
from .settings import FAQ_FIELDS, PRODUCT_FIELDS
from .store import PassageRecord, ProductRecord, write_passages, write_products

if TYPE_CHECKING:
    from .base import KnowledgeBase

__all__ = ["import_file", "parse_mapping", "read_records", "read_mapped", "first_of_each", "split_passages",
           "MappingError"]

log = logging.getLogger(__name__)

T = TypeVar("T")

Kind = Literal["products", "faq", "policies"]


class MappingError(ValueError):
    """The mapping or the file cannot work at all (unknown field, missing column, unreadable file)."""


def parse_mapping(text: str) -> dict[str, str]:
    """``"sku=ProductID,name=ProductName,price=Price (INR)"`` -> ``{"sku": "ProductID", ...}``.

    Column names keep their inner spaces; a comma inside a name can be written ``\\,``.
    """
    mapping: dict[str, str] = {}
    for part in re.split(r"(?<!\\),", text):
        part = part.replace("\\,", ",").strip()
        if not part:
            continue
        field, sep, column = part.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise MappingError(f"mapping entry {part!r} is not FIELD=COLUMN")
        mapping[field.strip().lower()] = column.strip()
    return mapping


def import_file(kb: KnowledgeBase, kind: Kind, path: str | Path, mapping: Mapping[str, str] | None = None,
                progress: bool = False, *, prune: bool | None = None, preset: str | None = None) -> ImportReport:
    """Import one file into the knowledge base and report what changed.

    Args:
        kind: ``products``, ``faq`` or ``policies``.
        mapping: field -> column, over the config's defaults (products and FAQ only).
        progress: show tqdm progress bars (reading and embedding).
        prune: remove entries that came from this same file earlier but are no longer in it.
            Defaults to True for FAQ and policies (a file is the whole document) and False for
            products (a catalog may be spread over several files).
        preset: products only: read a platform export (``shopify``, ``woocommerce``, ``magento``;
            see :mod:`.presets`). Without a mapping, a file whose header is one of theirs is
            detected as such; ``"none"`` turns detection off.

    Raises:
        MappingError: the file cannot be read or a required field has no column.
    """
    path = Path(path)
    report = ImportReport(kind=kind, path=path)
    started = time.perf_counter()
    source = path.name
    if kind == "products":
        products = _products(kb, path, mapping or {}, report, preset)
        write_products(kb, products, report, source=source, progress=progress)
    elif preset:
        raise MappingError(f"--preset is for products, not {kind}")
    elif kind == "faq":
        entries = _faq(kb, path, mapping or {}, report)
        write_passages(kb, "faq", entries, report, source=source, progress=progress,
                       prune=True if prune is None else prune)
    elif kind == "policies":
        if mapping:
            raise MappingError("policies take no column mapping")
        passages = split_file(path, kb.settings.passage_chars)
        report.rows = len(passages)
        write_passages(kb, "policy", passages, report, source=source, progress=progress,
                       prune=True if prune is None else prune)
    else:
        raise MappingError(f"unknown kind {kind!r}: products, faq or policies")
    report.seconds = time.perf_counter() - started
    log.info("import %s %s: %s", kind, path, report.summary().splitlines()[0])
    return report


# --- reading ------------------------------------------------------------------------------------


def read_records(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | str]]]:
    """The file's column names and its rows as ``(row_number, record)``.

    A row that cannot be parsed at all (a broken JSON line) comes as ``(row_number, reason)``.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".json",):
            data = json.loads(_read_text(path))
            items = _json_list(data)
            columns = list(dict.fromkeys(k for item in items if isinstance(item, dict) for k in item))
            return columns, ((i, (_not_utf8(item) or item) if isinstance(item, dict) else "not an object")
                             for i, item in enumerate(items, start=1))
        if suffix in (".jsonl", ".ndjson"):
            lines = _read_text(path).splitlines()
            parsed: list[tuple[int, dict[str, Any] | str]] = []
            row = 0
            for line in lines:
                if not line.strip():
                    continue
                row += 1
                try:
                    obj = json.loads(line)
                    parsed.append((row, (_not_utf8(obj) or obj) if isinstance(obj, dict) else "not an object"))
                except json.JSONDecodeError as exc:
                    parsed.append((row, f"invalid JSON ({exc.msg})"))
                except RecursionError:
                    parsed.append((row, "JSON nested too deeply"))
            columns = list(dict.fromkeys(k for _, obj in parsed if isinstance(obj, dict) for k in obj))
            return columns, iter(parsed)
        return _read_csv(path)
    except (OSError, json.JSONDecodeError) as exc:
        raise MappingError(f"cannot read {path}: {exc}") from exc
    except RecursionError:
        raise MappingError(f"cannot read {path}: JSON nested too deeply") from None


def _read_text(path: Path) -> str:
    """The file as text; a byte that is not UTF-8 is kept as a lone surrogate so that the row
    holding it is reported (by :func:`_not_utf8`) while every other row imports."""
    return path.read_bytes().decode("utf-8-sig", errors="surrogateescape")


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _not_utf8(record: Mapping[str, Any]) -> str | None:
    """Why a record cannot be imported because of a non-UTF-8 byte, or None."""
    for column, value in record.items():
        match = _ESCAPED_BYTE.search(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        if match:
            byte = ord(match.group(0)) - 0xDC00
            shown = str(column).encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # printable
            return f"{shown}: byte 0x{byte:02x} is not UTF-8; save the file as UTF-8 (row left out)"
    return None


def _json_list(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):  # {"questions": [...]} or {"products": [...]}: the one list inside
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
    raise MappingError("expected a JSON list of objects, or an object holding one list")


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | str]]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # marketplace exports have very long cells
    text = _read_text(path)
    sample = text[: 64 * 1024]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or sample.count("\t") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = list(reader.fieldnames or [])
    physical = io.StringIO(text, newline="").readlines()  # the lines as the reader counts them
    records: list[tuple[dict[str, Any], int, str]] = []  # with the physical lines each record took
    last_line = reader.line_num
    for record in reader:
        records.append((record, reader.line_num - last_line, "".join(physical[last_line:reader.line_num])))
        last_line = reader.line_num

    def rows() -> Iterator[tuple[int, dict[str, Any] | str]]:
        for number, (record, lines, raw) in enumerate(records, start=1):
            multiline = next((c for c, v in record.items() if isinstance(v, str) and "\n" in v), None)
            swallowed = _swallowed_rows(raw, lines, multiline)
            if None in record:  # more cells than the header has columns
                extra = record[None]  # type: ignore[index]  # csv.DictReader's restkey: None holds the extra cells
                yield number, f"{len(columns) + len(extra)} cells for {len(columns)} columns"
            elif swallowed:
                yield number, swallowed
            elif any((v or "").strip() for v in record.values()):
                yield number, _not_utf8(record) or record

    return columns, rows()


def _swallowed_rows(raw: str, lines: int, column_of_quote: str | None) -> str | None:
    """A quote left open runs on to the end of the file, taking every later row into one cell:
    then the record's own lines hold an odd number of quote characters (a closed quoted cell,
    even over several lines, has an even number, as ``""`` escapes come in pairs)."""
    if lines < 2 or raw.count('"') % 2 == 0:
        return None
    where = f"{column_of_quote}: " if column_of_quote else ""
    return (f"{where}a quote opened here is not closed, so the {lines - 1} line(s) after it were read as part "
            f"of this cell; close the quote (row and the lines it took left out)")


def _resolve(fields: tuple[str, ...], defaults: Mapping[str, str], mapping: Mapping[str, str],
             columns: list[str], report: ImportReport) -> dict[str, list[str]]:
    """Field -> the file's columns (matched without regard to case).

    A ``--map`` column must exist: a typo there is an error. A column from the config may be
    missing (one config serves files of several shapes): that is noted in the report, as the
    field is then imported empty. A field mapped nowhere takes a column of its own name, if any.
    """
    unknown = set(mapping) - set(fields)
    if unknown:
        raise MappingError(f"unknown field(s) {', '.join(sorted(unknown))}; fields are {', '.join(fields)}")
    by_lower = {c.strip().lower(): c for c in columns}
    resolved: dict[str, list[str]] = {}
    for name in fields:
        explicit = name in mapping
        spec = mapping.get(name) or defaults.get(name) or name
        found = []
        for wanted in (w.strip() for w in spec.split("+")):
            column = by_lower.get(wanted.lower())
            if column is not None:
                found.append(column)
            elif name == "currency" and re.fullmatch(r"[A-Za-z]{3}", wanted):
                continue  # a fixed currency code, not a column
            elif explicit:
                raise MappingError(f"{name}={wanted!r}: no such column; the file has {', '.join(columns)}")
            elif wanted.lower() != name:
                report.notes.append(f"{name}: the config's column {wanted!r} is not in this file")
        if found:
            resolved[name] = found
    return resolved


def _require(cols: Mapping[str, list[str]], required: tuple[str, ...], columns: list[str]) -> None:
    for name in required:
        if name not in cols:
            raise MappingError(f"no column for {name}: map one, e.g. --map {name}=COLUMN "
                               f"(the file has {', '.join(columns)})")


def read_mapped(path: Path, fields: tuple[str, ...], defaults: Mapping[str, str], mapping: Mapping[str, str],
                required: tuple[str, ...], report: ImportReport
                ) -> tuple[dict[str, list[str]], Iterator[tuple[int, dict[str, Any] | str]]]:
    """The file's rows and each field's columns (see :func:`_resolve`), the required ones checked
    and the mapping noted in ``report``: the reading half of an import of any kind of row."""
    columns, rows = read_records(path)
    cols = _resolve(fields, defaults, mapping, columns, report)
    _require(cols, required, columns)
    report.columns = {name: "+".join(found) for name, found in cols.items()}
    return cols, rows


def first_of_each(rows: Iterable[tuple[int, dict[str, Any] | str]], report: ImportReport,
                   parse: Callable[[int, dict[str, Any]], T | None], *, key: Callable[[T], str],
                   what: Callable[[T], str]) -> list[T]:
    """Parse each row (``parse`` reports its own problems and returns None to skip the row); a
    row whose key an earlier row already had is reported as a duplicate and left out."""
    kept: list[T] = []
    first_row: dict[str, int] = {}
    for number, record in rows:
        report.rows += 1
        if isinstance(record, str):
            report.problem(number, record)
            continue
        item = parse(number, record)
        if item is None:
            continue
        if key(item) in first_row:
            report.problem(number, f"duplicate {what(item)} (first at row {first_row[key(item)]})")
            continue
        first_row[key(item)] = number
        kept.append(item)
    return kept


# --- products -----------------------------------------------------------------------------------


def _products(kb: KnowledgeBase, path: Path, mapping: Mapping[str, str], report: ImportReport,
              preset: str | None = None) -> list[ProductRecord]:
    columns, rows = read_records(path)
    if preset is not None and preset != "none" and preset not in PRESETS:
        raise MappingError(f"unknown preset {preset!r}: {', '.join(PRESETS)} (or none)")
    fixed = mapping.get("currency", "")
    if preset is None and not set(mapping) - {"currency"}:
        preset = detect_preset(columns)
        if preset:
            report.notes.append(f"{preset} export detected from its columns (--preset none reads it as a plain table)")
    if preset and preset != "none":
        if set(mapping) - {"currency"} or (fixed and not re.fullmatch(r"[A-Za-z]{3}", fixed)):
            raise MappingError("a preset names every column itself: --map may only give a fixed currency=CODE")
        return preset_products(preset, columns, rows, report, fixed.upper() or kb.settings.default_currency or None)
    cols = _resolve(PRODUCT_FIELDS, kb.settings.product_columns, mapping, columns, report)
    _require(cols, ("sku", "name"), columns)
    _warn_unmapped(cols, columns, report)
    fixed_currency = None
    spec = mapping.get("currency") or kb.settings.product_columns.get("currency", "")
    if "currency" not in cols and re.fullmatch(r"[A-Za-z]{3}", spec or ""):
        fixed_currency = spec.upper()
    header_currency = currency_from_header(cols["price"][0]) if "price" in cols else None
    default_currency = fixed_currency or header_currency or kb.settings.default_currency or None
    report.columns = {name: "+".join(found) for name, found in cols.items()}
    if "currency" not in cols and default_currency:
        source = "fixed" if fixed_currency else "from the price header" if header_currency else "default_currency"
        report.columns["currency"] = f"{default_currency} ({source})"
    return first_of_each(
        rows, report, lambda number, record: _product(number, record, cols, default_currency, report),
        key=lambda p: p.sku, what=lambda p: f"sku {p.sku!r}")


_KEY_VALUES = re.compile(r"\w+=[^,=]*(?:,\w+=[^,=]*)+")
_LOOKS_LIKE = {
    "stock": re.compile(r"\b(?:stock|qty|quantity|inventory|on hand|available|availability)\b", re.I),
    "price": re.compile(r"\b(?:price|cost|msrp|rrp|amount)\b", re.I),
    "category": re.compile(r"\b(?:categor(?:y|ies)|department|collection|product type|type)\b", re.I),
}


def _warn_unmapped(cols: Mapping[str, list[str]], columns: list[str], report: ImportReport) -> None:
    """A field left empty while a column looks like it: say which, and how to map it."""
    used = {c for found in cols.values() for c in found}
    for name, pattern in _LOOKS_LIKE.items():
        if name in cols:
            continue
        candidates = [c for c in columns if c not in used and pattern.search(c.replace("_", " "))]
        if candidates:
            report.notes.append(f"warning: no {name} imported, but column {candidates[0]!r} looks like one: "
                                f"--map {name}={candidates[0]!r}".replace("'", '"'))


def _cell(record: Mapping[str, Any], columns: list[str] | None) -> str:
    if not columns:
        return ""
    return clean_text(record.get(columns[0]))


def _product(number: int, record: Mapping[str, Any], cols: dict[str, list[str]], default_currency: str | None,
             report: ImportReport) -> ProductRecord | None:
    sku = _cell(record, cols["sku"])
    name = _cell(record, cols["name"])
    if not sku:
        report.problem(number, "no sku")
        return None
    if not name:
        report.problem(number, f"sku {sku!r} has no name")
        return None
    category = parse_category(_cell(record, cols.get("category")))
    if category:  # Flipkart-style trees end with the product itself: that is not a category
        parts = category.split(" > ")
        while len(parts) > 1 and parts[-1].lower() == name.lower():
            parts.pop()
        category = " > ".join(parts)
    product = ProductRecord(row=number, sku=sku, name=name, category=category or None)
    currency = _cell(record, cols.get("currency")).upper() or None
    if "price" in cols:
        try:
            price = parse_price(_cell(record, cols["price"]), currency or default_currency)
        except ValueError as exc:
            report.problem(number, f"{exc}; imported without a price", skipped=False)
            price = None
        if price is not None:
            product.price, product.price_max, product.currency = price.amount, price.upper, price.currency
    if "stock" in cols:
        try:
            product.stock = parse_stock(record.get(cols["stock"][0]))
        except ValueError as exc:
            report.problem(number, f"{exc}; imported without stock", skipped=False)
    for column in cols.get("attributes", []):
        value = record.get(column)
        if isinstance(value, dict):
            product.attributes.update({str(k): clean_text(v) for k, v in value.items() if clean_text(v)})
            continue
        text = clean_text(value)
        if not text:
            continue
        if _KEY_VALUES.fullmatch(text):  # Magento's additional_attributes: "color=Red,has_options=0,size=M"
            product.attributes.update(customer_attributes(parse_pairs(text)))
        elif "=>" in text or (text.startswith("{") and text.endswith("}")):
            try:
                product.attributes.update(parse_specs(text))
            except ValueError as exc:
                report.problem(number, f"{column}: {exc}; left out", skipped=False)
        else:
            product.attributes[column.strip()] = text
    description = "\n".join(t for t in (clean_markup(record.get(c)) for c in cols.get("description", [])) if t)
    product.description = description or None
    url = _cell(record, cols.get("url"))
    if url:
        if re.match(r"https?://\S+$", url):
            product.url = url
        else:
            report.problem(number, f"url {url[:40]!r} is not a web address; left out", skipped=False)
    return product


# --- FAQ ----------------------------------------------------------------------------------------


def _faq(kb: KnowledgeBase, path: Path, mapping: Mapping[str, str], report: ImportReport) -> list[PassageRecord]:
    if path.suffix.lower() in PAGE_SUFFIXES:
        if mapping:
            raise MappingError("an FAQ page takes no column mapping")
        return _faq_page(path, report)
    cols, rows = read_mapped(path, FAQ_FIELDS, kb.settings.faq_columns, mapping, ("question", "answer"), report)

    def entry(number: int, record: Mapping[str, Any]) -> PassageRecord | None:
        question = _cell(record, cols["question"])
        answer = "\n".join(t for t in (clean_markup(record.get(c)) for c in cols["answer"]) if t)
        if not question or not answer:
            report.problem(number, "no question" if not question else "no answer")
            return None
        if _has_blank(report, number, question, answer):
            return None
        return PassageRecord(
            row=number, key=" ".join(question.lower().split()), title=question, text=answer,
            tags=_list(record.get(cols["tags"][0]) if "tags" in cols else None, ","),
            alternatives=_list(record.get(cols["alternatives"][0]) if "alternatives" in cols else None, "|"),
        )

    return first_of_each(rows, report, entry, key=lambda e: e.key, what=lambda e: "question")


def _faq_page(path: Path, report: ImportReport) -> list[PassageRecord]:
    """An FAQ page: each question heading with the text under it (see :func:`.pages.page_faq`)."""
    entries: list[PassageRecord] = []
    for number, (question, answer) in enumerate(page_faq(read_page(path)), start=1):
        report.rows += 1
        key = " ".join(question.lower().split())
        if any(e.key == key for e in entries):
            report.problem(number, "duplicate question")
            continue
        if _has_blank(report, number, question, answer):
            continue
        entries.append(PassageRecord(row=number, key=key, title=question, text=answer))
    if not entries:
        report.notes.append("no questions found: an FAQ page needs headings (or <dt>/<summary>) that ask them")
    return entries


# A template's blank: "[email address]", "[Your Store Name]", "[working hours]" (not a Markdown link).
_PLACEHOLDER = re.compile(r"\[(?:[A-Za-z]+ ){0,3}(?:email|e-mail|phone|number|address|hours|name|company|store|shop|"
                          r"website|url|link|date|time|amount|price|city|country)(?: [A-Za-z]+){0,3}\](?!\()", re.I)


def unfilled_placeholder(text: str) -> str | None:
    """The first template blank left in ``text`` ("[email address]"), or None."""
    match = _PLACEHOLDER.search(text)
    return match.group(0) if match else None


def _has_blank(report: ImportReport, row: int, question: str, answer: str) -> bool:
    """Whether an FAQ entry still holds a template's blank, reported as the row's problem: a
    template's "[email address]" would reach customers as it is."""
    placeholder = unfilled_placeholder(f"{question}\n{answer}")
    if placeholder:
        report.problem(row, f"unfilled placeholder {placeholder}: fill it in and import again")
    return placeholder is not None


def clean_markup(value: Any) -> str:
    """A cell's text; HTML in it (``<p>``, ``&bull;``) becomes clean lines of text."""
    text = str(value or "").strip()
    return html_to_text(text) if looks_like_html(text) else text


def _list(value: Any, sep: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(sep)
    return [t for t in (clean_text(v) for v in items) if t]


# --- policies and pages -------------------------------------------------------------------------

PAGE_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt")


def read_page(path: Path) -> list[Block]:
    """An HTML page, or a Markdown / plain-text document, as blocks (see :mod:`.pages`)."""
    try:
        text = _read_text(path)
    except OSError as exc:
        raise MappingError(f"cannot read {path}: {exc}") from exc
    bad = _ESCAPED_BYTE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise MappingError(f"{path}:{line}: byte 0x{ord(bad.group(0)) - 0xDC00:02x} is not UTF-8; save the file as UTF-8")
    html = path.suffix.lower() in (".html", ".htm") or text.lstrip().lower().startswith(("<!doctype", "<html"))
    return page_blocks(text, markdown=not html)


def split_file(path: Path, size: int) -> list[PassageRecord]:
    return _passages(read_page(path), _slug(path.stem), size)


def split_passages(text: str, doc: str, size: int = 800) -> list[PassageRecord]:
    """Split a Markdown or text document into self-contained passages (see :mod:`.pages`).

    Each passage is titled with its heading path (``Returns › Refunds``) and keyed ``doc#n``.
    """
    return _passages(page_blocks(text, markdown=True), doc, size)


def _passages(blocks: list[Block], doc: str, size: int) -> list[PassageRecord]:
    return [PassageRecord(row=n, key=f"{doc}#{n}", title=title, text=text, alternatives=parts)
            for n, (title, text, parts) in enumerate(page_passages(blocks, size), start=1)]


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-") or "policy"
