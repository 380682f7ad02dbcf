"""A customer's question in another language, read word by word in the shop's language.

Without a generator the bot has no translator, and the bundled embedders are English-centred: the
cosine between "¿Cuándo es gratis el envío?" and the English passage on free delivery says little.
What a support question in Spanish, French, German or Chinese says is mostly a small vocabulary
(shipping, returns, refund, how long, how much, payment), so ``prompts/glossary.yaml`` lists those
words, and the countries come from the CLDR's territory names (Babel). :func:`gloss` renders::

    >>> gloss("¿Cuánto cuesta el envío a Nueva Zelanda?", "es").text
    '? how much does it cost shipping to New Zealand ?'

Words the glossary does not know stay as written, in :attr:`Glossed.unknown`: names and codes
(PayPal, Afterpay, Perth) and words it lacks. A passage found with the glossed text is worth
sending only when it has each of them; a word that stays unknown in no passage (a verb the
glossary lacks) means the question was not understood, and a person takes it.

A merchant's ``prompts/glossary.yaml`` beside their config adds to or overrides the bundled one
(per language, per word), as with the phrases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .prompts import Layer, layers, read_layer

if TYPE_CHECKING:
    from .config import Config

__all__ = ["Glossary", "Glossed", "glossary", "gloss", "load"]

_FILE = "glossary.yaml"
#: The longest entry, in words (Latin scripts) or characters (Chinese): "gastos de envío a", "多长时间".
_LONGEST_WORDS = 4
_LONGEST_CHARS = 6
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[?!.,;:¿¡？！，。；：]")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\u3040-\u30ff]")
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\u3040-\u30ff]+")
_PUNCTUATION = {"¿": "", "¡": "", "？": "?", "！": "!", "，": ",", "。": ".", "；": ";", "：": ":"}
#: Endings tried when a word is not in the glossary as written: plurals and the commonest verb forms.
_ENDINGS = {
    "es": ("es", "s", "n"),
    "fr": ("es", "s", "x", "e", "ent"),
    "de": ("en", "n", "e", "es", "s", "er", "t", "st"),
}
#: German joins compounds with these: "Rückgabe|frist", "Versand|s|kosten".
_LINKS = ("", "s", "es", "n", "en")
#: A word of one or two letters the glossary lacks says too little to be asked of a passage.
_MIN_UNKNOWN = 3


@dataclass(frozen=True)
class Glossed:
    """A question glossed into the shop's language."""

    text: str
    #: words the glossary lacks, as written (lower case, accents kept): each must be in what answers
    unknown: tuple[str, ...]
    #: how many words the glossary rendered (not counting the dropped ones: articles)
    known: int
    #: the countries named, in the shop's language: like a name, each must be in what answers
    places: tuple[str, ...] = ()

    @property
    def must_have(self) -> tuple[str, ...]:
        """What the passage that answers must name: the unknown words and the countries."""
        return self.unknown + self.places

    @property
    def understood(self) -> bool:
        """Whether the glossary rendered something: a question of only unknown words is not read."""
        return self.known > 0


def _plain(word: str) -> str:
    """``word`` without accents, lower case: customers type "envio" as often as "envío"."""
    word = word.lower().replace("ß", "ss").replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


class Glossary:
    """One language's entries, looked up as written and without accents, longest entry first."""

    def __init__(self, language: str, entries: dict[str, str], places: frozenset[str] = frozenset()) -> None:
        self.language = language
        #: renderings that are places (country names): :attr:`Glossed.places`
        self.places = places
        self._exact: dict[str, str] = {}
        self._plain: dict[str, str] = {}
        for source, target in entries.items():
            key = " ".join(str(source).lower().split())
            self._exact[key] = str(target or "").strip()
            self._plain.setdefault(_plain(key), str(target or "").strip())

    def __len__(self) -> int:
        return len(self._exact)

    def __contains__(self, word: str) -> bool:
        return self.lookup(word) is not None

    def lookup(self, words: str) -> str | None:
        """The rendering of ``words`` (one entry), ``""`` for a word to drop, None when not listed."""
        key = " ".join(words.lower().split())
        found = self._exact.get(key)
        return found if found is not None else self._plain.get(_plain(key))

    def word(self, word: str) -> str | None:
        """One word, also under a plural or verb ending, or as a German compound of listed parts."""
        found = self._inflected(word)
        if found is not None:
            return found
        return self._compound(word) if self.language == "de" else None

    def _inflected(self, word: str) -> str | None:
        found = self.lookup(word)
        if found is not None:
            return found
        for ending in _ENDINGS.get(self.language, ()):
            if len(word) > len(ending) + 2 and word.endswith(ending):
                found = self.lookup(word[: -len(ending)])
                if found is not None:
                    return found
        return None

    def _compound(self, word: str) -> str | None:
        """"Standardversand": the last part listed ("versand"), the first listed or an English word
        ("standard" stays itself, to be found in the passage)."""
        for cut in range(3, len(word) - 3):  # the longest listed tail: "standard|versand", not "sta|ndard..."
            head, tail = word[:cut], word[cut:]
            last = self._inflected(tail)
            if not last:
                continue
            for link in _LINKS:
                if link and not head.endswith(link):
                    continue
                first = head[: len(head) - len(link)] if link else head
                rendered = self.lookup(first)
                if rendered is not None:
                    return f"{rendered} {last}".strip()
            return f"{head} {last}"  # the head is kept as written: a name or an English loan word
        return None


def glossary(config: Config | None, language: str) -> Glossary:
    """The glossary of ``language`` in effect: the merchant's entries over the bundled ones."""
    return _glossary(language, layers(config, _FILE))


def load(config: Config | None = None) -> int:
    """Build the bundled languages' glossaries now (the CLDR names take about a second): their entries."""
    return sum(len(glossary(config, str(language))) for language in read_layer(layers(None, _FILE)[0]))


def _section(data: dict[str, Any], language: str) -> dict[str, str]:
    entries = data.get(language) or {}
    return {str(k): "" if v is None else str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


@lru_cache(maxsize=32)
def _glossary(language: str, files: tuple[Layer, ...]) -> Glossary:
    """Built once per language and version of the files: country names, then each file's entries."""
    countries = _countries(language)
    table = dict(countries)
    for layer in files:
        table.update(_section(read_layer(layer), language))
    return Glossary(language, table, frozenset(countries.values()))


def _countries(language: str) -> dict[str, str]:
    """Country names in ``language`` (CLDR, through Babel) with their English names."""
    from babel import Locale, UnknownLocaleError

    try:
        names = Locale.parse(language).territories
    except (UnknownLocaleError, ValueError):
        return {}
    english = Locale("en").territories
    return {name: english[code] for code, name in names.items() if code.isalpha() and code in english}


def gloss(text: str, language: str, config: Config | None = None) -> Glossed:
    """``text`` (in ``language``) rendered with the glossary; see the module's docstring."""
    table = glossary(config, language)
    if _CJK.search(text):
        return _gloss_cjk(text, table)
    tokens = _TOKEN.findall(re.sub(r"(\w)['’](?=\w)", r"\1' ", text))  # "l'article", "qu'il": two words
    tokens = [t for part in tokens for t in part.split("-") if t]  # "ai-je", "peut-on"
    return _render(tokens, table)


def _render(tokens: list[str], table: Glossary) -> Glossed:
    out: list[str] = []
    unknown: list[str] = []
    known = 0
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST_WORDS, len(tokens) - i), 0, -1):
            words = tokens[i : i + size]
            if size > 1 and not all(w[0].isalpha() for w in words):
                continue
            rendered = table.lookup(" ".join(words)) if size > 1 else _one(words[0], table)
            if rendered is not None:
                out.append(rendered)
                known += bool(rendered) and any(w[0].isalpha() for w in words)
                i += size
                break
        else:
            word = tokens[i]
            out.append(word)
            if len(word) >= _MIN_UNKNOWN and not word.isdigit():
                unknown.append(word.lower())
            i += 1
    return Glossed(" ".join(w for w in out if w), tuple(dict.fromkeys(unknown)), known,
                   tuple(dict.fromkeys(w for w in out if w in table.places)))


def _one(token: str, table: Glossary) -> str | None:
    if token in _PUNCTUATION:
        return _PUNCTUATION[token]
    if not token[0].isalpha():
        return token  # numbers and punctuation are themselves
    return table.word(token.lower().rstrip("'"))


def _gloss_cjk(text: str, table: Glossary) -> Glossed:
    """Chinese has no spaces: the longest listed entry at each point; a run of characters none of
    the entries covers is one unknown word. Latin words and numbers inside are kept (PayPal, 50ml)."""
    tokens: list[str] = []
    for piece in re.split(f"({_CJK_RUN.pattern})", text):
        if not piece:
            continue
        if not _CJK.match(piece):
            tokens.extend(_TOKEN.findall(piece))
            continue
        i, pending = 0, ""
        while i < len(piece):
            for size in range(min(_LONGEST_CHARS, len(piece) - i), 0, -1):
                if table.lookup(piece[i : i + size]) is not None:
                    if pending:
                        tokens.append(pending)
                        pending = ""
                    tokens.append(piece[i : i + size])
                    i += size
                    break
            else:
                pending += piece[i]
                i += 1
        if pending:
            tokens.append(pending)
    out: list[str] = []
    unknown: list[str] = []
    known = 0
    for token in tokens:
        if _CJK.match(token):
            rendered = table.lookup(token)
            if rendered is None:
                out.append(token)
                unknown.append(token)
            else:
                out.append(rendered)
                known += bool(rendered)
            continue
        rendered = _one(token, table) if token in _PUNCTUATION or not token[0].isalpha() else None
        out.append(token if rendered is None else rendered)
        if rendered is None and len(token) >= 2:
            unknown.append(token.lower())
    return Glossed(" ".join(w for w in out if w), tuple(dict.fromkeys(unknown)), known,
                   tuple(dict.fromkeys(w for w in out if w in table.places)))
