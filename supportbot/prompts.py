"""Prompts live in ``prompts/*.yaml`` beside config.yaml so a merchant can edit them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .config import Config

__all__ = ["load_prompt", "prompts_dir"]

_BUNDLED = Path(__file__).resolve().parent.parent / "prompts"


def prompts_dir(config: Config) -> Path:
    """The merchant's prompts folder if it exists beside the config, else the bundled one."""
    local = config.resolve(Path("prompts"))
    return local if config.source is not None and local.is_dir() else _BUNDLED


def load_prompt(config: Config, name: str) -> dict[str, Any]:
    path = prompts_dir(config) / f"{name}.yaml"
    if not path.is_file():
        path = _BUNDLED / f"{name}.yaml"
    return _read(path, path.stat().st_mtime)


@lru_cache(maxsize=32)
def _read(path: Path, _mtime: float) -> dict[str, Any]:  # mtime in the key: edits apply without a restart
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of prompt parts")
    return data
