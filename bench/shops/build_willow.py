"""willow: a US home-fragrance, candle, bath and gift shop's WooCommerce export (held out, written blind).

Written from product lines that no other benchmark shop sells: Myntra's personal-fragrance rows of
Marks & Spencer, ULRIC DE VARENS, Nautica, aramis, Carven, Secret Temptation, Envy and Wild Stone,
HUNTER 1114's body wash, and Amazon's two party candles that larkspur leaves out, priced in US
dollars; plus the merchant's own lines (Willow & Wick): a soy jar candle in Scent x Size (8 oz /
14 oz) with one combination sold out, wooden-wick and travel-tin candles by Scent, a reed diffuser
in Scent x Size, room sprays, wax melts, bar soaps, bath soak by Size, gift sets, accessories, a
three-wick candle on sale until 26 December, an e-gift card (``variation, virtual`` amounts), a
draft and a private product. The export is WooCommerce's own (:data:`bench.shops.build.WOO_COLUMNS`,
line breaks in descriptions as a literal ``\\n``); the folder has no shop.yaml: the export under the
name WooCommerce gives it, the shared retailer's FAQ file as downloaded, and the help pages as a
WordPress (Storefront child) theme publishes them. See :mod:`bench.shops.build`.
"""

from __future__ import annotations

import csv
import html
import re
import zlib
from pathlib import Path

from .build import DATA, FAQ, WOO_COLUMNS, _handle, merchant_folder, _stock

__all__ = ["WILLOW_EXPORT", "build_willow", "willow"]

WILLOW_EXPORT = "wc-product-export-3-12-2026-1764751183204.csv"
_UPLOADS = "https://willowandwick.com/wp-content/uploads/2026/10/"
#: Myntra brands of personal fragrance and body care that no other shop sells -> the shop's category.
_MYNTRA_BRANDS = {"Marks & Spencer": "Personal Fragrance", "ULRIC DE VARENS": "Personal Fragrance",
                  "Nautica": "Personal Fragrance", "aramis": "Personal Fragrance", "Carven": "Personal Fragrance",
                  "Secret Temptation": "Personal Fragrance", "Envy": "Personal Fragrance",
                  "Wild stone": "Personal Fragrance", "HUNTER 1114": "Bath & Body > Body Wash"}
_PER_BRAND = 6
_FRAGRANCE_ROW = re.compile(r"eau de|perfume|deodorant|gift set|body wash", re.I)
_AMAZON_CANDLES = ("#40 Celebration Candle", "Colorflame Birthday Candles")
_GENDER = re.compile(r"\b(?:Men|Women)\s+")
_COMMON = {"Is featured?": "0", "Visibility in catalog": "visible", "Tax status": "taxable", "Backorders allowed?": "0",
           "Sold individually?": "0", "Allow customer reviews?": "1", "Meta: _wpcom_is_markdown": "1"}


def _row(**values: str) -> dict[str, str]:
    return {**dict.fromkeys(WOO_COLUMNS, ""), **_COMMON, **values}


def _usd(inr: float) -> float:
    """Myntra's rupees as a US shop's dollars (about 20 to the dollar), priced to end in .99."""
    return max(round(inr / 20) - 0.01, 6.99)


def _myntra() -> list[tuple[str, str, str, str, float, str]]:
    """(sku, name, brand, category, price, description) of the fragrance and body-care rows."""
    with (DATA / "catalog-myntra/myntra_products_catalog.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    seen: set[str] = set()
    taken: dict[str, int] = {}
    out = []
    for r in rows:
        brand, name = r["ProductBrand"].strip(), " ".join(r["ProductName"].split())
        if brand not in _MYNTRA_BRANDS or not _FRAGRANCE_ROW.search(name) or taken.get(brand, 0) >= _PER_BRAND:
            continue
        name = re.sub(r"^Marks & Spencers\b", "Marks & Spencer", name)
        name = re.sub(r"^Wild stone\b", "Wild Stone", name, flags=re.I)
        gender = "Men's" if re.search(r"\bMen\b", name) else "Women's" if re.search(r"\bWomen\b", name) else ""
        name = re.sub(r"(\d)\s?ml\b", r"\1 ml", _GENDER.sub("", name, count=1))
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        taken[brand] = taken.get(brand, 0) + 1
        category = _MYNTRA_BRANDS[brand] + (f" > {gender}" if gender and "Fragrance" in _MYNTRA_BRANDS[brand] else "")
        text = html.escape(r["Description"].strip(), quote=False)
        out.append(("WW-" + r["ProductID"], name, "Wild Stone" if brand == "Wild stone" else brand, category,
                    _usd(float(r["Price (INR)"])), f"<p>{text}</p>"))
    return out


def _amazon() -> list[tuple[str, str, str, str, float, str]]:
    with (DATA / "catalog-amazon/amazon_products_sample_1000.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for r in rows:
        name = " ".join(r["Product Name"].split())
        if not name.startswith(_AMAZON_CANDLES):
            continue
        about = [a.strip() for a in r["About Product"].split("|") if a.strip() and not a.startswith("Make sure")]
        name = name.split(" - ")[0].split(" | ")[0]
        description = "<ul>\\n" + "\\n".join(f"<li>{html.escape(a, quote=False)}</li>" for a in about[:4]) + "\\n</ul>"
        out.append(("WW-" + r["Uniq Id"][:8].upper(), name, "", "Candles > Party & Birthday",
                    float(r["Selling Price"].lstrip("$")), description))
    return out


#: The merchant's own variable products: (sku, name, category, description, [(attribute, values)],
#: [(values, regular price, stock)]), variations in the order WooCommerce lists them.
_VARIABLE: list[tuple[str, str, str, str, list[tuple[str, str]], list[tuple[tuple[str, ...], str, int]]]] = [
    ("WW-SOY", "Signature Soy Jar Candle", "Candles > Jar Candles",
     "<p>Hand-poured in Nashville in small batches from <strong>100% American soy wax</strong> with a cotton "
     "wick, in a reusable amber glass jar with a matte black lid.</p>\\n<ul>\\n<li>8 oz: about 45 hours burn time"
     "</li>\\n<li>14 oz: about 80 hours burn time</li>\\n<li>Phthalate-free fragrance oils</li>\\n</ul>",
     [("Scent", "Cedar & Sage, Lavender Fields, Sea Salt & Orchid, Vanilla Bean, Balsam Fir"), ("Size", "8 oz, 14 oz")],
     [(("Cedar & Sage", "8 oz"), "24.00", 18), (("Cedar & Sage", "14 oz"), "34.00", 9),
      (("Lavender Fields", "8 oz"), "24.00", 22), (("Lavender Fields", "14 oz"), "34.00", 6),
      (("Sea Salt & Orchid", "8 oz"), "24.00", 11), (("Sea Salt & Orchid", "14 oz"), "34.00", 4),
      (("Vanilla Bean", "8 oz"), "24.00", 27), (("Vanilla Bean", "14 oz"), "34.00", 13),
      (("Balsam Fir", "8 oz"), "24.00", 8), (("Balsam Fir", "14 oz"), "34.00", 0)]),
    ("WW-WOOD", "Crackling Wooden Wick Candle", "Candles > Wooden Wick Candles",
     "<p>A 10 oz coconut-soy candle with a <strong>wooden wick that crackles</strong> like a fireplace. "
     "About 50 hours burn time.</p>\\n<p>Trim the wooden wick to 1/8 inch before every burn.</p>",
     [("Scent", "Fireside, Tobacco & Oak, Citrus Grove")],
     [(("Fireside",), "32.00", 14), (("Tobacco & Oak",), "32.00", 7), (("Citrus Grove",), "32.00", 3)]),
    ("WW-TIN", "Travel Tin Candle 4 oz", "Candles > Travel Tins",
     "<p>Our best-selling scents in a 4 oz tin with a slip lid. About 20 hours burn time.</p>",
     [("Scent", "Lavender Fields, Vanilla Bean, Sea Salt & Orchid")],
     [(("Lavender Fields",), "12.00", 40), (("Vanilla Bean",), "12.00", 35), (("Sea Salt & Orchid",), "12.00", 0)]),
    ("WW-REED", "Reed Diffuser", "Home Fragrance > Reed Diffusers",
     "<p>Flame-free fragrance for any room: a glass bottle, eight natural rattan reeds and an alcohol-free "
     "oil blend.</p>\\n<ul>\\n<li>3.4 fl oz lasts about 8 weeks</li>\\n<li>6.8 fl oz lasts about 16 weeks</li>\\n"
     "<li>Flip the reeds once a week</li>\\n</ul>",
     [("Scent", "Cedar & Sage, Sea Salt & Orchid, White Tea"), ("Size", "3.4 fl oz, 6.8 fl oz")],
     [(("Cedar & Sage", "3.4 fl oz"), "28.00", 12), (("Cedar & Sage", "6.8 fl oz"), "42.00", 5),
      (("Sea Salt & Orchid", "3.4 fl oz"), "28.00", 9), (("Sea Salt & Orchid", "6.8 fl oz"), "42.00", 7),
      (("White Tea", "3.4 fl oz"), "28.00", 16), (("White Tea", "6.8 fl oz"), "42.00", 2)]),
    ("WW-SPRAY", "Room & Linen Spray", "Home Fragrance > Room Sprays",
     "<p>4 fl oz of fine mist for rooms, pillows and curtains. Water-based; test on delicate fabric first.</p>",
     [("Scent", "Lavender Fields, White Tea, Balsam Fir")],
     [(("Lavender Fields",), "16.00", 25), (("White Tea",), "16.00", 19), (("Balsam Fir",), "16.00", 10)]),
    ("WW-MELT", "Soy Wax Melts", "Home Fragrance > Wax Melts",
     "<p>Six clamshell cubes of soy wax for electric or tea-light warmers. Each cube scents a room for about 8 hours.</p>",
     [("Scent", "Vanilla Bean, Cedar & Sage, Fireside")],
     [(("Vanilla Bean",), "8.50", 30), (("Cedar & Sage",), "8.50", 21), (("Fireside",), "8.50", 17)]),
    ("WW-SOAP", "Cold Process Bar Soap", "Bath & Body > Bar Soap",
     "<p>A 5 oz bar made with olive and coconut oils and shea butter, cured for six weeks. Vegan except Goat Milk.</p>",
     [("Scent", "Oatmeal Honey, Lavender Fields, Charcoal & Mint, Goat Milk")],
     [(("Oatmeal Honey",), "9.00", 33), (("Lavender Fields",), "9.00", 28), (("Charcoal & Mint",), "9.00", 15),
      (("Goat Milk",), "9.00", 0)]),
    ("WW-SOAK", "Sea Salt Bath Soak", "Bath & Body > Bath Soaks",
     "<p>Dead Sea salt, Epsom salt and dried lavender buds in a resealable pouch.</p>",
     [("Size", "8 oz, 16 oz")], [(("8 oz",), "14.00", 20), (("16 oz",), "22.00", 12)]),
    ("WW-HANDWASH", "Botanical Hand Wash", "Bath & Body > Hand Wash",
     "<p>12 fl oz of aloe and glycerin hand wash in an amber pump bottle.</p>",
     [("Scent", "Lavender Fields, Sea Salt & Orchid")],
     [(("Lavender Fields",), "15.00", 24), (("Sea Salt & Orchid",), "15.00", 11)]),
    ("WW-TRIM", "Candle Wick Trimmer", "Accessories > Candle Care",
     "<p>Stainless steel trimmer with an angled head that reaches down into the jar.</p>",
     [("Finish", "Brushed Brass, Matte Black")], [(("Brushed Brass",), "14.00", 16), (("Matte Black",), "14.00", 23)]),
]
#: (sku, name, category, published, regular, sale, sale ends, stock, description)
_SIMPLE: list[tuple[str, str, str, str, str, str, str, int, str]] = [
    ("WW-HEARTH-3W", "Holiday Hearth Three-Wick Candle 21 oz", "Candles > Three-Wick Candles, Holiday", "1",
     "52.00", "39.00", "2026-12-26", 19,
     "<p>Balsam, clove and orange peel in a 21 oz three-wick bowl. About 60 hours burn time. "
     "Always burn until the whole top melts: about 3 hours the first time.</p>"),
    ("WW-REFILL", "Reed Diffuser Refill Oil 6.8 fl oz", "Home Fragrance > Reed Diffusers", "1", "24.00", "", "", 14,
     "<p>Refill oil for our reed diffusers, any scent in the reed diffuser range. Replace the reeds when you refill.</p>"),
    ("WW-BOMB6", "Fizzing Bath Bomb Set of 6", "Bath & Body > Bath Bombs", "1", "26.00", "", "", 9,
     "<p>Six 4 oz bath bombs: two each of Lavender Fields, Sea Salt & Orchid and Oatmeal Honey. Made without dyes.</p>"),
    ("WW-GIFT-COZY", "Cozy Night In Gift Set", "Gift Sets", "1", "68.00", "", "", 7,
     "<p>An 8 oz Vanilla Bean Signature Soy Jar Candle, an 8 oz Sea Salt Bath Soak, a Lavender Fields bar soap and "
     "a box of long safety matches, in our kraft gift box.</p>"),
    ("WW-GIFT-TRIO", "Mini Candle Trio Gift Box", "Gift Sets", "1", "32.00", "", "", 15,
     "<p>Three 4 oz travel tins (Lavender Fields, Vanilla Bean, Cedar & Sage) in a gift box.</p>"),
    ("WW-GIFT-SPA", "Spa Day Gift Set", "Gift Sets", "1", "54.00", "", "", 0,
     "<p>Bath bombs, a 16 oz Sea Salt Bath Soak and a Charcoal & Mint bar soap.</p>"),
    ("WW-SNUFF", "Brass Candle Snuffer", "Accessories > Candle Care", "1", "12.00", "", "", 26,
     "<p>Put the flame out without smoke or spattered wax.</p>"),
    ("WW-MATCH", "Long Safety Matches", "Accessories > Candle Care", "1", "5.00", "", "", 60,
     "<p>50 long matches (4 inch) in a glass jar with a striker strip.</p>"),
    ("WW-CAREKIT", "Candle Care Kit", "Accessories > Candle Care, Gift Sets", "1", "29.00", "", "", 8,
     "<p>A wick trimmer, a snuffer and a wick dipper in a linen pouch.</p>"),
    ("WW-PUMPKIN", "Pumpkin Chai Soy Candle", "Candles > Jar Candles", "-1", "24.00", "", "", 0,
     "<p>Coming next fall.</p>"),
    ("WW-SAMPLER", "Wholesale Sampler Box", "Wholesale", "0", "45.00", "", "", 30,
     "<p>For approved wholesale accounts only: twelve 4 oz tins of our core scents.</p>"),
]
_GIFT_CARD = [("$25", "25.00"), ("$50", "50.00"), ("$100", "100.00"), ("$150", "150.00")]


def willow() -> list[dict[str, str]]:
    """The export's rows: the merchant's own simple and variable products (each variable product
    followed by its variations, ``Parent`` its SKU), the e-gift card, then the catalog lines."""
    out: list[dict[str, str]] = []
    n = 2100
    for sku, name, category, description, attributes, variations in _VARIABLE:
        n += 1
        parent = n
        attrs: dict[str, str] = {}
        for i, (attribute, listed) in enumerate(attributes, start=1):
            attrs.update({f"Attribute {i} name": attribute, f"Attribute {i} value(s)": listed,
                          f"Attribute {i} visible": "1", f"Attribute {i} global": "1",
                          f"Attribute {i} default": listed.split(", ")[0]})
        out.append(_row(ID=str(parent), Type="variable", SKU=sku, Name=f"{name}", Published="1", **{
            "Is featured?": "1" if sku == "WW-SOY" else "0", "Short description": "", "Description": description,
            "In stock?": "1", "Stock": "", "Categories": category, "Tags": "willow & wick, " + category.split(" > ")[-1].lower(),
            "Shipping class": "candles" if category.startswith("Candles") else "", "Images": f"{_UPLOADS}{_handle(name)}.jpg",
            "Position": "0", "Brands": "Willow & Wick", "Weight (kg)": "", **attrs,
            "Meta: _yoast_wpseo_primary_product_cat": str(40 + n % 9)}))
        for position, (values, price, stock) in enumerate(variations, start=1):
            n += 1
            label = ", ".join(values)
            child = {f"Attribute {i} name": a for i, (a, _) in enumerate(attributes, start=1)}
            child.update({f"Attribute {i} value(s)": v for i, v in enumerate(values, start=1)})
            child.update({f"Attribute {i} global": "1" for i in range(1, len(values) + 1)})
            out.append(_row(ID=str(n), Type="variation", SKU=f"{sku}-{_handle(label).upper()}", Published="1",
                            Name=f"{name} - {label}", **{
                                "In stock?": "1" if stock else "0", "Stock": str(stock), "Tax class": "parent",
                                "Regular price": price, "Parent": sku, "Position": str(position),
                                "Weight (kg)": f"{(zlib.crc32(label.encode()) % 600 + 150) / 1000:.2f}",
                                "Images": f"{_UPLOADS}{_handle(name + ' ' + label)}.jpg",
                                "Allow customer reviews?": "0", "Meta: _wpcom_is_markdown": "", **child}))
    for sku, name, category, published, regular, sale, ends, stock, description in _SIMPLE:
        n += 1
        out.append(_row(ID=str(n), Type="simple", SKU=sku, Name=name, Published=published, **{
            "Description": description, "Date sale price ends": ends, "In stock?": "1" if stock else "0",
            "Stock": str(stock), "Sale price": sale, "Regular price": regular, "Categories": category,
            "Tags": "willow & wick", "Images": f"{_UPLOADS}{_handle(name)}.jpg", "Position": "0",
            "Brands": "Willow & Wick", "Weight (kg)": f"{(zlib.crc32(sku.encode()) % 900 + 100) / 1000:.2f}",
            "Meta: _yoast_wpseo_primary_product_cat": str(40 + n % 9)}))
    n += 1
    card = n
    out.append(_row(ID=str(card), Type="variable", SKU="WW-EGIFT", Name="Willow & Wick e-Gift Card",
                    Published="1", **{
                        "Description": "<p>Delivered by email within the hour, with your message. Never expires; "
                                       "use it online or at our Nashville shop.</p>",
                        "Tax status": "none", "In stock?": "1", "Categories": "Gift Cards", "Tags": "gift card",
                        "Images": f"{_UPLOADS}e-gift-card.jpg", "Position": "0", "Brands": "Willow & Wick",
                        "Attribute 1 name": "Amount", "Attribute 1 value(s)": ", ".join(a for a, _ in _GIFT_CARD),
                        "Attribute 1 visible": "1", "Attribute 1 global": "0", "Attribute 1 default": "$50"}))
    for position, (label, amount) in enumerate(_GIFT_CARD, start=1):
        n += 1
        out.append(_row(ID=str(n), Type="variation, virtual", SKU=f"WW-EGIFT-{amount[:-3]}", Published="1",
                        Name=f"Willow & Wick e-Gift Card - {label}", **{
                            "Tax status": "none", "In stock?": "1", "Stock": "", "Regular price": amount,
                            "Parent": f"id:{card}", "Position": str(position), "Attribute 1 name": "Amount",
                            "Attribute 1 value(s)": label, "Attribute 1 global": "0"}))
    for sku, name, brand, category, dollars, description in _myntra() + _amazon():
        n += 1
        stock = _stock(sku)
        out.append(_row(ID=str(n), Type="simple", SKU=sku, Name=name, Published="1", **{
            "Description": description, "In stock?": "1" if stock else "0", "Stock": str(stock),
            "Regular price": f"{dollars:.2f}", "Categories": category, "Tags": category.split(" > ")[0].lower(),
            "Images": f"{_UPLOADS}{_handle(name)}.jpg", "Position": "0", "Brands": brand,
            "Weight (kg)": f"{(zlib.crc32(sku.encode()) % 400 + 100) / 1000:.2f}",
            "Meta: _yoast_wpseo_primary_product_cat": str(40 + n % 9)}))
    return out


def build_willow(out: Path) -> Path:
    return merchant_folder(out, "willow", WILLOW_EXPORT, WOO_COLUMNS, willow())
