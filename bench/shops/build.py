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

Flipkart rows without a brand take the first word of their name (where Flipkart names
put it). Neither catalog has stock: each product gets a fixed pseudo-random count from its SKU (about one
in five is out of stock), so "in stock" questions have an answer. Categories of the Myntra shop
are derived from the product name's type word ("... Running Shoes" -> Footwear > Shoes).

    python -m bench.shops outfitters /tmp/outfitters     # write a shop folder to look at
"""

from __future__ import annotations

import csv
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


SHOPS = {"outfitters": _outfitters, "bazaar": _bazaar, "emporium": _emporium}


def build_shop(name: str, out: Path) -> Path:
    """Write shop ``name`` into folder ``out`` (created) and return it."""
    if name not in SHOPS:
        raise ValueError(f"unknown shop {name!r}; built-in shops: {', '.join(SHOPS)}")
    if not DATA.is_dir():
        raise FileNotFoundError(f"the shops are built from the shared data at {DATA}, which is not here")
    out.mkdir(parents=True, exist_ok=True)
    if name == "emporium":
        return _build_emporium(out)
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


def _main() -> None:
    import sys

    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m bench.shops NAME OUT_DIR")
    print(build_shop(sys.argv[1], Path(sys.argv[2])))


if __name__ == "__main__":
    _main()
