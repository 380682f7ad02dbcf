"""Which regions a place named in a question belongs to, so a passage about the region covers it.

Shops publish delivery zones by region ("Zone 1: the EU countries", "we don't deliver to Asia"),
customers ask by country or state ("How much is it to send to Germany?", "Can you post to New
York?"). The embedder does not reliably rate "Germany" near "EU countries", and word coverage sees
no shared word at all; this table lets coverage count "germany" as answered by a passage or table
row that says "EU" or "Europe".

Only names a customer is likely to write are listed, and none that is also a common word in a shop
("Jersey", "Jordan", "Panama", "Georgia" are left out). Regions follow the UN M49 grouping, with
the European Union's 27 members; the words for "abroad" ("international", "worldwide") answer for
any place, at half weight, so "we don't deliver to Asia" beats "International delivery" for Japan.
Keys and regions are stemmed like every other word, with :func:`supportbot.knowledge.search.stem`.
"""

from __future__ import annotations

from functools import lru_cache

from .search import stem

__all__ = ["ABROAD", "is_place", "regions_of"]

_ABROAD = ("international", "internationally", "worldwide", "overseas", "abroad")
_EU = ("eu", "european", "union", "europe")
_EUROPE = ("europe", "european")
_NORDIC = ("scandinavia", "scandinavian", "nordic")
_ASIA = ("asia", "asian")
_MIDDLE_EAST = ("middle", "east", "gulf")
_AFRICA = ("africa", "african")
_NORTH_AMERICA = ("north", "america", "american")
_LATIN = ("latin", "america", "american")
_SOUTH_AMERICA = ("south", "america", "american", "latin")
_OCEANIA = ("oceania", "australasia", "pacific")
_US = ("usa", "america", "american", "states", *_NORTH_AMERICA)
_UK = ("uk", "britain", "british", "kingdom", "gb")

# Each line: the place's words (a multi-word name gives each distinctive word), then its regions.
_PLACES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("austria belgium bulgaria croatia cyprus czech czechia estonia finland france germany greece hungary "
     "ireland italy latvia lithuania luxembourg malta netherlands holland poland portugal romania slovakia "
     "slovenia spain", _EU),
    ("denmark sweden", _EU + _NORDIC),
    ("norway iceland", _EUROPE + _NORDIC),
    ("switzerland liechtenstein monaco andorra albania serbia montenegro macedonia bosnia kosovo moldova "
     "ukraine belarus russia", _EUROPE),
    ("uk britain england scotland wales", _UK + _EUROPE),
    ("usa", _US),
    ("california texas florida york illinois ohio michigan pennsylvania massachusetts arizona colorado "
     "oregon nevada virginia carolina tennessee minnesota wisconsin missouri maryland indiana kentucky "
     "louisiana alabama alaska hawaii utah iowa kansas oklahoma arkansas mississippi nebraska idaho "
     "montana wyoming dakota vermont maine connecticut delaware", _US),
    ("canada ontario quebec alberta manitoba saskatchewan nova scotia", ("canada", *_NORTH_AMERICA)),
    ("mexico", _NORTH_AMERICA + _LATIN + ("central",)),
    ("guatemala belize honduras salvador nicaragua costa rica", ("central",) + _LATIN + _NORTH_AMERICA),
    ("jamaica cuba bahamas barbados trinidad tobago haiti dominican puerto rico", ("caribbean",) + _LATIN),
    ("brazil argentina chile peru colombia venezuela ecuador bolivia paraguay uruguay guyana suriname",
     _SOUTH_AMERICA),
    ("china japan korea india pakistan bangladesh sri lanka nepal indonesia malaysia singapore thailand "
     "vietnam philippines cambodia laos myanmar taiwan hong kong macau mongolia kazakhstan uzbekistan",
     _ASIA),
    ("uae emirates dubai saudi arabia qatar kuwait bahrain oman israel lebanon iraq iran turkey yemen syria",
     _MIDDLE_EAST + _ASIA),
    ("egypt", _AFRICA + _MIDDLE_EAST),
    ("morocco algeria tunisia nigeria kenya ghana ethiopia tanzania uganda senegal rwanda zambia zimbabwe "
     "botswana namibia mozambique cameroon angola", _AFRICA),
    ("australia zealand queensland tasmania fiji", ("australia", *_OCEANIA)),
)


#: Stems of the words that say "another country" without naming it: they answer for any place, less surely.
ABROAD = frozenset(stem(w) for w in _ABROAD)


@lru_cache(maxsize=1)
def _table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for names, regions in _PLACES:
        stemmed = {stem(r) for r in regions}
        for name in names.split():
            table.setdefault(stem(name), set()).update(stemmed)
    return {name: frozenset(regions - {name}) for name, regions in table.items()}


def regions_of(word_stem: str) -> frozenset[str]:
    """The stems of the regions a place (given by its stem, "germany") belongs to; empty for other words."""
    return _table().get(word_stem, frozenset())


def is_place(word_stem: str) -> bool:
    return word_stem in _table()
