"""What the config names must be usable before the bot starts: checked by ``check-config`` and
at start, before anything loads, so a bad database path or a busy metrics port is one clear line
at once instead of a traceback after the models have loaded."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from .config import Config, line_of

__all__ = ["runtime_problems"]

_SQLITE_HEADER = b"SQLite format 3\x00"


def runtime_problems(config: Config) -> list[str]:
    """Problems with the database path and the metrics port, each naming its key and line."""
    problems = []
    database = _database_problem(config.resolve(config.database.path))
    if database:
        problems.append(f"{_where(config, ('database', 'path'))}: {database}")
    if config.metrics.enabled and config.metrics.port:
        port = _port_problem(config.metrics.host, config.metrics.port)
        if port:
            problems.append(f"{_where(config, ('metrics', 'port'))}: {port}")
    return problems


def _where(config: Config, loc: tuple[str, ...]) -> str:
    line = line_of(config.yaml_root, loc)
    return f"{config.source or 'config'}" + (f":{line}" if line else "") + f": {'.'.join(loc)}"


def _database_problem(path: Path) -> str | None:
    if path.is_dir():
        return f"{path} is a folder, not a database file"
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            return f"{path} cannot be read and written by this user"
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
        if header and header != _SQLITE_HEADER:
            return f"{path} is not an SQLite database"
        return None
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot create {path}: {folder} is a file"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot create {path}: {folder} is not writable by this user"
    return None


def _port_problem(host: str, port: int) -> str | None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"metrics.host {host!r} cannot be resolved ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the metrics server binds
        try:
            probe.bind(address)
        except OSError as exc:
            return f"{host}:{port} cannot be used ({exc.strerror}); pick a free port, or stop what holds it"
    return None
