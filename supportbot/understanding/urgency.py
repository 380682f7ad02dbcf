"""Messages that must reach a person at once: safety, legal threats, fraud, money taken wrongly,
damaged goods, refund demands.

A clarifying question to someone threatening to sue, or holding a ripped bag, is the worst reply a
bot can give, and the intent classifier cannot be trusted with these: "I want a full refund now"
sits between "refund policy" and "track refund". So they are found by phrases, as a human triage
desk would, in the languages the bot speaks; a hit hands the conversation to staff with its kind
as the reason. Phrases are deliberately specific ("fraud", "lawyer", "arrived broken", "I want a
refund"), so questions *about* a policy ("how long do refunds take?") are not caught.
"""

from __future__ import annotations

import re

__all__ = ["URGENT_KINDS", "urgency"]

_DAMAGE_WORDS = (r"(?:broken|ripped|torn|damaged|cracked|smashed|shattered|defective|faulty|stained|dirty|used|"
                 r"fake|counterfeit|fell apart|falling apart|came apart|not working|stopped working|doesn'?t work)")
_PAYMENTS = r"(?:orders?|purchases?|charges?|transactions?|payments?|debits?)"
_GOODS = r"(?:arrived|came|received|got|delivered|sent(?: me)?|is|was|are|were|item|order|parcel|package)"

#: kind -> pattern; the first kind that matches is the reason given to staff.
_PATTERNS: dict[str, str] = {
    # Someone may be hurt: a product that caught fire, sparked, shocked or injured. Said as events
    # ("it sparks", "burnt my hand"), never as questions about safety ("is this candle safe?").
    "safety": (
        r"\b(?:caught fire|catching fire|on fire|burst into flames|set (?:\w+ ){0,3}(?:on fire|alight)|"
        r"spark(?:s|ed|ing)\b|smok(?:ing|ed)\b|(?:started|began) to smoke|"
        r"electric(?:al)? shock|(?:gave|give|giving) (?:me|us|him|her) (?:a )?shock|overheat(?:s|ed|ing)|melt(?:ed|ing)|"
        r"explod(?:ed|es|ing)|burn(?:ed|t) (?:me|my|myself|him|her|our)|(?:injured|hurt|cut) (?:me|myself|my|him|her|our)|"
        r"chok(?:ed|ing) on|allergic reaction)"
        r"|\b(?:se incendi\w*|incendio|chispas|descarga eléctrica|me quem\w*)"
        r"|\b(?:a pris feu|incendie|étincelles|décharge électrique|m'a brûlé)"
        r"|\b(?:feuer gefangen|brennt|funken|stromschlag|verbrannt)"
        r"|着火|起火|冒烟|触电|烫伤|爆炸"),
    "legal_threat": (
        r"\b(?:lawyers?|attorneys?|solicitors?|lawsuit|sue\b|suing|legal action|take (?:you|this) to court|"
        r"consumer (?:court|forum|protection)|small claims|police|ombudsman|trading standards)"
        r"|\b(?:abogad[oa]s?|demand(?:ar|aré|arlos|arles)|denuncia|tribunal|polic[ií]a)"
        r"|\b(?:avocats?|poursuites?|tribunal|porter plainte)"
        r"|\b(?:anwalt|anwältin|klage|verklagen|gericht|polizei)"
        r"|律师|起诉|法院|报警|投诉到"),
    "fraud": (
        r"\b(?:fraud\w*|scam\w*|stolen card|card (?:was|has been) stolen|hacked|unauthori[sz]ed|"
        # "purchases on my account that I never made", "a charge on my card I didn't authorise"
        rf"{_PAYMENTS}\b[^.!?]{{0,40}}\b(?:I|we) (?:never|didn'?t|did not|don'?t|do not) "
        r"(?:make|made|place|placed|order|ordered|authori[sz]e|authori[sz]ed|recogni[sz]e|buy|bought)\b|"
        rf"(?:don'?t|do not|didn'?t|did not) recogni[sz]e\b[^.!?]{{0,20}}{_PAYMENTS}\b|"
        r"never (?:made|placed|ordered) (?:these|this|those|that)|"
        r"someone (?:else )?(?:used|is using|has used|placed|made|ordered)\b[^.!?]{0,30}\bmy (?:card|account|paypal)|"
        r"my (?:card|account)\b[^.!?]{0,30}\bwithout my (?:permission|consent|knowledge)|"
        r"chargeback)"
        r"|\b(?:fraude|estafa|robad[ao]|hackead[ao])"
        r"|\b(?:arnaque|escroquerie|piraté)"
        r"|\b(?:betrug|gehackt|gestohlen)"
        r"|诈骗|盗刷|盗用|被骗|骗子"),
    # Money taken wrongly: "you charged my card twice", "I was double charged", "overcharged".
    "billing_error": (
        r"\b(?:charged|billed|debited|taken|paid)\b[^.!?]{0,30}\b(?:twice|two times|2 times|double|three times)\b|"
        r"\b(?:double|twice)[- ](?:charged|billed|debited)\b|\bover-?charged\b|"
        r"\bcharged (?:me |us )?(?:the wrong amount|more than)"
        r"|\b(?:cobrado|cobraron) (?:dos veces|doble)|\bdébité deux fois|\bdoppelt (?:abgebucht|belastet)|重复扣款|扣了两次"),
    "damaged": (
        rf"\b{_GOODS}\b[^.!?]{{0,40}}\b{_DAMAGE_WORDS}\b|\b{_DAMAGE_WORDS}\b[^.!?]{{0,25}}\b(?:on arrival|when it arrived|"
        rf"in the (?:box|parcel|package))"
        r"|\b(?:roto|rota|dañad[oa]|defectuos[oa])\b|\b(?:cass[ée]e?|abîmée?|endommagée?|défectueu(?:x|se))\b"
        r"|\b(?:kaputt|beschädigt|defekt|zerrissen)\b"
        r"|坏了|破损|损坏|破了|假货"),
    "refund_demand": (
        r"\b(?:i (?:want|need|demand)|give me|refund me|i'?m owed|where is|send me)\b[^.!?]{0,30}\b(?:refund|money back|my money)"
        r"|\b(?:demand|want) (?:a |my )?(?:full )?refund|\brefund me\b|\bmoney back\b"
        r"|\b(?:quiero|devuélvanme|devuelvan)\b[^.!?]{0,30}\b(?:reembolso|dinero)"
        r"|\b(?:je veux|rendez-moi)\b[^.!?]{0,30}\b(?:rembours\w*|argent)"
        r"|\b(?:ich will|ich möchte)\b[^.!?]{0,30}\b(?:geld|rückerstattung|erstattung)"
        r"|退钱|退款给我|把钱还|还我钱"),
}
URGENT_KINDS = tuple(_PATTERNS)
_COMPILED = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _PATTERNS.items()]
#: Kinds whose phrases also occur in questions about the policy: "Can I get the money back?" after
#: an unwanted present, "How long after delivery can I report a parcel that came damaged?".
_ASKED_ABOUT = frozenset({"damaged", "refund_demand"})
_SENTENCE_END = re.compile(r"[.!?。！？]+")
_ASKS = re.compile(r"^\s*(?:how|what|when|where|which|who|whose|can|could|may|do|does|is|are|will|would|should)\b", re.I)
# A question word needs no question mark: "who pays the postage when the item is faulty"
_WH = re.compile(r"^\s*(?:how|what|when|where|which|who|whose)\b", re.I)
_OWN = re.compile(r"\b(?:my|mine|our)\b", re.I)
_THEIR_REFUND = re.compile(r"\b(?:my|our)\s+$", re.I)
_HOW_SOON = re.compile(r"^\s*(?:how long|how soon|how many days|when)\b", re.I)
_SUPPOSING = re.compile(r"\b(?:if|in case|what happens when)\b", re.I)


def urgency(text: str) -> str | None:
    """The kind of urgent message ``text`` is (``safety``, ``legal_threat``, ``fraud``,
    ``billing_error``, ``damaged``, ``refund_demand``), or None."""
    for kind, pattern in _COMPILED:
        for match in pattern.finditer(text):
            if kind not in _ASKED_ABOUT or not _asked_about(text, match.start()):
                return kind
    return None


def _asked_about(text: str, at: int) -> bool:
    """Whether the phrase at ``at`` sits in a question about the policy rather than a report: the
    sentence asks ("Can I ...?") and speaks of no thing of the customer's own before it, or supposes
    ("what if my parcel came damaged?")."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, at)), default=0)
    end_match = _SENTENCE_END.search(text, at)
    sentence_end = end_match.end() if end_match else len(text)
    sentence, before = text[start:sentence_end], text[start:at]
    if _HOW_SOON.match(sentence):  # "how long until i get my money back?" asks how refunds go: "my" is the refund's
        before = _THEIR_REFUND.sub("", before)
    if not _ASKS.match(sentence) or not (sentence.rstrip().endswith("?") or _WH.match(sentence)):
        return False
    return _OWN.search(before) is None or _SUPPOSING.search(before) is not None
