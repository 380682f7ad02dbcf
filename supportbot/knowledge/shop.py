"""A whole shop from one folder: its product export, FAQ and policy pages.

``python bot.py import shop DIR``, or from code::

    report = import_shop(kb, "my-shop/")
    print(report.summary())

Which file is what comes from a ``shop.yaml`` in the folder when there is one::

    language: en              # the language the pages are written in (else detected from them)
    currency: USD             # for prices that carry no symbol
    files:
      - {path: catalog.csv, kind: products, preset: magento}   # preset optional: detected
      - {path: faq.json, kind: faq, map: {question: q, answer: a}}
      - {path: pages/shipping.html, kind: policies}

and otherwise from the names: ``*product*``, ``*catalog*``, ``*inventory*`` tables are products,
``*faq*`` files (tables or pages) the FAQ, every other HTML, Markdown or text page a policy. A
table with another name is looked at: a platform export or a ``sku``/``name`` header is a catalog,
a ``question``/``answer`` header an FAQ; anything else is listed as not imported. Products go in
first, then the FAQ, then policies; a file that cannot be read is reported and the others import.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import schema
from .importers import PAGE_SUFFIXES, MappingError, import_file, read_records
from .parsing import currency_code
from .presets import PRESETS, detect_preset
from .report import ImportReport

if TYPE_CHECKING:
    from .base import KnowledgeBase

__all__ = ["import_shop", "ShopReport", "ShopFile", "shop_files", "MANIFEST"]

log = logging.getLogger(__name__)

MANIFEST = "shop.yaml"
_TABLES = (".csv", ".tsv", ".json", ".jsonl", ".ndjson")
_KINDS = ("products", "faq", "policies")
_NOT_CONTENT = ("readme", "license", "licence", "changelog", "sources", "cases", "shop")


@dataclass(frozen=True)
class ShopFile:
    """One file of the shop and how to import it."""

    path: Path
    kind: str
    preset: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class ShopReport:
    """Every file's :class:`ImportReport`, the files left out and why, and the shop's language."""

    folder: Path
    reports: list[ImportReport] = field(default_factory=list)
    #: ``(file, reason)`` for files not imported: unrecognised, or unreadable (the error).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    language: str | None = None
    #: The currency taken from the shop's pages for prices that carry none (shop.yaml had no ``currency:``).
    currency_from_pages: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Rows now in the knowledge base from these files, per kind."""
        out: Counter[str] = Counter()
        for r in self.reports:
            out[r.kind] += r.imported
        return {kind: out[kind] for kind in _KINDS}

    @property
    def failed(self) -> list[tuple[str, str]]:
        return [(name, why) for name, why in self.skipped if why.startswith("error")]

    def summary(self) -> str:
        names = {"products": "products", "faq": "FAQ entries", "policies": "policy passages"}
        lines = [f"{self.folder}: " + ", ".join(f"{n} {names[k]}" for k, n in self.counts.items())
                 + (f"; pages in {self.language}" if self.language else "")]
        if self.currency_from_pages:
            lines.append(f"  prices without a currency are in {self.currency_from_pages}, the currency of the shop's "
                         "pages (set currency: in shop.yaml to change it)")
        for report in self.reports:
            lines.extend("  " + line for line in report.summary().splitlines())
            lines.extend(f"    {p}" for p in report.problems[:20])
            if len(report.problems) > 20:
                lines.append(f"    ... and {len(report.problems) - 20} more")
        lines.extend(f"  {name}: not imported ({why})" for name, why in self.skipped)
        return "\n".join(lines)


def import_shop(kb: KnowledgeBase, folder: str | Path, *, progress: bool = False) -> ShopReport:
    """Import every products, FAQ and policy file of a shop folder into ``kb``.

    Files come from ``shop.yaml`` when the folder has one, else from their names (see the module
    docstring). A file that cannot be imported (unreadable, no usable columns) is recorded in
    :attr:`ShopReport.skipped` with the reason, and the others still import. The shop's language
    (``language:`` in shop.yaml, else detected from the FAQ and policy text) is stored with the
    knowledge base: :func:`shop_language` reads it back.

    Raises:
        MappingError: the folder does not exist, or shop.yaml is malformed (names the entry).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MappingError(f"{folder} is not a folder")
    files, settings, skipped = shop_files(folder)
    report = ShopReport(folder=folder, skipped=skipped)
    currency = settings.get("currency")
    if not currency:
        currency = report.currency_from_pages = _currency_of_pages(f.path for f in files if f.kind != "products")
    order = {kind: i for i, kind in enumerate(_KINDS)}
    for item in sorted(files, key=lambda f: (order[f.kind], str(f.path))):
        mapping = dict(item.mapping)
        if item.kind == "products" and currency and "currency" not in mapping:
            mapping["currency"] = str(currency)
        try:
            report.reports.append(import_file(kb, item.kind, item.path, mapping or None,  # type: ignore[arg-type]  # kind: one of _KINDS, checked where the file list is read
                                              progress=progress, preset=item.preset))
        except MappingError as exc:
            log.warning("shop import: %s skipped: %s", item.path, exc)
            report.skipped.append((_relative(item.path, folder), f"error: {exc}"))
    language = settings.get("language") or _detect_language(kb)
    if language:
        report.language = str(language).lower()
        with kb.db.conn:
            schema.set_meta(kb.db, "language", report.language)
    return report


def shop_language(kb: KnowledgeBase) -> str | None:
    """The language the shop's pages are written in, as the last shop import found it (ISO 639-1)."""
    return schema.get_meta(kb.db, "language")


def shop_files(folder: Path) -> tuple[list[ShopFile], dict[str, Any], list[tuple[str, str]]]:
    """The files to import, the manifest's shop-wide settings, and files left out with why."""
    manifest = next((folder / n for n in (MANIFEST, "shop.yml") if (folder / n).is_file()), None)
    if manifest is not None:
        return _from_manifest(folder, manifest)
    files: list[ShopFile] = []
    skipped: list[tuple[str, str]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        kind = _kind_by_name(path)
        if kind is None:
            why = ("a spreadsheet: save it as CSV" if path.suffix.lower() in (".xlsx", ".xls", ".ods", ".numbers")
                   else "not recognised: name it in shop.yaml")
            skipped.append((str(relative), why))
        elif kind != "skip":
            files.append(ShopFile(path, kind))
    return files, {}, skipped


# A price in a page: the symbol before a digit ("$7.95", "€ 20"). "$" is read as US dollars, the
# usual meaning of a bare "$", unless the pages name another dollar ("prices are in Canadian
# dollars", "AUD") and not the US one; shop.yaml's currency: decides where that guess is wrong.
_PAGE_PRICE = re.compile(r"([$€£₹])\s?\d")
_OTHER_DOLLARS = {"CAD": re.compile(r"\bCanadian dollars?\b|\bCAD\b|\bC\$|\bCA\$"),
                  "AUD": re.compile(r"\bAustralian dollars?\b|\bAUD\b|\bA\$|\bAU\$"),
                  "NZD": re.compile(r"\bNew Zealand dollars?\b|\bNZD\b|\bNZ\$")}
_US_DOLLARS = re.compile(r"\bUS dollars?\b|\bUSD\b|\bUS\$")
#: Prices a page must state, and the share of them in one currency, before it decides the shop's.
_PAGE_PRICES_NEEDED, _PAGE_PRICE_SHARE = 3, 0.8


def _currency_of_pages(paths: Iterable[Path]) -> str | None:
    """The currency the shop's FAQ and policy pages state their prices in, when they clearly use one:
    a Magento or WooCommerce export has bare prices ("68.13"), and its pages say "$75 and over"."""
    found: Counter[str] = Counter()
    dollars: Counter[str] = Counter()  # the dollars the pages name in words ("Canadian dollars")
    for path in paths:
        try:
            # html.unescape: a page saved by a shop's editor may spell the symbol "&pound;" or "&#36;"
            text = html.unescape(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        found.update(_PAGE_PRICE.findall(text))
        dollars.update({code: len(p.findall(text)) for code, p in _OTHER_DOLLARS.items()})
        dollars["USD"] += len(_US_DOLLARS.findall(text))
    total = sum(found.values())
    if not total:
        return None
    symbol, n = found.most_common(1)[0]
    if n < _PAGE_PRICES_NEEDED or n / total < _PAGE_PRICE_SHARE:
        return None
    named = [code for code, count in dollars.most_common() if count]
    if symbol == "$" and named and named[0] != "USD" and (len(named) == 1 or dollars[named[0]] > dollars[named[1]]):
        return named[0]  # "$" on a Canadian shop's pages is the Canadian dollar
    return currency_code(symbol)


def _kind_by_name(path: Path) -> str | None:
    name, suffix = path.stem.lower(), path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".ods", ".numbers"):
        return None  # reported: a spreadsheet is most likely the catalog, saved in the wrong format
    if suffix not in _TABLES and suffix not in PAGE_SUFFIXES:
        return "skip"  # images, databases, configs: not shop content
    if name.startswith(_NOT_CONTENT):
        return "skip"
    if "faq" in name or "question" in name:
        return "faq"
    if suffix in PAGE_SUFFIXES:
        return "policies"
    if any(w in name for w in ("product", "catalog", "inventory", "variant")):
        return "products"
    try:  # another table: its header tells
        columns = {c.strip().lower() for c in read_records(path)[0]}
    except MappingError:
        return None
    if {"question", "answer"} <= columns:
        return "faq"
    if detect_preset(columns) or {"sku", "name"} <= columns:
        return "products"
    return None


def _from_manifest(folder: Path, manifest: Path) -> tuple[list[ShopFile], dict[str, Any], list[tuple[str, str]]]:
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{manifest}: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{manifest}: expected keys such as files:, language:, currency:")
    entries = data.get("files") or []
    if isinstance(entries, dict):  # {catalog.csv: products} or {catalog.csv: {kind: ..., preset: ...}}
        entries = [{"path": k, **(v if isinstance(v, dict) else {"kind": v})} for k, v in entries.items()]
    if not isinstance(entries, list):
        raise MappingError(f"{manifest}: files: must be a list of {{path, kind}} entries")
    files = []
    for n, entry in enumerate(entries, start=1):
        where = f"{manifest.name}: files entry {n}"
        if not isinstance(entry, dict) or not entry.get("path"):
            raise MappingError(f"{where}: needs path: (and kind:)")
        path = folder / str(entry["path"])
        kind = str(entry.get("kind") or _kind_by_name(path) or "")
        kind = {"policy": "policies", "product": "products", "catalog": "products"}.get(kind, kind)
        if kind not in _KINDS:
            raise MappingError(f"{where} ({entry['path']}): kind must be products, faq or policies")
        preset = entry.get("preset")
        if preset is not None and str(preset) not in (*PRESETS, "none"):
            raise MappingError(f"{where}: preset {preset!r} is not one of {', '.join(PRESETS)} or none")
        mapping = entry.get("map") or {}
        if not isinstance(mapping, dict):
            raise MappingError(f"{where}: map: must be field: column pairs")
        files.append(ShopFile(path, kind, str(preset) if preset else None, {str(k): str(v) for k, v in mapping.items()}))
    settings = {k: data[k] for k in ("language", "currency") if data.get(k)}
    return files, settings, []


def _detect_language(kb: KnowledgeBase) -> str | None:
    """The language most of the FAQ and policy text is in (Lingua), or None when there is none."""
    rows = kb.db.conn.execute("SELECT text FROM kb_passages ORDER BY id LIMIT 200").fetchall()
    text = " ".join(r[0] for r in rows)[:20000]
    letters = re.findall(r"[^\W\d_]", text)
    if len(letters) < 40:
        return None
    from ..understanding.language import LanguageGuesser

    guesser = LanguageGuesser(["en", "es", "fr", "de", "it", "pt", "nl", "zh", "ja", "ko"], "en", min_confidence=0.0)
    guesser.load()
    cjk = sum(1 for c in letters if c >= "\u2e80")
    if cjk * 2 < len(letters):  # a few CJK product names in English pages do not make them Chinese
        text = re.sub(r"[\u2e80-\U0002ffff]", " ", text)
    return guesser.guess(text)


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
