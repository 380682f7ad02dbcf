"""Logging set-up: every line carries the id of the message being handled, when there is one.

``grep msg=1234`` then follows one customer message from the transport to its outcome.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from .sanitize import mask_payment_data

if TYPE_CHECKING:
    from .events import Author

__all__ = ["ConsoleHandler", "PaymentDataFilter", "current_message_id", "loggable", "message_scope",
           "quiet_library_progress", "setup_logging", "status_line"]

current_message_id: contextvars.ContextVar[str] = contextvars.ContextVar("supportbot_message_id", default="-")

FORMAT = "%(asctime)s %(levelname)-7s %(name)s msg=%(msg_id)s %(message)s"


def loggable(author: Author) -> str:
    """Who to name in the log: staff by their id, a customer never. The log file outlives an
    erasure (docs/privacy.md); a message or conversation id leads back to a customer only while
    the database still holds them."""
    return author.id if author.is_staff else "a customer"


def _install_record_factory() -> None:
    """Stamp every log record with the current message id, whichever handler formats it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_supportbot", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.msg_id = current_message_id.get()
        return record

    factory._supportbot = True  # type: ignore[attr-defined]  # our marker on our own function
    logging.setLogRecordFactory(factory)


_install_record_factory()


class PaymentDataFilter(logging.Filter):
    """Masks card numbers and CVV-like codes in every line a handler writes, libraries' too:
    discord.py logs whole gateway payloads and request bodies at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_payment_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


@contextlib.contextmanager
def message_scope(message_id: str) -> Iterator[None]:
    """Tag log lines emitted while handling one message (tasks spawned inside inherit it)."""
    token = current_message_id.set(message_id)
    try:
        yield
    finally:
        current_message_id.reset(token)


class ConsoleHandler(logging.StreamHandler[TextIO]):
    """Warnings for a person at a terminal: one line each (``warning: ...``), the traceback left
    to the log file; while a :func:`status_line` is showing they wait until it is finished."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.held: list[logging.LogRecord] | None = None

    def format(self, record: logging.LogRecord) -> str:
        first = record.getMessage().strip().splitlines() or [""]
        return f"{record.levelname.lower()}: {first[0]}"

    def emit(self, record: logging.LogRecord) -> None:
        if self.held is not None:
            self.held.append(record)
        else:
            super().emit(record)


def setup_logging(level: str = "INFO", *, stream: TextIO | None = None, file: str | None = None,
                  stream_level: str | None = None) -> None:
    """Log at ``level`` to ``stream`` (stderr), or, with ``file``, to that file and only warnings to
    the stream, one line each: a person chatting in the console should see the chat, not the log.
    ``stream_level`` (``--log-level``) puts everything from that level on the stream as well."""
    handlers: list[logging.Handler] = []
    if file is None or stream_level is not None:
        handler: logging.Handler = logging.StreamHandler(stream)
        handler.setLevel(stream_level or level)
        handlers.append(handler)
    else:
        handler = ConsoleHandler(stream)
        handler.setLevel(logging.WARNING)
        handlers.append(handler)
    if file is not None:
        os.close(os.open(file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))  # customers' words: owner only
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_supportbot", False)]:
        root.removeHandler(old)
        old.close()
    for h in handlers:
        if not isinstance(h, ConsoleHandler):
            h.setFormatter(logging.Formatter(FORMAT))
        h.addFilter(PaymentDataFilter())
        h._supportbot = True  # type: ignore[attr-defined]  # marks the handlers we installed, to replace them
        root.addHandler(h)
    lowest: int = min(logging.getLevelName(level), logging.getLevelName(stream_level or level))
    root.setLevel(lowest)
    # Chatty libraries stay at WARNING unless we are debugging.
    for noisy in ("discord", "httpx", "urllib3", "filelock", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(max(lowest, logging.WARNING) if lowest != logging.DEBUG else logging.DEBUG)


def quiet_library_progress() -> None:
    """No weights bars from transformers or huggingface_hub: a loading model is one line of ours
    (:func:`status_line`), and the bars from our own long work (imports, training) stay."""
    import huggingface_hub.utils
    import transformers.utils.logging

    transformers.utils.logging.disable_progress_bar()
    huggingface_hub.utils.disable_progress_bars()


@contextlib.contextmanager
def status_line(text: str, stream: TextIO | None = None) -> Iterator[None]:
    """``text... ready (8.2 s)`` on one line for a slow step; console warnings logged meanwhile
    are printed after it, one line each, instead of splitting it."""
    out = stream or sys.stderr
    consoles = [h for h in logging.getLogger().handlers if isinstance(h, ConsoleHandler)]
    for h in consoles:
        h.held = []
    print(f"{text}...", end=" ", file=out, flush=True)
    started = time.monotonic()
    ok = False
    try:
        yield
        ok = True
    finally:
        print(f"ready ({time.monotonic() - started:.1f} s)" if ok else "failed", file=out, flush=True)
        for h in consoles:
            held, h.held = h.held or [], None
            for record in held:
                h.handle(record)
