"""Query terms, FTS5 match expressions, word-overlap scores and rank fusion.

A query is searched by its words: lower-cased, stopwords dropped. Runs of Chinese, Japanese or
Korean characters have no spaces to split on, so they are searched by their overlapping
trigrams instead (the trigram index finds "蓝牙耳" inside "无线蓝牙耳机").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .spelling import spellings

__all__ = ["QueryTerms", "query_terms", "stem", "fts_query", "Coverage", "lexical_score", "idf", "rrf"]

# Words that say nothing about which product or answer is meant. Neither FTS5 tokenizer has
# stopwords of its own, and "you" or "the" would match nearly every row (chat's "u" and "ur" too).
# "size" and "colour" name an attribute, not a product: "in red, size 10" is searched by "red" and "10".
_STOPWORDS = frozenset("""
a an and are any anything at be but by can could do does did for from get got have has how i i'm im in
is it its it's me my of on or our please so some tell than that the there this to up want was we what
whats what's when where which who why will with would you your yours about also am been being buy
looking look need show find much many cost costs price priced something thing things hi hello hey
thanks thank size sizes colour colours color colors come comes available availability stock sell sells
carry offer item items product products just still wondering know take u ur pls plz thx
""".split())

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch.isalpha()


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """What a query is searched by.

    ``words`` are the other scripts' words of any length ("tv" and "xl" included: the word
    index has no minimum length); ``cjk`` are runs of CJK characters, matched by trigrams.
    """

    words: tuple[str, ...]
    cjk: tuple[str, ...]

    @property
    def grams(self) -> tuple[str, ...]:
        """The CJK runs as trigrams (a run of exactly three is its own trigram)."""
        return tuple(_dedupe(g for run in self.cjk for g in _trigrams(run)))

    @property
    def all(self) -> tuple[str, ...]:
        """Everything the trigram index can search: words of 3+ characters and CJK trigrams."""
        return tuple(w for w in self.words if len(w) >= 3) + self.grams

    def __bool__(self) -> bool:
        return bool(self.words or self.cjk)


@lru_cache(maxsize=8192)
def query_terms(text: str, max_terms: int = 12) -> QueryTerms:
    """Split a query into searchable terms, lower-cased, stopwords dropped, order kept.

    Cached: one message's text, and each passage's, is split a dozen times while answering it.
    """
    words: list[str] = []
    cjk: list[str] = []
    for token in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
        for run, is_cjk in _split_scripts(token):
            if is_cjk:
                cjk.append(run)
            elif run not in _STOPWORDS:
                words.append(run)
    return QueryTerms(tuple(_dedupe(words)[:max_terms]), tuple(_dedupe(cjk)[:max_terms]))


def stem(word: str) -> str:
    """A crude English stem, enough to match "returns" with "return" and "watches" with "watch"."""
    for suffix, keep in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x"), ("ing", ""),
                         ("ed", ""), ("es", "e"), ("s", "")):
        # three letters of stem, two of them before the suffix: "boxes" is "box", "flies" "fly", "aches" "ache"
        kept = len(word) - len(suffix)
        if word.endswith(suffix) and kept >= 2 and kept + len(keep) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def _trigrams(run: str) -> list[str]:
    return [run[i : i + 3] for i in range(len(run) - 2)]


def _split_scripts(token: str) -> list[tuple[str, bool]]:
    if token.isascii():  # most words: no CJK character to look for
        return [(token, False)]
    runs: list[tuple[str, bool]] = []
    for ch in token:
        cjk = _is_cjk(ch)
        if runs and runs[-1][1] == cjk:
            runs[-1] = (runs[-1][0] + ch, cjk)
        else:
            runs.append((ch, cjk))
    return runs


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def fts_query(terms: Sequence[str], *, mode: str = "AND", column: str | None = None, min_len: int = 3) -> str | None:
    """An FTS5 MATCH expression: each term quoted (so no query syntax leaks in), joined by ``mode``.

    ``min_len`` is 3 for the trigram index (shorter terms cannot match there) and 1 for words.
    """
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms if len(t) >= min_len]
    if not quoted:
        return None
    expr = f" {mode} ".join(quoted)
    return f"{column} : ({expr})" if column else expr


# --- word overlap -------------------------------------------------------------------------------


#: A partial word this long or longer may match inside a word (compounds); shorter ones only at a word's start.
INFIX_LETTERS = 6


class Coverage:
    """The weighted share of a query's terms that a row contains, 0..1; built once per query.

    ``weights`` give each term its weight (rarer words weigh more; unlisted terms weigh 1). A
    word the catalog has as a whole word (``whole_words``), and any word under
    :data:`INFIX_LETTERS` letters, must start a word ("shoe" in "shoes", "runn" in "running", but
    "red" not in "tired" and "emi" not in "semi-stitched"); longer partial words may occur
    anywhere ("rucksack" in "wanderrucksack"). A CJK run counts as one term, credited by the
    share of its trigrams found.
    """

    def __init__(self, terms: QueryTerms, weights: Mapping[str, float] | None = None,
                 whole_words: frozenset[str] = frozenset()) -> None:
        weights = weights or {}
        # A plural or inflected word also counts by its stem at a word's start: "backpacks" in "laptop backpack".
        self._words = [(weights.get(w, 1.0), w, w in whole_words or len(w) < INFIX_LETTERS,
                        b if (b := stem(w)) != w else "") for w in terms.words]
        # the other spelling of a word counts as the word: "watercolour" in "Watercolor Pencils"
        self._other = {w: [o for o in spellings(w) if o != w] for w in terms.words}
        self._cjk = [(weights.get(run, 1.0), _trigrams(run) or [run]) for run in terms.cjk]
        self._total = sum(w for w, *_ in self._words) + sum(w for w, _ in self._cjk)

    def __call__(self, main: str, extra: str = "", extra_credit: float = 0.5) -> float:
        """Score a row: ``main`` is its lower-cased name, category and attributes; a term found
        only in ``extra`` (its description) counts for ``extra_credit``."""
        if not self._total:
            return 0.0
        found = 0.0
        for weight, word, whole, base in self._words:
            if _find(main, word, whole) >= 0 or (base and _find(main, base, True) >= 0) or \
                    any(_find(main, other, True) >= 0 for other in self._other[word]):
                found += weight
            elif extra and (_find(extra, word, whole) >= 0 or (base and _find(extra, base, True) >= 0)):
                found += weight * extra_credit
        for weight, grams in self._cjk:
            share = max(sum(g in main for g in grams), extra_credit * sum(g in extra for g in grams)) / len(grams)
            found += weight * share
        return found / self._total


def _find(text: str, word: str, whole: bool) -> int:
    """Where ``word`` first occurs in ``text`` (at the start of a word if ``whole``), or -1."""
    at = text.find(word)
    while whole and at > 0 and text[at - 1].isalnum():
        at = text.find(word, at + 1)
    return at


def lexical_score(terms: QueryTerms, haystack: str) -> float:
    """Unweighted share of the query's terms found in ``haystack`` (passages without vectors)."""
    return Coverage(terms)(haystack.lower())


def idf(rows_with_term: int, rows: int) -> float:
    """Inverse document frequency, smoothed so a term in every row still weighs a little."""
    return math.log(1.0 + (rows + 1) / (rows_with_term + 1))


# --- fusion -------------------------------------------------------------------------------------


def rrf(rankings: Iterable[Sequence[int]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: ``sum(1 / (k + rank))`` over the lists an id appears in."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused
