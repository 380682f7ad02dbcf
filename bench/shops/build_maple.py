"""maple: a Canadian outdoor and apparel shop's Magento 2 export (held out, written blind).

Written from Myntra's outerwear, sportswear, backpack, headwear, sock and running-shoe lines of
brands that no other shop sells (outfitters has Puma, GAP, WROGN and the rest of its twelve):
rows that differ only by their colour phrase become one configurable product with Color (and Size
for clothing and shoes) children holding the stock; backpacks, hats and socks are simple products.
The merchant's own lines: a parka in Color x Size with one child sold out, a toque, a disabled
heated vest and a French (``fr_ca``) store-view row. See :mod:`bench.shops.build` for the rest.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .build import DATA, HERE, MAGENTO_BASE, MAGENTO_COLUMNS, _handle, magento_product, merchant_folder, _myntra_details

MAPLE_EXPORT = "export_catalog_product_20261202_141207.csv"

#: (brand, name pattern, the shop's category under Default Category, sizes); in this order.
_MAPLE_LINES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("HERE&NOW", r"\bjacket\b", "{gender}/Jackets & Coats", ("S", "M", "L", "XL")),
    ("Mast & Harbour", r"\bjacket\b", "{gender}/Jackets & Coats", ("S", "M", "L", "XL")),
    ("hummel", r"\bjacket\b|sweatshirt|track pant", "Activewear", ("S", "M", "L", "XL")),
    ("Alcis", r"\bjacket\b|track pants", "Activewear", ("S", "M", "L", "XL")),
    ("Russell Athletic", r"sweatshirt", "Activewear/Hoodies & Sweatshirts", ("S", "M", "L", "XL")),
    ("Proline Active", r"track pants", "Activewear", ("S", "M", "L", "XL")),
    ("Wildcraft", r"backpack", "Packs & Bags/Backpacks", ()),
    ("URBAN TRIBE", r"backpack|duffle", "Packs & Bags/Backpacks", ()),
    ("SWISS MILITARY", r"backpack", "Packs & Bags/Backpacks", ()),
    ("Genie", r"backpack", "Packs & Bags/Backpacks", ()),
    ("FabSeasons", r"cap\b|beanie|gloves|scarf|muffler", "Accessories/Hats & Gloves", ()),
    ("Knotyy", r"beanie", "Accessories/Hats & Gloves", ()),
    ("Dynamocks", r"socks", "Accessories/Socks", ()),
    ("Bonjour", r"socks", "Accessories/Socks", ()),
    ("Force 10", r"running shoes", "Footwear/Running Shoes", ("7", "8", "9", "10", "11")),
    ("Campus", r"running shoes", "Footwear/Running Shoes", ("7", "8", "9", "10", "11")),
    ("OFF LIMITS", r"training", "Footwear/Training Shoes", ("7", "8", "9", "10", "11")),
]
_MAPLE_PER_LINE = 12
_MAPLE_COLOURS = 4
# A colour phrase in a Myntra name ("Charcoal Grey & Black"): the product's Color option.
_SHADE = (r"(?:(?:dark|light|navy|teal|rust|mustard|olive|coral|charcoal|tan|sea|fluoroscent)[- ])?"
          r"(?:white|black|blue|green|red|yellow|orange|pink|purple|brown|grey|beige|maroon|mustard|olive|teal|"
          r"navy|charcoal|taupe|burgundy|khaki|peach-coloured|off[- ]white|multicoloured|lavender|magenta|rust|coral)"
          r"(?: melange)?")
_SHADES = re.compile(rf"\b{_SHADE}(?:\s*(?:&|and)\s*{_SHADE})*\b", re.I)
_GENDER = re.compile(r"\b(Men|Women|Unisex|Boys|Girls)\b")


def _cad(inr: float) -> float:
    """Myntra's rupees as a Canadian shop's dollars (about 25 to the dollar), ending in .99."""
    return max(round(inr / 25) - 0.01, 7.99)


def _maple_groups() -> list[tuple[str, str, str, tuple[str, ...], dict[str, dict[str, str]]]]:
    """(brand, title without colour, category, sizes, {colour: Myntra row}) in file order."""
    with (DATA / "catalog-myntra/myntra_products_catalog.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    groups: dict[tuple[str, str], tuple[str, str, str, tuple[str, ...], dict[str, dict[str, str]]]] = {}
    per_line: dict[int, int] = {}
    for r in rows:
        brand, name = r["ProductBrand"].strip(), " ".join(r["ProductName"].split())
        line = next((i for i, (b, p, _, _) in enumerate(_MAPLE_LINES) if b == brand and re.search(p, name, re.I)), None)
        if line is None:
            continue
        _, _, category, sizes = _MAPLE_LINES[line]
        rest = name[len(brand):].strip() if name.lower().startswith(brand.lower()) else name
        found = _SHADES.search(rest)
        colour = found.group(0).title().replace(" And ", " & ") if found else ""
        title = " ".join((rest[:found.start()] + " " + rest[found.end():]).split()) if found else rest
        title = f"{brand[:1].upper()}{brand[1:]} {title}"  # Myntra writes both "hummel" and "Hummel"
        key = (brand, title.lower())
        if key not in groups:
            if per_line.get(line, 0) >= _MAPLE_PER_LINE:
                continue
            per_line[line] = per_line.get(line, 0) + 1
            groups[key] = (brand, title, category, sizes, {})
        colours = groups[key][4]
        if colour not in colours and len(colours) < _MAPLE_COLOURS:
            colours[colour] = r
    return list(groups.values())


def maple() -> list[dict[str, str]]:
    """The export's rows: simple products, configurable parents (qty 0) with Color and/or Size
    children (``Not Visible Individually``), then the merchant's own lines."""
    out: list[dict[str, str]] = []
    for brand, title, category, sizes, colours in _maple_groups():
        first = next(iter(colours.values()))
        found = _GENDER.search(first["ProductName"])
        gender = found.group(1) if found else "Unisex"
        attrs = f"manufacturer={brand},gender={gender}"
        sku = "MR-" + first["ProductID"]
        key = _handle(title)[:60]
        description = _myntra_details(first["Description"])
        base = {**MAGENTO_BASE, "categories": "Default Category/" + category.format(gender=gender), "name": title,
                "description": description, "url_key": key}
        out += magento_product(base, sku, key, attrs, colours, sizes, lambda row: _cad(float(row["Price (INR)"])))
    return out + _maple_own()


#: The merchant's own parka: (colour, size, qty); one child sold out.
_PARKA = [("Black", "S", 6), ("Black", "M", 11), ("Black", "L", 8), ("Black", "XL", 3),
          ("Spruce Green", "S", 4), ("Spruce Green", "M", 0), ("Spruce Green", "L", 5), ("Spruce Green", "XL", 2),
          ("Cranberry Red", "S", 7), ("Cranberry Red", "M", 9), ("Cranberry Red", "L", 4), ("Cranberry Red", "XL", 1)]


def _maple_own() -> list[dict[str, str]]:
    rows = []
    parka = "MR-PARKA-TUNDRA"
    children = []
    for colour, size, qty in _PARKA:
        child = f"{parka}-{_handle(colour).upper()}-{size}"
        rows.append({**MAGENTO_BASE, "sku": child, "product_type": "simple", "categories": "Default Category/Men/Jackets & Coats",
                     "name": f"Maple Ridge Tundra Down Parka-{colour}-{size}", "description": "",
                     "visibility": "Not Visible Individually", "price": "329.00", "qty": str(qty),
                     "is_in_stock": "1" if qty else "0", "url_key": f"maple-ridge-tundra-parka-{_handle(colour)}-{size.lower()}",
                     "additional_attributes": f"manufacturer=Maple Ridge,material=Recycled nylon shell; 650-fill-power down,"
                                              f"color={colour},size={size}"})
        children.append(f"sku={child},color={colour},size={size}")
    desc = ("<p>Our own <strong>Tundra Down Parka</strong>, made for prairie winters: 650-fill-power responsibly "
            "sourced down, a windproof recycled-nylon shell and a removable faux-fur hood trim.</p>"
            "<ul><li>Rated to &minus;30&nbsp;&deg;C</li><li>Two-way front zip, fleece-lined hand pockets</li>"
            "<li>Hip length; fits true to size (see our Size Guide)</li></ul>")
    rows.append({**MAGENTO_BASE, "sku": parka, "product_type": "configurable", "categories": "Default Category/Men/Jackets & Coats",
                 "name": "Maple Ridge Tundra Down Parka", "description": desc, "visibility": "Catalog, Search",
                 "price": "329.00", "qty": "0", "is_in_stock": "1", "url_key": "maple-ridge-tundra-down-parka",
                 "additional_attributes": "manufacturer=Maple Ridge,material=Recycled nylon shell; 650-fill-power down",
                 "has_options": "1", "required_options": "1", "configurable_variations": "|".join(children),
                 "configurable_variation_labels": "color=Color,size=Size"})
    rows.append({**MAGENTO_BASE, "sku": "MR-TOQUE-MERINO", "product_type": "simple", "categories": "Default Category/Accessories/Hats & Gloves",
                 "name": "Maple Ridge Merino Cuff Toque", "visibility": "Catalog, Search", "price": "34.00", "qty": "42",
                 "is_in_stock": "1", "url_key": "maple-ridge-merino-cuff-toque",
                 "description": "<p>A ribbed cuff toque knit in Canada from 100% merino wool. One size fits most.</p>",
                 "additional_attributes": "manufacturer=Maple Ridge,material=100% merino wool,color=Heather Grey"})
    rows.append({**MAGENTO_BASE, "sku": "MR-VEST-HEATED", "product_type": "simple", "categories": "Default Category/Men/Jackets & Coats",
                 "name": "Maple Ridge Heated Softshell Vest", "product_online": "2", "visibility": "Catalog, Search",
                 "price": "189.00", "qty": "15", "is_in_stock": "1", "url_key": "maple-ridge-heated-softshell-vest",
                 "description": "<p>Battery pack recalled by the supplier; not for sale.</p>",
                 "additional_attributes": "manufacturer=Maple Ridge"})
    rows.append({**MAGENTO_BASE, "sku": parka, "store_view_code": "fr_ca", "product_type": "configurable", "categories": "",
                 "name": "Parka en duvet Tundra Maple Ridge", "description": "<p>Parka en duvet 650.</p>",
                 "visibility": "", "price": "", "qty": "", "is_in_stock": "", "url_key": "parka-duvet-tundra",
                 "additional_attributes": "", "has_options": "", "required_options": ""})
    return rows


def build_maple(out: Path) -> Path:
    return merchant_folder(out, "maple", MAPLE_EXPORT, MAGENTO_COLUMNS, maple())
