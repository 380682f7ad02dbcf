"""The pure message splitter: Discord-sized parts, cut where a reader would cut."""

from __future__ import annotations

import re

import pytest

from supportbot.transports.discord.splitting import MESSAGE_LIMIT, split_message


def _fences_balanced(part: str) -> bool:
    return len(re.findall(r"^```", part, flags=re.M)) % 2 == 0


def test_short_text_is_one_message_and_blank_is_none() -> None:
    assert split_message("  hello  ") == ["hello"]
    assert split_message(" \n ") == []


def test_cuts_between_paragraphs() -> None:
    a, b = "a" * 1500, "b" * 1500
    assert split_message(f"{a}\n\n{b}") == [a, b]


def test_fills_messages_greedily() -> None:
    paragraphs = ["x" * 600] * 5
    parts = split_message("\n\n".join(paragraphs))
    assert [len(p) for p in parts] == [600 * 3 + 4, 600 * 2 + 2]


def test_long_paragraph_cuts_between_sentences() -> None:
    sentence = "This sentence is about shipping times. "
    parts = split_message(sentence * 80)
    assert len(parts) == 2
    assert all(p.endswith(".") for p in parts)
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)


def test_sentence_longer_than_a_message_cuts_between_words() -> None:
    parts = split_message("word " * 700)
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert all(not p.endswith("wor") for p in parts)
    assert " ".join(parts).split() == ["word"] * 700


def test_a_single_huge_word_is_cut_hard() -> None:
    parts = split_message("z" * 4500)
    assert [len(p) for p in parts] == [2000, 2000, 500]


def test_code_block_that_fits_is_never_cut() -> None:
    intro = "Here is how. " * 70  # ~900 characters
    code = "```python\n" + "print('hello')\n" * 60 + "```"  # ~900 characters
    outro = "That is all. " * 130  # ~1700 characters
    text = f"{intro}\n\n{code}\n\n{outro}"
    assert 3400 <= len(text) <= 3600
    parts = split_message(text)
    assert len(parts) == 2
    assert sum(code in p for p in parts) == 1
    assert all(_fences_balanced(p) for p in parts)


def test_code_block_longer_than_a_message_is_closed_and_reopened() -> None:
    code = "```js\n" + "".join(f"console.log({i});\n" for i in range(300)) + "```"
    parts = split_message(code)
    assert len(parts) >= 3
    for part in parts:
        assert len(part) <= MESSAGE_LIMIT
        assert part.startswith("```js\n") and part.endswith("```")
    lines = [line for p in parts for line in p.splitlines() if not line.startswith("```")]
    assert lines == [f"console.log({i});" for i in range(300)]


def test_unclosed_fence_is_treated_as_code_to_the_end() -> None:
    text = "intro\n\n```\n" + "line\n" * 600
    parts = split_message(text)
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert all(_fences_balanced(p) for p in parts[1:])


@pytest.mark.parametrize("limit", [50, 100, 2000])
def test_nothing_is_lost(limit: int) -> None:
    text = "One. Two three! Four?\n\n" * 40 + "```\ncode\n```\n\n" + "tail " * 30
    parts = split_message(text, limit)
    assert all(len(p) <= limit for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
