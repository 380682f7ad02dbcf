"""Where and how a model is loaded: the offline switch, the device and the dtype.

Shared by the generator, the embedder and the benchmark; torch is imported only when asked.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

__all__ = [
    "MODEL_LOAD_LOCK",
    "available_cpus",
    "cpu_threads",
    "hub_offline",
    "local_files_only",
    "resolve_device",
    "resolve_dtype",
]

#: Held while a model is imported and loaded. transformers 5 fills in its lazily imported names
#: without a lock, so two threads importing from it at once can fail with "cannot import name
#: 'AutoModelForCausalLM' from 'transformers'": seen here in 2 of 6 starts, with the generator and
#: the embedder loading side by side. Loads take a few seconds; one at a time is cheap.
MODEL_LOAD_LOCK = threading.Lock()

_TRUTHY = {"1", "true", "yes", "on"}


def hub_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` is set now (huggingface_hub reads it only once, at import)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUTHY


def local_files_only(name: str) -> bool:
    """Whether ``name`` loads without the hub; else first check, in one quick request, that it can.

    True for a local folder, with ``HF_HUB_OFFLINE``, or when the model is already in the hub
    cache (a bot should start the same with or without a network). Otherwise, for an ``org/name``
    id, one metadata request (5 s timeout, no retries) must succeed: an unreachable hub or a wrong
    id raises at once with the reason, instead of huggingface_hub retrying each file for most of
    a minute. Shared by the generator and the embedder.
    """
    path = Path(name).expanduser()
    if hub_offline() or path.is_dir() or path.is_absolute() or name.startswith((".", "~")):
        return True  # a folder (a missing one gets transformers' own error)
    import huggingface_hub
    from huggingface_hub.errors import RepositoryNotFoundError

    if isinstance(huggingface_hub.try_to_load_from_cache(name, "config.json"), str):
        return True
    if "/" not in name:
        return False  # a short name ("gpt2", "all-MiniLM-L6-v2") each library resolves in its own way
    try:
        huggingface_hub.model_info(name, timeout=5)
    except RepositoryNotFoundError:
        raise OSError(f"no model {name!r} on the Hugging Face hub (or it is private or gated)") from None
    except Exception as exc:
        raise OSError(f"the Hugging Face hub is unreachable ({exc}) and {name!r} is not in the local cache") from exc
    return False


def resolve_device(device: str) -> str:
    """Turn ``auto`` into ``cuda`` when a GPU is visible, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def resolve_dtype(dtype: str, device: str) -> Any:
    """Turn ``auto`` into bfloat16 on a GPU and float32 on a CPU (bf16 matmuls are slow on most CPUs)."""
    import torch

    if dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return getattr(torch, dtype)


def available_cpus() -> int:
    """CPU cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cpu_threads(configured: int | None) -> int:
    """Torch threads for a model on the CPU: ``configured``, else one per core but one (at least one).

    A core is left to the event loop (and to the other processes of a shared machine): the
    model's intra-op threads synchronise at every operation, so when one of them waits for a
    core, all of them wait. On a 2-core machine under load, two threads made a continuous batch
    nine times slower than one; a 256-token matrix product alone gains only ~1.4x from the
    second core when nothing else runs.
    """
    if configured is not None:
        return configured
    return max(1, available_cpus() - 1)
