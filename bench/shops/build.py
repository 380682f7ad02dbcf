"""Benchmark shops, built at run time from the shared public data (``../shared/data``).

The catalogs and the FAQ carry no licence that lets the project ship them, so only what we wrote
ourselves lives here (each shop's ``policies.md``, facts partly after ABCD's MIT-licensed agent
guidelines); :func:`build_shop` writes the rest into a folder of the shape a merchant has:

    products.csv   sku, name, category, price, currency, stock, brand, colour, gender, description
    faq.json       the shared e-commerce FAQ, as is
    policies.md    this package's text for the shop
    shop.yaml      names each file and its kind

- ``outfitters``: about 400 Myntra products of twelve brands (INR). The development shop:
  thresholds may be calibrated on its cases (bench/cases/outfitters.jsonl).
- ``bazaar``: about 300 Flipkart products (clothing, footwear, watches, jewellery; INR), with
  other policies. Held out: nothing is tuned on its cases (bench/cases/bazaar.jsonl).
- ``emporium``: a US sports and toys shop in the shape the acceptance test has: a Magento 2
  catalog export (configurable parents whose size children hold the stock, platform columns,
  HTML descriptions) written from Amazon's sample catalog, and its customer-service pages as
  published HTML (a shipping-rate table, an FAQ page of headings), with no separate FAQ file.
  Its cases (bench/cases/emporium.jsonl) were written with the pages, before any reply was seen.
- ``fernhill``: a UK homeware shop (GBP), **held out and written blind**: its pages and its cases
  (bench/cases/fernhill.jsonl) were written, and committed, before any reply of the bot on them was
  seen, by someone who had not read the other shops' cases; nothing may be tuned on it. A Shopify
  product CSV export (the product's fields on its first row only, one row per colour/size variant,
  image-only rows, a gift card with denominations, an unpublished draft) written from Myntra's
  home-furnishing brands (variants: the colours of rows that differ only by their colour phrase;
  sizes added for lamps, cushion covers and rugs), its customer-service pages as published HTML
  (theme header and footer, delivery tables by order value and by zone, an FAQ page of question
  headings), and the shared retailer's FAQ file as downloaded. No shop.yaml: files are found by
  their names, the Shopify preset by its header, the currency from the pages.
- ``larkspur``: an Irish toy, puzzle and craft shop (EUR), **held out and written blind** like
  fernhill, by someone who had read neither the bot's answering code nor the other shops' cases: its
  pages and its cases (bench/cases/larkspur.jsonl) were committed before any reply was seen. A
  WooCommerce product CSV export as WooCommerce's own exporter writes it (``ID``, ``Type``, ``SKU``,
  ``Published`` 1/0/-1, ``In stock?``, ``Sale price``, ``Categories`` with " > " paths, ``Images``,
  ``Parent`` as the parent's SKU or ``id:N``, ``Brands``, ``Attribute N ...`` columns, ``Meta:``
  columns, line breaks in descriptions written as a literal ``\\n``), written from Amazon's sample
  catalog (puzzles, games, craft, soft toys, baby and kids' room; none of emporium's products):
  variable products with Size or Colour variations (costumes, soft toys, storage cubes, sheets), a
  tutu with Colour and Size whose one variation takes any size, a private and a draft product, a
  sale that has ended and one that runs to Christmas. Its customer-service pages as a WordPress site
  publishes them (theme header, navigation and footer, wptexturize entities, a shipping rate table
  by zone and order value, an FAQ page of Details-block accordions) and one Markdown page. No FAQ
  file and no shop.yaml: files are found by their names, the preset by its header, the currency
  from the pages (EUR).
- ``harbor``: a US home, pet and gadget shop (USD), **held out and written blind** like larkspur: its
  pages and its cases (bench/cases/harbor.jsonl) were committed before any reply was seen. A Magento 2
  catalog export under Magento's own file name, written from Flipkart's departments no other shop
  sells (pet grooming and toys, kitchen, phone and tablet accessories, hair care, air fresheners,
  stationery): configurable parents with Color or Size children (phone pouches, conditioners, dog
  shampoo, a bottle) and the merchant's own pet bed in Color x Size with one child sold out, a
  disabled product, a store-view row, HTML descriptions, ``Default Category/`` roots. Its
  customer-service pages as Magento (Luma theme) publishes them (a shipping rate table by order
  total, Alaska/Hawaii, Canada, returns and exchanges, warranty, Afterpay/Affirm, price adjustments,
  contact, an FAQ page of question headings), and the shared retailer's FAQ file as downloaded.
- ``maple``: a Canadian outdoor and apparel shop (CAD; ships within Canada by province/territory
  zone and to the US), **held out and written blind** like harbor: its pages and its cases
  (bench/cases/maple.jsonl) were committed before any reply was seen. A Magento 2 export under
  Magento's own file name (bench/shops/build_maple.py), written from Myntra's jacket, sportswear,
  backpack, hat, sock and running-shoe lines of brands no other shop sells: rows that differ only
  by their colour phrase become one configurable parent (qty 0) whose Color and Size children
  (S-XL, or US shoe sizes 7-11) hold the stock; the merchant's own parka in Color x Size with one
  child sold out, a disabled product, a French (``fr_ca``) store-view row. Its customer-service
  pages as a Magento Luma theme publishes them (a zone x speed shipping table, free-shipping
  threshold, territories surcharge, US shipping, a size guide of chest/waist tables, Calgary store
  pickup and hours, gift cards, returns and exchanges, warranty, payment, contact, an FAQ page of
  question headings, several of which contradict the retailer's FAQ file), and that FAQ file as
  downloaded.
- ``canyon``: an Australian kitchen, home and beauty shop (AUD), **held out and written blind** like
  harbor: its pages and its cases (bench/cases/canyon.jsonl) were committed before any reply was
  seen. A Shopify product CSV export as Shopify writes it (its primary market Australia), built by
  :mod:`bench.shops.build_canyon` from product lines no other shop sells: Myntra's beauty and
  fragrance brands (shades of one lipstick line as Colour variants, bottle sizes as Size variants)
  and its glassware, tableware, bathroom and wall-clock brands, Flipkart's home-furnishing
  department (bath mats by Colour, pillows by pack size), and the merchant's own kitchen lines (a
  cast-iron casserole in Colour x Size with one combination sold out, an apron on sale through
  ``Variant Compare At Price``), a gift card in denominations, a draft and an archived product. Its
  pages as a Shopify (Dawn) theme publishes them: delivery by state and metro/regional with
  standard and express, New Zealand, returns (a change-of-mind window, faulty goods under the
  Australian Consumer Law, hygiene items), Afterpay and Zip, click & collect from Melbourne,
  warranty, contact, an FAQ page of collapsible rows; and the shared retailer's FAQ file as
  downloaded, which disagrees with the pages in ten places (the pages win). The pages write prices
  with a bare "$", as Australian shops do.
- ``quarry``: a US shoe, bag and accessories shop (USD), **held out and written blind** like harbor:
  its pages and its cases (bench/cases/quarry.jsonl, 277 scripted conversations, 108 of them of two
  to four customer turns) were committed before any reply was seen. A Magento 2 export under
  Magento's own file name (:mod:`bench.shops.build_quarry`), written from Myntra lines no other shop
  sells: women's flats, heels and sandals (Inc 5, GNIST), FAUSTO sneakers, Red Tape dress shoes,
  KLEIO, Lapis O Lupo and MBOSS bags, E2O and CALFNERO wallets, BuckleUp belts, Z-ZOOM sunglasses.
  Rows that differ only by their colour phrase become one configurable parent (qty 0) whose Color
  and US-size children hold the stock; the merchant's own Chelsea boot (Color x Size, one child sold
  out) and weekender (Color, one sold out), a care kit, a disabled rain boot, an ``es_us``
  store-view row. Its pages as a Magento Luma theme publishes them (a shipping table of order
  subtotal x Standard/Expedited/Overnight, Alaska/Hawaii/territories, Canada, returns and exchanges
  with a who-pays table, a US/UK/EU shoe size table, Klarna/Afterpay, gift cards, order changes,
  contact hours in ET, rewards and promo rules, an FAQ page of question headings) and the shared
  retailer's FAQ file as downloaded, which disagrees with the pages in about ten places (the pages win).
- ``willow``: a US candle, home-fragrance, bath and gift shop (USD), **held out and written blind**
  like harbor: its pages and its cases (bench/cases/willow.jsonl, 274 scripted conversations, 99 of
  them of two to four customer turns) were committed before any reply was seen. A WooCommerce product
  CSV export as WooCommerce's exporter writes it (:mod:`bench.shops.build_willow`), written from lines
  no other shop sells: Myntra's personal-fragrance rows of Marks & Spencer, ULRIC DE VARENS, Nautica,
  aramis, Carven, Secret Temptation, Envy and Wild Stone, HUNTER 1114's body wash, and Amazon's two
  party candles larkspur leaves out; and the merchant's own lines: a soy jar candle in Scent x Size
  (8 oz / 14 oz, one combination sold out), wooden-wick and travel-tin candles, a reed diffuser in
  Scent x Size, sprays, wax melts, soaps, a bath soak by Size, gift sets, accessories, a three-wick
  candle on sale until 26 December, an e-gift card of ``variation, virtual`` amounts, a draft and a
  private product. Its pages as a WordPress (Storefront) theme publishes them (a shipping table of
  order subtotal x Standard/Priority, free over $75, Alaska/Hawaii/territories, P.O. boxes, Canada
  only abroad; returns with a who-pays table and burned candles excluded; candle care with a burn-time
  table; gift wrapping; payment with Afterpay; wholesale and custom labels; contact hours in CT; an
  accordion FAQ) and the shared retailer's FAQ file as downloaded, which disagrees with the pages in
  about ten places (the pages win).
- ``juniper``: a US backyard, sports and garage shop (USD; Boise, Idaho, Mountain Time), **held out
  and written blind** like harbor: its pages and its cases (bench/cases/juniper.jsonl, 296 scripted
  conversations, 90 of them of two to four customer turns) were committed before any reply was seen;
  after the first run four were fixed, each because it rejected a right reply. A Shopify product CSV
  export as Shopify writes it (:mod:`bench.shops.build_juniper`), written from lines no other shop
  sells: Amazon's backyard, pool, kite and playground rows that emporium's toys leave out (swing sets
  and playhouses that ship by freight, pool floats, sandboxes, ride-ons), a pool vacuum head, a Dremel
  point, a screw assortment and RC truck parts, and Flipkart's sports-and-fitness, automotive, tools
  and nutrition departments (roller skates, cricket pads by Size, golf balls by Monogram, a golf
  umbrella, car care, BNC connectors, mass gainers); and the merchant's own lines: a duck-canvas work
  jacket in Colour x Size (one combination sold out), a camp chair on sale through ``Variant Compare
  At Price`` (one colour sold out), a cedar garden bed by Size, a cordless leaf blower, detailing
  towels, a gift card in denominations, a draft and an archived product. Its pages as a Shopify (Dawn)
  theme publishes them (a shipping table of order subtotal x Standard/Expedited, free over $99,
  freight for oversized items, Alaska/Hawaii, P.O. boxes and APO, Canada/Mexico/UK only abroad;
  returns and exchanges with a who-pays table and final-sale items; a warranty table; payment with
  Shop Pay, PayPal and Klarna; order changes within 2 hours; contact hours in MT; Boise store pickup;
  an FAQ page of collapsible rows) and the shared retailer's FAQ file as downloaded, which disagrees
  with the pages in thirteen places (the pages win).
- ``thistle``: an Edinburgh children's clothing shop (GBP, prices include VAT), **held out and written
  blind** like harbor: its pages and its cases (bench/cases/thistle.jsonl, 317 scripted conversations,
  108 of them of two to four customer turns) were committed before any reply was seen; after the first
  run two were fixed because they rejected a right reply and six because they accepted a wrong one (a
  bare price such as "6" matched "5-6 Years"). A WooCommerce
  product CSV export as WooCommerce's exporter writes it (:mod:`bench.shops.build_thistle`), written
  from Myntra's kids' lines no other shop sells: U.S. Polo Assn. Kids, Gini and Jony, United Colors of
  Benetton's kids' rows, Cherry Crumble and CHUTPUT knitwear, Disney and Marvel by Wear Your Mind,
  Palm Tree, Natilene, Kittens shoes, and the kids' ethnic and occasion wear of SG YUVRAJ, BownBee,
  Twisha and Bitiya by Bhama, each a variable product whose age (or UK children's shoe) sizes hold
  the stock, its colour a visible non-variation attribute; and the merchant's own lines: a waterproof
  jacket in Colour x Size with one combination sold out, a tartan kilt and a Fair Isle jumper by Size,
  a personalised name hoodie, mittens by Colour, a hooded towel on sale with start and end dates, an
  e-gift card of ``variation, virtual`` amounts, a private and a draft product. Its pages as a
  WordPress (Kadence) theme publishes them (a UK delivery table of order value x Royal Mail Tracked
  48/Tracked 24/DPD next day, free over £60, Highlands & Islands, Northern Ireland, Isle of Man and
  Channel Islands surcharges, Ireland and the EU with duties; returns under the Consumer Contracts
  Regulations and the Consumer Rights Act with a who-pays table, personalised items excluded; a
  kids' size guide of age -> height/chest/waist and a shoe-size table; click & collect and opening
  hours of the Edinburgh shop; gift wrapping; payment with Klarna, PayPal and Clearpay; contact; an
  FAQ page of Kadence accordions) and the shared retailer's FAQ file as downloaded, which disagrees
  with the pages in twelve places (the pages win).

Flipkart rows without a brand take the first word of their name (where Flipkart names
put it). Neither catalog has stock: each product gets a fixed pseudo-random count from its SKU (about one
in five is out of stock), so "in stock" questions have an answer. Categories of the Myntra shop
are derived from the product name's type word ("... Running Shoes" -> Footwear > Shoes).

    python -m bench.shops outfitters /tmp/outfitters     # write a shop folder to look at
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path

from supportbot.app import PROJECT_ROOT
from supportbot.knowledge.parsing import parse_specs

__all__ = ["SHOPS", "DATA", "build_shop"]

DATA = PROJECT_ROOT.parent / "shared" / "data"
HERE = Path(__file__).resolve().parent
FAQ = "ecommerce-faq/Ecommerce_FAQ_Chatbot_dataset.json"
COLUMNS = ["sku", "name", "category", "price", "currency", "stock", "brand", "colour", "gender", "description"]

_MYNTRA_BRANDS = ["Puma", "Pepe Jeans", "Roadster", "GAP", "WROGN", "Titan", "Lavie", "DressBerry",
                  "Tommy Hilfiger", "Geox", "Park Avenue", "Calvin Klein Jeans"]
_PER_BRAND = 35
# The first pattern found in a product name gives its category.
_MYNTRA_TYPES = [
    (r"\bwatch", "Accessories > Watches"), (r"\bwallet", "Accessories > Wallets"), (r"\bbelt\b", "Accessories > Belts"),
    (r"\bbackpack", "Bags > Backpacks"), (r"\bbag\b", "Bags > Handbags"), (r"\bsneakers\b", "Footwear > Sneakers"),
    (r"\bsandals\b", "Footwear > Sandals"), (r"\bflats\b|\bballerinas\b", "Footwear > Flats"),
    (r"\bheels\b|\bpumps\b|\bwedges\b", "Footwear > Heels"), (r"\bshoes\b|\bderbys\b|\bloafers\b", "Footwear > Shoes"),
    (r"\bjeans\b", "Clothing > Jeans"), (r"\bt-shirt\b", "Clothing > T-Shirts"), (r"\bsweatshirt\b", "Clothing > Sweatshirts"),
    (r"\bshirt\b", "Clothing > Shirts"), (r"\bjacket\b|\bblazer\b", "Clothing > Jackets"), (r"\bdress\b", "Clothing > Dresses"),
    (r"\btrousers\b|\bchinos\b|\bjoggers\b", "Clothing > Trousers"), (r"\bshorts\b", "Clothing > Shorts"),
    (r"\btop\b", "Clothing > Tops"), (r"\bskirt\b", "Clothing > Skirts"),
]
_FLIPKART_ROOTS = ("Clothing", "Footwear", "Watches", "Jewellery")
_FLIPKART_MAX = 300


def _stock(sku: str) -> int:
    h = zlib.crc32(sku.encode())
    return 0 if h % 5 == 0 else (h // 5) % 60 + 1


def _outfitters() -> list[dict[str, str]]:
    rows = csv.DictReader((DATA / "catalog-myntra/myntra_products_catalog.csv").open(encoding="utf-8-sig"))
    taken: dict[str, int] = {}
    seen: set[str] = set()
    out = []
    for r in rows:
        brand, name = r["ProductBrand"].strip(), " ".join(r["ProductName"].split())
        if brand not in _MYNTRA_BRANDS or taken.get(brand, 0) >= _PER_BRAND or name.lower() in seen:
            continue
        kind = name[len(brand):] if name.lower().startswith(brand.lower()) else name  # "Calvin Klein Jeans ... T-shirt"
        category = next((c for p, c in _MYNTRA_TYPES if re.search(p, kind, re.I)), None)
        if category is None:
            continue
        taken[brand] = taken.get(brand, 0) + 1
        seen.add(name.lower())
        out.append({"sku": r["ProductID"], "name": name, "category": category, "price": r["Price (INR)"],
                    "currency": "INR", "stock": str(_stock(r["ProductID"])), "brand": brand,
                    "colour": r["PrimaryColor"].strip(), "gender": r["Gender"].strip(),
                    "description": r["Description"].strip()})
    return out


def _bazaar() -> list[dict[str, str]]:
    rows = csv.DictReader((DATA / "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv").open(encoding="utf-8-sig"))
    seen: set[str] = set()
    out = []
    for r in rows:
        tree = [p.strip() for p in r["product_category_tree"].strip('[]"').split(">>")]
        name = " ".join(r["product_name"].split())
        if tree[0] not in _FLIPKART_ROOTS or name.lower() in seen or not r["discounted_price"].strip():
            continue
        while len(tree) > 1 and (tree[-1].lower() == name.lower() or tree[-1].endswith("...")):
            tree.pop()
        try:
            specs = parse_specs(r["product_specifications"])
        except ValueError:
            specs = {}
        seen.add(name.lower())
        out.append({"sku": r["pid"], "name": name, "category": " > ".join(tree[:3]), "price": r["discounted_price"],
                    "currency": "INR", "stock": str(_stock(r["pid"])), "brand": r["brand"].strip() or name.split()[0],
                    "colour": specs.get("Color", ""), "gender": specs.get("Ideal For", ""),
                    "description": " ".join(r["description"].split())[:600]})
        if len(out) >= _FLIPKART_MAX:
            break
    return out


_AMAZON_ROOTS = ("Sports & Outdoors", "Toys & Games")
_AMAZON_MAX = {"Sports & Outdoors": 40, "Toys & Games": 60}
# Products sold in sizes: a configurable parent, one child per size holding the stock.
_SIZED = re.compile(r"\b(?:skates?|helmet|pads)\b", re.I)
_SIZES = ("S", "M", "L")
MAGENTO_COLUMNS = ["sku", "store_view_code", "attribute_set_code", "product_type", "categories", "product_websites",
                   "name", "description", "short_description", "product_online", "visibility", "price", "url_key",
                   "qty", "is_in_stock", "additional_attributes", "has_options", "required_options",
                   "configurable_variations", "configurable_variation_labels"]


#: The fields a Magento export row has when it is a plain, enabled product of the default website.
MAGENTO_BASE = {"store_view_code": "", "attribute_set_code": "Default", "product_websites": "base",
                "short_description": "", "product_online": "1", "has_options": "0", "required_options": "0",
                "configurable_variations": "", "configurable_variation_labels": ""}


def magento_product(base: dict[str, str], sku: str, key: str, attrs: str, colours: dict[str, dict[str, str]],
                    sizes: tuple[str, ...], price: Callable[[dict[str, str]], float]) -> list[dict[str, str]]:
    """One product's export rows from its source rows by colour (``""`` for none): a simple row when it
    comes in one colour and no size, else a Color and/or Size child per option (``Not Visible
    Individually``, stock from :func:`_stock`) and the configurable parent (qty 0) that lists them."""
    first = next(iter(colours.values()))
    coloured = [c for c in colours if c]
    if not sizes and len(coloured) <= 1:
        qty = _stock(sku)
        colour = coloured[0] if coloured else ""
        return [{**base, "sku": sku, "product_type": "simple", "visibility": "Catalog, Search",
                 "price": f"{price(first):.2f}", "qty": str(qty), "is_in_stock": "1" if qty else "0",
                 "additional_attributes": attrs + (f",color={colour}" if colour else "")}]
    labels = (["color=Color"] if coloured else []) + (["size=Size"] if sizes else [])
    rows, children, prices = [], [], []
    for colour in coloured or [""]:
        for size in sizes or ("",):
            child = "-".join(p for p in (sku, _handle(colour).upper()[:10], size) if p)
            qty = _stock(child)
            prices.append(price(colours[colour] if colour else first))
            pairs = ",".join(f"{k}={v}" for k, v in (("color", colour), ("size", size)) if v)
            rows.append({**base, "sku": child, "product_type": "simple", "description": "",
                         "name": "-".join(p for p in (base["name"], colour, size) if p),
                         "visibility": "Not Visible Individually", "price": f"{prices[-1]:.2f}", "qty": str(qty),
                         "is_in_stock": "1" if qty else "0",
                         "url_key": "-".join(p for p in (key, _handle(colour), size.lower()) if p),
                         "additional_attributes": f"{attrs},{pairs}"})
            children.append(f"sku={child},{pairs}")
    rows.append({**base, "sku": sku, "product_type": "configurable", "visibility": "Catalog, Search",
                 "price": f"{min(prices):.2f}", "qty": "0", "is_in_stock": "1", "additional_attributes": attrs,
                 "has_options": "1", "required_options": "1", "configurable_variations": "|".join(children),
                 "configurable_variation_labels": ",".join(labels)})
    return rows


def _emporium() -> list[dict[str, str]]:
    """A Magento 2 catalog export: simple products, and configurable parents with size children."""
    with (DATA / "catalog-amazon/amazon_products_sample_1000.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    taken: dict[str, int] = {}
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for r in rows:
        tree = [t.strip() for t in r["Category"].split("|") if t.strip()]
        price = r["Selling Price"].strip()
        name = " ".join(r["Product Name"].split())
        if not tree or tree[0] not in _AMAZON_ROOTS or not re.fullmatch(r"\$[\d,]+\.\d\d", price) or name.lower() in seen:
            continue
        if taken.get(tree[0], 0) >= _AMAZON_MAX[tree[0]]:
            continue
        taken[tree[0]] = taken.get(tree[0], 0) + 1
        seen.add(name.lower())
        sku = "TH-" + r["Uniq Id"][:8].upper()
        about = [a.strip() for a in r["About Product"].split("|") if a.strip() and not a.startswith("Make sure this fits")]
        description = "<ul>" + "".join(f"<li>{a}</li>" for a in about[:4]) + "</ul>" if about else ""
        brand = (r["Brand Name"] or name.split()[0]).strip()
        base = {**MAGENTO_BASE, "categories": "Default Category/" + "/".join(tree[:3]), "name": name,
                "description": description, "price": price.lstrip("$").replace(",", ""),
                "url_key": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]}
        if _SIZED.search(name):
            children = []
            for size in _SIZES:
                child = f"{sku}-{size}"
                qty = _stock(child)
                out.append({**base, "sku": child, "product_type": "simple", "name": f"{name}-{size}",
                            "visibility": "Not Visible Individually", "qty": str(qty), "is_in_stock": "1" if qty else "0",
                            "additional_attributes": f"manufacturer={brand},size={size}", "url_key": f"{base['url_key']}-{size.lower()}"})
                children.append(f"sku={child},size={size}")
            out.append({**base, "sku": sku, "product_type": "configurable", "visibility": "Catalog, Search", "qty": "0",
                        "is_in_stock": "1", "additional_attributes": f"manufacturer={brand}", "has_options": "1",
                        "required_options": "1", "configurable_variations": "|".join(children),
                        "configurable_variation_labels": "size=Size"})
        else:
            qty = _stock(sku)
            out.append({**base, "sku": sku, "product_type": "simple", "visibility": "Catalog, Search", "qty": str(qty),
                        "is_in_stock": "1" if qty else "0", "additional_attributes": f"manufacturer={brand}"})
    return out


# --- fernhill: a UK homeware shop's Shopify export (held out, written blind) ---------------------

#: Myntra's home-furnishing brands (none of them is in another shop).
_FERNHILL_BRANDS = ("Homesake", "MIAH Decor", "Story@home", "ROMEE", "Alina decor", "VRINDA", "Rajasthan Decor",
                    "Divine Casa", "Home Sparkle", "Unravel India", "Deco Window", "Saral Home", "RUGSMITH", "BIANCA",
                    "MASPAR", "CLAY CRAFT", "OddCroft", "Fos Lighting", "EK DO DHAI", "ExclusiveLane", "Dennmarks",
                    "DDecor", "Avira Home", "SWHF", "GMF", "Dreamscape", "Soumya", "Cortina", "Archies",
                    "SEJ by Nisha Gupta")
_FERNHILL_PER_BRAND = 8
_FERNHILL_COLOURS = 8  # colour variants kept per product
# A colour phrase in a Myntra name ("Gold-Toned & Navy Blue"): Shopify's Colour option of one product.
_COLOUR = (r"(?:(?:dark|light|navy|sea|teal|rust|mustard|olive|rose|sky|lime|coral|turquoise)[- ])?"
           r"(?:white|black|blue|green|red|yellow|orange|pink|purple|brown|grey|beige|maroon|mustard|olive|teal|"
           r"turquoise|peach-coloured|cream-coloured|off-white|off white|gold-toned|silver-toned|copper-toned|"
           r"multicoloured|mauve|lavender|magenta|rust|coral|charcoal|transparent)")
_COLOUR_RUN = re.compile(rf"\b{_COLOUR}(?:\s*(?:&|and)\s*{_COLOUR})*\b", re.I)
# Names a British shop would not use, and Myntra names glued together ("KingBedsheet").
_FERNHILL_SKIP = re.compile(r"dohar|diwan|kull?adh|khullad|hath gadi|handi|ganesha|buddha|^set$|[a-z][A-Z]|^[&-]")
# (pattern, Shopify standard product category, the shop's own product type, sizes with price factors)
_FERNHILL_TYPES: list[tuple[str, str, str, tuple[tuple[str, float], ...]]] = [
    (r"wall lamp|ceiling lamp|pendant|chandelier", "Home & Garden > Lighting > Light Fixtures", "Ceiling & Wall Lights", ()),
    (r"lamp", "Home & Garden > Lighting > Lamps", "Lamps", (("Small", 1.0), ("Large", 1.3))),
    (r"curtain", "Home & Garden > Decor > Window Treatments > Curtains & Drapes", "Curtains", ()),
    (r"duvet|comforter|quilt", "Home & Garden > Linens & Bedding > Bedding > Quilts & Comforters", "Bedding", ()),
    (r"bedsheet|bed cover", "Home & Garden > Linens & Bedding > Bedding > Bed Sheets", "Bedding", ()),
    (r"cushion|pillow cover", "Home & Garden > Decor > Throw Pillows", "Cushion Covers",
     (("40 x 40 cm", 1.0), ("45 x 45 cm", 1.2))),
    (r"bath rug|doormat|\bmat\b", "Home & Garden > Decor > Rugs", "Rugs & Mats", ()),
    (r"\brug\b|carpet", "Home & Garden > Decor > Rugs", "Rugs & Mats", (("120 x 180 cm", 1.0), ("160 x 230 cm", 1.6))),
    (r"microfibre runner|striped runner", "Home & Garden > Decor > Rugs", "Rugs & Mats", ()),
    (r"\bmugs?\b|\bcups?\b", "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs", "Mugs & Cups", ()),
    (r"placemat|table runner|napkin|coaster", "Home & Garden > Linens & Bedding > Table Linens", "Table Linen", ()),
    (r"towel", "Home & Garden > Linens & Bedding > Towels", "Towels", ()),
    (r"planter|plant", "Home & Garden > Lawn & Garden > Gardening > Pots & Planters", "Planters", ()),
    (r"vase", "Home & Garden > Decor > Vases", "Vases", ()),
    (r"bowl|dish|platter|tray|shaker|stand set|jar", "Home & Garden > Kitchen & Dining > Tableware > Serveware",
     "Kitchen & Dining", ()),
    (r"shel(?:f|ves)|holder|organi[sz]er|\bbin\b|magazine", "Home & Garden > Household Supplies > Storage & Organization",
     "Storage", ()),
    (r"showpiece|figurine|frame|book ends|candle", "Home & Garden > Decor", "Decor", ()),
]
SHOPIFY_COLUMNS: list[str] = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
    "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price", "Variant Requires Shipping",
    "Variant Taxable", "Variant Barcode", "Image Src", "Image Position", "Image Alt Text", "Gift Card", "SEO Title",
    "SEO Description", "Google Shopping / Google Product Category", "Google Shopping / Gender",
    "Google Shopping / Age Group", "Google Shopping / MPN", "Google Shopping / Condition",
    "Google Shopping / Custom Product", "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Cost per item",
    "Included / United Kingdom", "Included / International", "Status"]
_CDN = "https://cdn.shopify.com/s/files/1/0612/4471/9031/products/"


def _gbp(inr: float) -> float:
    """Myntra's rupees as a British shop's pounds: about 80 to the pound, priced to end in .99."""
    return max(round(inr / 80) - 0.01, 2.99)


def _handle(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _myntra_details(text: str) -> str:
    """Myntra's run-together "Type: ...Colour: ...Pattern: ..." as the HTML list a Shopify body has
    (the colour left out: each variant has its own)."""
    parts = [p.strip() for p in re.split(r"(?<=[a-z0-9)])(?=[A-Z][A-Za-z ]{2,30}: )", text) if p.strip()]
    items = [p for p in parts if not p.lower().startswith(("colour:", "color:"))]
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>" if items else ""


def _fernhill_groups() -> list[dict[str, object]]:
    """Myntra home rows grouped into products: one per brand and name without its colour, each
    colour (in file order) a variant with its own row's price."""
    with (DATA / "catalog-myntra/myntra_products_catalog.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    groups: dict[tuple[str, str], dict[str, object]] = {}
    for r in rows:
        brand, name = r["ProductBrand"].strip(), " ".join(r["ProductName"].split())
        if brand not in _FERNHILL_BRANDS:
            continue
        name = re.sub(r"(\d)\s?TC\b", r"\1 TC", re.sub(r"\bSet Of\b", "Set of", name))
        rest = name[len(brand):].strip() if name.lower().startswith(brand.lower()) else name
        found = _COLOUR_RUN.search(rest)
        colour = found.group(0).title().replace(" And ", " & ") if found else ""
        title = " ".join((rest[:found.start()] + " " + rest[found.end():]).split()) if found else rest
        if len(title.split()) < 2 or _FERNHILL_SKIP.search(title) or _FERNHILL_SKIP.search(title.lower()):
            continue
        group = groups.setdefault((brand, title.lower()), {"brand": brand, "title": title, "colours": {}, "row": r})
        colours = group["colours"]
        assert isinstance(colours, dict)
        if colour not in colours and len(colours) < _FERNHILL_COLOURS:
            colours[colour] = r
    out: list[dict[str, object]] = []
    taken: dict[str, int] = {}
    titles: set[str] = set()
    for group in groups.values():
        colours = group["colours"]
        assert isinstance(colours, dict)
        if len(colours) > 1:
            colours.pop("", None)  # an uncoloured duplicate of a coloured product
        brand, title = str(group["brand"]), str(group["title"])
        if taken.get(brand, 0) >= _FERNHILL_PER_BRAND or title.lower() in titles:
            continue
        taken[brand] = taken.get(brand, 0) + 1
        titles.add(title.lower())
        out.append(group)
    return out


def _fernhill() -> list[dict[str, str]]:
    """A Shopify product CSV export: the product's fields on its first row only, one row per
    variant (Colour, and Size for lamps, cushion covers and rugs), extra image rows, a gift card
    with denominations, an unpublished draft; prices in pounds without a symbol, as Shopify writes them."""
    out: list[dict[str, str]] = []
    blank = dict.fromkeys(SHOPIFY_COLUMNS, "")
    for group in _fernhill_groups():
        brand, title, colours = str(group["brand"]), str(group["title"]), group["colours"]
        assert isinstance(colours, dict)
        first = next(iter(colours.values()))
        category, kind, sizes = next(((c, k, s) for p, c, k, s in _FERNHILL_TYPES if re.search(p, title, re.I)),
                                     ("Home & Garden > Decor", "Decor", ()))
        handle = _handle(f"{brand} {title}")
        on_sale = zlib.crc32(handle.encode()) % 6 == 0
        tags = ", ".join(t for t in (kind.lower(), brand.lower(), "sale" if on_sale else "") if t)
        variants = [(c, s, f) for c in colours for s, f in (sizes or (("", 1.0),))]
        for n, (colour, size, factor) in enumerate(variants):
            row = colours[colour]
            options = [(name, value) for name, value in (("Colour", colour), ("Size", size)) if value]
            price = _gbp(float(row["Price (INR)"]) * factor)
            sku = "FH-" + row["ProductID"] + (f"-{_handle(size)[:6].upper()}" if size else "")
            line = {**blank, "Handle": handle, "Variant SKU": sku, "Variant Grams": str(300 + zlib.crc32(sku.encode()) % 2700),
                    "Variant Inventory Tracker": "shopify", "Variant Inventory Qty": str(_stock(sku)),
                    "Variant Inventory Policy": "deny", "Variant Fulfillment Service": "manual",
                    "Variant Price": f"{price:.2f}", "Variant Compare At Price": f"{_gbp(float(row['Price (INR)']) * factor * 1.3):.2f}" if on_sale else "",
                    "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE", "Variant Weight Unit": "kg",
                    "Variant Image": f"{_CDN}{sku.lower()}.jpg" if colour else ""}
            for i, (name, value) in enumerate(options or [("Title", "Default Title")], start=1):
                line[f"Option{i} Value"] = value
                if n == 0:
                    line[f"Option{i} Name"] = name
            if n == 0:
                line.update({"Title": title, "Body (HTML)": _myntra_details(first["Description"]), "Vendor": brand,
                             "Product Category": category, "Type": kind, "Tags": tags, "Published": "TRUE",
                             "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1", "Image Alt Text": title,
                             "Gift Card": "FALSE", "SEO Title": f"{title} | Fernhill Home",
                             "Google Shopping / Condition": "new", "Google Shopping / Custom Product": "FALSE",
                             "Included / United Kingdom": "TRUE", "Included / International": "TRUE", "Status": "active"})
            out.append(line)
        out.append({**blank, "Handle": handle, "Image Src": f"{_CDN}{handle}-2.jpg", "Image Position": "2"})
    cards = [("£10", "10.00"), ("£25", "25.00"), ("£50", "50.00"), ("£100", "100.00")]
    for n, (label, amount) in enumerate(cards):
        line = {**blank, "Handle": "fernhill-e-gift-card", "Option1 Value": label, "Variant SKU": f"FH-GIFT-{amount[:-3]}",
                "Variant Inventory Policy": "continue", "Variant Fulfillment Service": "manual", "Variant Price": amount,
                "Variant Requires Shipping": "FALSE", "Variant Taxable": "FALSE"}
        if n == 0:
            line.update({"Title": "Fernhill e-Gift Card", "Vendor": "Fernhill Home", "Type": "Gift Card",
                         "Product Category": "Arts & Entertainment > Party & Celebration > Gift Giving > Gift Cards & Certificates",
                         "Body (HTML)": "<p>Emailed within the hour, valid for 24 months. Spend it online or at our Bristol studio.</p>",
                         "Tags": "gift card", "Published": "TRUE", "Option1 Name": "Denomination", "Gift Card": "TRUE",
                         "Image Src": f"{_CDN}gift-card.jpg", "Image Position": "1", "Status": "active"})
        out.append(line)
    out.append({**blank, "Handle": "winter-glow-bauble-set", "Title": "Winter Glow Glass Bauble Set", "Vendor": "Fernhill Home",
                "Type": "Christmas", "Product Category": "Home & Garden > Decor > Seasonal & Holiday Decorations",
                "Body (HTML)": "<p>Twelve hand-blown glass baubles. Arriving in November.</p>", "Published": "FALSE",
                "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": "FH-XMAS-12",
                "Variant Inventory Tracker": "shopify", "Variant Inventory Qty": "40", "Variant Price": "24.99",
                "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE", "Gift Card": "FALSE", "Status": "draft"})
    return out


# --- larkspur: an Irish toy, puzzle and craft shop's WooCommerce export (held out, written blind) ---

#: WooCommerce's product CSV exporter's columns, in its order (two attributes, two meta fields).
WOO_COLUMNS = [
    "ID", "Type", "SKU", "GTIN, UPC, EAN, or ISBN", "Name", "Published", "Is featured?", "Visibility in catalog",
    "Short description", "Description", "Date sale price starts", "Date sale price ends", "Tax status", "Tax class",
    "In stock?", "Stock", "Low stock amount", "Backorders allowed?", "Sold individually?", "Weight (kg)",
    "Length (cm)", "Width (cm)", "Height (cm)", "Allow customer reviews?", "Purchase note", "Sale price",
    "Regular price", "Categories", "Tags", "Shipping class", "Images", "Download limit", "Download expiry days",
    "Parent", "Grouped products", "Upsells", "Cross-sells", "External URL", "Button text", "Position", "Brands",
    "Attribute 1 name", "Attribute 1 value(s)", "Attribute 1 visible", "Attribute 1 global", "Attribute 1 default",
    "Attribute 2 name", "Attribute 2 value(s)", "Attribute 2 visible", "Attribute 2 global", "Attribute 2 default",
    "Meta: _wpcom_is_markdown", "Meta: _yoast_wpseo_primary_product_cat"]
_LARKSPUR_EXPORT = "wc-product-export-2-12-2026-1764675432187.csv"
_LARKSPUR_UPLOADS = "https://larkspurtoys.ie/wp-content/uploads/2026/09/"
#: (Amazon's second category level, or a name pattern) -> the shop's category path.
_LARKSPUR_CATEGORIES: list[tuple[str, str]] = [
    (r"Baby & Toddler|Baby Products|Baby Care|Nursery|Activity & Entertainment|Strollers", "Baby & Toddler"),
    (r"Pretend Play Pretend Play|Play Restaurant|Diner", "Pretend Play"),
    (r"Costumes|Dress Up|Tutu|Cape\b", "Dress Up > Costumes & Accessories"),
    (r"Brain Teasers|3D Crystal|Brainteaser", "Puzzles > Brain Teasers"),
    (r"Jigsaw|Floor Puzzle|Puzzles?\b", "Puzzles > Jigsaw Puzzles"),
    (r"Card Games|Playing Cards", "Games > Card Games"),
    (r"Board Games|Games & Accessories|Board Game|Game\b", "Games > Board Games"),
    (r"Stuffed Animals|Plush", "Soft Toys"),
    (r"Clay & Dough|Play-Doh|Dough", "Arts & Crafts > Clay & Dough"),
    (r"Stickers|Sticker", "Arts & Crafts > Stickers"),
    (r"Drawing & Painting|Watercolor|Crayon|Pencils|Paint", "Arts & Crafts > Drawing & Painting"),
    (r"Arts & Crafts|Craft|Bead|Crafting|Sewing|Arts, Crafts", "Arts & Crafts > Craft Kits"),
    (r"Learning & Education|Flash Cards|Science|Office Products|Education", "Learning > Educational Toys"),
    (r"Bedding|Home Décor|Kids' Room|Furniture|Storage|Kitchen|Candles", "Kids' Room"),
]
_LARKSPUR_TOYS = {"Arts & Crafts", "Puzzles", "Stuffed Animals & Plush Toys", "Learning & Education",
                  "Baby & Toddler Toys", "Dress Up & Pretend Play", "Games & Accessories"}
_LARKSPUR_HOME = {"Home & Kitchen", "Baby Products", "Arts, Crafts & Sewing", "Office Products"}
_LARKSPUR_SKIP = re.compile(r"headset|hose clamp|magnet\b|token|tetrix|window film|tin tote|pop a zit|poop|"
                            r"stink bomz|social distortion|gear pack|genetics|hand2mind|drama queens|lightsaber|"
                            r"blaster|last supper|john wayne|florida-opoly|boston-opoly|lifering|zit", re.I)
_LARKSPUR_BRANDS = (
    "Melissa & Doug", "Wild Republic", "Fisher-Price", "Ravensburger", "MasterPieces", "Ceaco", "Buffalo Games",
    "Crayola", "Faber-Castell", "Perler Beads", "Perler", "Eureka", "GUND", "Aurora World", "Aurora", "Folkmanis",
    "Play-Doh", "Mudpuppy", "Learning Resources", "Educational Insights", "Hygloss", "Creativity for Kids",
    "Carson Dellosa", "Carson-Dellosa", "BePuzzled", "Whitmor", "Bright Starts", "Skip Hop", "Lamaze", "Galison",
    "EuroGraphics", "Forum Novelties", "Stephen Joseph", "Trend Enterprises", "Trends International", "Darice",
    "Great Eastern", "Jay Franco", "RoomMates", "Delta Children", "Baby Doll Bedding", "Sweet Jojo Designs",
    "Funko", "Aquarius", "Bendon", "Colorbok", "Canal Toys", "Fashion Angels", "Hey! Play!", "Schylling",
    "LeapFrog", "Thames & Kosmos", "American Educational", "Horizon Group USA", "Shrinky Dinks", "Pillow Pets",
    "Cuddle Me", "Bedtime Originals", "MerryMakers", "HANSA", "Lauri", "Ingenio", "Blue Orange Games",
    "University Games", "Indie Boards and Cards", "Late for the Sky", "Trend", "School Smart", "Mrs. Grossman's",
    "Oopsy Daisy", "Sugarbooger", "Calplush", "Safety 1st", "Happy Trails", "Crocodile Creek", "Lush Décor",
    "Mi-Zone", "Snuggie Tails", "Disney", "Rubie's")
_LARKSPUR_MAX = 175
# Variable products: a name pattern -> (attribute, values with price factors).
_LARKSPUR_SIZED: list[tuple[str, str, tuple[tuple[str, float], ...]]] = [
    (r"Infants?\b", "Size", (("6-12 months", 1.0), ("12-18 months", 1.0), ("18-24 months", 1.1))),
    (r"Costume|Ball Gown", "Size", (("3-4 years", 1.0), ("5-6 years", 1.0), ("7-8 years", 1.15))),
    (r"^Wild Republic .*Plush", "Size", (("20 cm", 0.7), ("30 cm", 1.0))),
    (r"Kids Canvas Collapsible Cube", "Colour", (("Pink", 1.0), ("Blue", 1.0), ("Grey", 1.0))),
    (r"^Stephen Joseph Cape$", "Colour", (("Purple", 1.0), ("Royal Blue", 1.0), ("Red", 1.0))),
    (r"Toddler Sheet", "Colour", (("Red", 1.0), ("Pink", 1.0), ("Blue", 1.0), ("White", 1.0))),
]


def _eur(usd: float) -> float:
    """Amazon's dollars as an Irish shop's euro, priced to end in .99."""
    return max(float(int(usd * 0.95 + 0.999)) - 0.01, 2.99)


def _larkspur_name(raw: str) -> str:
    """Amazon's long listing title as a shop's product name: up to its first comma or dash."""
    name = " ".join(raw.replace("\u2013", "-").split()).strip('" ')
    parts = re.split(r",\s|\s-\s|\s\|\s|\s\(", name)
    short = parts[0] if len(parts[0].split()) >= 3 or len(parts) == 1 else f"{parts[0]} {parts[1]}"
    short = re.sub(r"-\d+ x \d+ x \d+ inches$|, (?:Small|Red|Pink)$", "", short)
    return short[:80].strip()


def _larkspur_description(r: dict[str, str]) -> tuple[str, str]:
    """(short description, HTML description) as WooCommerce exports them: line breaks as a literal \\n."""
    about = [a.strip() for a in r["About Product"].split("|")
             if a.strip() and not a.strip().startswith(("Make sure this fits", "Go to your orders"))][:5]
    intro = " ".join(r["Technical Details"].split("|")[0].split())[:240]
    if intro.startswith("Go to your orders"):
        intro = ""
    short = html.escape(about[0] if about else intro, quote=False)
    body = [f"<p>{html.escape(intro, quote=False)}</p>"] if intro else []
    if about:
        body += ["<ul>", *(f"<li>{html.escape(a, quote=False)}</li>" for a in about), "</ul>"]
    return short, "\\n".join(body)


def _larkspur_rows() -> list[tuple[dict[str, str], str, str, str]]:
    """(Amazon row, name, brand, category) of the shop's products: toys, craft and kids' room items
    that emporium does not sell, in file order."""
    with (DATA / "catalog-amazon/amazon_products_sample_1000.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    emporium = {r["name"] for r in _emporium()}
    seen: set[str] = set()
    out = []
    for r in rows:
        tree = [t.strip() for t in r["Category"].split("|") if t.strip()]
        raw = " ".join(r["Product Name"].split())
        if len(tree) < 2 or raw in emporium or _LARKSPUR_SKIP.search(raw):
            continue
        if not ((tree[0] == "Toys & Games" and tree[1] in _LARKSPUR_TOYS) or tree[0] in _LARKSPUR_HOME):
            continue
        if not re.match(r"\$[\d,]+\.\d\d(?: - \$[\d,]+\.\d\d)?$", r["Selling Price"].strip()):
            continue
        name = _larkspur_name(raw)
        if name.lower() in seen or len(name.split()) < 2:
            continue
        where = " ".join(tree[1:3]) + " " + name
        category = next((c for p, c in _LARKSPUR_CATEGORIES if re.search(p, where)), "Kids' Room")
        brand = next((b for b in _LARKSPUR_BRANDS if name.lower().startswith(b.lower())), "")
        seen.add(name.lower())
        out.append((r, name, brand, category))
        if len(out) >= _LARKSPUR_MAX:
            break
    return out


def _woo_row(**values: str) -> dict[str, str]:
    return {**dict.fromkeys(WOO_COLUMNS, ""), **values}


def _larkspur() -> list[dict[str, str]]:
    """A WooCommerce product CSV export: simple products, variable products followed by their
    variations (``Parent`` their SKU, or ``id:N`` for the one parent without a SKU), a private and a
    draft product, sale prices (one sale ended last month, one running to Christmas Eve)."""
    out: list[dict[str, str]] = []
    next_id = 1400
    for n, (r, name, brand, category) in enumerate(_larkspur_rows()):
        next_id += 1
        parent_id = next_id
        sku = "LK-" + r["Uniq Id"][:6].upper()
        prices = [float(p.replace(",", "")) for p in re.findall(r"\$([\d,]+\.\d\d)", r["Selling Price"])]
        price = _eur(prices[0])
        slug = _handle(name)
        short, description = _larkspur_description(r)
        h = zlib.crc32(sku.encode())
        sale_price, sale_ends = "", ""
        if h % 7 == 0:
            sale_price = f"{max(round(price * 0.8) - 0.01, 1.99):.2f}"
        pieces = re.search(r"(\d{2,4})[- ]?(?:Piece|pc|Pcs)\b", name, re.I)
        tags = [category.split(" > ")[-1].lower(), *(["gift idea"] if h % 3 == 0 else []),
                *([f"{pieces.group(1)} pieces"] if pieces else [])]
        categories = category + (", Gifts > Stocking Fillers" if price < 10 else "")
        weight = f"{(h % 1500 + 100) / 1000:.2f}"
        images = f"{_LARKSPUR_UPLOADS}{slug}.jpg, {_LARKSPUR_UPLOADS}{slug}-2.jpg"
        common = {"Is featured?": "1" if h % 11 == 0 else "0", "Visibility in catalog": "visible",
                  "Tax status": "taxable", "Low stock amount": "", "Backorders allowed?": "0",
                  "Sold individually?": "0", "Weight (kg)": weight, "Allow customer reviews?": "1",
                  "Meta: _wpcom_is_markdown": "1", "Meta: _yoast_wpseo_primary_product_cat": str(30 + n % 12)}
        variants = next(((a, v) for p, a, v in _LARKSPUR_SIZED if re.search(p, name)), None)
        attrs: dict[str, str] = {}
        if pieces:
            attrs = {"Attribute 1 name": "Pieces", "Attribute 1 value(s)": pieces.group(1),
                     "Attribute 1 visible": "1", "Attribute 1 global": "1"}
        if variants is None:
            stock = _stock(sku)
            out.append(_woo_row(
                ID=str(parent_id), Type="simple", SKU=sku, Name=name, Published="1", **{
                    "Short description": short, "Description": description, "In stock?": "1" if stock else "0",
                    "Stock": str(stock), "Sale price": sale_price, "Regular price": f"{price:.2f}",
                    "Categories": categories, "Tags": ", ".join(tags), "Images": images, "Position": "0",
                    "Brands": brand, **attrs, **common}))
            continue
        attribute, values = variants
        if len(prices) > 1:  # Amazon's "$17.89 - $34.99": the dearest size costs the top of the range
            top = _eur(prices[-1]) / price
            values = tuple((v, 1.0 + (top - 1.0) * i / (len(values) - 1)) for i, (v, _) in enumerate(values))
        parent_sku = "" if "Rag Doll" in name else sku  # one merchant-made product without a SKU
        out.append(_woo_row(
            ID=str(parent_id), Type="variable", SKU=parent_sku, Name=name, Published="1", **{
                "Short description": short, "Description": description, "In stock?": "1", "Stock": "",
                "Categories": categories, "Tags": ", ".join(tags), "Images": images, "Position": "0",
                "Brands": brand, "Attribute 1 name": attribute,
                "Attribute 1 value(s)": ", ".join(v for v, _ in values), "Attribute 1 visible": "1",
                "Attribute 1 global": "1", "Attribute 1 default": values[0][0], **common}))
        for position, (value, factor) in enumerate(values, start=1):
            next_id += 1
            child = f"{sku}-{_handle(value)[:8].upper()}"
            stock = _stock(child)
            child_price = _eur(prices[0] * factor) if len(prices) == 1 else max(round(price * factor) - 0.01, 2.99)
            out.append(_woo_row(
                ID=str(next_id), Type="variation", SKU=child, Name=f"{name} - {value}", Published="1", **{
                    "In stock?": "1" if stock else "0", "Stock": str(stock), "Tax class": "parent",
                    "Regular price": f"{child_price:.2f}", "Sale price": "",
                    "Images": f"{_LARKSPUR_UPLOADS}{slug}-{_handle(value)}.jpg",
                    "Parent": parent_sku or f"id:{parent_id}", "Position": str(position),
                    "Attribute 1 name": attribute, "Attribute 1 value(s)": value, "Attribute 1 global": "1",
                    **{k: v for k, v in common.items() if not k.startswith("Meta")}, "Allow customer reviews?": "0"}))
    out += _larkspur_extras(next_id)
    return out


def _larkspur_extras(last_id: int) -> list[dict[str, str]]:
    """The merchant's own products: a tutu in colours and sizes (one variation for any size), a
    Christmas sale, an ended sale, a private (schools-only) and a draft product."""
    n = last_id
    rows = []
    common = {"Visibility in catalog": "visible", "Tax status": "taxable", "Backorders allowed?": "0",
              "Sold individually?": "0", "Is featured?": "0", "Allow customer reviews?": "1",
              "Meta: _wpcom_is_markdown": "1"}
    n += 1
    tutu = n
    rows.append(_woo_row(
        ID=str(tutu), Type="variable", SKU="LK-TUTU", Name="Larkspur Layered Tulle Tutu", Published="1", **{
            "Short description": "Three layers of soft tulle on a comfy elastic waist.",
            "Description": "<p>Made for us in Galway by <strong>Síofra&#8217;s Sewing Room</strong>: three layers of "
                           "soft tulle on a wide, covered elastic waist.</p>\\n<ul>\\n<li>Hand wash cold, dry flat</li>"
                           "\\n<li>Pairs with our fairy wings</li>\\n</ul>",
            "In stock?": "1", "Categories": "Dress Up > Costumes & Accessories, Gifts > Made in Ireland",
            "Tags": "tutu, dress up, made in ireland", "Images": f"{_LARKSPUR_UPLOADS}larkspur-tutu.jpg",
            "Brands": "Larkspur", "Attribute 1 name": "Colour", "Attribute 1 value(s)": "Pink, Lilac, Emerald Green",
            "Attribute 1 visible": "1", "Attribute 1 global": "1", "Attribute 1 default": "Pink",
            "Attribute 2 name": "Size", "Attribute 2 value(s)": "2-4 years, 5-8 years", "Attribute 2 visible": "1",
            "Attribute 2 global": "1", "Position": "0", **common}))
    for colour, size, stock, price in (("Pink", "2-4 years", 14, "22.00"), ("Pink", "5-8 years", 9, "24.00"),
                                       ("Lilac", "2-4 years", 6, "22.00"), ("Lilac", "5-8 years", 0, "24.00"),
                                       ("Emerald Green", "", 11, "23.00")):
        n += 1
        label = ", ".join(v for v in (colour, size) if v)
        rows.append(_woo_row(
            ID=str(n), Type="variation", SKU=f"LK-TUTU-{_handle(label).upper()[:14]}", Published="1",
            Name=f"Larkspur Layered Tulle Tutu - {label}", **{
                "In stock?": "1" if stock else "0", "Stock": str(stock), "Tax class": "parent",
                "Regular price": price, "Parent": "LK-TUTU", "Position": str(n - tutu),
                "Attribute 1 name": "Colour", "Attribute 1 value(s)": colour, "Attribute 1 global": "1",
                "Attribute 2 name": "Size", "Attribute 2 value(s)": size, "Attribute 2 global": "1",
                **{k: v for k, v in common.items() if not k.startswith("Meta")}}))
    extras = [
        ("LK-ADVENT-WOOD", "Wooden Advent Calendar House", "1", "54.99", "44.99", "2026-12-24", 23, "Kids' Room",
         "<p>A little wooden house with 24 numbered drawers to fill, year after year.</p>"),
        ("LK-KITE-DIAMOND", "Atlantic Diamond Kite", "1", "19.99", "14.99", "2026-11-30", 31, "Games > Outdoor Play",
         "<p>Easy-flying diamond kite with a 30 m line and winder.</p>"),
        ("LK-SCHOOL-CRAYONS", "Classroom Crayon Bulk Pack (Schools Only)", "0", "89.00", "", "", 12,
         "Arts & Crafts > Drawing & Painting", "<p>800 crayons for school orders; invoiced to the school.</p>"),
        ("LK-SPRING-BUNNY", "Easter Bunny Egg Hunt Kit", "-1", "16.99", "", "", 0, "Games > Outdoor Play",
         "<p>Coming in spring.</p>"),
    ]
    for sku, name, published, regular, sale, ends, stock, category, description in extras:
        n += 1
        rows.append(_woo_row(
            ID=str(n), Type="simple", SKU=sku, Name=name, Published=published, **{
                "Short description": "", "Description": description, "Date sale price ends": ends,
                "In stock?": "1" if stock else "0", "Stock": str(stock), "Sale price": sale, "Regular price": regular,
                "Categories": category, "Tags": "", "Images": f"{_LARKSPUR_UPLOADS}{_handle(name)}.jpg",
                "Brands": "Larkspur", "Position": "0", **common}))
    return rows


# --- harbor: a US home, pet and gadget shop's Magento 2 export (held out, written blind) ---------

#: Flipkart's departments that no other shop sells (bazaar has its clothing, footwear, watches, jewellery).
_HARBOR_ROOTS = {"Pet Supplies": "Pets", "Kitchen & Dining": "Kitchen", "Home & Kitchen": "Kitchen",
                 "Mobiles & Accessories": "Tech Accessories", "Computers": "Tech Accessories",
                 "Beauty and Personal Care": "Beauty", "Home Decor & Festive Needs": "Home Fragrance",
                 "Pens & Stationery": "Desk & Stationery"}
#: name pattern -> (attribute code, its label, values with price factors): configurable parents.
_HARBOR_CONFIGURABLE: list[tuple[str, str, str, tuple[tuple[str, float], ...]]] = [
    (r"\bPouch\b|Back Cover", "color", "Color", (("Black", 1.0), ("Navy Blue", 1.0), ("Red", 1.0))),
    (r"Dumbell", "size", "Size", (("Small", 1.0), ("Medium", 1.25), ("Large", 1.5))),
    (r"Dog Shampoo", "size", "Size", (("200 ml", 1.0), ("500 ml", 1.8))),
    (r"Conditioner", "size", "Size", (("8 fl oz", 1.0), ("16 fl oz", 1.6))),
    (r"Vacuum Bottles", "color", "Color", (("Silver", 1.0), ("Black", 1.0), ("Sky Blue", 1.0))),
]
_HARBOR_SKIP = re.compile(r"Showpiece|Goddess|Buddha|Diwan|Coin Bank|Security Bags|Tiara Diaries", re.I)
HARBOR_EXPORT = "catalog_product_20261202_081544.csv"


def _usd(inr: float) -> float:
    """Flipkart's rupees as a US shop's dollars, priced to end in .99."""
    return max(round(inr / 60) - 0.01, 4.99)


def _harbor() -> list[dict[str, str]]:
    """A Magento 2 catalog export (Default store view rows only, plus one store-view override):
    simple products, configurable parents with Color or Size children (``Not Visible Individually``,
    holding the stock), a disabled product; HTML descriptions, ``Default Category/`` roots."""
    with (DATA / "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for r in rows:
        tree = [p.strip() for p in r["product_category_tree"].strip('[]"').split(">>")]
        name = " ".join(r["product_name"].split())
        if tree[0] not in _HARBOR_ROOTS or len(tree) < 2 or name.lower() in seen or _HARBOR_SKIP.search(name):
            continue
        if not r["discounted_price"].strip():
            continue
        seen.add(name.lower())
        try:
            specs = parse_specs(r["product_specifications"])
        except ValueError:
            specs = {}
        sku = "HB-" + r["pid"][-8:]
        price = _usd(float(r["discounted_price"]))
        brand = (r["brand"].strip() or name.split()[0])
        text = " ".join(r["description"].split())[:500]
        description = f"<p>{html.escape(text, quote=False)}</p>" if text else ""
        if specs:
            description += "<ul>" + "".join(f"<li><strong>{html.escape(k)}:</strong> {html.escape(v)}</li>"
                                            for k, v in list(specs.items())[:4]) + "</ul>"
        category = "Default Category/" + _HARBOR_ROOTS[tree[0]] + "/" + tree[1]
        key = _handle(name)[:60]
        base = {**MAGENTO_BASE, "categories": category, "name": name, "description": description, "url_key": key}
        attrs = f"manufacturer={brand}"
        colour = specs.get("Color", "").replace(",", " /")
        config = next(((c, label, v) for p, c, label, v in _HARBOR_CONFIGURABLE if re.search(p, name)), None)
        if config is None:
            qty = _stock(sku)
            out.append({**base, "sku": sku, "product_type": "simple", "visibility": "Catalog, Search",
                        "price": f"{price:.2f}", "qty": str(qty), "is_in_stock": "1" if qty else "0",
                        "additional_attributes": attrs + (f",color={colour}" if colour else "")})
            continue
        code, label, values = config
        children = []
        for value, factor in values:
            child = f"{sku}-{_handle(value).upper()}"
            qty = _stock(child)
            out.append({**base, "sku": child, "product_type": "simple", "name": f"{name}-{value}",
                        "visibility": "Not Visible Individually", "price": f"{_usd(float(r['discounted_price']) * factor):.2f}",
                        "qty": str(qty), "is_in_stock": "1" if qty else "0", "url_key": f"{key}-{_handle(value)}",
                        "additional_attributes": f"{attrs},{code}={value}"})
            children.append(f"sku={child},{code}={value}")
        out.append({**base, "sku": sku, "product_type": "configurable", "visibility": "Catalog, Search",
                    "price": f"{price:.2f}", "qty": "0", "is_in_stock": "1", "additional_attributes": attrs,
                    "has_options": "1", "required_options": "1", "configurable_variations": "|".join(children),
                    "configurable_variation_labels": f"{code}={label}"})
    out += _harbor_extras()
    return out


def _harbor_extras() -> list[dict[str, str]]:
    """The merchant's own lines: a pet bed in Color x Size (one child sold out), a disabled
    product, and a store-view override row of a product given in full above."""
    rows = []
    bed = "HB-BED-CALM"
    desc = ("<p>Our own <strong>Harbor Calm Cuddler</strong> bolster bed: raised rim, faux-shearling top, "
            "non-slip base. Machine-washable cover.</p><ul><li>Small: cats and dogs up to 15 lb</li>"
            "<li>Large: dogs up to 45 lb</li></ul>")
    children = []
    for colour, size, qty, price in (("Fog Gray", "Small", 12, "39.00"), ("Fog Gray", "Large", 7, "59.00"),
                                     ("Ocean Blue", "Small", 0, "39.00"), ("Ocean Blue", "Large", 5, "59.00"),
                                     ("Sand", "Small", 9, "39.00"), ("Sand", "Large", 3, "59.00")):
        child = f"{bed}-{_handle(colour).upper()}-{size[0]}"
        rows.append({**MAGENTO_BASE, "sku": child, "product_type": "simple", "categories": "Default Category/Pets/Beds",
                     "name": f"Harbor Calm Cuddler Pet Bed-{colour}-{size}", "description": "",
                     "visibility": "Not Visible Individually", "price": price, "qty": str(qty),
                     "is_in_stock": "1" if qty else "0", "url_key": f"harbor-calm-cuddler-{_handle(colour)}-{size.lower()}",
                     "additional_attributes": f"manufacturer=Harbor Home,color={colour},size={size}"})
        children.append(f"sku={child},color={colour},size={size}")
    rows.append({**MAGENTO_BASE, "sku": bed, "product_type": "configurable", "categories": "Default Category/Pets/Beds",
                 "name": "Harbor Calm Cuddler Pet Bed", "description": desc, "visibility": "Catalog, Search",
                 "price": "39.00", "qty": "0", "is_in_stock": "1", "url_key": "harbor-calm-cuddler-pet-bed",
                 "additional_attributes": "manufacturer=Harbor Home", "has_options": "1", "required_options": "1",
                 "configurable_variations": "|".join(children), "configurable_variation_labels": "color=Color,size=Size"})
    rows.append({**MAGENTO_BASE, "sku": "HB-LAMP-SALT", "product_type": "simple", "categories": "Default Category/Home Fragrance",
                 "name": "Himalayan Salt Lamp Night Light", "description": "<p>Discontinued: supplier recall.</p>",
                 "product_online": "2", "visibility": "Catalog, Search", "price": "24.99", "qty": "40",
                 "is_in_stock": "1", "url_key": "himalayan-salt-lamp-night-light", "additional_attributes": "manufacturer=Glowrock"})
    rows.append({**MAGENTO_BASE, "sku": bed, "store_view_code": "es_us", "product_type": "configurable",
                 "categories": "", "name": "Cama para mascotas Calm Cuddler", "description": "", "visibility": "",
                 "price": "", "qty": "", "is_in_stock": "", "url_key": "", "additional_attributes": "",
                 "has_options": "", "required_options": ""})
    return rows


def merchant_folder(out: Path, shop: str, export: str, columns: list[str], rows: list[dict[str, str]], *,
                    faq: bool = True) -> Path:
    """The folder as the merchant has it, with no shop.yaml: the platform's export under the name the
    platform gives it, the retailer's FAQ file as downloaded (with ``faq``), the shop's published pages."""
    with (out / export).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    if faq:
        shutil.copyfile(DATA / FAQ, out / Path(FAQ).name)
    shutil.copytree(HERE / shop / "pages", out / "pages", dirs_exist_ok=True)
    return out


def _build_harbor(out: Path) -> Path:
    return merchant_folder(out, "harbor", HARBOR_EXPORT, MAGENTO_COLUMNS, _harbor())


# canyon's and maple's builders live in their own modules and use the helpers above, so they are imported here.
from .build_canyon import build_canyon, canyon  # noqa: E402
from .build_juniper import build_juniper, juniper  # noqa: E402
from .build_maple import build_maple, maple  # noqa: E402
from .build_quarry import build_quarry, quarry  # noqa: E402
from .build_willow import build_willow, willow  # noqa: E402
from .build_thistle import build_thistle, thistle  # noqa: E402

SHOPS = {"outfitters": _outfitters, "bazaar": _bazaar, "emporium": _emporium, "fernhill": _fernhill,
         "larkspur": _larkspur, "harbor": _harbor, "canyon": canyon, "maple": maple,
         "quarry": quarry, "willow": willow, "juniper": juniper, "thistle": thistle}


def build_shop(name: str, out: Path) -> Path:
    """Write shop ``name`` into folder ``out`` (created) and return it."""
    if name not in SHOPS:
        raise ValueError(f"unknown shop {name!r}; built-in shops: {', '.join(SHOPS)}")
    if not DATA.is_dir():
        raise FileNotFoundError(f"the shops are built from the shared data at {DATA}, which is not here")
    out.mkdir(parents=True, exist_ok=True)
    if name == "emporium":
        return _build_emporium(out)
    if name == "fernhill":
        return _build_fernhill(out)
    if name == "larkspur":
        return _build_larkspur(out)
    if name == "harbor":
        return _build_harbor(out)
    if name == "canyon":
        return build_canyon(out)
    if name == "maple":
        return build_maple(out)
    if name == "quarry":
        return build_quarry(out)
    if name == "willow":
        return build_willow(out)
    if name == "juniper":
        return build_juniper(out)
    if name == "thistle":
        return build_thistle(out)
    with (out / "products.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(SHOPS[name]())
    shutil.copyfile(DATA / FAQ, out / "faq.json")
    shutil.copyfile(HERE / name / "policies.md", out / "policies.md")
    (out / "shop.yaml").write_text(
        f"# {name}: built by bench.shops from ../shared/data\n"
        "files:\n"
        "  - {path: products.csv, kind: products, map: {attributes: brand+colour+gender}}\n"
        "  - {path: faq.json, kind: faq}\n"
        "  - {path: policies.md, kind: policies}\n", encoding="utf-8")
    return out


def _build_emporium(out: Path) -> Path:
    """A Magento export and the shop's published HTML pages; no FAQ file of its own."""
    with (out / "catalog_product.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, MAGENTO_COLUMNS)
        writer.writeheader()
        writer.writerows(_emporium())
    shutil.copytree(HERE / "emporium" / "pages", out / "pages", dirs_exist_ok=True)
    (out / "shop.yaml").write_text(
        "# emporium: built by bench.shops from ../shared/data (catalog) and bench/shops/emporium (pages)\n"
        "files:\n"
        "  - {path: catalog_product.csv, kind: products}\n"
        + "".join(f"  - {{path: pages/{page.name}, kind: policies}}\n"
                  for page in sorted((HERE / "emporium" / "pages").glob("*.html"))), encoding="utf-8")
    return out


def _build_fernhill(out: Path) -> Path:
    return merchant_folder(out, "fernhill", "products_export_1.csv", SHOPIFY_COLUMNS, _fernhill())


def _build_larkspur(out: Path) -> Path:
    return merchant_folder(out, "larkspur", _LARKSPUR_EXPORT, WOO_COLUMNS, _larkspur(), faq=False)


def _main() -> None:
    import sys

    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m bench.shops NAME OUT_DIR")
    print(build_shop(sys.argv[1], Path(sys.argv[2])))


if __name__ == "__main__":
    _main()
