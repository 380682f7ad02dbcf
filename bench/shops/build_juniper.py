"""juniper: a US backyard, sports and garage shop's Shopify export (held out, written blind).

Written from product lines no other benchmark shop sells: Amazon's backyard, pool, kite and
playground rows (``Toys & Games > Sports & Outdoor Play`` and ride-ons that emporium's first sixty
toys leave out, a pool vacuum head, a Dremel point, a screw assortment, RC truck parts) and
Flipkart's sports-and-fitness, automotive, tools and nutrition departments (roller skates, cricket
pads and gloves, golf balls by monogram, a golf umbrella, car care, BNC connectors, mass gainers),
priced in US dollars. The merchant's own lines: a duck-canvas work jacket in Colour x Size with one
combination sold out, a camp chair on sale through ``Variant Compare At Price``, a cedar garden bed
by Size, a cordless leaf blower, detailing towels, a gift card in denominations, a draft and an
archived product. The folder has no shop.yaml: Shopify's export under the name Shopify gives it,
the shared retailer's FAQ file as downloaded, the help pages as the Shopify (Dawn) theme publishes
them. See :mod:`bench.shops.build`.
"""

from __future__ import annotations

import csv
import html
import re
import zlib
from pathlib import Path

from supportbot.knowledge.parsing import parse_specs

from .build import DATA, SHOPIFY_COLUMNS, _emporium, _handle, _stock, merchant_folder

__all__ = ["JUNIPER_COLUMNS", "JUNIPER_EXPORT", "build_juniper", "juniper"]

#: Shopify's columns as a US store exports them: the primary market is the United States.
JUNIPER_COLUMNS = ["Included / United States" if c == "Included / United Kingdom" else c for c in SHOPIFY_COLUMNS]
JUNIPER_EXPORT = "products_export_1.csv"
_CDN = "https://cdn.shopify.com/s/files/1/0655/1180/3342/products/"

_CATEGORY = {
    "Pool & Water": "Sporting Goods > Outdoor Recreation > Boating & Water Sports > Swimming > Pool Floats & Loungers",
    "Kites": "Toys & Games > Outdoor Play Equipment > Kites",
    "Playground": "Toys & Games > Outdoor Play Equipment > Play Swings & Swing Sets",
    "Backyard Play": "Toys & Games > Outdoor Play Equipment",
    "Ride-Ons": "Toys & Games > Riding Toys",
    "Pool Care": "Home & Garden > Pool & Spa > Pool & Spa Accessories > Pool Cleaners",
    "Tools": "Hardware > Tools",
    "Hardware": "Hardware > Hardware Accessories > Fasteners",
    "RC Parts": "Toys & Games > Toys > Remote Control Toys > Remote Control Toy Parts",
    "Skating": "Sporting Goods > Outdoor Recreation > Inline & Roller Skating > Roller Skates",
    "Cricket": "Sporting Goods > Athletics > Cricket",
    "Golf": "Sporting Goods > Outdoor Recreation > Golf",
    "Car Care": "Vehicles & Parts > Vehicle Maintenance, Care & Decor > Vehicle Cleaning",
    "Car Accessories": "Vehicles & Parts > Vehicle Parts & Accessories > Vehicle Interior Accessories",
    "Electrical": "Hardware > Power & Electrical Supplies > Electrical Wires & Cable",
    "Nutrition": "Health & Beauty > Health Care > Fitness & Nutrition > Nutrition Powders",
    "Outerwear": "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets",
    "Camp Furniture": "Sporting Goods > Outdoor Recreation > Camping & Hiking > Camp Furniture",
    "Garden": "Home & Garden > Lawn & Garden > Gardening > Raised Garden Beds",
    "Outdoor Power": "Home & Garden > Lawn & Garden > Outdoor Power Equipment > Leaf Blowers",
    "Gift Card": "Arts & Entertainment > Party & Celebration > Gift Giving > Gift Cards & Certificates",
}
# Amazon rows by their category path or name -> the shop's product type; first match wins.
_AMAZON_TYPES = [
    (r"Pool Vacuum", "Pool Care"), (r"Sandbox", "Backyard Play"), (r"Pools & Water Toys|Pool", "Pool & Water"), (r"Kites", "Kites"),
    (r"Play Sets & Playground|Swing|Teeter", "Playground"),
    (r"Tricycles, Scooters & Wagons", "Ride-Ons"), (r"Power & Hand Tools", "Tools"), (r"Fasteners", "Hardware"),
    (r"Remote & App Controlled", "RC Parts"),
    (r"Sports & Outdoor Play", "Backyard Play"),
]
_AMAZON_SKIP = re.compile(r"Sofia|Toy Story|Hello Kitty|Nerf|X-Shot|Despicable|Super Soaker|SUPERSOAKER|Kinetic Sand|"
                          r"Lakers|Sleeping Bag|Yo-Yo|Dollhouse|Sunny Patch|Butterfly Net|Shape It|SOCCER BALL INFLATE|"
                          r"Rhode island|Crawl N Play|Deluxe 1.75", re.I)
#: Vendors of more than one word at the start of an Amazon title (the sample leaves Brand Name blank).
_VENDORS = ("In the Breeze", "Gym Dandy", "Backyard Discovery", "Hey! Play!", "Gorilla Playsets", "Little Tikes",
            "Swing Set Stuff", "Creative Playthings", "Hot Racing", "Performance Tool", "Pacific Play Tents",
            "Redcat Racing", "Franklin Sports", "Badger Basket", "HQ", "Swing-N-Slide")
#: Amazon titles that the first-comma cut leaves odd, as the merchant typed them.
_TITLES = {"HQ Flowtail Delta 600 XL- 79 Inch Single": "HQ Flowtail Delta 600 XL Sport Kite",
           "Badger Basket Bamboo Beach Sandbox with Liner & Cover Sandbox with Cover & Liner":
               "Badger Basket Bamboo Beach Sandbox with Liner & Cover",
           "Gorilla Playsets 01-0004-TS-2 Frontier Wooden Swing Set with Sunbrella Canvas Ca":
               "Gorilla Playsets Frontier Wooden Swing Set with Sunbrella Canopy",
           "Gorilla Playsets 01-3036-G Malibu Playhouse Wooden Playhouse for Kids": "Gorilla Playsets Malibu Wooden Playhouse",
           "Swing-N-Slide PB 8331 Playful Palace Swing Set with Slide": "Swing-N-Slide Playful Palace Swing Set with Slide",
           "Gym Dandy Teeter-Totter Home Seesaw Playground Set TT-210": "Gym Dandy Teeter-Totter Seesaw TT-210",
           "Swing Set Stuff Children's Steering Wheel with SSS Logo Sticker": "Swing Set Stuff Children's Steering Wheel"}
_FREIGHT = 100.0  # playground sets over this price ship by freight
_FLIPKART_TYPES = {"Skating": "Skating", "Cricket": "Cricket", "Golf": "Golf",
                   "Car & Bike Care": "Car Care", "Car Interior & Exterior": "Car Accessories",
                   "Car & Bike Styling": "Car Accessories", "Hardware & Electricals": "Electrical",
                   "Protein Supplements": "Nutrition"}
# Flipkart names that are one product's variants: (pattern, the shop's title, option name, value group).
_FLIPKART_VARIANTS = [
    (r'ezyPRNT "(\w+)" Golf Ball', "ezyPRNT Monogrammed Golf Ball", "Monogram"),
    (r"HRS ULTIMATE (BOY|MEN) Chest Pads", "HRS Ultimate Chest Pads", "Size"),
]


def _usd(inr: float) -> float:
    """Flipkart's rupees as a US shop's dollars (about 60 to the dollar), priced to end in .99."""
    return max(round(inr / 60) - 0.01, 4.99)


def _amazon_name(raw: str) -> str:
    """Amazon's long listing title as a shop's product title: up to its first comma, " - " or " (".
    """
    name = " ".join(raw.replace("\u2013", "-").replace("\u201d", '"').split()).strip('" ')
    short = re.split(r",\s|\s-\s|\s\(|\s\|\s", name)[0]
    return short[:80].strip()


def _amazon() -> list[tuple[str, str, str, str, float, str]]:
    """(sku, title, vendor, type, price, HTML body) of the Amazon rows the shop sells."""
    with (DATA / "catalog-amazon/amazon_products_sample_1000.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    emporium = {r["name"] for r in _emporium()}
    out, seen = [], set()
    for r in rows:
        tree = [t.strip() for t in r["Category"].split("|") if t.strip()]
        raw = " ".join(r["Product Name"].split())
        where = " ".join(tree[:3]) + " " + raw
        if len(tree) < 2 or raw in emporium or _AMAZON_SKIP.search(raw):
            continue
        wanted = (tree[0] == "Toys & Games" and tree[1] in ("Sports & Outdoor Play", "Tricycles, Scooters & Wagons")) \
            or tree[0] in ("Patio, Lawn & Garden", "Industrial & Scientific", "Hobbies",
                           "Remote & App Controlled Vehicle Parts", "Remote & App Controlled Vehicles & Parts") \
            or (tree[0] == "Tools & Home Improvement" and "Power & Hand Tools" in tree[1])
        price = r["Selling Price"].strip()
        if not wanted or not re.fullmatch(r"\$[\d,]+\.\d\d", price):
            continue
        kind = next((k for p, k in _AMAZON_TYPES if re.search(p, where)), None)
        title = _amazon_name(raw)
        title = _TITLES.get(title, title)
        if kind is None or title.lower() in seen or "Melissa & Doug" in title:
            continue
        seen.add(title.lower())
        about = [a.strip() for a in r["About Product"].split("|")
                 if a.strip() and not a.strip().startswith(("Make sure this fits", "Go to your orders"))][:4]
        body = "<ul>" + "".join(f"<li>{html.escape(a, quote=False)}</li>" for a in about) + "</ul>" if about else ""
        vendor = r["Brand Name"].strip() or next((v for v in _VENDORS if title.startswith(v + " ")), title.split()[0])
        if kind == "Playground" and float(price.lstrip("$").replace(",", "")) > _FREIGHT:
            body += "<p><strong>Oversized item:</strong> ships by freight, curbside delivery.</p>"
        out.append(("JY-" + r["Uniq Id"][:8].upper(), title, vendor, kind, float(price.lstrip("$").replace(",", "")), body))
    return out


def _flipkart() -> dict[str, dict[str, object]]:
    """Flipkart's sports, automotive, tools and nutrition rows grouped into products by title:
    {handle: {title, vendor, type, option, values: {value: (sku, price)}, body}}."""
    with (DATA / "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv").open(encoding="utf-8-sig") as source:
        rows = list(csv.DictReader(source))
    out: dict[str, dict[str, object]] = {}
    for r in rows:
        tree = [p.strip() for p in r["product_category_tree"].strip('[]"').split(">>")]
        if tree[0] not in ("Sports & Fitness", "Automotive", "Tools & Hardware", "Food & Nutrition") or len(tree) < 3:
            continue
        kind = _FLIPKART_TYPES.get(tree[2])
        if kind is None or not r["discounted_price"].strip():
            continue
        name = " ".join(r["product_name"].split())
        name = re.sub(r"\s*-\s+Size:.*$|\s+Size \d.*$|\s+-\s+Size [\d.]+ UK$", "", name).strip()
        try:
            specs = parse_specs(r["product_specifications"])
        except ValueError:
            specs = {}
        title, option, value = name, "", ""
        for pattern, shop_title, shop_option in _FLIPKART_VARIANTS:
            found = re.search(pattern, name)
            if found:
                title, option = shop_title, shop_option
                value = {"BOY": "Youth", "MEN": "Adult"}.get(found.group(1), found.group(1))
        title = re.sub(r"\bULTIMATE\b", "Ultimate", re.sub(r"\bCLUB BOY\b", "Club Youth", re.sub(r"\bULTIMATE BOY\b", "Ultimate Youth", title)))
        title = {"reckonon red heart 011 Umbrella": "reckonon Red Heart Golf Umbrella",
                 "Proence Weight Gainers, Mass Gainers": "Proence Mass Gainer Unflavored",
                 "Stamin Mass Gainers": "Stamin Mass Gainer Strawberry 2 kg"}.get(title, title)
        title = re.sub(r"(Skates Combo) \(skates.*$", r"\1", title)
        vendor = r["brand"].strip() or title.split()[0]
        handle = _handle(title)
        keep = [(k, v) for k, v in specs.items() if k in ("Material", "Face Material", "Inner Material", "Quantity",
                                                         "Flavor", "Size", "Diameter", "Weight", "Type", "Used For",
                                                         "Playing Level", "Age Group", "Color", "Suitable For",
                                                         "Vehicle Model Name", "Placement Position")]
        text = " ".join(r["description"].split())
        # Flipkart's listing boilerplate (rupee prices, "Buy online @ Flipkart.com", COD) is no US shop's copy.
        text = re.sub(r"[^.,]*(?:Rs\.?\s?[\d,]+|Flipkart|Cash on Delivery|Free Shipping|Genuine Products)[^.,]*[.,]?", " ", text)
        text = " ".join(text.split())[:360]
        body = (f"<p>{html.escape(text, quote=False)}</p>" if text else "") + (
            "<ul>" + "".join(f"<li><strong>{html.escape(k)}:</strong> {html.escape(v)}</li>" for k, v in keep) + "</ul>"
            if keep else "")
        product = out.setdefault(handle, {"title": title, "vendor": vendor, "type": kind, "option": option,
                                          "values": {}, "body": body})
        values = product["values"]
        assert isinstance(values, dict)
        if value not in values:
            values[value] = ("JY-" + r["pid"][-8:], _usd(float(r["discounted_price"])))
    return out


def _row(blank: dict[str, str], **fields: str) -> dict[str, str]:
    base = {"Variant Inventory Tracker": "shopify", "Variant Inventory Policy": "deny",
            "Variant Fulfillment Service": "manual", "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE",
            "Variant Weight Unit": "lb"}
    return {**blank, **base, **fields}


def _product(blank: dict[str, str], handle: str, title: str, vendor: str, kind: str, body: str, tags: str,
             option: str, variants: list[tuple[str, str, float, int, float | None]]) -> list[dict[str, str]]:
    """One product's rows: the first with the product's fields, one per variant (value, sku, price,
    stock, compare-at), and an image-only row."""
    rows = []
    for n, (value, sku, price, stock, compare) in enumerate(variants):
        line = _row(blank, Handle=handle, **{
            "Option1 Value": value or "Default Title", "Variant SKU": sku,
            "Variant Grams": str(150 + zlib.crc32(sku.encode()) % 4000), "Variant Inventory Qty": str(stock),
            "Variant Price": f"{price:.2f}", "Variant Compare At Price": f"{compare:.2f}" if compare else "",
            "Variant Image": f"{_CDN}{sku.lower()}.jpg" if value else ""})
        if n == 0:
            line.update({"Title": title, "Body (HTML)": body, "Vendor": vendor, "Product Category": _CATEGORY[kind],
                         "Type": kind, "Tags": tags, "Published": "TRUE", "Option1 Name": option or "Title",
                         "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1", "Image Alt Text": title,
                         "Gift Card": "FALSE", "SEO Title": f"{title} | Juniper Yard & Garage",
                         "Google Shopping / Condition": "new", "Google Shopping / Custom Product": "FALSE",
                         "Included / United States": "TRUE", "Included / International": "TRUE", "Status": "active"})
        rows.append(line)
    rows.append({**blank, "Handle": handle, "Image Src": f"{_CDN}{handle}-2.jpg", "Image Position": "2"})
    return rows


def juniper() -> list[dict[str, str]]:
    """The Shopify product CSV export: the product's fields on its first row only, one row per variant,
    an image-only row per product, the merchant's own lines, a gift card, a draft and an archived product."""
    blank = dict.fromkeys(JUNIPER_COLUMNS, "")
    out: list[dict[str, str]] = []
    for sku, title, vendor, kind, price, body in _amazon():
        handle = _handle(title)
        on_sale = zlib.crc32(handle.encode()) % 6 == 0
        freight = kind == "Playground" and price > _FREIGHT
        tags = ", ".join(t for t in (kind.lower(), "backyard", "sale" if on_sale else "", "oversized" if freight else "")
                         if t)
        compare = round(price * 1.25, 2) if on_sale else None
        out += _product(blank, handle, title, vendor, kind, body, tags, "", [("", sku, price, _stock(sku), compare)])
    for handle, p in _flipkart().items():
        values = p["values"]
        assert isinstance(values, dict)
        kind = str(p["type"])
        variants: list[tuple[str, str, float, int, float | None]] = [
            (str(v), str(sku), float(price), _stock(str(sku)), None) for v, (sku, price) in values.items()]
        tags = ", ".join((kind.lower(), "sports" if kind in ("Skating", "Cricket", "Golf") else
                          "fitness" if kind == "Nutrition" else "garage"))
        out += _product(blank, handle, str(p["title"]), str(p["vendor"]), kind, str(p["body"]), tags,
                        str(p["option"]), variants)
    return out + _own(blank)


def _own(blank: dict[str, str]) -> list[dict[str, str]]:
    """The merchant's own lines, the gift card, a draft and an archived product."""
    rows: list[dict[str, str]] = []
    first = {"Vendor": "Juniper Yard & Garage", "Published": "TRUE", "Gift Card": "FALSE", "Status": "active",
             "Google Shopping / Condition": "new", "Included / United States": "TRUE", "Included / International": "TRUE"}
    # A duck-canvas work jacket in Colour x Size, one combination sold out.
    handle = "juniper-duck-canvas-work-jacket"
    stock = {("Brown Duck", "S"): 6, ("Brown Duck", "M"): 14, ("Brown Duck", "L"): 11, ("Brown Duck", "XL"): 8,
             ("Moss", "S"): 4, ("Moss", "M"): 9, ("Moss", "L"): 0, ("Moss", "XL"): 5,
             ("Black", "S"): 7, ("Black", "M"): 12, ("Black", "L"): 10, ("Black", "XL"): 3}
    for n, ((colour, size), qty) in enumerate(stock.items()):
        sku = f"JY-JKT-{colour.split()[0][:3].upper()}-{size}"
        row = _row(blank, Handle=handle, **{"Option1 Value": colour, "Option2 Value": size, "Variant SKU": sku,
                   "Variant Grams": "1450", "Variant Inventory Qty": str(qty),
                   "Variant Price": "94.00" if size == "XL" else "89.00", "Variant Image": f"{_CDN}{sku.lower()}.jpg"})
        if n == 0:
            row.update(first, **{"Title": "Juniper Duck Canvas Work Jacket", "Option1 Name": "Colour",
                                 "Option2 Name": "Size", "Type": "Outerwear", "Product Category": _CATEGORY["Outerwear"],
                                 "Tags": "outerwear, workwear, juniper", "Google Shopping / Gender": "unisex",
                                 "Body (HTML)": ("<p>Our own chore-style work jacket in <strong>12 oz cotton duck "
                                                 "canvas</strong>, lined with quilted flannel for cold mornings in the "
                                                 "shop.</p><ul><li>Triple-stitched seams and a two-way brass "
                                                 "zipper</li><li>Four outside pockets and one inside phone pocket</li>"
                                                 "<li>Fits true to size; size up to layer over a hoodie</li>"
                                                 "<li>Machine wash cold, tumble dry low</li></ul>"),
                                 "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1",
                                 "Image Alt Text": "Juniper Duck Canvas Work Jacket"})
        rows.append(row)
    rows.append({**blank, "Handle": handle, "Image Src": f"{_CDN}{handle}-2.jpg", "Image Position": "2"})
    # A camp chair on sale through its compare-at price.
    handle = "juniper-packable-camp-chair"
    for n, (colour, qty) in enumerate((("Forest Green", 18), ("Slate Gray", 7), ("Sunset Orange", 0))):
        sku = f"JY-CHR-{colour.split()[0][:3].upper()}"
        row = _row(blank, Handle=handle, **{"Option1 Value": colour, "Variant SKU": sku, "Variant Grams": "2310",
                   "Variant Inventory Qty": str(qty), "Variant Price": "44.00", "Variant Compare At Price": "64.00",
                   "Variant Image": f"{_CDN}{sku.lower()}.jpg"})
        if n == 0:
            row.update(first, **{"Title": "Juniper Packable Camp Chair", "Option1 Name": "Colour",
                                 "Type": "Camp Furniture", "Product Category": _CATEGORY["Camp Furniture"],
                                 "Tags": "camp furniture, sale, juniper",
                                 "Body (HTML)": ("<p>Folds into its own carry bag. Powder-coated steel frame, "
                                                 "600D polyester seat.</p><ul><li>Holds up to 300 lb</li><li>Weighs "
                                                 "5.1 lb</li><li>Mesh cup holder and side pocket</li></ul>"),
                                 "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1"})
        rows.append(row)
    rows.append({**blank, "Handle": handle, "Image Src": f"{_CDN}{handle}-2.jpg", "Image Position": "2"})
    # A cedar raised garden bed by Size.
    handle = "juniper-cedar-raised-garden-bed"
    for n, (size, qty, price) in enumerate((("2 x 4 ft", 16, "79.00"), ("4 x 4 ft", 9, "119.00"),
                                            ("4 x 8 ft", 2, "189.00"))):
        sku = f"JY-BED-{size[0]}{size[4]}"
        row = _row(blank, Handle=handle, **{"Option1 Value": size, "Variant SKU": sku, "Variant Grams": "15400",
                   "Variant Inventory Qty": str(qty), "Variant Price": price})
        if n == 0:
            row.update(first, **{"Title": "Juniper Cedar Raised Garden Bed", "Option1 Name": "Size", "Type": "Garden",
                                 "Product Category": _CATEGORY["Garden"], "Tags": "garden, cedar, juniper",
                                 "Body (HTML)": ("<p>Western red cedar, naturally rot resistant, 11 in deep. "
                                                 "Tool-free slide-together corners; no stain or chemicals.</p>"),
                                 "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1"})
        rows.append(row)
    # A leaf blower and detailing towels without variants.
    rows.append(_row(blank, Handle="juniper-20v-cordless-leaf-blower", **first, **{
        "Title": "Juniper 20V Cordless Leaf Blower", "Type": "Outdoor Power", "Product Category": _CATEGORY["Outdoor Power"],
        "Tags": "outdoor power, juniper", "Option1 Name": "Title", "Option1 Value": "Default Title",
        "Variant SKU": "JY-BLW-20V", "Variant Grams": "2700", "Variant Inventory Qty": "14", "Variant Price": "129.00",
        "Body (HTML)": ("<p>Brushless motor, up to 390 CFM and 110 MPH. Includes one 20V 4.0 Ah battery and a "
                        "fast charger; about 25 minutes per charge.</p><p>3-year tool warranty, 1-year battery "
                        "warranty. Ships to US addresses only (lithium battery).</p>"),
        "Image Src": f"{_CDN}juniper-20v-cordless-leaf-blower-1.jpg", "Image Position": "1"}))
    rows.append(_row(blank, Handle="juniper-microfiber-detailing-towels-12-pack", **first, **{
        "Title": "Juniper Microfiber Detailing Towels (12-Pack)", "Type": "Car Care", "Product Category": _CATEGORY["Car Care"],
        "Tags": "car care, garage, juniper", "Option1 Name": "Title", "Option1 Value": "Default Title",
        "Variant SKU": "JY-TWL-12", "Variant Grams": "680", "Variant Inventory Qty": "41", "Variant Price": "19.99",
        "Body (HTML)": "<p>Twelve 16 x 16 in edgeless towels, 350 GSM. Safe on paint, glass and chrome.</p>",
        "Image Src": f"{_CDN}juniper-microfiber-detailing-towels-1.jpg", "Image Position": "1"}))
    # The gift card in denominations.
    for n, amount in enumerate(("25.00", "50.00", "100.00", "200.00")):
        row = {**blank, "Handle": "juniper-gift-card", "Option1 Value": f"${amount[:-3]}",
               "Variant SKU": f"JY-GIFT-{amount[:-3]}", "Variant Inventory Policy": "continue",
               "Variant Fulfillment Service": "manual", "Variant Price": amount, "Variant Requires Shipping": "FALSE",
               "Variant Taxable": "FALSE"}
        if n == 0:
            row.update({"Title": "Juniper Gift Card", "Vendor": "Juniper Yard & Garage", "Type": "Gift Card",
                        "Product Category": _CATEGORY["Gift Card"],
                        "Body (HTML)": ("<p>Delivered by email within minutes. Never expires. Redeem online or at "
                                        "our Boise store.</p>"),
                        "Tags": "gift card", "Published": "TRUE", "Option1 Name": "Denomination", "Gift Card": "TRUE",
                        "Image Src": f"{_CDN}gift-card.jpg", "Image Position": "1", "Status": "active"})
        rows.append(row)
    # A product not launched yet, and one the merchant archived.
    rows.append(_row(blank, Handle="juniper-heated-garage-floor-mat", **{
        "Title": "Juniper Heated Garage Floor Mat", "Vendor": "Juniper Yard & Garage", "Type": "Garage",
        "Product Category": "Vehicles & Parts > Vehicle Parts & Accessories",
        "Body (HTML)": "<p>Snow-melting 5 x 8 ft mat. Launching in January.</p>", "Published": "FALSE",
        "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": "JY-MAT-HEAT",
        "Variant Inventory Qty": "40", "Variant Price": "349.00", "Gift Card": "FALSE", "Status": "draft"}))
    rows.append(_row(blank, Handle="juniper-steel-kettle-grill", **{
        "Title": "Juniper 22 in Steel Kettle Grill", "Vendor": "Juniper Yard & Garage", "Type": "Grills",
        "Product Category": "Home & Garden > Kitchen & Dining > Outdoor Cooking > Barbecue Grills",
        "Body (HTML)": "<p>Charcoal kettle grill. Discontinued.</p>", "Published": "FALSE", "Option1 Name": "Title",
        "Option1 Value": "Default Title", "Variant SKU": "JY-GRL-22", "Variant Inventory Qty": "3",
        "Variant Price": "119.00", "Gift Card": "FALSE", "Status": "archived"}))
    return rows


def build_juniper(out: Path) -> Path:
    return merchant_folder(out, "juniper", JUNIPER_EXPORT, JUNIPER_COLUMNS, juniper())
