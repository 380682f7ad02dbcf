"""The bot's own phrases in the customer's language, and a guard for answers across languages.

Phrases live in ``prompts/phrases.yaml`` (per language, then per phrase); a merchant's copy beside
their config may hold only what they change, over the bundled file. English is the fallback for a
language or a phrase that is missing. Plugins call::

    text = phrases(bot.config).say("not_found", message_language(ctx))

A text the merchant set in config.yaml (``custom=``) wins for the shop's own language: they wrote
it in that language, and a customer writing in another gets the translated phrase instead.

Across languages: the bundled embedders are English-centred, so the cosine between a Spanish or
Chinese question and an English passage says little (an unrelated passage can score like the right
one). :func:`cross_language_support` therefore asks for evidence that does not depend on the
embedder: a name, code or number of the question found in the passage ("¿Aceptan PayPal?",
"订单 48213377 在哪里"). Without it the question goes to a person rather than to a guess.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .prompts import layers, read_layer

if TYPE_CHECKING:
    from .config import Config

__all__ = ["Phrases", "phrases", "message_language", "shop_language", "conversation_language", "anchors",
           "cross_language_support", "is_other_language", "in_other_language", "shop_vocabulary", "small_talk_in", "text_language", "FALLBACK_LANGUAGE"]

FALLBACK_LANGUAGE = "en"
T = TypeVar("T")

_FILE = "phrases.yaml"
# Evidence that survives a change of language: numbers and codes (order 48213377, size 42, XL),
# Latin-script words inside a CJK message (PayPal, iPhone), names capitalised mid-sentence (Visa,
# Stellar), and all-caps or mixed-case tokens (DHL, iPhone).
_NUMBER_OR_CODE = re.compile(r"\b[A-Za-z]*\d[\w-]*\b")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\u3040-\u30ff]")
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\u3040-\u30ff]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?¿¡:;]\s*|\n)\s*$")


class Phrases:
    """Per-language phrase tables with English as the fallback."""

    def __init__(self, table: Mapping[str, Mapping[str, Any]], fallback: str = FALLBACK_LANGUAGE) -> None:
        self._table = {str(lang).lower(): dict(entries or {}) for lang, entries in table.items()}
        self._fallback = fallback

    @property
    def languages(self) -> list[str]:
        return sorted(self._table)

    def has(self, key: str, language: str | None) -> bool:
        """Whether ``language`` has its own ``key`` (not the English fallback)."""
        return isinstance(self._table.get((language or "").lower(), {}).get(key), str)

    def say(self, key: str, language: str | None, /, *, custom: str | None = None,
            custom_language: str | None = None, **values: Any) -> str:
        """The phrase ``key`` in ``language`` (else English), with ``{placeholders}`` filled.

        ``custom`` is the merchant's own text for this phrase, written in ``custom_language``
        (their shop's): it is used as is for a customer writing in that language.
        """
        language = (language or self._fallback).lower()
        if custom is not None and (custom_language is None or language == custom_language.lower()):
            return _fill(custom, values)
        for lang in (language, self._fallback):
            text = self._table.get(lang, {}).get(key)
            if isinstance(text, str):
                return _fill(text, values)
        raise KeyError(f"no phrase {key!r} in {_FILE} (not even in {self._fallback})")

    def words(self, key: str, language: str) -> set[str]:
        """A list entry (``greeting_words``) of one language, lower-cased."""
        value = self._table.get(language.lower(), {}).get(key) or []
        return {" ".join(str(v).lower().split()) for v in value} if isinstance(value, list) else set()

    def language_name(self, code: str, in_language: str | None) -> str:
        """``"en"`` called in ``in_language``: ``"inglés"`` in Spanish, ``"英文"`` in Chinese."""
        for lang in ((in_language or self._fallback).lower(), self._fallback):
            names = self._table.get(lang, {}).get("language_names") or {}
            if isinstance(names, Mapping) and code in names:
                return str(names[code])
        return code


def _fill(text: str, values: Mapping[str, Any]) -> str:
    try:
        return text.format(**values) if values else text
    except (KeyError, IndexError, ValueError):  # a merchant's edit with a stray brace: show it as written
        return text


def phrases(config: Config) -> Phrases:
    """The phrases in effect: the merchant's ``prompts/phrases.yaml`` (if any) over the bundled one.

    Files are re-read when they change (the cache is keyed by modification time).
    """
    bundled, *merchant = layers(config, _FILE)
    table = _copy(read_layer(bundled))
    for layer in merchant:
        for lang, entries in read_layer(layer).items():
            if isinstance(entries, Mapping):
                table.setdefault(str(lang).lower(), {}).update(entries)
    return Phrases(table)


def _copy(table: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(k).lower(): dict(v) for k, v in table.items() if isinstance(v, Mapping)}


def message_language(ctx: Any) -> str:
    """The language of the message being handled: the understanding's guess, else the shop's."""
    understanding = getattr(ctx, "understanding", None)
    language = getattr(understanding, "language", None) if understanding is not None else None
    return str(language or shop_language(ctx.bot))


def shop_language(bot: Any) -> str:
    """The language the shop's own texts are in: found by the last shop import, else
    ``understanding.default_language``."""
    db = getattr(getattr(bot, "knowledge", None), "db", None)  # test doubles may have no database
    if db is not None:
        from .knowledge.schema import get_meta

        stored = get_meta(db, "language")
        if stored:
            return stored
    return str(bot.config.understanding.default_language or FALLBACK_LANGUAGE)


def anchors(text: str) -> set[str]:
    """Tokens of ``text`` that mean the same in any language: numbers of three digits or more and
    codes, Latin words in a CJK message, and names (capitalised mid-sentence, all-caps or mixed
    case), lower-cased."""
    # a bare one- or two-digit number ("20 euros") is in too many unrelated passages ("20 working days")
    found = {m.group(0).lower() for m in _NUMBER_OR_CODE.finditer(text) if not re.fullmatch(r"\d{1,2}", m.group(0))}
    cjk = bool(_CJK.search(text))
    for match in _LATIN_WORD.finditer(text):
        word = match.group(0)
        if len(word) < 2:
            continue
        named = word[1:] != word[1:].lower() or (word[0].isupper() and not _SENTENCE_START.search(text[:match.start()]))
        if cjk or named:
            found.add(word.lower())
    return found


def cross_language_support(question: str, candidates: Sequence[T], text_of: Any = None) -> list[T]:
    """The candidates (passages or products) that share a language-neutral token with the
    question, or a run of its CJK characters ("登山背包" in "登山背包 40L"): for a question not in
    the language of the texts, the only ones worth giving."""
    wanted = anchors(question)
    grams = {run[i:i + 2] for run in _CJK_RUN.findall(question) for i in range(max(len(run) - 1, 1))}
    if not wanted and not grams:
        return []
    get = text_of or (lambda c: " ".join(str(x) for x in (getattr(c, "title", None) or "", getattr(c, "text", ""))))
    out = []
    for candidate in candidates:
        text = get(candidate)
        if wanted & _tokens(text) or any(g in text for g in grams):
            out.append(candidate)
    return out


def _tokens(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w'’-]+", text)}



def conversation_language(bot: Any, conversation_id: int) -> str:
    """The language of the customer's latest message in a conversation whose language is known
    (for texts sent later: the handoff notice, the rating prompt), else the shop's."""
    row = bot.history.db.execute(
        "SELECT json_extract(understanding, '$.language') FROM messages WHERE conversation_id = ? "
        "AND direction = 'in' AND json_extract(understanding, '$.language') IS NOT NULL ORDER BY id DESC LIMIT 1",
        [conversation_id]).fetchone()
    return str(row[0]) if row and row[0] else shop_language(bot)


# English function words: a message with two of them is English whatever a detector said about it
# (short English messages are where detectors guess).
_ENGLISH = frozenset("the is are do does you your my i me what how when where can could would will "
                     "it this that to of and for with an a have has not".split())


def is_other_language(text: str, language: str, shop: str, vocabulary: frozenset[str] = frozenset()) -> bool:
    """Whether a message is in another language than the shop's texts.

    Detectors guess on short messages ("check order status" comes out German), so a Latin-script
    message stays in the shop's language when half its words are words of the shop's own texts
    (``vocabulary``), or, for an English shop, when two are English function words.
    """
    if language == shop:
        return False
    if _CJK.search(text):
        return True
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return False
    english = sum(w in _ENGLISH for w in words) if shop == "en" else 0
    known = sum(w in vocabulary or (shop == "en" and w in _ENGLISH) for w in words)
    return not (english >= 2 or known * 2 >= len(words))


def in_other_language(bot: Any, ctx: Any) -> bool:
    """Whether the message being handled is in another language than the shop's texts."""
    return is_other_language(ctx.text, message_language(ctx), shop_language(bot), shop_vocabulary(bot))


_VOCABULARIES: weakref.WeakKeyDictionary[Any, tuple[int, frozenset[str]]] = weakref.WeakKeyDictionary()


def shop_vocabulary(bot: Any) -> frozenset[str]:
    """The words of the shop's FAQ, policies and product names (lower case), rebuilt after an import."""
    knowledge = getattr(bot, "knowledge", None)
    db = getattr(knowledge, "db", None)
    if db is None:
        return frozenset()
    from .knowledge.schema import generation

    current = generation(db)
    cached = _VOCABULARIES.get(knowledge)
    if cached is not None and cached[0] == current:
        return cached[1]
    words: set[str] = set()
    for (text,) in db.conn.execute("SELECT coalesce(title, '') || ' ' || text FROM kb_passages"):
        words.update(re.findall(r"[^\W\d_]+", text.lower()))
    for (name,) in db.conn.execute("SELECT name FROM kb_products LIMIT 50000"):
        words.update(re.findall(r"[^\W\d_]+", name.lower()))
    vocabulary = frozenset(words)
    _VOCABULARIES[knowledge] = (current, vocabulary)
    return vocabulary


def small_talk_in(said: Phrases, text: str, language: str) -> str | None:
    """``"greeting"`` or ``"thanks"`` when the whole message is one of that language's
    ``greeting_words`` / ``thanks_words`` (punctuation and case aside), else None. A bare request
    for help (``opener_words``: "help", "quick question") is met like a greeting, with an open question."""
    words = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    for key, listing in (("greeting", "greeting_words"), ("thanks", "thanks_words"), ("greeting", "opener_words")):
        for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
            if words and words in said.words(listing, lang):
                return key
    return None


def small_talk_any(said: Phrases, text: str, language: str) -> tuple[str, str] | None:
    """:func:`small_talk_in` in ``language``, else in any language of the phrase file: a bare "hola"
    is too short for the language guesser, and is still a greeting. Returns (phrase key, language)."""
    for lang in dict.fromkeys((language, *said.languages)):
        if key := small_talk_in(said, text, lang):
            return key, lang
    return None


_GUESSERS: dict[tuple[str, ...], Any] = {}


def text_language(text: str, languages: Sequence[str], default: str) -> str:
    """The language of a passage (Lingua over ``languages``; ``default`` when unsure)."""
    from .understanding.language import LanguageGuesser

    key = (*languages, default)
    guesser = _GUESSERS.get(key)
    if guesser is None:
        guesser = _GUESSERS[key] = LanguageGuesser(languages, default)
        guesser.load()
    return str(guesser.guess(text))
