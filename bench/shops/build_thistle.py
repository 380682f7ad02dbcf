"""thistle: an Edinburgh children's clothing shop's WooCommerce export (held out, written blind).

Written from Myntra's kids' wear lines that no other benchmark shop sells: U.S. Polo Assn. Kids,
Gini and Jony, United Colors of Benetton's kids' rows, Cherry Crumble and CHUTPUT knitwear, Disney
and Marvel by Wear Your Mind T-shirts, Palm Tree, Natilene, Kittens shoes, and the kids' ethnic and
occasion wear of SG YUVRAJ, BownBee, Twisha and Bitiya by Bhama, priced in pounds (VAT included).
Each Myntra row is a variable product whose Size variations (ages, or UK children's shoe sizes)
hold the stock; its colour is a non-variation ``Colour`` attribute. The merchant's own lines
(Thistle & Thimble): a waterproof jacket in Colour x Size with one combination sold out, a kilt and
a Fair Isle jumper by Size, a personalised name hoodie, a hooded towel on sale with sale dates,
accessories, an e-gift card (``variation, virtual`` amounts), a private and a draft product. The
export is WooCommerce's own (:data:`bench.shops.build.WOO_COLUMNS`); the folder has no shop.yaml:
the export under the name WooCommerce gives it, the shared retailer's FAQ file as downloaded, and
the help pages as a WordPress (Kadence) theme publishes them. See :mod:`bench.shops.build`.
"""

from __future__ import annotations

import csv
import html
import re
import zlib
from pathlib import Path

from .build import DATA, WOO_COLUMNS, _handle, _myntra_details, _stock, merchant_folder

__all__ = ["THISTLE_EXPORT", "build_thistle", "thistle"]

THISTLE_EXPORT = "wc-product-export-2-12-2026-1764689125530.csv"
_UPLOADS = "https://thistleandthimble.co.uk/wp-content/uploads/2026/11/"
_KIDS = ("Boys", "Girls", "Unisex Kids")
#: Myntra brands of children's wear (none in another shop), and how many products of each are kept.
_BRANDS = {"U.S. Polo Assn. Kids": 10, "Gini and Jony": 8, "United Colors of Benetton": 8, "Cherry Crumble": 6,
           "CHUTPUT": 6, "Disney by Wear Your Mind": 4, "Marvel by Wear Your Mind": 3, "Palm Tree": 6,
           "Natilene": 5, "Kittens": 5, "SG YUVRAJ": 6, "BownBee": 6, "Twisha": 6, "Bitiya by Bhama": 5}
#: (name pattern, the shop's category under Boys/Girls/Unisex); the first that matches.
_TYPES: list[tuple[str, str]] = [
    (r"kurta|kurti|sherwani|lehenga|dhoti|nehru|waistcoat|palazzos|\bsuit\b|tuxedo", "Occasion Wear"),
    (r"sneakers|sandals|loafers|flatforms|shoes", "Shoes"),
    (r"jacket|blazer|coat", "Coats & Jackets"),
    (r"sweatshirt|sweater|cardigan|pullover|hoodie", "Knitwear & Sweatshirts"),
    (r"dress|playsuit|pinafore|romper|bodysuit|body suits", "Dresses & Playsuits"),
    (r"jeans|trousers|chinos|joggers|leggings|shorts|culottes|track pants", "Trousers, Jeans & Shorts"),
    (r"t-shirt|top|shirt|polo", "Tops & T-Shirts"),
]
AGES = ("3-4 Years", "5-6 Years", "7-8 Years", "9-10 Years", "11-12 Years")
SHOE_SIZES = ("UK 10", "UK 11", "UK 12", "UK 13", "UK 1", "UK 2")
_TONE = r"(?:dark|light|navy|coral|rust|teal|mustard|off|peach|cream)[- ]"
_HUE = (r"(?:white|black|blue|green|red|yellow|orange|pink|purple|brown|grey|beige|maroon|burgundy|tan|navy|khaki|"
        r"mustard|peach-coloured|cream-coloured|gold-toned|multicoloured|melange)")
#: A Myntra name's colour phrase ("Red & Grey Melange"): the product's Colour, truer than PrimaryColor.
_COLOUR_PHRASE = re.compile(rf"\b(?:{_TONE})?{_HUE}(?:\s+(?:melange|blue|yellow|orange|green))?"
                            rf"(?:\s*&\s*(?:{_TONE})?{_HUE}(?:\s+(?:melange|blue|yellow|orange|green))?)*\b", re.I)
_COMMON = {"Is featured?": "0", "Visibility in catalog": "visible", "Tax status": "taxable", "Backorders allowed?": "0",
           "Sold individually?": "0", "Allow customer reviews?": "1", "Meta: _wpcom_is_markdown": ""}


def _row(**values: str) -> dict[str, str]:
    return {**dict.fromkeys(WOO_COLUMNS, ""), **_COMMON, **values}


def _gbp(inr: float) -> float:
    """Myntra's rupees as a British children's shop's pounds (about 60 to the pound), ending in .99."""
    return max(round(inr / 60) - 0.01, 4.99)


def _colour(name: str, primary: str) -> str:
    found = _COLOUR_PHRASE.search(name)
    return found.group(0) if found else primary.strip()


def _myntra() -> list[tuple[dict[str, str], str, str, str]]:
    """(Myntra row, name, brand, category) of the kids' rows kept, in file order."""
    with (DATA / "catalog-myntra/myntra_products_catalog.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    seen: set[str] = set()
    taken: dict[str, int] = {}
    out = []
    for r in rows:
        brand, name = r["ProductBrand"].strip(), " ".join(r["ProductName"].split())
        if brand not in _BRANDS or r["Gender"] not in _KIDS or taken.get(brand, 0) >= _BRANDS[brand]:
            continue
        kind = next((c for p, c in _TYPES if re.search(p, name, re.I)), None)
        if kind is None or name.lower() in seen:
            continue
        seen.add(name.lower())
        taken[brand] = taken.get(brand, 0) + 1
        root = {"Boys": "Boys", "Girls": "Girls"}.get(r["Gender"], "Unisex")
        out.append((r, name, brand, f"{root} > {kind}"))
    return out


#: The merchant's own variable products: (sku, name, category, description, [(attribute, values)],
#: [(values, regular price, stock)]).
_VARIABLE: list[tuple[str, str, str, str, list[tuple[str, str]], list[tuple[tuple[str, ...], str, int]]]] = [
    ("TT-EXPLORER", "Wee Explorer Waterproof Jacket", "Coats & Jackets, Thistle & Thimble",
     "<p>Our own fully waterproof, breathable jacket for Scottish weather: taped seams, a fleece-lined body, "
     "a detachable hood and reflective trims.</p>\\n<ul>\\n<li>Outer: 100% recycled polyester, 10,000 mm waterproof "
     "rating</li>\\n<li>Lining: recycled polyester fleece</li>\\n<li>Machine wash at 30&deg;C</li>\\n</ul>",
     [("Colour", "Heather Purple, Loch Blue, Moss Green"), ("Size", "2-3 Years, 4-5 Years, 6-7 Years, 8-9 Years")],
     [(("Heather Purple", "2-3 Years"), "38.00", 6), (("Heather Purple", "4-5 Years"), "38.00", 9),
      (("Heather Purple", "6-7 Years"), "42.00", 4), (("Heather Purple", "8-9 Years"), "42.00", 3),
      (("Loch Blue", "2-3 Years"), "38.00", 7), (("Loch Blue", "4-5 Years"), "38.00", 0),
      (("Loch Blue", "6-7 Years"), "42.00", 5), (("Loch Blue", "8-9 Years"), "42.00", 8),
      (("Moss Green", "2-3 Years"), "38.00", 2), (("Moss Green", "4-5 Years"), "38.00", 6),
      (("Moss Green", "6-7 Years"), "42.00", 11), (("Moss Green", "8-9 Years"), "42.00", 4)]),
    ("TT-KILT", "Children's Tartan Kilt", "Occasion Wear, Thistle & Thimble",
     "<p>A proper pleated kilt in <strong>Ancient Hunting Stewart</strong> tartan, woven in Scotland from "
     "wool-blend cloth, with leather straps and an elasticated back so it grows with them.</p>\\n"
     "<p>Dry clean or hand wash cold.</p>",
     [("Size", "3-4 Years, 5-6 Years, 7-8 Years, 9-10 Years")],
     [(("3-4 Years",), "36.00", 5), (("5-6 Years",), "36.00", 8), (("7-8 Years",), "42.00", 3), (("9-10 Years",), "42.00", 6)]),
    ("TT-FAIRISLE", "Fair Isle Knitted Jumper", "Knitwear & Sweatshirts, Thistle & Thimble",
     "<p>Knitted for us in the Scottish Borders from <strong>100% lambswool</strong> in a traditional Fair Isle "
     "yoke. Hand wash cool and dry flat.</p>",
     [("Size", "2-3 Years, 4-5 Years, 6-7 Years, 8-9 Years, 10-11 Years")],
     [(("2-3 Years",), "34.00", 4), (("4-5 Years",), "34.00", 7), (("6-7 Years",), "36.00", 5),
      (("8-9 Years",), "39.00", 2), (("10-11 Years",), "39.00", 0)]),
    ("TT-NAMEHOODIE", "Personalised Name Hoodie", "Knitwear & Sweatshirts, Personalised, Thistle & Thimble",
     "<p>A soft organic cotton hoodie embroidered with your child&#8217;s name (up to 10 letters) in our "
     "Edinburgh workroom. Please allow 3 extra working days.</p>\\n<p>Personalised items can&#8217;t be "
     "returned unless faulty.</p>",
     [("Colour", "Navy, Heather Grey"), ("Size", "3-4 Years, 5-6 Years, 7-8 Years, 9-10 Years")],
     [(("Navy", "3-4 Years"), "29.00", 15), (("Navy", "5-6 Years"), "29.00", 12), (("Navy", "7-8 Years"), "29.00", 10),
      (("Navy", "9-10 Years"), "29.00", 9), (("Heather Grey", "3-4 Years"), "29.00", 8),
      (("Heather Grey", "5-6 Years"), "29.00", 11), (("Heather Grey", "7-8 Years"), "29.00", 6),
      (("Heather Grey", "9-10 Years"), "29.00", 7)]),
    ("TT-MITTENS", "Lambswool Mittens", "Accessories, Thistle & Thimble",
     "<p>Cosy lambswool mittens on a string, so they don&#8217;t get lost. One size fits about 3&#8211;8 years.</p>",
     [("Colour", "Heather Purple, Loch Blue, Red")],
     [(("Heather Purple",), "12.00", 14), (("Loch Blue",), "12.00", 0), (("Red",), "12.00", 9)]),
]
#: (sku, name, category, published, regular, sale, sale starts, sale ends, stock, description)
_SIMPLE: list[tuple[str, str, str, str, str, str, str, str, int, str]] = [
    ("TT-COO-TOWEL", "Highland Coo Hooded Towel", "Baby & Bath, Thistle & Thimble", "1", "24.00", "18.00",
     "2026-11-27", "2026-12-24", 17,
     "<p>A soft cotton terry hooded towel with Highland cow ears and horns. 75 x 75 cm, fits ages 0&#8211;6.</p>"),
    ("TT-TARTAN-SCARF", "Tartan Lambswool Scarf", "Accessories, Thistle & Thimble", "1", "19.00", "", "", "", 21,
     "<p>A child-sized scarf in Ancient Hunting Stewart to match our kilt. 120 x 20 cm.</p>"),
    ("TT-BOWS", "Tartan Hair Bow Clips (Set of 3)", "Accessories", "1", "8.00", "", "", "", 30,
     "<p>Three tartan bows on snag-free clips.</p>"),
    ("TT-WELLY-SOCKS", "Welly Socks (2 Pairs)", "Accessories", "1", "9.00", "", "", "", 0,
     "<p>Thick cushioned socks that stop wellies rubbing. Fits UK 8&#8211;12.</p>"),
    ("TT-NESSIE", "Nessie Knitted Soft Toy", "Gifts, Thistle & Thimble", "1", "16.00", "", "", "", 12,
     "<p>A hand-knitted Loch Ness monster, 30 cm long. Suitable from birth.</p>"),
    ("TT-NURSERY-FLEECE", "Nursery Staff Fleece (Trade Account)", "Trade", "0", "22.00", "", "", "", 40,
     "<p>For approved nursery and school trade accounts only; embroidered with your logo.</p>"),
    ("TT-ROBIN-JUMPER", "Robin Christmas Jumper 2027", "Knitwear & Sweatshirts", "-1", "32.00", "", "", "", 0,
     "<p>Next year&#8217;s Christmas jumper. Coming autumn 2027.</p>"),
]
_GIFT_CARD = [("£20", "20.00"), ("£30", "30.00"), ("£50", "50.00"), ("£75", "75.00")]


def _variable(out: list[dict[str, str]], n: int, sku: str, name: str, category: str, description: str, brand: str,
              attributes: list[tuple[str, str]], variations: list[tuple[tuple[str, ...], str, int]],
              extra: dict[str, str] | None = None) -> int:
    """Append a variable product and its variations (``Parent`` its SKU); returns the last ID used."""
    n += 1
    attrs: dict[str, str] = {}
    for i, (attribute, listed) in enumerate(attributes, start=1):
        attrs.update({f"Attribute {i} name": attribute, f"Attribute {i} value(s)": listed,
                      f"Attribute {i} visible": "1", f"Attribute {i} global": "1"})
    out.append(_row(ID=str(n), Type="variable", SKU=sku, Name=name, Published="1", **{
        "Description": description, "In stock?": "1" if any(s for _, _, s in variations) else "0", "Stock": "",
        "Categories": category, "Tags": brand.lower(), "Images": f"{_UPLOADS}{_handle(name)}.jpg", "Position": "0",
        "Brands": brand, "Meta: _yoast_wpseo_primary_product_cat": str(60 + n % 11), **attrs, **(extra or {})}))
    for position, (values, price, stock) in enumerate(variations, start=1):
        n += 1
        label = ", ".join(values)
        child = {f"Attribute {i} name": a for i, (a, _) in enumerate(attributes[:len(values)], start=1)}
        child.update({f"Attribute {i} value(s)": v for i, v in enumerate(values, start=1)})
        child.update({f"Attribute {i} global": "1" for i in range(1, len(values) + 1)})
        out.append(_row(ID=str(n), Type="variation", SKU=f"{sku}-{_handle(label).upper()}", Published="1",
                        Name=f"{name} - {label}", **{
                            "In stock?": "1" if stock else "0", "Stock": str(stock), "Tax class": "parent",
                            "Regular price": price, "Parent": sku, "Position": str(position),
                            "Weight (kg)": f"{(zlib.crc32(label.encode()) % 500 + 100) / 1000:.2f}",
                            "Allow customer reviews?": "0", **child}))
    return n


def thistle() -> list[dict[str, str]]:
    """The export's rows: the merchant's own variable and simple products, the e-gift card, then
    the Myntra lines as variable products by Size with a visible Colour attribute."""
    out: list[dict[str, str]] = []
    n = 3300
    for sku, name, category, description, attributes, variations in _VARIABLE:
        n = _variable(out, n, sku, name, category, description, "Thistle & Thimble", attributes, variations,
                      {"Is featured?": "1"} if sku == "TT-EXPLORER" else None)
    for sku, name, category, published, regular, sale, starts, ends, stock, description in _SIMPLE:
        n += 1
        out.append(_row(ID=str(n), Type="simple", SKU=sku, Name=name, Published=published, **{
            "Description": description, "Date sale price starts": starts, "Date sale price ends": ends,
            "In stock?": "1" if stock else "0", "Stock": str(stock), "Sale price": sale, "Regular price": regular,
            "Categories": category, "Tags": "thistle & thimble", "Images": f"{_UPLOADS}{_handle(name)}.jpg",
            "Position": "0", "Brands": "Thistle & Thimble",
            "Weight (kg)": f"{(zlib.crc32(sku.encode()) % 600 + 100) / 1000:.2f}",
            "Meta: _yoast_wpseo_primary_product_cat": str(60 + n % 11)}))
    n += 1
    card = n
    out.append(_row(ID=str(card), Type="variable", SKU="TT-EGIFT", Name="Thistle & Thimble e-Gift Card", Published="1", **{
        "Description": "<p>Sent by email with your message, straight away or on the day you choose. Valid for "
                       "24 months, online or in our Edinburgh shop.</p>",
        "Tax status": "none", "In stock?": "1", "Categories": "Gift Cards", "Tags": "gift card",
        "Images": f"{_UPLOADS}e-gift-card.jpg", "Position": "0", "Brands": "Thistle & Thimble",
        "Attribute 1 name": "Amount", "Attribute 1 value(s)": ", ".join(a for a, _ in _GIFT_CARD),
        "Attribute 1 visible": "1", "Attribute 1 global": "0", "Attribute 1 default": "£30"}))
    for position, (label, amount) in enumerate(_GIFT_CARD, start=1):
        n += 1
        out.append(_row(ID=str(n), Type="variation, virtual", SKU=f"TT-EGIFT-{amount[:-3]}", Published="1",
                        Name=f"Thistle & Thimble e-Gift Card - {label}", **{
                            "Tax status": "none", "In stock?": "1", "Stock": "", "Regular price": amount,
                            "Parent": f"id:{card}", "Position": str(position), "Attribute 1 name": "Amount",
                            "Attribute 1 value(s)": label, "Attribute 1 global": "0"}))
    for r, name, brand, category in _myntra():
        sku = "TT-" + r["ProductID"]
        sizes = SHOE_SIZES if category.endswith("Shoes") else AGES
        price = f"{_gbp(float(r['Price (INR)'])):.2f}"
        variations = [((size,), price, _stock(f"{sku}-{_handle(size).upper()}")) for size in sizes]
        description = _myntra_details(html.unescape(r["Description"].strip())) or f"<p>{html.escape(name)}</p>"
        n = _variable(out, n, sku, name, category, description.replace("</li><li>", "</li>\\n<li>"), brand,
                      [("Size", ", ".join(sizes)), ("Colour", _colour(name, r["PrimaryColor"]))], variations)
    return out


def build_thistle(out: Path) -> Path:
    return merchant_folder(out, "thistle", THISTLE_EXPORT, WOO_COLUMNS, thistle())
