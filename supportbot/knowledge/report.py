"""What an import did, row problems included, phrased for the merchant."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ImportReport", "RowProblem"]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A problem with one row. ``row`` counts data rows from 1 (a CSV header is not a row).

    ``skipped`` rows were not imported; the others were, without the field named.
    """

    row: int
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}" + (" (skipped)" if self.skipped else "")


@dataclass
class ImportReport:
    """Counts, row problems and notes of one import; :meth:`summary` is what the command prints."""

    kind: str
    path: Path
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0
    seconds: float = 0.0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Field -> where it came from (``"ProductID"``, ``"Brand+Colour"``, ``"INR (fixed)"``), to check a mapping.
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def imported(self) -> int:
        """Rows now in the knowledge base from this file (added, updated or already there)."""
        return self.added + self.updated + self.unchanged

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)

    def problem(self, row: int, reason: str, *, skipped: bool = True) -> None:
        self.problems.append(RowProblem(row, reason, skipped))

    def summary(self) -> str:
        """One paragraph for the command line."""
        what = {"products": "products", "faq": "FAQ entries", "policies": "policy passages"}.get(self.kind, self.kind)
        line = (f"{self.path.name}: {self.rows} rows read; {what}: {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged")
        if self.removed:
            line += f", {self.removed} removed"
        line += f"; {self.embedded} embedded; {self.skipped} skipped"
        warnings = len(self.problems) - self.skipped
        if warnings:
            line += f", {warnings} imported with a field left out"
        line += f" ({self.seconds:.1f} s)"
        lines = [line]
        if self.columns:
            lines.append("columns: " + ", ".join(f"{name}={source}" for name, source in self.columns.items()))
        return "\n".join([*lines, *self.notes])
