"""Merchants' pages (HTML or Markdown) as clean, self-contained passages.

A shop's policies and FAQ pages come as published: HTML with entities, navigation and price
tables, or Markdown with pipe tables. Both are read into one list of :class:`Block` (Markdown is
rendered to HTML by markdown-it-py first, so a table is parsed once, the same way), and each block
becomes a passage titled with its heading path:

- a paragraph is one passage (cut at sentence ends when it is longer than the passage size);
- a list is one passage when it fits, else one per item, each led by the sentence that
  introduced the list ("Items we cannot take back: swimwear");
- a table row is one passage that joins each header to its cell:
  ``Order total $100-$199.99: Standard $16, Overnight $33``, so "how much is overnight shipping on
  a $150 order" finds a passage that states it, and the reply shows no markup.

Why BeautifulSoup: exported pages are rarely valid HTML, and its forgiving tree (with the
standard library's parser, no compiled dependency) gives the structure that text converters such
as html2text flatten away (table cells, list nesting, headings); entities come back decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from .sentences import sentences

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

#: Between the headings of a passage\'s title: "Help › Orders › How do I track my order?".
HEADING_SEPARATOR = " › "

__all__ = ["HEADING_SEPARATOR", "Block", "page_blocks", "markdown_to_html", "html_to_text", "looks_like_html", "page_passages",
           "page_faq"]

BlockKind = Literal["paragraph", "list", "row"]

_DROP = {"script", "style", "noscript", "template", "nav", "form", "button", "svg", "iframe", "head", "select", "footer"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = {"p", "div", "section", "article", "main", "blockquote", "pre", "figure", "figcaption", "header",
           "aside", "address", "center", "body", "html", "td", "th", "caption", "fieldset"}
_MARKUP = re.compile(r"<(?:[a-zA-Z][\w-]*|/[a-zA-Z][\w-]*|!--)[^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_BULLET = re.compile(r"^\s*(?:[•·▪◦‣∙*-]|&bull;)\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
# The class or role of an accordion's question (UAGB "uagb-faq-questions", Elementor "elementor-tab-title",
# "accordion__title", "collapsible-trigger", role="button"); the answer that follows goes under it.
_QUESTION_MARK = re.compile(r"question|accordion[-_]*(?:title|header|heading|button|toggle|trigger)|"
                            r"faq[-_]*(?:title|heading|toggle)|collapsible[-_]*(?:title|trigger|heading)|"
                            r"toggle[-_]*title|tab[-_]*title|\bbutton\b", re.I)
#: An accordion question sits under every real heading (h1-h6) of the page.
_QUESTION_LEVEL = 7
_QUESTION_CHARS = 200


@dataclass
class Block:
    """One unit of a page: its heading path and text; a list keeps its items, a row its label."""

    kind: BlockKind
    path: tuple[str, ...]
    text: str
    items: list[str] = field(default_factory=list)
    lead: str = ""
    #: Rows of one table share a number (0 for blocks that are not table rows).
    table: int = 0

    @property
    def title(self) -> str | None:
        return HEADING_SEPARATOR.join(self.path) or None


def looks_like_html(text: str) -> bool:
    """Tags or entities in a cell or file: ``<p>``, ``&bull;``, ``&#8217;``."""
    return bool(_MARKUP.search(text))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # CommonMark with GitHub's pipe tables; raw HTML inside the Markdown passes to the HTML reader.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markdown_to_html(text: str) -> str:
    return _markdown().render(text)


def page_blocks(source: str, *, markdown: bool = False) -> list[Block]:
    """The blocks of an HTML page (or a Markdown document when ``markdown``), in reading order."""
    html = markdown_to_html(source) if markdown else source
    soup = BeautifulSoup(html, "html.parser")
    # A published page carries the site around its content (menus, banners, cart): where it marks
    # its main content, read only that.
    root = soup.find("main") or soup.find(None, {"role": "main"}) or soup
    reader = _Reader()
    reader.walk(root)
    reader.flush()
    return reader.blocks


def html_to_text(html: str) -> str:
    """Clean text of an HTML fragment (a product description, an FAQ answer): one line per
    paragraph, list item or table row; no tags, entities decoded."""
    lines = []
    for block in page_blocks(html):
        if block.kind == "list":
            if block.lead:
                lines.append(block.lead)
            lines.extend(f"• {item}" for item in block.items)
        else:
            lines.append(block.text)
    return "\n".join(lines)


class _Reader:
    """Walks the tree once: headings set the path, block elements end a paragraph."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.path: list[tuple[int, str]] = []
        self._buffer: list[str] = []
        self._tables = 0

    @property
    def _titles(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.path)

    def flush(self) -> None:
        text = _squash("".join(self._buffer))
        self._buffer = []
        if text:
            self.blocks.append(Block("paragraph", self._titles, text))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self._buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name in _DROP or _hidden(child) or _site_chrome(child):
                continue
            if name in _HEADINGS or _accordion_question(child):
                self.flush()
                title = _squash(child.get_text(" "))
                if title:
                    level = _HEADINGS.get(name, _QUESTION_LEVEL)
                    self.path = [p for p in self.path if p[0] < level] + [(level, title)]
            elif name == "table":
                self.flush()
                self._table(child)
            elif name in ("ul", "ol"):
                if _links_only(child):
                    continue  # a menu, not content
                lead = self._take_lead()
                self.flush()
                items = list(self._items(child))
                if items:
                    self.blocks.append(Block("list", self._titles, "", items=items, lead=lead))
            elif name == "dl":
                self.flush()
                self._definitions(child)
            elif name == "details":
                self.flush()
                summary = child.find("summary")
                question = _squash(summary.get_text(" ")) if summary else ""
                if summary:
                    summary.extract()
                answer = _squash(child.get_text(" "))
                if question and answer:
                    self.blocks.append(Block("paragraph", (*self._titles, question), answer))
            elif name in ("br",):
                self._buffer.append("\n")
            elif name == "hr":
                self.flush()
            elif name in _BLOCKS or name == "li":
                self.flush()
                self.walk(child)
                self.flush()
            else:  # inline: its text joins the current paragraph
                self.walk(child)

    def _take_lead(self) -> str:
        """A paragraph ending in ':' just before a list introduces it; it goes with the list."""
        pending = _squash("".join(self._buffer))
        if pending.endswith(":"):
            self._buffer = []
            return pending
        if not pending and self.blocks and self.blocks[-1].kind == "paragraph" and \
                self.blocks[-1].text.endswith(":") and self.blocks[-1].path == self._titles:
            return self.blocks.pop().text
        return ""

    def _items(self, listing: Tag, prefix: str = "") -> Iterator[str]:
        for li in listing.find_all("li", recursive=False):
            nested = [c.extract() for c in li.find_all(["ul", "ol"], recursive=False)]
            text = _BULLET.sub("", _squash(li.get_text(" ")))
            if text:
                yield f"{prefix}{text}"
            for sub in nested:
                yield from self._items(sub, f"{prefix}{text}: " if text else prefix)

    def _table(self, table: Tag) -> None:
        rows = [r for r in table.find_all("tr") if r.find_parent("table") is table]
        grid = [[_squash(c.get_text(" ")) for c in r.find_all(["th", "td"], recursive=False)] for r in rows]
        grid = [r for r in grid if any(r)]
        if not grid:
            return
        header: list[str] = []
        first = rows[0]
        if first.find_parent("thead") is not None or all(c.name == "th" for c in first.find_all(["th", "td"],
                                                                                                  recursive=False)):
            header, grid = grid[0], grid[1:]
        caption = table.find("caption")
        path = self._titles + ((_squash(caption.get_text(" ")),) if caption else ())
        self._tables += 1
        for cells in grid:
            self.blocks.append(Block("row", path, table_row_fact(header, cells), table=self._tables))

    def _definitions(self, dl: Tag) -> None:
        term = ""
        for child in dl.find_all(["dt", "dd"], recursive=False):
            text = _squash(child.get_text(" "))
            if child.name == "dt":
                term = text
            elif text and term:
                self.blocks.append(Block("paragraph", (*self._titles, term), text))
            elif text:
                self.blocks.append(Block("paragraph", self._titles, text))


def table_row_fact(header: list[str], cells: list[str]) -> str:
    """``["Order total", "Standard", "Overnight"]`` + ``["$100-$199.99", "$16", "$33"]`` ->
    ``"Order total $100-$199.99: Standard $16, Overnight $33"``. A row with no header joins its cells."""
    if not header:
        return ", ".join(c for c in cells if c)
    label = " ".join(x for x in (header[0], cells[0]) if x) if cells else header[0]
    rest = [" ".join(x for x in (h, c) if x) for h, c in zip(header[1:], cells[1:], strict=False) if c]
    rest += [c for c in cells[len(header):] if c]  # cells past the header's width keep their text
    return f"{label}: {', '.join(rest)}" if rest else label


def page_passages(blocks: list[Block], size: int) -> Iterator[tuple[str | None, str, list[str]]]:
    """``(title, text, parts)`` per passage: each paragraph; each list and each table, whole when
    it fits in ``size`` (else one passage per item or row).

    ``parts`` are the items or rows of a whole list or table, each self-contained (a row with its
    headers, an item with its introduction): embedded beside the passage, so a question about one
    row finds the table as well as that row alone would, and the answer still holds every row
    (the nearest row by cosine is often not the one asked about: "$150 order" is closer to
    "$50-$99.99" than to "$100-$199.99").
    """
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "row":
            rows = [block]
            while i + 1 < len(blocks) and blocks[i + 1].kind == "row" and blocks[i + 1].table == block.table:
                i += 1
                rows.append(blocks[i])
            yield from _whole_or_parts(block.title, "", [r.text for r in rows], size)
        elif block.kind == "list":
            yield from _whole_or_parts(block.title, block.lead, [f"• {item}" for item in block.items], size)
        elif len(block.text) <= size:
            yield block.title, block.text, []
        else:
            for chunk in pack_sentences(block.text, size):
                yield block.title, chunk, []
        i += 1


def _whole_or_parts(title: str | None, lead: str, lines: list[str], size: int) -> Iterator[tuple[str | None, str, list[str]]]:
    whole = "\n".join([lead, *lines] if lead else lines)
    parts = [f"{lead} {line.removeprefix('• ')}" if lead else line.removeprefix("• ") for line in lines]
    if len(whole) <= size:
        yield title, whole, parts if len(parts) > 1 else []
    else:
        for part in parts:
            yield title, part, []


def page_faq(blocks: list[Block]) -> Iterator[tuple[str, str]]:
    """``(question, answer)`` from an FAQ page: each heading (or ``<dt>``/``<summary>``) that asks
    something, with the text under it. Headings that do not end in '?' are sections, kept as
    context only when no question heading is found at all (then the deepest heading is the question)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    asked: tuple[str, ...] | None = None  # a question written as its own short paragraph
    for block in blocks:
        if block.kind == "paragraph" and _is_question(block.text):
            asked = (*block.path, block.text)
            groups.setdefault(asked, [])
            continue
        if asked is not None and asked[:-1] != block.path:
            asked = None  # a new heading ends the question's answer
        path = asked or block.path
        if not path:
            continue
        text = block.text if block.kind != "list" else "\n".join(
            [block.lead, *(f"• {i}" for i in block.items)] if block.lead else [f"• {i}" for i in block.items])
        groups.setdefault(path, []).append(text)
    groups = {path: texts for path, texts in groups.items() if texts}
    asks = any(p[-1].rstrip().endswith(("?", "？")) for p in groups)
    for path, texts in groups.items():
        question = path[-1]
        if asks and not question.rstrip().endswith(("?", "？")):
            continue
        yield question, "\n".join(texts)


def _is_question(text: str) -> bool:
    """A short paragraph that asks something: "**How long does delivery take?**" on FAQ pages
    that write questions in bold rather than as headings."""
    return len(text) <= 200 and text.rstrip().endswith(("?", "？")) and not _SENTENCE_END.search(text.rstrip()[:-1])


def pack_sentences(text: str, size: int) -> Iterator[str]:
    """Cut a long text at sentence ends into pieces of at most about ``size`` characters."""
    current = ""
    for sentence in sentences(text):
        if current and len(current) + len(sentence) + 1 > size:
            yield current
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current:
        yield current


def _squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


_CHROME = re.compile(r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|cookies?|newsletter|announcement|sidebar|"
                     r"skip-link|visually-hidden|sr-only|popup|modal|drawer)(?:$|[-_\s])", re.I)


def _accordion_question(tag: Tag) -> bool:
    """An accordion's or FAQ block's question, which themes write as a button or a styled ``div``
    rather than a heading ("A scent I want is sold out. Can I backorder it?"): marked by its class or
    its role, and asking something."""
    marks = " ".join([*(tag.get("class") or []), str(tag.get("role") or "")])
    if not (tag.name == "button" or tag.has_attr("aria-expanded") or (marks.strip() and _QUESTION_MARK.search(marks))):
        return False
    if tag.find(["p", "ul", "ol", "table", "dl"]) is not None:
        return False  # a whole item, question and answer together: its parts are read one by one
    text = _squash(tag.get_text(" "))
    return 0 < len(text) <= _QUESTION_CHARS and text.endswith(("?", "？"))


def _site_chrome(tag: Tag) -> bool:
    """Menus, banners, cookie notices and the like, by their class or id; and a page header
    without a heading (a logo and a menu)."""
    marks = " ".join([*(tag.get("class") or []), str(tag.get("id") or ""), str(tag.get("role") or "")])
    if marks.strip() and _CHROME.search(marks):
        return True
    return tag.name == "header" and tag.find(["h1", "h2", "h3"]) is None


def _links_only(listing: Tag) -> bool:
    """Every item of the list is nothing but a link: navigation."""
    items = listing.find_all("li", recursive=False)
    return bool(items) and all(
        (li.find("a") is not None and _squash(li.get_text(" ")) == _squash(" ".join(a.get_text(" ")
                                                                              for a in li.find_all("a"))))
        for li in items)


def _hidden(tag: Tag) -> bool:
    style_attr = tag.get("style")
    style = style_attr.replace(" ", "").lower() if isinstance(style_attr, str) else ""
    return tag.has_attr("hidden") or "display:none" in style or tag.get("aria-hidden") == "true"
