"""Logging set-up: every line carries the id of the message being handled, when there is one.

``grep msg=1234`` then follows one customer message from the transport to its outcome.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
from collections.abc import Iterator
from typing import TextIO

from .sanitize import mask_payment_data

__all__ = ["setup_logging", "message_scope", "current_message_id", "PaymentDataFilter"]

current_message_id: contextvars.ContextVar[str] = contextvars.ContextVar("supportbot_message_id", default="-")

FORMAT = "%(asctime)s %(levelname)-7s %(name)s msg=%(msg_id)s %(message)s"


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


def setup_logging(level: str = "INFO", *, stream: TextIO | None = None, file: str | None = None) -> None:
    """Log at ``level`` to ``stream`` (stderr), or, with ``file``, to that file and only warnings to
    the stream: a person chatting in the console should see the chat, not the log."""
    handler: logging.Handler = logging.StreamHandler(stream)
    handlers = [handler]
    if file is not None:
        handler.setLevel(logging.WARNING)
        os.close(os.open(file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))  # customers' words: owner only
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_supportbot", False)]:
        root.removeHandler(old)
        old.close()
    for h in handlers:
        h.setFormatter(logging.Formatter(FORMAT))
        h.addFilter(PaymentDataFilter())
        h._supportbot = True  # type: ignore[attr-defined]  # marks the handlers we installed, to replace them
        root.addHandler(h)
    root.setLevel(level)
    # Chatty libraries stay at WARNING unless we are debugging.
    for noisy in ("discord", "httpx", "urllib3", "filelock", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING)
                                          if level != "DEBUG" else logging.DEBUG)
