"""The shape of a customer message: how many questions it asks, and whether it follows up.

- ``split_questions("How long does delivery take, and can I pay cash on delivery?")`` gives the
  two questions, so each gets its own answer (or its own honest handoff).
- ``is_follow_up("is it in stock?")`` is true: the message leans on the previous turn ("it",
  "they", "and for gifts?", "what about express?") and means nothing alone. The plugins resolve it
  against *this* conversation's previous turn only.

Rules, not a model: the cues are function words, so they are cheap and they do not drift.
"""

from __future__ import annotations

import re

__all__ = ["split_questions", "is_follow_up", "new_words"]

_QUESTION_WORDS = r"(?:how|what|what's|whats|when|where|which|who|why|can|could|do|does|did|is|are|will|would|should|may)"
# A new question starts after "?", or after ", and" / ". Also" / "; " when a question word follows.
_BOUNDARY = re.compile(
    rf"(?<=\?)\s+(?=\S)|[,;.]\s*(?:and\s+|also,?\s+|plus\s+)?(?={_QUESTION_WORDS}\b)|\s+and\s+(?:also\s+)?(?={_QUESTION_WORDS}\s+(?:i|you|we|it|there|your|my)\b)"
    r"|[.!]\s+(?=also\b)",
    re.IGNORECASE,
)
_ASKS = re.compile(rf"^{_QUESTION_WORDS}\b", re.IGNORECASE)
_LEADING = re.compile(r"^\s*(?:and|also|plus)\b[,\s]*", re.IGNORECASE)
_MIN_WORDS = 3

_PRONOUN = re.compile(r"\b(?:it|its|it's|they|them|their|those|these|that one|this one|that|this|one|ones)\b", re.I)
_CONTINUES = re.compile(r"^\s*(?:and|also|plus|what about|how about|same for|ok(?:ay)?,? and|but)\b", re.I)
# Words that carry no topic of their own in a follow-up.
_FILLER = re.compile(
    r"\b(?:is|are|was|it|its|they|them|that|this|those|these|one|ones|the|a|an|in|of|for|to|do|does|you|have|has|"
    r"how|much|many|what|which|about|and|also|plus|there|any|stock|available|price|cost|costs|fee|fees|cheapest|"
    r"expensive|most|least|please|then|so|ok|okay|same|with|on|me|i|colou?rs?|sizes?|come|comes|long|take|takes|arrive|get|here)\b", re.I)
_MAX_FOLLOW_UP_WORDS = 7
#: "and how long does it take to arrive?" opens with its cue, so it may run a little longer.
_MAX_CONTINUATION_WORDS = 10


def split_questions(text: str) -> list[str]:
    """The questions of one message, each with at least three words; one item when it asks one."""
    parts = [p.strip(" ,;") for p in _BOUNDARY.split(text) if p and p.strip(" ,;")]
    questions: list[str] = []
    pending = ""  # a clause that is no question ("if I order two, ...") leads into the next one
    for part in parts:
        part = _LEADING.sub("", part).strip()
        if not part:
            continue
        if pending:
            part, pending = f"{pending}, {part}", ""
        if questions and len(part.split()) < _MIN_WORDS:
            questions[-1] = f"{questions[-1]} {part}"  # too short to stand alone: it belongs to the last
        elif _ASKS.match(part) or part.endswith("?"):
            questions.append(part)
        else:
            pending = part
    if pending:
        if questions:
            questions[-1] = f"{questions[-1]} {pending}"
        else:
            questions.append(pending)
    return questions if len(questions) > 1 else [text.strip()]


def is_follow_up(text: str) -> bool:
    """A short message that leans on the previous turn: a pronoun ("is it in stock?"), a
    continuation ("and for gifts?", "what about express?"), or nothing but filler ("how much?")."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)
    if not words or len(words) > _MAX_CONTINUATION_WORDS:
        return False
    if _CONTINUES.search(text):
        return True
    if len(words) > _MAX_FOLLOW_UP_WORDS:
        return False
    topic_words = new_words(text)
    # "is it waterproof?" leans on the last turn; "return these shoes" names its own topic.
    return len(topic_words) <= (1 if _PRONOUN.search(text) else 0)


def new_words(text: str) -> list[str]:
    """The words of a follow-up that bring a topic of their own: "gifts" in "and for gifts?", none in
    "how long does it take?"."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)
    return _FILLER.sub(" ", _PRONOUN.sub(" ", " ".join(words))).split()
