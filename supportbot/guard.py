"""Checks on generated text before a customer sees it.

A reply may only promise what the merchant's own passages say, claim by claim. A claim is what
one clause of the reply commits to: a *topic* (a refund, a return, a cancellation, a discount,
delivery, ...) with its *qualifiers* (an amount, a percentage, a time frame, a date, "free",
"guaranteed"). Each qualifier must be stated by a passage sentence about the same topic, and each
promised topic by some passage that does not rule it out; and the bot never claims to carry out
a refund, cancellation or discount itself ("I've issued a refund"): it cannot. "You can cancel free of charge, and I
will refund you today" fails against "Refunds go back to the original payment method within 5
working days": the passages mention refunds, but never a refund *today*.

:func:`check_disclosure` stops the other way an obedient model fails: repeating or paraphrasing
its instructions, or speaking as staff. What fails either check is not sent; a person takes over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PromiseCheck", "check_promises", "check_disclosure"]

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fourteen": "14", "fifteen": "15",
    "twenty": "20", "thirty": "30", "forty": "40", "forty-five": "45", "sixty": "60", "ninety": "90",
    "a hundred": "100", "hundred": "100",
}
_NUMBER = r"(?:\d+(?:[.,]\d+)*|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + ")"
_UNITS = r"(?:business\s|working\s|calendar\s)?(?:hours?|days?|weeks?|months?|years?|minutes?)"

#: Qualifiers: what a claim says about its topic. Checked against the sentences on that topic.
_QUALIFIERS: dict[str, re.Pattern[str]] = {
    "amount": re.compile(
        rf"(?:[$€£¥₹]\s?{_NUMBER}|\b{_NUMBER}\s?(?:usd|eur|gbp|inr|dollars?|euros?|pounds?|rupees?)\b)", re.I),
    "percent": re.compile(rf"\b{_NUMBER}\s?(?:%|percent\b)", re.I),
    "duration": re.compile(rf"\b{_NUMBER}\s?(?:-\s?{_NUMBER}\s?|to\s{_NUMBER}\s)?{_UNITS}\b", re.I),
    "date": re.compile(
        r"\b(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}[.-]\d{1,2}[.-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
        r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?|"
        r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*|"
        r"(?:by|on|before|until)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
        re.I,
    ),
    "time": re.compile(
        r"\b(?:today|tonight|tomorrow|right\s+now|right\s+away|immediately|instantly|asap|as\s+soon\s+as\s+possible|"
        r"same[\s-]day|next[\s-]day|overnight|this\s+(?:morning|afternoon|evening|week|weekend)|"
        r"\d{1,2}(?::\d{2})?\s?(?:am|pm)|within\s+(?:the|an|one)\s+hour)\b",
        re.I,
    ),
    "free": re.compile(r"(?<![\w-])(?<!feel\s)(?:free(?:\s+of\s+charge)?|at\s+no\s+(?:extra\s+)?(?:cost|charge)|no\s+charge|"
                       r"complimentary|on\s+the\s+house|on\s+us)\b", re.I),
    "guarantee": re.compile(r"\b(?:guarantee[ds]?|promise[ds]?|warrant(?:y|ies|ed))\b", re.I),
}

#: Topics: what a claim is about. ``True``: a promise that some passage must make (an unbacked
#: refund is invented); ``False``: a subject whose qualifiers are checked but whose mention is not
#: itself a promise (delivery, price).
_TOPICS: dict[str, tuple[re.Pattern[str], bool]] = {
    "refund": (re.compile(r"\b(?:refund\w*|reimburs\w*|money\s+back)", re.I), True),
    "return": (re.compile(r"\breturn(?:s|ed|ing|able)?\b", re.I), True),
    "exchange": (re.compile(r"\bexchang\w*", re.I), True),
    "replacement": (re.compile(r"\breplac\w*", re.I), True),
    "cancel": (re.compile(r"\bcancel\w*", re.I), True),
    "discount": (re.compile(r"\b(?:discount\w*|\d+\s?% off|promo(?:tion)?s?\b|price\s+match\w*)", re.I), True),
    "voucher": (re.compile(r"\b(?:voucher\w*|coupon\w*|gift\s+cards?|promo\s+codes?|store\s+credit)", re.I), True),
    "credit": (re.compile(r"\bcredit(?!\s*cards?)(?:s|ed)?\b", re.I), True),
    "compensation": (re.compile(r"\b(?:compensat\w*|cash\s?back|waiv\w*)", re.I), True),
    "delivery": (re.compile(r"\b(?:ship\w*|deliver\w*|dispatch\w*|arriv\w*|postage|courier)", re.I), False),
    "price": (re.compile(r"\b(?:price\w*|costs?|fees?|charged?)\b", re.I), False),
}

# A negation at most two words before the topic, in the same phrase ("don't worry, your refund" is not one).
_NEGATION = re.compile(
    r"\b(?:no|not|never|cannot|can't|won't|don't|doesn't|isn't|aren't|unable|without|non)(?:[ \t]+[\w']+){0,2}[ \t-]*$", re.I)
# A condition a passage attaches to what it grants: "free on orders over £50", "free of charge
# until the order is dispatched". A reply that drops it promises more than the passage.
_CONDITION = re.compile(r"\b(?:on\s+orders?\s+(?:over|above)|over|above|until|unless|if|only|provided|as\s+long\s+as)\b[^,.;:]*",
                        re.I)
_STOP = frozenset("the a an is are be it its order orders your you our we on of to for and".split())

# The bot acting itself ("I've issued a refund", "I'll cancel it"): it has no such power, whatever
# the policy says, so with a promised topic in the clause this is an invented action.
_OWN_ACTION = re.compile(
    r"\bI(?:'ve|\s+have|'ll|\s+will|\s+can|\s+am\s+going\s+to|'m\s+going\s+to|\s+just)?(?:\s+\w+ly)?\s+"
    r"(?:issu|process|approv|refund|cancel|credit|waiv|appl(?:y|i)|arrang|authori[sz]|grant|giv|offer|sen[dt]|add)\w*",
    re.I,
)
# Where a reply clause ends: sentence ends, semicolons, and "and"/"but" starting a new commitment.
_CLAUSE_BREAK = re.compile(r"(?<=[.!?;:])\s+|\n+|,?\s+(?:and|but|plus|also)\s+(?=(?:i|we|you|it|they|your|our|this)\b)"
                           r"|;\s*", re.I)


@dataclass(frozen=True)
class PromiseCheck:
    ok: bool
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Mention:
    kind: str
    text: str
    start: int


def check_promises(reply: str, passages: list[str]) -> PromiseCheck:
    """Is every claim of ``reply`` stated by ``passages`` for the same topic?

    ``unsupported`` lists what failed as ``"kind: text"``: ``"time: today"`` (a refund today,
    where the passages say 5 working days), ``"promise: discount"`` (no passage offers one).
    """
    sentences = [s for passage in passages for s in _sentences(passage)]
    unsupported: list[str] = []
    for clause in _clauses(reply):
        topics = _find_topics(clause)
        if topics and all(_negated(clause, t.start) for t in topics):
            continue  # "we can't refund it": a refusal is not a promise
        if any(_TOPICS[t.kind][1] for t in topics):
            action = _OWN_ACTION.search(clause)
            if action:
                unsupported.append(f"action: {action.group(0)}")
        for topic in topics:
            if _TOPICS[topic.kind][1] and not _negated(clause, topic.start) and not any(
                _affirms(s, topic.kind) for s in sentences
            ):
                unsupported.append(f"promise: {topic.text.lower()}")
        promised = [t for t in topics if _TOPICS[t.kind][1]]
        for qualifier in _find_qualifiers(clause):
            # A figure belongs to the promise nearest to it ("refund you today"); without a promise,
            # to any subject of the clause ("delivery costs £3.95"); without one, to any passage.
            about = [_nearest(promised, qualifier)] if promised else topics
            pool = [s for s in sentences if not about or any(_TOPICS[t.kind][0].search(s) for t in about if t)]
            stating = [s for s in pool if _states(s, qualifier)]
            if not stating:
                unsupported.append(f"{qualifier.kind}: {qualifier.text}")
            elif qualifier.kind == "free" and not any(_condition_kept(s, reply) for s in stating):
                condition = _CONDITION.search(stating[0])
                unsupported.append(f"condition: {condition.group(0) if condition else qualifier.text}")
    return PromiseCheck(not unsupported, tuple(dict.fromkeys(unsupported)))


# Phrases a support reply has no reason to say: talk about its own instructions, or a claim to be staff.
_META = re.compile(
    r"\b(?:system\s+prompt|my\s+(?:instructions|guidelines|directives|rules|prompt)|"
    # The prompt's own vocabulary, in the languages a reply may be asked to translate it into.
    r"pass(?:age|agen|aggi|ajes?|agens?)s?|mes\s+(?:consignes|instructions|règles)|mis\s+(?:instrucciones|reglas)|"
    r"meine\s+(?:anweisungen|regeln)|le\s+mie\s+istruzioni|minhas\s+instruções|i\s+(?:was|am|have\s+been|'ve\s+been|'m)\s+"
    r"(?:told|instructed|programmed|configured)|developer\s+mode|the\s+passages?|"
    r"(?:as|i\s+am|i'm|speaking\s+as)\s+(?:a|an|the|your)?\s*(?:store\s+|shop\s+|support\s+|customer\s+service\s+)?(?:staff|member\s+of\s+staff|manager|admin\w*|moderator|"
    r"human\s+agent|supervisor|owner|employee))\b",
    re.I,
)


def check_disclosure(reply: str, instructions: str, *, allowed: str = "", shingle: int = 6) -> PromiseCheck:
    """Does ``reply`` repeat its ``instructions`` (any ``shingle`` words in a row, or a code-like
    word from them), talk about them, or claim to be staff? ``instructions`` is the system prompt
    without the merchant's passages; code-like words of ``allowed`` (the passages, the shop's name) may be
    quoted freely."""
    found: list[str] = []
    meta = _META.search(reply)
    if meta:
        found.append(f"instructions: {meta.group(0)}")
    reply_words = _words(reply)
    instruction_words = _words(instructions)
    shingles = {tuple(instruction_words[i : i + shingle]) for i in range(len(instruction_words) - shingle + 1)}
    for i in range(len(reply_words) - shingle + 1):
        if tuple(reply_words[i : i + shingle]) in shingles:
            found.append("instructions: " + " ".join(reply_words[i : i + shingle]))
            break
    lowered, known = reply.lower(), allowed.lower()
    for token in set(re.findall(r"[A-Za-z0-9][\w-]{5,}", instructions)):
        if (re.search(r"\d", token) and re.search(r"[A-Za-z]", token) and token.lower() in lowered
                and token.lower() not in known):
            found.append(f"secret: {token}")  # a code-like word (a canary, a key) from the instructions
    return PromiseCheck(not found, tuple(found))


# --- claims ------------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+|;\s*", text) if s.strip()]


def _clauses(reply: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(reply) if c and c.strip()]


def _find_topics(clause: str) -> list[_Mention]:
    found = []
    for kind, (pattern, _promise) in _TOPICS.items():
        found += [_Mention(kind, m.group(0), m.start()) for m in pattern.finditer(clause)]
    # "free of charge" is a qualifier, not a price topic.
    free_spans = [m.span() for m in _QUALIFIERS["free"].finditer(clause)]
    return [t for t in found if not any(a <= t.start < b for a, b in free_spans)]


def _find_qualifiers(clause: str) -> list[_Mention]:
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _QUALIFIERS.items():
        for m in pattern.finditer(clause):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # "5 working days" is one duration, not a duration and a time
            taken.append(m.span())
            found.append(_Mention(kind, m.group(0), m.start()))
    return found


def _nearest(topics: list[_Mention], qualifier: _Mention) -> _Mention:
    return min(topics, key=lambda t: abs(t.start - qualifier.start))


def _negated(text: str, position: int) -> bool:
    """Is the word at ``position`` negated ("no refunds", "cannot be refunded", "non-refundable")?"""
    return bool(_NEGATION.search(text[:position]))


def _affirms(sentence: str, topic: str) -> bool:
    return any(not _negated(sentence, m.start()) for m in _TOPICS[topic][0].finditer(sentence))


def _states(sentence: str, qualifier: _Mention) -> bool:
    """Does ``sentence`` state ``qualifier`` (same figures and unit, or the same kind of word)?"""
    if qualifier.kind in ("free", "guarantee"):
        return bool(_QUALIFIERS[qualifier.kind].search(sentence))
    if qualifier.kind in ("time", "date"):
        wanted = _normalise(qualifier.text)
        return any(_normalise(m.group(0)) == wanted for m in _QUALIFIERS[qualifier.kind].finditer(sentence))
    numbers = _numbers(qualifier.text)
    for m in _QUALIFIERS[qualifier.kind].finditer(sentence):
        if _numbers(m.group(0)) == numbers and (qualifier.kind != "duration" or _unit(m.group(0)) == _unit(qualifier.text)):
            return True
    # "$25" is backed by "25.00 USD" in a product passage's "price: 25.00 USD".
    return qualifier.kind == "amount" and any(n in _numbers(sentence) for n in numbers) and bool(numbers)


def _condition_kept(sentence: str, reply: str) -> bool:
    """Is ``sentence`` unconditional, or does ``reply`` carry its condition (its figure, else a word)?"""
    condition = _CONDITION.search(sentence)
    if condition is None:
        return True
    numbers = _numbers(condition.group(0))
    if numbers:
        return all(n in _numbers(reply) for n in numbers)
    words = {w[:5] for w in _words(condition.group(0))[1:] if w not in _STOP and len(w) > 3}
    return not words or bool(words & {w[:5] for w in _words(reply)})


def _normalise(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.lower()).strip()


def _numbers(text: str) -> list[float]:
    lowered = text.lower()
    for word, digits in sorted(_NUMBER_WORDS.items(), key=lambda kv: -len(kv[0])):
        lowered = re.sub(rf"\b{re.escape(word)}\b", digits, lowered)
    return [float(n.replace(",", "")) for n in re.findall(r"\d+(?:[.,]\d+)*", lowered) if _is_number(n.replace(",", ""))]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unit(token: str) -> str:
    match = re.search(r"(minute|hour|day|week|month|year)", token.lower())
    return match.group(1) if match else ""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())

