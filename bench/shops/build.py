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


def _emporium() -> list[dict[str, str]]:
    """A Magento 2 catalog export: simple products, and configurable parents with size children."""
    rows = csv.DictReader((DATA / "catalog-amazon/amazon_products_sample_1000.csv").open(encoding="utf-8-sig"))
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
        base = {"store_view_code": "", "attribute_set_code": "Default", "product_websites": "base",
                "categories": "Default Category/" + "/".join(tree[:3]), "name": name, "description": description,
                "short_description": "", "product_online": "1", "price": price.lstrip("$").replace(",", ""),
                "url_key": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60], "has_options": "0",
                "required_options": "0", "configurable_variations": "", "configurable_variation_labels": ""}
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
SHOPIFY_COLUMNS = [
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


SHOPS = {"outfitters": _outfitters, "bazaar": _bazaar, "emporium": _emporium, "fernhill": _fernhill}


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
    """The folder as the merchant has it, with no shop.yaml: Shopify's export under the name
    Shopify gives it, the retailer's FAQ file as downloaded, the published help pages."""
    with (out / "products_export_1.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SHOPIFY_COLUMNS)
        writer.writeheader()
        writer.writerows(_fernhill())
    shutil.copyfile(DATA / FAQ, out / Path(FAQ).name)
    shutil.copytree(HERE / "fernhill" / "pages", out / "pages", dirs_exist_ok=True)
    return out


def _main() -> None:
    import sys

    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m bench.shops NAME OUT_DIR")
    print(build_shop(sys.argv[1], Path(sys.argv[2])))


if __name__ == "__main__":
    _main()
