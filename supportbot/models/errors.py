"""The errors a model call can end with.

Every failure a plugin has to handle is a :class:`ModelError`; most plugins turn one into a
handoff to a human, so the subclasses only separate what a caller may treat differently.
"""

from __future__ import annotations

__all__ = ["ModelError", "ModelOverloaded", "ModelRequestError", "ModelTimeout", "ModelUnavailable"]


class ModelError(Exception):
    """Base class for everything the model runner raises."""


class ModelUnavailable(ModelError):
    """No generator or embedder is loaded (knowledge-only mode), or the backend is down."""


class ModelOverloaded(ModelUnavailable):
    """Every generation slot is busy and the line of waiting requests is full (backpressure).

    Raised at once rather than after a wait; a subclass of :class:`ModelUnavailable` because a
    caller handles it the same way (answer from the knowledge base, or hand off).
    """


class ModelTimeout(ModelError):
    """The request ran past its timeout; it was cancelled and its slot freed."""


class ModelRequestError(ModelError):
    """The backend refused the request itself (an HTTP 4xx): retrying will not help.

    Usually a configuration problem: a wrong model name, a missing API key, a prompt too long.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        #: The HTTP status the server answered with, if there was one.
        self.status = status
