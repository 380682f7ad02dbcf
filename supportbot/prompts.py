"""Prompts live in ``prompts/*.yaml`` beside config.yaml so a merchant can edit them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .config import Config

__all__ = ["load_prompt", "prompts_dir", "layers", "read_layer", "grounded_reply", "GroundedReply"]

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


#: One prompts file as read: its path and its modification time (what its cached contents are keyed by).
Layer = tuple[Path, float]


def layers(config: Config | None, filename: str) -> tuple[Layer, ...]:
    """The bundled ``prompts/<filename>`` and, when the merchant has a copy of their own, that copy:
    in the order their entries apply (the merchant's win). Their modification times make this a cache
    key for whatever is built from them, so an edit applies without a restart."""
    bundled = _BUNDLED / filename
    found: list[Layer] = [(bundled, bundled.stat().st_mtime)]
    local = prompts_dir(config) / filename if config is not None else bundled
    if local.resolve() != bundled.resolve() and local.is_file():
        found.append((local, local.stat().st_mtime))
    return tuple(found)


def read_layer(layer: Layer) -> dict[str, Any]:
    """One file of :func:`layers`, parsed (and cached until it changes)."""
    return _read(*layer)


@lru_cache(maxsize=32)
def _read(path: Path, _mtime: float) -> dict[str, Any]:  # mtime in the key: edits apply without a restart
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of prompt parts")
    return data


@dataclass(frozen=True)
class GroundedReply:
    """A reply generated from passages and checked: ``text`` when it may be sent, else why not
    (``refused`` is an outcome reason, ``details`` what the check found)."""

    text: str | None
    refused: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


async def grounded_reply(bot: Any, passages: list[Any], turns: list[dict[str, str]], message: str) -> GroundedReply:
    """Generate the answer to ``message`` from ``passages`` with ``prompts/reply.yaml``, then check
    it: no "HANDOFF", no promise the passages do not state, no disclosed instructions. Used for the
    bot's own replies and for the drafts staff approve."""
    from .guard import check_disclosure, check_promises
    from .models import GenerationOptions

    prompt = load_prompt(bot.config, "reply")
    block = "\n".join(f"[{p.id}] {p.title + ': ' if getattr(p, 'title', None) else ''}{p.text}" for p in passages)
    shop = bot.config.bot.name
    messages = [{"role": "system", "content": prompt["system"].format(shop=shop, passages=block)}, *turns,
                {"role": "user", "content": prompt["user"].format(message=message)}]
    (text,) = await bot.runner.generate(messages, GenerationOptions(max_new_tokens=int(prompt.get("max_new_tokens", 200))))
    text = text.strip()
    if not text or "HANDOFF" in text:
        return GroundedReply(None, "no_grounded_answer", {"passages": [p.id for p in passages]})
    check = check_promises(text, [p.text for p in passages])
    if not check.ok:
        return GroundedReply(None, "unsupported_promise", {"blocked_reply": text, "unsupported": list(check.unsupported)})
    # The instructions without the passages: a reply may quote the shop's facts, never its rules.
    leak = check_disclosure(text, prompt["system"].format(shop=shop, passages=""), allowed=f"{shop} {block} {message}")
    if not leak.ok:
        return GroundedReply(None, "instructions_disclosed", {"blocked_reply": text, "found": list(leak.unsupported)})
    return GroundedReply(text)
