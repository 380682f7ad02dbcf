"""quarry: a US shoe, bag and accessories shop's Magento 2 export (held out, written blind).

Written from Myntra lines that no other benchmark shop sells: women's flats, heels and sandals
(Inc 5, GNIST), slip-on sneakers (FAUSTO), men's leather dress shoes (Red Tape), sling bags,
handbags and laptop bags (KLEIO, Lapis O Lupo, MBOSS), wallets and clutches (E2O, CALFNERO),
belts (BuckleUp) and sunglasses (Z-ZOOM), priced in US dollars. Rows that differ only by their
colour phrase become one configurable parent (qty 0) whose Color children (and Size children:
US whole sizes for shoes) hold the stock. The merchant's own lines: a Chelsea boot in Color x Size
with one child sold out, a weekender duffle by Color with one colour sold out, a shoe-care kit, a
disabled rain boot and a Spanish (``es_us``) store-view row. See :mod:`bench.shops.build`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .build import DATA, MAGENTO_BASE, MAGENTO_COLUMNS, _handle, magento_product, merchant_folder, _myntra_details

__all__ = ["QUARRY_EXPORT", "build_quarry", "quarry"]

QUARRY_EXPORT = "export_catalog_product_20261203_091532.csv"
_WOMEN_SIZES = ("6", "7", "8", "9", "10")
_MEN_SIZES = ("8", "9", "10", "11", "12")

#: (brand, name pattern, category under Default Category ({gender}: Women/Men), sized shoes?)
_QUARRY_LINES: list[tuple[str, str, str, bool]] = [
    ("Inc 5", r"\bheels\b|peep toes|wedges", "Women/Shoes/Heels & Wedges", True),
    ("Inc 5", r"\bflats\b|\bsandals\b", "Women/Shoes/Flats & Sandals", True),
    ("GNIST", r"\bheels\b|wedges", "Women/Shoes/Heels & Wedges", True),
    ("GNIST", r"\bflats\b|\bsandals\b", "Women/Shoes/Flats & Sandals", True),
    ("FAUSTO", r"sneakers", "{gender}/Shoes/Sneakers", True),
    ("Red Tape", r"derbys|loafers|oxfords|brogues|boots|slip-ons", "Men/Shoes/Dress Shoes & Boots", True),
    ("KLEIO", r"sling bag", "Bags/Crossbody & Sling Bags", False),
    ("Lapis O Lupo", r"handheld bag|satchel|shoulder bag", "Bags/Handbags & Satchels", False),
    ("Lapis O Lupo", r"backpack", "Bags/Backpacks", False),
    ("MBOSS", r"laptop bag", "Bags/Laptop Bags", False),
    ("E2O", r"wallet|clutch", "Accessories/Wallets & Clutches", False),
    ("CALFNERO", r"wallet|messenger bag|pouch", "Accessories/Men's Leather Goods", False),
    ("BuckleUp", r"\bbelt\b", "Accessories/Belts", False),
    ("Z-ZOOM", r"sunglasses", "Accessories/Sunglasses", False),
]
_PER_LINE = 6
_COLOURS = 3
_TONE = r"(?:dark|light|navy|tan|coffee|olive|turquoise|mustard|rose|off|charcoal|sea)"
_HUE = (r"(?:white|black|blue|green|red|yellow|orange|pink|purple|brown|grey|beige|maroon|burgundy|tan|olive|"
        r"navy|peach-coloured|off-white|gold-toned|silver-toned|bronze-toned|gunmetal-toned|rose gold-toned|"
        r"multicoloured|mustard|nude-coloured|taupe|teal|magenta|lavender|cream-coloured)")
_COLOUR_PHRASE = re.compile(rf"\b(?:{_TONE}[- ])?{_HUE}(?:\s*(?:&|and)\s*(?:{_TONE}[- ])?{_HUE})*\b", re.I)
_GENDER = re.compile(r"\b(Men|Women|Unisex)\b\s*")


def _usd(inr: float) -> float:
    """Myntra's rupees as a US shop's dollars (about 20 to the dollar), priced to end in .99."""
    return max(round(inr / 20) - 0.01, 14.99)


def _groups() -> list[tuple[str, str, str, bool, str, dict[str, dict[str, str]]]]:
    """(brand, title without colour or gender, category, sized, gender, {colour: Myntra row})."""
    with (DATA / "catalog-myntra/myntra_products_catalog.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    groups: dict[tuple[str, str], tuple[str, str, str, bool, str, dict[str, dict[str, str]]]] = {}
    per_line: dict[int, int] = {}
    for r in rows:
        brand, name = r["ProductBrand"].strip(), " ".join(r["ProductName"].split())
        line = next((i for i, (b, p, _, _) in enumerate(_QUARRY_LINES)
                     if b.lower() == brand.lower() and re.search(p, name, re.I)), None)
        if line is None:
            continue
        brand, _, category, sized = _QUARRY_LINES[line]
        rest = name[len(brand):].strip() if name.lower().startswith(brand.lower()) else name
        found = _GENDER.search(rest)
        gender = found.group(1) if found else r["Gender"].strip() or "Unisex"
        rest = _GENDER.sub("", rest)
        shade = _COLOUR_PHRASE.search(rest)
        colour = shade.group(0).title().replace(" And ", " & ") if shade else ""
        title = " ".join((rest[:shade.start()] + " " + rest[shade.end():]).split()) if shade else rest
        title = f"{brand} {title}"
        key = (brand, title.lower())
        if key not in groups:
            if per_line.get(line, 0) >= _PER_LINE:
                continue
            per_line[line] = per_line.get(line, 0) + 1
            gender = "Men" if gender.lower().startswith("men") else "Women" if gender.lower().startswith("wom") else gender
            groups[key] = (brand, title, category.replace("{gender}", gender), sized, gender, {})
        colours = groups[key][5]
        if colour not in colours and len(colours) < _COLOURS:
            colours[colour] = r
    return list(groups.values())


def quarry() -> list[dict[str, str]]:
    """The export's rows: simple products, configurable parents (qty 0) with Color and/or Size
    children (``Not Visible Individually``), then the merchant's own lines."""
    out: list[dict[str, str]] = []
    for brand, title, category, sized, gender, colours in _groups():
        first = next(iter(colours.values()))
        attrs = f"manufacturer={brand},gender={gender}"
        sku = "QS-" + first["ProductID"]
        key = _handle(title)[:60]
        base = {**MAGENTO_BASE, "categories": "Default Category/" + category, "name": title,
                "description": _myntra_details(first["Description"]), "url_key": key}
        sizes = (_MEN_SIZES if gender == "Men" else _WOMEN_SIZES) if sized else ()
        out += magento_product(base, sku, key, attrs, colours, sizes, lambda row: _usd(float(row["Price (INR)"])))
    return out + _quarry_own()


#: The merchant's own Chelsea boot: (colour, US size, qty); Black 9 sold out.
_BOOT = [("Chestnut Suede", "7", 4), ("Chestnut Suede", "8", 6), ("Chestnut Suede", "9", 5), ("Chestnut Suede", "10", 3),
         ("Chestnut Suede", "11", 2), ("Black Leather", "7", 3), ("Black Leather", "8", 7), ("Black Leather", "9", 0),
         ("Black Leather", "10", 4), ("Black Leather", "11", 1)]
#: The weekender duffle: (colour, qty); Olive sold out.
_DUFFLE = [("Cognac", 5), ("Black", 8), ("Olive", 0)]


def _quarry_own() -> list[dict[str, str]]:
    rows = []
    boot, children = "QS-BOOT-CHELSEA", []
    material = "material=Suede or full-grain leather upper; leather lining; rubber lug sole"
    for colour, size, qty in _BOOT:
        child = f"{boot}-{_handle(colour).upper()}-{size}"
        rows.append({**MAGENTO_BASE, "sku": child, "product_type": "simple", "categories": "Default Category/Women/Shoes/Boots",
                     "name": f"Quarry Street Everyday Chelsea Boot-{colour}-{size}", "description": "",
                     "visibility": "Not Visible Individually", "price": "168.00", "qty": str(qty),
                     "is_in_stock": "1" if qty else "0",
                     "url_key": f"quarry-street-everyday-chelsea-boot-{_handle(colour)}-{size}",
                     "additional_attributes": f"manufacturer=Quarry Street,{material},color={colour},size={size}"})
        children.append(f"sku={child},color={colour},size={size}")
    rows.append({**MAGENTO_BASE, "sku": boot, "product_type": "configurable",
                 "categories": "Default Category/Women/Shoes/Boots,Default Category/Quarry Street Originals",
                 "name": "Quarry Street Everyday Chelsea Boot", "visibility": "Catalog, Search", "price": "168.00",
                 "qty": "0", "is_in_stock": "1", "url_key": "quarry-street-everyday-chelsea-boot",
                 "description": ("<p>Our own <strong>Everyday Chelsea Boot</strong>, made in Portugal: elastic side "
                                 "gores, a pull tab and a cushioned leather footbed on a Goodyear-welted rubber lug "
                                 "sole.</p><ul><li>1&frac14;&quot; heel</li><li>Water-resistant, not waterproof</li>"
                                 "<li>Runs half a size large: if you are between sizes, take the smaller one</li></ul>"),
                 "additional_attributes": f"manufacturer=Quarry Street,{material}", "has_options": "1",
                 "required_options": "1", "configurable_variations": "|".join(children),
                 "configurable_variation_labels": "color=Color,size=Size"})
    duffle, children = "QS-DUFFLE-WKND", []
    for colour, qty in _DUFFLE:
        child = f"{duffle}-{colour.upper()}"
        rows.append({**MAGENTO_BASE, "sku": child, "product_type": "simple", "categories": "Default Category/Bags/Travel",
                     "name": f"Quarry Street Waxed Canvas Weekender-{colour}", "description": "",
                     "visibility": "Not Visible Individually", "price": "225.00", "qty": str(qty),
                     "is_in_stock": "1" if qty else "0", "url_key": f"quarry-street-waxed-canvas-weekender-{colour.lower()}",
                     "additional_attributes": f"manufacturer=Quarry Street,material=Waxed cotton canvas; leather trim,"
                                              f"color={colour}"})
        children.append(f"sku={child},color={colour}")
    rows.append({**MAGENTO_BASE, "sku": duffle, "product_type": "configurable",
                 "categories": "Default Category/Bags/Travel,Default Category/Quarry Street Originals",
                 "name": "Quarry Street Waxed Canvas Weekender", "visibility": "Catalog, Search", "price": "225.00",
                 "qty": "0", "is_in_stock": "1", "url_key": "quarry-street-waxed-canvas-weekender",
                 "description": ("<p>A 45-litre weekender in waxed cotton canvas with vegetable-tanned leather handles "
                                 "and a detachable shoulder strap.</p><ul><li>22&quot; x 12&quot; x 11&quot;</li>"
                                 "<li>Zip shoe compartment at one end</li><li>Fits most airline overhead bins</li></ul>"),
                 "additional_attributes": "manufacturer=Quarry Street,material=Waxed cotton canvas; leather trim",
                 "has_options": "1", "required_options": "1", "configurable_variations": "|".join(children),
                 "configurable_variation_labels": "color=Color"})
    rows.append({**MAGENTO_BASE, "sku": "QS-CARE-KIT", "product_type": "simple", "categories": "Default Category/Accessories/Shoe Care",
                 "name": "Quarry Street Leather & Suede Care Kit", "visibility": "Catalog, Search", "price": "24.00",
                 "qty": "31", "is_in_stock": "1", "url_key": "quarry-street-leather-suede-care-kit",
                 "description": ("<p>Everything to keep leather and suede looking new: horsehair brush, suede eraser, "
                                 "neutral conditioning cream (2&nbsp;oz) and a water &amp; stain protector spray "
                                 "(4&nbsp;oz).</p>"),
                 "additional_attributes": "manufacturer=Quarry Street"})
    rows.append({**MAGENTO_BASE, "sku": "QS-RAINBOOT-TALL", "product_type": "simple", "categories": "Default Category/Women/Shoes/Boots",
                 "name": "Quarry Street Tall Rain Boot", "product_online": "2", "visibility": "Catalog, Search",
                 "price": "89.00", "qty": "22", "is_in_stock": "1", "url_key": "quarry-street-tall-rain-boot",
                 "description": "<p>Withdrawn: sole defect in the fall batch.</p>",
                 "additional_attributes": "manufacturer=Quarry Street"})
    rows.append({**MAGENTO_BASE, "sku": boot, "store_view_code": "es_us", "product_type": "configurable", "categories": "",
                 "name": "Botín Chelsea Everyday de Quarry Street", "description": "<p>Botín Chelsea de piel.</p>",
                 "visibility": "", "price": "", "qty": "", "is_in_stock": "", "url_key": "botin-chelsea-everyday",
                 "additional_attributes": "", "has_options": "", "required_options": ""})
    return rows


def build_quarry(out: Path) -> Path:
    return merchant_folder(out, "quarry", QUARRY_EXPORT, MAGENTO_COLUMNS, quarry())
