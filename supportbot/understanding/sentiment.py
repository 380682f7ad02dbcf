"""How the customer feels, from -1 (very negative) to 1, with VADER.

VADER is a lexicon and rules (negation, "!!!", ALL CAPS, emoticons) tuned on short social-media
text, which support chat resembles; it needs no model and scores a message in microseconds. It
only knows English: other languages score 0 (neutral) rather than a confident wrong sign.
"""

from __future__ import annotations

import logging

__all__ = ["SentimentScorer"]

log = logging.getLogger(__name__)

# VADER's chat slang that is a shop's plain word: "PO box" is not "pissed off", size "L" is no
# praise, "NFC" payment is not "no f... clue". Dropped from the lexicon, so they score neutral.
_SHOP_WORDS = frozenset({"po", "nfc", "l", "bl", "ly", "wd", "tx", "dx", "kia", "ff", "jw", "nh", "qt", "gj"})


class SentimentScorer:
    """VADER's compound score of one message; 0.0 when VADER is missing or the text is not English."""

    def __init__(self) -> None:
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError:
            log.warning("vaderSentiment is not installed; every message scores neutral")
            self._analyzer = None
        else:
            self._analyzer = SentimentIntensityAnalyzer()
            for word in _SHOP_WORDS:
                self._analyzer.lexicon.pop(word, None)

    def score(self, text: str, language: str = "en") -> float:
        if self._analyzer is None or language != "en" or not text.strip():
            return 0.0
        return float(self._analyzer.polarity_scores(text)["compound"])
