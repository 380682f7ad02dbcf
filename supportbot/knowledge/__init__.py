"""The merchant's catalog, FAQ and policies: import, then hybrid full-text + vector search.

See :class:`KnowledgeBase` for the retrieval API plugins use and :func:`import_file` for imports.
"""

from .base import KnowledgeBase
from .excerpt import Excerpt, answer_confidence, excerpt
from .importers import MappingError, import_file, parse_mapping
from .models import Passage, ProductHit, format_amount
from .report import ImportReport, RowProblem
from .settings import KnowledgeSettings

__all__ = [
    "KnowledgeBase",
    "Excerpt",
    "answer_confidence",
    "excerpt",
    "KnowledgeSettings",
    "ProductHit",
    "Passage",
    "ImportReport",
    "RowProblem",
    "MappingError",
    "import_file",
    "parse_mapping",
    "format_amount",
]
