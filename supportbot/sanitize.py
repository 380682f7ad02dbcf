"""Text hygiene at the bot's edges: payment data masked, generated text cleaned, inbound text capped.

Inbound messages are masked before anything stores, logs, relays or prompts them (the engine does
it first thing), so a card number a customer pastes is never in the database, a staff thread, a
model prompt or a log line. Outbound text is cleaned of what a customer must never see: control
characters, U+FFFD from a broken decode, and bidirectional overrides that make text read otherwise.
"""

from __future__ import annotations

import re

__all__ = ["mask_payment_data", "clean_outbound", "cap_inbound", "luhn_ok"]

# Runs of digits, optionally grouped by single spaces or dashes ("4111 1111 1111 1111").
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d)*(?![\d])")
# Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay,
# Maestro): a Luhn-valid order number that starts otherwise is left alone.
_ISSUER = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6011|64[4-9]|65|62|5018|5020|5038|6304|67)")
_CVV = re.compile(
    r"\b(cvv2?|cvc2?|cvn|csc|cid|security\s+code|card\s+code|verification\s+(?:code|value))"
    r"(\s*(?:code|number|no\.?)?\s*(?:is\s+)?[:#=-]?\s*)\d{3,4}\b",
    re.I,
)
_EXPIRY = re.compile(
    r"\b(exp(?:iry|iration)?(?:\s+date)?|expires|valid\s+(?:thru|through|until))(\s*[:.]?\s*)"
    r"\d{1,2}\s?/\s?\d{2,4}\b",
    re.I,
)

# Digits that are ids, never payment data: Discord mentions (<@id>, <@!id>, <@&role>, <#channel>),
# custom emoji (<:name:id>) and links (attachment URLs carry snowflakes). A snowflake is 17-20
# digits, so about one in ten passes the issuer and Luhn checks by chance.
_IDS = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|https?://\S+")

#: What a reply must never carry: control characters (Unicode category Cc) but newline and tab,
#: surrogates (Cs), private-use characters (Co), U+FFFD from a broken decode, and the format
#: characters that reorder text (RLO, LRI, ...). One character class, so that cleaning a reply is
#: one pass in C, not a Python loop over its characters (a tenth of the event loop's time in a
#: burst's profile); the ranges are Unicode's, checked against ``unicodedata.category`` for every
#: code point in the tests.
_UNPOSTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # Cc, without \t (\x09) and \n (\x0a)
    "\ud800-\udfff"  # Cs
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"  # Co
    "\ufffd"
    "\u202a-\u202e\u2066-\u2069]"  # bidirectional embeddings, overrides and isolates
)
#: Any digit the patterns below could match: text without one has no payment data to mask.
_DIGIT = re.compile(r"\d")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and bool(_ISSUER.match(digits)) and luhn_ok(digits)


def _mask_groups(groups: list[str]) -> str:
    """Digit groups with any card number among them masked: a card may follow an order number
    ("order 55555 4111 1111 1111 1111"), so each span of whole groups is tried, longest first."""
    for start in range(len(groups)):
        for end in range(len(groups), start, -1):
            digits = "".join(groups[start:end])
            if _is_card(digits):
                masked = f"[card ending {digits[-4:]}]"
                return " ".join(filter(None, [_mask_groups(groups[:start]), masked, _mask_groups(groups[end:])]))
    return " ".join(groups)


# A card written in its printed groups (4-4-4-4, or Amex's 4-6-5), wherever it sits in a run.
_PRINTED_CARD = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}|\d{4}([ -])\d{6}\2\d{5}")


def _printed_card_inside(run: str) -> bool:
    """A card in its printed groups glued to other digits ("cvv 1234111 1111 1111 11110")."""
    for start in range(len(run)):
        found = _PRINTED_CARD.match(run, start)
        if found and _is_card(re.sub(r"\D", "", found.group(0))):
            return True
    return False


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = re.sub(r"\D", "", run)
    if len(digits) < 13:
        return run
    masked = _mask_groups(re.split(r"[ -]", run))
    if "[card ending" in masked:
        return masked
    # A card number glued to other digits ("4111 1111 1111 11110"), at either end of the run.
    if len(digits) > 16 and any(_is_card(digits[:n]) or _is_card(digits[-n:]) for n in range(13, min(20, len(digits)))):
        return "[card number removed]"
    if _printed_card_inside(run):
        return "[card number removed]"
    return run


def mask_payment_data(text: str) -> str:
    """Mask card numbers (Luhn-checked, issuer prefix), CVV-like codes and expiry dates.

    ``"4111 1111 1111 1111 exp 12/29 cvv 123"`` becomes
    ``"[card ending 1111] exp **/** cvv ***"``: staff still see which card the customer means.
    """
    if not _DIGIT.search(text):
        return text
    parts = _IDS.split(text)
    if len(parts) > 1:  # mask around the ids, which stay as they are
        ids = _IDS.findall(text)
        return "".join(mask_payment_data(part) + (ids[i] if i < len(ids) else "") for i, part in enumerate(parts))
    text = _DIGIT_RUN.sub(_mask_run, text)
    text = _CVV.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _EXPIRY.sub(lambda m: f"{m.group(1)}{m.group(2)}**/**", text)


def clean_outbound(text: str) -> str:
    """What the bot may post: no control characters (newlines and tabs stay), no U+FFFD, no
    surrogates or bidirectional overrides, and no payment data even if a model repeats some."""
    return mask_payment_data(_UNPOSTABLE.sub("", text))


def cap_inbound(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters (Discord's own limit is 4,000); and whether it was cut."""
    if len(text) <= limit:
        return text, False
    return text[:limit].rstrip() + " […]", True
