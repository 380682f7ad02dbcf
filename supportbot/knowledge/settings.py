"""Settings of the knowledge base: the ``knowledge:`` block of ``config.yaml``."""

from __future__ import annotations

from pydantic import Field

from ..settings import Settings

__all__ = ["KnowledgeSettings", "PRODUCT_FIELDS", "FAQ_FIELDS"]

#: The fields of a product; a column mapping names the file's column for each.
PRODUCT_FIELDS = ("sku", "name", "category", "price", "currency", "stock", "attributes", "description", "url")
#: The fields of an FAQ entry.
FAQ_FIELDS = ("question", "answer", "tags", "alternatives")


def _identity(fields: tuple[str, ...]) -> dict[str, str]:
    return {name: name for name in fields}


class KnowledgeSettings(Settings):
    """Import mappings, search tuning and the thresholds plugins use to trust a match."""

    product_columns: dict[str, str] = Field(
        default_factory=lambda: _identity(PRODUCT_FIELDS),
        description="Product field -> column in the imported file. Several columns join with '+' "
                    "(attributes=Brand+Colour); currency may be a fixed code (currency=USD). "
                    "`--map` on the command line overrides these per import.",
    )
    faq_columns: dict[str, str] = Field(
        default_factory=lambda: _identity(FAQ_FIELDS),
        description="FAQ field -> column/key in the imported file (question, answer, tags, alternatives).",
    )
    default_currency: str = Field(
        "", description="ISO code for prices that carry no symbol or code; empty means unknown (shown bare)."
    )
    rrf_k: int = Field(60, ge=1, description="FAQ and policy search: reciprocal rank fusion constant; higher flattens the ranks.")
    vector_weight: float = Field(
        0.5, ge=0, le=1,
        description="Product search: weight of the cosine similarity against the share of the query's words a product "
                    "has (0 is full-text only, 1 vectors only).",
    )
    candidates: int = Field(50, ge=5, le=1000, description="Hits taken from each of full-text and vector search before fusing.")
    passage_chars: int = Field(800, ge=100, le=8000, description="Policies are split into passages of about this size.")
    embed_batch_size: int = Field(64, ge=1, description="Texts embedded per batch at import.")
    description_chars: int = Field(
        300, ge=0, le=4000,
        description="Leading characters of a product description that go into its embedding and full-text index.",
    )
