"""One bot per database: a second instance is refused, not run beside the first.

Two processes on one history would handle every message twice (two replies, two handoffs, one
customer silenced by the other's handoff). The lock is an advisory ``flock`` on a file beside the
database (``supportbot.db.lock``): the kernel drops it when the process ends, however it ends, so a
``kill -9`` leaves nothing stale to clean up. The file names the holder for the refusal message.
"""

from __future__ import annotations

import fcntl
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["InstanceLock", "AlreadyRunning"]


class AlreadyRunning(RuntimeError):
    """Another process holds this database; the message says which and what to do."""


class InstanceLock:
    """``with InstanceLock(db_path): ...`` holds the database for this process."""

    def __init__(self, database: str | Path) -> None:
        self.database = Path(database)
        self.path = self.database.with_name(self.database.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 300).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise AlreadyRunning(
                f"another supportbot is already running on {self.database} ({holder}); stop it first, "
                f"or give this one its own database.path"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, "
                     f"started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
