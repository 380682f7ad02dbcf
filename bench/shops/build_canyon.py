"""canyon: an Australian kitchen, home and beauty shop's Shopify export (held out, written blind).

Written from product lines no other benchmark shop sells: Myntra's beauty and fragrance brands
and its few glassware, tableware, bathroom and wall-clock brands, and Flipkart's home-furnishing
department (bath mats, pillows, curtains, bed linen), priced in Australian dollars; plus the
merchant's own kitchen lines (an enamelled cast-iron casserole in Colour x Size with one
combination sold out, an apron on sale), a gift card, a draft and an archived product.
The folder has no shop.yaml: Shopify's export under the name Shopify gives it, the shared
retailer's FAQ file as downloaded, the help pages as the Shopify theme publishes them.
"""

from __future__ import annotations

import csv
import html
import re
import zlib
from pathlib import Path

from supportbot.knowledge.parsing import parse_specs

from .build import DATA, FAQ, SHOPIFY_COLUMNS, _handle, merchant_folder, _myntra_details, _stock

__all__ = ["CANYON_COLUMNS", "CANYON_EXPORT", "build_canyon", "canyon"]

#: Shopify's columns as an Australian store exports them: the primary market is Australia.
CANYON_COLUMNS = ["Included / Australia" if c == "Included / United Kingdom" else c for c in SHOPIFY_COLUMNS]
CANYON_EXPORT = "products_export_1.csv"
_CDN = "https://cdn.shopify.com/s/files/1/0734/2291/6318/products/"

#: Myntra brands of beauty, fragrance and home goods (none in another shop) -> the shop's product type.
_BEAUTY = {"SHISEIDO": "Makeup", "Lakme": "Makeup", "INCOLOR": "Makeup", "Daily Life Forever52": "Makeup",
           "Elizabeth Arden": "Makeup", "Organic Harvest": "Skincare", "Plum": "Skincare",
           "Schwarzkopf PROFESSIONAL": "Hair Care", "Morpheme Remedies": "Bath & Body"}
_FRAGRANCE = ("Bvlgari", "Lacoste", "Michael Kors", "Chopard", "GUESS", "DAVID BECKHAM", "Police", "AIGNER", "DKNY")
_HOME = {"Bohemia Crystal": "Glassware", "Pure Home and Living": "Tableware", "VarEesha": "Tableware",
         "OBSESSIONS": "Bathroom", "Aapno Rajasthan": "Planters", "SEIKO": "Wall Clocks", "Turkish Bath": "Bathroom"}
_CATEGORY = {
    "Makeup": "Health & Beauty > Personal Care > Cosmetics > Makeup",
    "Skincare": "Health & Beauty > Personal Care > Cosmetics > Skin Care",
    "Hair Care": "Health & Beauty > Personal Care > Hair Care",
    "Bath & Body": "Health & Beauty > Personal Care > Cosmetics > Bath & Body",
    "Fragrance": "Health & Beauty > Personal Care > Cosmetics > Perfume & Cologne",
    "Glassware": "Home & Garden > Kitchen & Dining > Tableware > Drinkware",
    "Tableware": "Home & Garden > Kitchen & Dining > Tableware > Serveware",
    "Bathroom": "Home & Garden > Bathroom Accessories",
    "Planters": "Home & Garden > Lawn & Garden > Gardening > Pots & Planters",
    "Wall Clocks": "Home & Garden > Decor > Clocks > Wall Clocks",
    "Bath Mats": "Home & Garden > Linens & Bedding > Towels > Bath Mats",
    "Bedding": "Home & Garden > Linens & Bedding > Bedding",
    "Curtains": "Home & Garden > Decor > Window Treatments > Curtains & Drapes",
    "Cookware": "Home & Garden > Kitchen & Dining > Cookware & Bakeware > Cookware",
    "Kitchen Linen": "Home & Garden > Kitchen & Dining > Kitchen Linens",
    "Knives": "Home & Garden > Kitchen & Dining > Kitchen Tools & Utensils > Kitchen Knives",
    "Serving Boards": "Home & Garden > Kitchen & Dining > Tableware > Serveware > Serving Trays",
}
_FRAGRANCE_NAME = re.compile(r"eau de|\bed[pt]\b|parfum|perfume", re.I)
# Lines sold in shades: (brand, the line's words in a Myntra name, the shop's title). The rest of
# the name, less the size, is the shade: Shopify's Colour option.
_SHADE_LINES = [
    ("SHISEIDO", r"VisionAiry Gel Lipstick", "VisionAiry Gel Lipstick"),
    ("SHISEIDO", r"ModernMatte Powder Lipstick", "ModernMatte Powder Lipstick"),
    ("SHISEIDO", r"Lacquer ?Ink Lip ?Shine(?: Lipstick)?", "LacquerInk Lip Shine"),
    ("SHISEIDO", r"Inner ?Glow ?Cheek ?Powder", "InnerGlow Cheek Powder"),
    ("SHISEIDO", r"MicroLiner Ink(?: Eyeliner)?", "MicroLiner Ink Eyeliner"),
    ("SHISEIDO", r"Essentialist Eye Shadow Palette", "Essentialist Eye Shadow Palette"),
    ("Lakme", r"Absolute Matte Melt Liquid Lip Colou?r", "Absolute Matte Melt Liquid Lip Colour"),
    ("INCOLOR", r"Jewel Queen|Lipstick", "Jewel Queen Lipstick"),
    ("Daily Life Forever52", r"Super Stay Lip Gloss", "Super Stay Lip Gloss"),
]
_SIZE = re.compile(r"[\s,-]*(\d+(?:\.\d+)?)\s?(ml|g|gms?)\b\.?", re.I)
_GENDER = re.compile(r"^(?:Women|Men|Unisex|Man)\s+|(?<!For)\s+(?:Women|Men|Unisex)(?=\s)", re.I)
_SKIP = re.compile(r"lightening|whitening|intimate|kajal ?ink|inkartist|sale limited|statue|toilet brush|"
                   r"INCOLOR .*(?:eyeshadow|make up studio)", re.I)
_SKINCARE = re.compile(r"wash|cleansing|softener|mask\b|illuminator|cream|serum|definer", re.I)
_PER_GROUP = 8  # shades or sizes kept per product


def _aud(inr: float) -> float:
    """Indian rupees as an Australian shop's dollars: about 55 to the dollar, priced to end in .95."""
    return max(round(inr / 55) - 0.05, 4.95)


def _size(text: str) -> tuple[str, str]:
    """(name without its size, the size as "100 ml") of a Myntra name."""
    found = _SIZE.search(text)
    if not found:
        return text, ""
    unit = "ml" if found.group(2).lower() == "ml" else "g"
    rest = (text[:found.start()] + " " + text[found.end():]).strip(" ,-")
    return " ".join(rest.split()), f"{found.group(1)} {unit}"


def _myntra_groups() -> list[dict[str, object]]:
    """Myntra rows of the shop's brands grouped into products: a shade line's shades, or one
    product's sizes, each a variant with its own row's price (file order, first row's fields)."""
    with (DATA / "catalog-myntra/myntra_products_catalog.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    groups: dict[tuple[str, str], dict[str, object]] = {}
    for r in rows:
        brand, name = r["ProductBrand"].strip(), " ".join(r["ProductName"].split())
        if brand in _FRAGRANCE:
            if not _FRAGRANCE_NAME.search(name):
                continue
            kind = "Fragrance"
        elif brand in _BEAUTY:
            kind = _BEAUTY[brand]
        elif brand in _HOME:
            kind = _HOME[brand]
            if brand == "SEIKO" and "Wall Clock" not in name:
                continue
        else:
            continue
        if _SKIP.search(name):
            continue
        rest = re.sub(rf"^{re.escape(brand)}\s+|^Schwarzkopf\s+", "", name, flags=re.I)
        rest = " ".join(_GENDER.sub(" ", rest).split())
        line = next((t for b, p, t in _SHADE_LINES if b == brand and re.search(p, rest, re.I)), None)
        if line is not None:
            pattern = next(p for b, p, t in _SHADE_LINES if t == line)
            shade, _ = _size(re.sub(pattern, " ", rest, flags=re.I))
            shade = " ".join(shade.replace("-", " ").split()).strip(" ,")
            shade = re.sub(r"^(\D+?)\s+(\d{1,3})$", r"\2 \1", shade)  # "Scarlet Glare 307" -> "307 Scarlet Glare"
            if brand == "Daily Life Forever52":
                shade = r["PrimaryColor"].strip()
            option, value, title = "Colour", shade.title() if shade.islower() else shade, line
        else:
            title, size = _size(rest)
            option, value = ("Size", size) if size else ("", "")
            title = re.sub(r"\bLHomme\b", "L'Homme", title)
        title = title.replace("Eau De", "Eau de")
        if brand == "SHISEIDO" and _SKINCARE.search(title):
            kind = "Skincare"
        if len(title.split()) < 2:
            continue
        key = (brand, title.lower())
        group = groups.setdefault(key, {"brand": brand, "title": title, "kind": kind, "option": option,
                                        "values": {}, "gender": r["Gender"].strip()})
        values = group["values"]
        assert isinstance(values, dict)
        if value not in values and len(values) < _PER_GROUP:
            values[value] = r
    return list(groups.values())


def _flipkart_groups() -> list[dict[str, object]]:
    """Flipkart's home-furnishing rows (no other shop sells them) grouped by name: colours, or
    pack sizes where the colour is the same."""
    with (DATA / "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    kinds = {"Bath Linen": "Bath Mats", "Cushions, Pillows & Covers": "Bedding", "Bed Linen": "Bedding",
             "Curtains & Accessories": "Curtains"}
    groups: dict[str, dict[str, object]] = {}
    for r in rows:
        tree = [p.strip() for p in r["product_category_tree"].strip('[]"').split(">>")]
        if tree[0] != "Home Furnishing" or len(tree) < 2 or tree[1] not in kinds or "Tassels" in r["product_name"]:
            continue
        try:
            specs = parse_specs(r["product_specifications"])
        except ValueError:
            specs = {}
        name = " ".join(r["product_name"].split())
        brand = r["brand"].strip()
        title = name[len(brand):].strip() if name.lower().startswith(brand.lower() + " ") else name
        group = groups.setdefault(name.lower(), {"brand": brand, "title": title, "kind": kinds[tree[1]],
                                                 "rows": [], "specs": specs})
        rows_ = group["rows"]
        assert isinstance(rows_, list)
        rows_.append((r, specs))
    out = []
    for group in groups.values():
        rows_ = group["rows"]
        assert isinstance(rows_, list)
        colours = [s.get("Color", "") for _, s in rows_]
        packs = [s.get("Number of Contents in Sales Package", "") for _, s in rows_]
        values: dict[str, dict[str, str]] = {}
        if len(set(colours)) > 1:
            option = "Colour"
            for (r, s), colour in zip(rows_, colours):
                values.setdefault(colour, r)
        elif len(set(packs)) > 1:
            option = "Pack Size"
            for (r, s), pack in sorted(zip(rows_, packs), key=lambda x: int(x[1] or 0)):
                values.setdefault(f"Pack of {pack}", r)
        else:
            option = ""
            values[""] = rows_[0][0]
        group.update(option=option, values=values, gender="")
        out.append(group)
    return out


def _flipkart_body(r: dict[str, str], specs: dict[str, str]) -> str:
    keep = [(k, v) for k, v in specs.items() if k in ("Material", "Length", "Width", "Thread Count", "Size", "Type",
                                                     "Machine Washable", "Designed For")]
    return "<ul>" + "".join(f"<li><strong>{html.escape(k)}:</strong> {html.escape(v)}</li>" for k, v in keep) + "</ul>"


def canyon() -> list[dict[str, str]]:
    """The Shopify product CSV export: the product's fields on its first row only, one row per
    variant (Colour for shades, Size for bottle sizes), an extra image row per product, sale
    prices through Compare At Price, the merchant's own lines, a gift card, a draft, an archived product."""
    out: list[dict[str, str]] = []
    blank = dict.fromkeys(CANYON_COLUMNS, "")
    titles: set[str] = set()
    for group in [*_myntra_groups(), *_flipkart_groups()]:
        brand, title, kind, option = str(group["brand"]), str(group["title"]), str(group["kind"]), str(group["option"])
        values = group["values"]
        assert isinstance(values, dict)
        if option == "Size" and len(values) == 1:  # one size only: it stays in the title, no option
            title, option = f"{title} {next(iter(values))}", ""
        if title.lower() in titles:
            continue
        titles.add(title.lower())
        handle = _handle(f"{brand} {title}")
        first = next(iter(values.values()))
        inr = float(first.get("Price (INR)") or first.get("discounted_price") or 0)
        on_sale = zlib.crc32(handle.encode()) % 7 == 0 and _aud(inr * 1.25) > _aud(inr)
        gender = {"women": "female", "men": "male", "unisex": "unisex"}.get(str(group["gender"]).lower(), "")
        tags = ", ".join(t for t in (kind.lower(), brand.lower(), "sale" if on_sale else "",
                                     {"female": "for her", "male": "for him"}.get(gender, "")) if t)
        if "ProductID" in first:
            body = _myntra_details(first["Description"])
        else:
            body = _flipkart_body(first, group["specs"])  # type: ignore[arg-type]
        for n, (value, row) in enumerate(values.items()):
            inr = float(row.get("Price (INR)") or row.get("discounted_price") or 0)
            price = _aud(inr)
            compare = _aud(inr * 1.25)
            ident = row.get("ProductID") or row["pid"][-8:]
            sku = "CY-" + ident
            line = {**blank, "Handle": handle, "Variant SKU": sku, "Variant Grams": str(80 + zlib.crc32(sku.encode()) % 900),
                    "Variant Inventory Tracker": "shopify", "Variant Inventory Qty": str(_stock(sku)),
                    "Variant Inventory Policy": "deny", "Variant Fulfillment Service": "manual",
                    "Variant Price": f"{price:.2f}",
                    "Variant Compare At Price": f"{compare:.2f}" if on_sale else "",
                    "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE", "Variant Weight Unit": "kg",
                    "Variant Barcode": "", "Variant Image": f"{_CDN}{sku.lower()}.jpg" if value else ""}
            if option and value:
                line["Option1 Value"] = value
                if n == 0:
                    line["Option1 Name"] = option
            else:
                line["Option1 Value"] = "Default Title"
                if n == 0:
                    line["Option1 Name"] = "Title"
            if n == 0:
                line.update({"Title": title, "Body (HTML)": body, "Vendor": brand, "Product Category": _CATEGORY[kind],
                             "Type": kind, "Tags": tags, "Published": "TRUE", "Image Src": f"{_CDN}{handle}-1.jpg",
                             "Image Position": "1", "Image Alt Text": title, "Gift Card": "FALSE",
                             "SEO Title": f"{title} | Canyon Home", "Google Shopping / Gender": gender,
                             "Google Shopping / Condition": "new", "Google Shopping / Custom Product": "FALSE",
                             "Included / Australia": "TRUE", "Included / International": "TRUE", "Status": "active"})
            out.append(line)
        out.append({**blank, "Handle": handle, "Image Src": f"{_CDN}{handle}-2.jpg", "Image Position": "2"})
    return out + _canyon_own(blank)


def _product_row(blank: dict[str, str], **fields: str) -> dict[str, str]:
    base = {"Variant Inventory Tracker": "shopify", "Variant Inventory Policy": "deny",
            "Variant Fulfillment Service": "manual", "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE",
            "Variant Weight Unit": "kg"}
    return {**blank, **base, **fields}


def _canyon_own(blank: dict[str, str]) -> list[dict[str, str]]:
    """The merchant's own kitchen lines, the gift card, a draft and an archived product."""
    rows: list[dict[str, str]] = []
    first = {"Vendor": "Canyon Kitchen", "Published": "TRUE", "Gift Card": "FALSE", "Status": "active",
             "Google Shopping / Condition": "new", "Included / Australia": "TRUE", "Included / International": "TRUE"}
    # An enamelled cast-iron casserole in Colour x Size, one combination sold out.
    handle = "canyon-enamelled-cast-iron-casserole"
    combos = [("Sage", "24 cm / 3.8 L", 14, "189.00"), ("Sage", "28 cm / 6.7 L", 6, "239.00"),
              ("Charcoal", "24 cm / 3.8 L", 9, "189.00"), ("Charcoal", "28 cm / 6.7 L", 4, "239.00"),
              ("Terracotta", "24 cm / 3.8 L", 11, "189.00"), ("Terracotta", "28 cm / 6.7 L", 0, "239.00")]
    for n, (colour, size, qty, price) in enumerate(combos):
        sku = f"CK-CAS-{colour[:3].upper()}-{size[:2]}"
        row = _product_row(blank, Handle=handle, **{"Option1 Value": colour, "Option2 Value": size, "Variant SKU": sku,
                           "Variant Grams": "5200" if size.startswith("24") else "6900",
                           "Variant Inventory Qty": str(qty), "Variant Price": price,
                           "Variant Image": f"{_CDN}{sku.lower()}.jpg"})
        if n == 0:
            row.update(first, **{"Title": "Canyon Enamelled Cast Iron Casserole", "Option1 Name": "Colour",
                                 "Option2 Name": "Size", "Type": "Cookware", "Product Category": _CATEGORY["Cookware"],
                                 "Tags": "cookware, cast iron, canyon kitchen",
                                 "Body (HTML)": ("<p>Our own round casserole in enamelled cast iron, made for slow "
                                                 "braises and sourdough.</p><ul><li>Suits gas, electric, ceramic and "
                                                 "induction cooktops</li><li>Oven safe to 250&deg;C (lid knob "
                                                 "included)</li><li>Lifetime warranty against manufacturing "
                                                 "defects</li><li>Hand wash recommended</li></ul>"),
                                 "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1",
                                 "Image Alt Text": "Canyon Enamelled Cast Iron Casserole"})
        rows.append(row)
    rows.append({**blank, "Handle": handle, "Image Src": f"{_CDN}{handle}-2.jpg", "Image Position": "2"})
    # A linen apron in four colours, on sale through its compare-at price.
    handle = "canyon-stonewashed-linen-apron"
    for n, (colour, qty) in enumerate((("Natural", 23), ("Olive", 8), ("Rust", 0), ("Navy", 15))):
        sku = f"CK-APR-{colour[:3].upper()}"
        row = _product_row(blank, Handle=handle, **{"Option1 Value": colour, "Variant SKU": sku, "Variant Grams": "320",
                           "Variant Inventory Qty": str(qty), "Variant Price": "34.95",
                           "Variant Compare At Price": "49.95", "Variant Image": f"{_CDN}{sku.lower()}.jpg"})
        if n == 0:
            row.update(first, **{"Title": "Stonewashed Linen Apron", "Option1 Name": "Colour", "Type": "Kitchen Linen",
                                 "Product Category": _CATEGORY["Kitchen Linen"], "Tags": "kitchen linen, sale, canyon kitchen",
                                 "Body (HTML)": ("<p>100% European flax linen, stonewashed soft. Adjustable neck strap, "
                                                 "two front pockets, one size fits most.</p><p>Machine wash cold.</p>"),
                                 "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1"})
        rows.append(row)
    # A chef's knife without variants, and a spotted gum serving board in two sizes.
    rows.append(_product_row(blank, Handle="canyon-20cm-chefs-knife", **first, **{
        "Title": "Canyon 20 cm Chef's Knife", "Type": "Knives", "Product Category": _CATEGORY["Knives"],
        "Tags": "knives, canyon kitchen", "Option1 Name": "Title", "Option1 Value": "Default Title",
        "Variant SKU": "CK-KNF-20", "Variant Grams": "240", "Variant Inventory Qty": "17", "Variant Price": "129.00",
        "Body (HTML)": ("<p>Forged from German X50CrMoV15 stainless steel, 58 HRC, with a pakkawood handle. "
                        "10-year warranty.</p><p>Hand wash and dry straight away; not dishwasher safe.</p>"),
        "Image Src": f"{_CDN}canyon-20cm-chefs-knife-1.jpg", "Image Position": "1"}))
    handle = "spotted-gum-serving-board"
    for n, (size, qty, price) in enumerate((("Small 35 x 20 cm", 12, "59.00"), ("Large 50 x 28 cm", 3, "89.00"))):
        row = _product_row(blank, Handle=handle, **{"Option1 Value": size, "Variant SKU": f"CK-BRD-{size[0]}",
                           "Variant Grams": "1100", "Variant Inventory Qty": str(qty), "Variant Price": price})
        if n == 0:
            row.update(first, **{"Title": "Spotted Gum Serving Board", "Option1 Name": "Size", "Type": "Serving Boards",
                                 "Product Category": _CATEGORY["Serving Boards"], "Tags": "serving boards, australian made",
                                 "Body (HTML)": ("<p>Made in Castlemaine, Victoria from Australian spotted gum, "
                                                 "finished with food-safe oil.</p>"),
                                 "Image Src": f"{_CDN}{handle}-1.jpg", "Image Position": "1"})
        rows.append(row)
    # The gift card in denominations.
    for n, amount in enumerate(("25.00", "50.00", "100.00", "200.00")):
        row = {**blank, "Handle": "canyon-gift-card", "Option1 Value": f"${amount[:-3]}",
               "Variant SKU": f"CY-GIFT-{amount[:-3]}", "Variant Inventory Policy": "continue",
               "Variant Fulfillment Service": "manual", "Variant Price": amount, "Variant Requires Shipping": "FALSE",
               "Variant Taxable": "FALSE"}
        if n == 0:
            row.update({"Title": "Canyon Digital Gift Card", "Vendor": "Canyon Home", "Type": "Gift Card",
                        "Product Category": "Arts & Entertainment > Party & Celebration > Gift Giving > Gift Cards & Certificates",
                        "Body (HTML)": ("<p>Emailed instantly. Valid for 3 years from purchase. Redeem online or at "
                                        "click &amp; collect.</p>"),
                        "Tags": "gift card", "Published": "TRUE", "Option1 Name": "Denomination", "Gift Card": "TRUE",
                        "Image Src": f"{_CDN}gift-card.jpg", "Image Position": "1", "Status": "active"})
        rows.append(row)
    # A product not launched yet, and one the merchant archived.
    rows.append(_product_row(blank, Handle="christmas-pudding-basin-set", **{
        "Title": "Christmas Pudding Basin Set", "Vendor": "Canyon Kitchen", "Type": "Cookware",
        "Product Category": _CATEGORY["Cookware"], "Body (HTML)": "<p>Two ceramic pudding basins with lids. Due early December.</p>",
        "Published": "FALSE", "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": "CK-PUD-2",
        "Variant Inventory Qty": "60", "Variant Price": "44.95", "Gift Card": "FALSE", "Status": "draft"}))
    rows.append(_product_row(blank, Handle="bamboo-dish-drying-rack", **{
        "Title": "Bamboo Dish Drying Rack", "Vendor": "Canyon Kitchen", "Type": "Kitchen Storage",
        "Product Category": "Home & Garden > Kitchen & Dining > Kitchen Tools & Utensils > Dish Racks & Drain Boards",
        "Body (HTML)": "<p>Two-tier bamboo rack. Discontinued.</p>", "Published": "FALSE", "Option1 Name": "Title",
        "Option1 Value": "Default Title", "Variant SKU": "CK-RACK-BB", "Variant Inventory Qty": "5",
        "Variant Price": "39.95", "Gift Card": "FALSE", "Status": "archived"}))
    return rows


def build_canyon(out: Path) -> Path:
    return merchant_folder(out, "canyon", CANYON_EXPORT, CANYON_COLUMNS, canyon())
