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


SHOPS = {"outfitters": _outfitters, "bazaar": _bazaar}


def build_shop(name: str, out: Path) -> Path:
    """Write shop ``name`` into folder ``out`` (created) and return it."""
    if name not in SHOPS:
        raise ValueError(f"unknown shop {name!r}; built-in shops: {', '.join(SHOPS)}")
    if not DATA.is_dir():
        raise FileNotFoundError(f"the shops are built from the shared data at {DATA}, which is not here")
    out.mkdir(parents=True, exist_ok=True)
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


def _main() -> None:
    import sys

    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m bench.shops NAME OUT_DIR")
    print(build_shop(sys.argv[1], Path(sys.argv[2])))


if __name__ == "__main__":
    _main()
