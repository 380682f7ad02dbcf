"""Building a bot from a config: the real services, wired together once per process."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .config import Config
from .engine import SupportBot
from .history import History

__all__ = ["build_bot", "open_history", "PROJECT_ROOT"]

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def open_history(config: Config) -> History:
    return History.open(config.resolve(config.database.path), busy_timeout_ms=config.database.busy_timeout_ms)


def build_runner(config: Config) -> Any:
    from .models import create_runner

    return create_runner(config.model, config.embeddings)


def shipped_file(config: Config, path: Path) -> Path:
    """A file the project ships (``prompts/intents.yaml``): the merchant's copy beside the config
    wins; without one, the shipped default is used, so a config kept elsewhere still works."""
    local = config.resolve(path)
    if local.exists() or path.is_absolute():
        return local
    shipped = PROJECT_ROOT / path
    return shipped if shipped.exists() else local


def build_bot(config: Config, transport: Any = None, *, runner: Any = None, history: History | None = None) -> SupportBot:
    """The bot with its shared services: one history, one model runner, one knowledge base."""
    from .knowledge import KnowledgeBase
    from .understanding import Understander

    history = history or open_history(config)
    runner = runner if runner is not None else build_runner(config)
    knowledge = KnowledgeBase(history.db, runner, config.knowledge)
    understanding = config.understanding
    if understanding.encoder == config.embeddings.model:  # the same model: share the runner's copy
        understanding = understanding.model_copy(update={"encoder": None})
    understander = Understander(
        understanding,
        runner.embed,
        intents_file=shipped_file(config, config.understanding.intents_file),
        cache_dir=config.resolve(Path(config.database.path)).parent / ".supportbot-cache",
    )
    return SupportBot(config, history=history, runner=runner, knowledge=knowledge,
                      understander=understander, transport=transport)
