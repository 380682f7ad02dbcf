"""The merchant's catalog, FAQ and policies: import, then hybrid full-text + vector search.

See :class:`KnowledgeBase` for the retrieval API plugins use and :func:`import_file` for imports.
"""

from .base import KnowledgeBase
from .importers import MappingError, import_file, parse_mapping
from .models import Passage, ProductHit, format_amount
from .report import ImportReport, RowProblem
from .settings import KnowledgeSettings

__all__ = [
    "KnowledgeBase",
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
