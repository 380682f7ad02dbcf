"""Per-request options and the message type that plugins pass to the runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .settings import ModelSettings

__all__ = ["ChatMessage", "GenerationOptions", "ResolvedOptions"]

T = TypeVar("T")

#: One chat turn: ``{"role": "system" | "user" | "assistant", "content": "..."}``.
ChatMessage = dict[str, str]


@dataclass(frozen=True)
class GenerationOptions:
    """What one request may override; ``None`` means "use the value from the config".

    A ``temperature`` of 0 means greedy decoding (``top_p`` and ``top_k`` are then ignored); a
    ``top_k`` of 0 turns top-k filtering off.
    ``n`` is the number of variants :meth:`ModelRunner.generate` returns; streaming always
    produces one.
    """

    max_new_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    n: int = 1
    timeout_s: float | None = None

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be at least 1, got {self.n}")
        if self.max_new_tokens is not None and self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1, got {self.max_new_tokens}")
        if self.temperature is not None and self.temperature < 0:
            raise ValueError(f"temperature must not be negative, got {self.temperature}")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.top_k is not None and self.top_k < 0:
            raise ValueError(f"top_k must not be negative (0 turns it off), got {self.top_k}")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")


@dataclass(frozen=True)
class ResolvedOptions:
    """:class:`GenerationOptions` with every gap filled from the config; what backends receive."""

    max_new_tokens: int
    temperature: float
    top_p: float
    top_k: int
    timeout_s: float

    @property
    def greedy(self) -> bool:
        """Whether to pick the most likely token at each step instead of sampling."""
        return self.temperature <= 0

    @classmethod
    def resolve(cls, options: GenerationOptions | None, settings: ModelSettings) -> ResolvedOptions:
        """Fill the gaps in ``options`` from ``settings``."""
        options = options or GenerationOptions()
        return cls(
            max_new_tokens=_pick(options.max_new_tokens, settings.max_new_tokens),
            temperature=_pick(options.temperature, settings.temperature),
            top_p=_pick(options.top_p, settings.top_p),
            top_k=_pick(options.top_k, settings.top_k),
            timeout_s=_pick(options.timeout_s, settings.timeout_s),
        )


def _pick(value: T | None, default: T) -> T:
    return default if value is None else value
