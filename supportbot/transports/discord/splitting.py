"""Split a long reply into Discord-sized messages without breaking what a reader sees.

Pure text in, text out (no discord.py): cuts fall between paragraphs first, then between
sentences, then between words, and only as a last resort inside a word. A fenced code block that
fits in one message is never cut; one longer than a message is cut between lines, and each part
is closed and reopened with the same fence and language so every message renders as code.
"""

from __future__ import annotations

import re

__all__ = ["split_message", "MESSAGE_LIMIT"]

#: Discord's limit on a message's content.
MESSAGE_LIMIT = 2000

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE = re.compile(r".*?(?:[.!?…]+[\"')\]]*(?=\s|$)\s*|\n\s*|$)", re.DOTALL)
_WORD = re.compile(r"\S+\s*|\s+")


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters (none for blank text)."""
    if limit < 20:
        raise ValueError("limit too small to hold a code fence")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for unit, is_code in _blocks(text):
        pieces.extend(_fit_code(unit, limit) if is_code else _fit_prose(unit, limit))
    return _pack(pieces, limit)


def _blocks(text: str) -> list[tuple[str, bool]]:
    """Paragraphs and whole code blocks, each with its trailing whitespace, in order.

    Concatenated, they give back ``text`` exactly.
    """
    blocks: list[tuple[str, bool]] = []
    lines = text.splitlines(keepends=True)
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None:
            prose.append(lines[i])
            i += 1
            continue
        blocks.extend((p, False) for p in _paragraphs("".join(prose)))
        prose = []
        marker = fence.group(1)
        end = i + 1
        # The block ends at a line that is just the same kind of fence, at least as long.
        while end < len(lines) and not re.match(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", lines[end]):
            end += 1
        block = "".join(lines[i : end + 1])
        blocks.append((block, True))
        i = end + 1
    blocks.extend((p, False) for p in _paragraphs("".join(prose)))
    return blocks


def _paragraphs(text: str) -> list[str]:
    if not text:
        return []
    parts, start = [], 0
    for match in _PARAGRAPH_END.finditer(text):
        parts.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        parts.append(text[start:])
    return parts


def _fit_prose(paragraph: str, limit: int) -> list[str]:
    """The paragraph whole if it fits, else its sentences, words or characters that do."""
    if len(paragraph.rstrip()) <= limit:
        return [paragraph]
    pieces: list[str] = []
    for sentence in filter(None, _SENTENCE.findall(paragraph)):
        if len(sentence.rstrip()) <= limit:
            pieces.append(sentence)
            continue
        for word in _WORD.findall(sentence):
            while len(word.rstrip()) > limit:
                pieces.append(word[:limit])
                word = word[limit:]
            pieces.append(word)
    return pieces


def _fit_code(block: str, limit: int) -> list[str]:
    """The code block whole if it fits, else line-aligned parts, each closed and reopened."""
    if len(block.rstrip()) <= limit:
        return [block]
    lines = block.rstrip().splitlines(keepends=True)
    opening = lines[0] if lines[0].endswith("\n") else lines[0] + "\n"
    fence = _FENCE.match(opening)
    assert fence is not None, "a block split here opens with a fence"
    marker = fence.group(1)
    body = lines[1:]
    if body and re.match(rf"^[ \t]*{re.escape(marker)}[ \t]*$", body[-1]):
        body = body[:-1]
    closing = marker + "\n\n"
    room = limit - len(opening) - len(marker) - 1  # a newline may precede the closing fence
    parts: list[str] = []
    current = ""
    for line in body:
        while len(line) > room:  # a single line longer than a message: cut it
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:room])
            line = line[room:]
        if len(current) + len(line) > room:
            parts.append(current)
            current = ""
        current += line
    if current:
        parts.append(current)
    return [opening + part + ("" if part.endswith("\n") else "\n") + closing for part in parts]


def _pack(pieces: list[str], limit: int) -> list[str]:
    """Greedily join pieces (each of which fits) into as few messages as possible."""
    messages: list[str] = []
    current = ""
    for piece in pieces:
        if current and len((current + piece).rstrip()) > limit:
            messages.append(current.rstrip())
            current = ""
        current += piece.lstrip() if not current else piece
    if current.strip():
        messages.append(current.rstrip())
    return [m for m in messages if m.strip()]
