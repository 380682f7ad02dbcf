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

__all__ = ["announces_topic", "asks", "split_questions", "is_follow_up", "is_topic_switch", "new_words", "without_switch"]

_QUESTION_WORDS = r"(?:how|what|what's|whats|when|where|which|who|why|can|could|do|does|did|is|are|will|would|should|may)"
# A new question starts after "?", or after ", and" / ". Also" / "; " when a question word follows.
_BOUNDARY = re.compile(
    rf"(?<=\?)\s+(?=\S)|[,;.]\s*(?:and\s+|also,?\s+|plus\s+)?(?={_QUESTION_WORDS}\b)|\s+and\s+(?:also\s+)?(?={_QUESTION_WORDS}\s+(?:i|you|we|it|there|your|my)\b)"
    r"|[.!]\s+(?=also\b)",
    re.IGNORECASE,
)
_ASKS = re.compile(rf"^{_QUESTION_WORDS}\b", re.IGNORECASE)
# A new topic announced before the question: "different question, how long does priority take", "ok unrelated,
# can i pick up in store", "actually nevermind. do you have a student discount?". It follows up on nothing.
_SWITCH = re.compile(
    r"^\W*(?:ok(?:ay)?|so|and|but|oh|hey|actually|sorry)?[,\s]*(?:(?:a|one|my|another)\s+)?(?:(?:different|separate|other|another|"
    r"unrelated|new|second)\s+(?:question|topic|thing|note)|unrelated|off topic|never\s?mind|changing (?:the )?subject|"
    r"something else|(?:one\s+)?more (?:question|thing))\b(?:\s+(?:but|though|here|now|too))?[\s,.:;!-]*",
    re.IGNORECASE)
_ANNOUNCES = re.compile(
    r"^\W*(?:(?:hi|hello|hey)(?:\s+there)?[,!.\s]+)?(?:i\s+(?:have|had|got)\s+|i'?ve\s+got\s+|got\s+)?"
    r"(?:(?:a|one|another|one\s+more)\s+)?(?:quick\s+)?(?:(?P<kind>[\w-]+(?:\s+[\w-]+)?)\s+)?"
    r"(?:question|query|enquiry|inquiry)(?:\s+(?:about|on|regarding|re|for|with)\s+(?P<about>[\w'’&-]+(?:\s+[\w'’&-]+){0,5}))?"
    r"\s*[?.!]*\s*$", re.IGNORECASE)
_LEADING = re.compile(r"^\s*(?:and|also|plus)\b[,\s]*", re.IGNORECASE)
_MIN_WORDS = 3

_PRONOUN = re.compile(r"\b(?:it|its|it's|they|them|their|those|these|that one|this one|that|this|one|ones)\b", re.I)
_CONTINUES = re.compile(r"^\s*(?:and|also|plus|what about|how about|same for|ok(?:ay)?,? and|but)\b", re.I)
# Words that carry no topic of their own in a follow-up.
_FILLER = re.compile(
    r"\b(?:is|are|was|it|its|they|them|that|this|those|these|one|ones|the|a|an|in|of|for|to|do|does|you|have|has|"
    r"how|much|many|what|which|about|and|also|plus|there|any|stock|available|price|cost|costs|fee|fees|cheapest|"
    r"expensive|most|least|please|then|so|ok|okay|same|with|on|me|i|colou?rs?|sizes?|come|comes|long|take|takes|arrive|get|here|"
    # words any question may have: "can i buy them now?", "when will it be back?" bring no topic
    r"can|could|would|will|should|be|been|now|still|yet|right|just|really|actually|buy|order|want|need|like|when|"
    r"where|if|or|not|too|very|again|im|i'm|my|your|we|us|our|at|by|from|up|out|as|all)\b", re.I)
_MAX_FOLLOW_UP_WORDS = 7
#: "and how long does it take to arrive?" opens with its cue, so it may run a little longer.
_MAX_CONTINUATION_WORDS = 10


def split_questions(text: str) -> list[str]:
    """The questions of one message, each with at least three words; one item when it asks one
    (without the words announcing a new topic, "different question, ...")."""
    text = without_switch(text)
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
    if not words or len(words) > _MAX_CONTINUATION_WORDS or is_topic_switch(text):
        return False
    if _CONTINUES.search(text):
        return True
    if len(words) > _MAX_FOLLOW_UP_WORDS:
        return False
    topic_words = new_words(text)
    # "is it waterproof?" leans on the last turn; "return these shoes" names its own topic.
    return len(topic_words) <= (1 if _PRONOUN.search(text) else 0)


def is_topic_switch(text: str) -> bool:
    """The message announces a new topic ("different question, ...", "ok unrelated, ...") and has more to say."""
    match = _SWITCH.match(text)
    return match is not None and bool(text[match.end():].strip())


def without_switch(text: str) -> str:
    """``text`` without the words announcing a new topic, when a question follows them."""
    return text[_SWITCH.match(text).end():].strip() if is_topic_switch(text) else text  # type: ignore[union-attr]


def asks(text: str) -> bool:
    """The message is a question ("can I mail a check?", "even for 50 pairs?", "how long until it's
    ready"), not a statement or a request ("return these shoes please", "it was an hour ago")."""
    return text.rstrip().endswith(("?", "？")) or _ASKS.match(_LEADING.sub("", text.strip())) is not None


def announces_topic(text: str) -> bool:
    """The whole message only says what the customer wants to ask about: "question about the chelsea
    boot", "i have a question about a product", "quick shipping question". The question follows."""
    return _ANNOUNCES.match(text) is not None


def new_words(text: str) -> list[str]:
    """The words of a follow-up that bring a topic of their own: "gifts" in "and for gifts?", none in
    "how long does it take?"."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)
    # "what's" and "i'm" are filler whole: no "'s" left over
    return [w for w in _FILLER.sub(" ", _PRONOUN.sub(" ", " ".join(words))).split() if not w.startswith("'")]
