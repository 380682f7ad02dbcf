"""Load and faults: many customers at once through the fake Discord, against the real bot process.

    python -m bench.load                                   # 200 customers x 5 messages, both modes
    python -m bench.load --customers 50 --modes knowledge  # smaller
    python -m bench.load --no-kill                         # faults, but no kill -9

``bot.py`` runs as a subprocess on the real discord.py transport against the project's fake Discord
(loopback), with the demo shop of ``examples/`` imported. Customers write over ``--spread-s``
seconds; meanwhile the gateway drops (the bot resumes), a reply meets five 429s in a row, a global
429 and a 502 come, and halfway through the bot is killed with SIGKILL and started again (the
messages written while it is down are caught up from the channel's history). Modes: ``knowledge``
(no generator) and ``generator`` (the tiny random-weight chat model, slow on purpose).

Counted from the fake Discord's record and the bot's database, never from the bot's own report:
``lost`` is a customer message with no outcome in the database at the end; ``duplicates`` a
message that got more than one reply. Latency is from the customer's post to the bot's reply;
``p95_ms_live`` leaves out messages written while the bot was down. The embedder alone encodes
the same texts in this process for the throughput comparison. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from supportbot.app import PROJECT_ROOT
from supportbot.testing.fake_discord import FakeDiscord

EXAMPLES = PROJECT_ROOT / "examples"


@dataclass
class Run:
    mode: str
    posted: dict[int, float] = field(default_factory=dict)  # inbound id -> when it was posted
    texts: list[str] = field(default_factory=list)
    down: list[tuple[float, float]] = field(default_factory=list)  # when the bot was not running
    faults: list[str] = field(default_factory=list)
    started: float = 0.0


def customer_texts() -> list[str]:
    """What customers ask: the demo FAQ's questions and alternative phrasings, and some chatter."""
    texts = []
    with (EXAMPLES / "faq.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["question"])
            texts += [t for t in (row.get("alternatives") or "").split("|") if t]
    with (EXAMPLES / "products.csv").open(encoding="utf-8") as handle:
        texts += [f"do you have the {row['name']}?" for row in csv.DictReader(handle)]
    return texts + ["hi", "thanks!", "where is my order 558812", "I want to talk to a person"]


def write_config(folder: Path, fake: FakeDiscord, mode: str, tiny_model: Path | None) -> Path:
    model = {"backend": "none"} if mode == "knowledge" else {
        "backend": "transformers", "name": str(tiny_model), "device": "cpu", "max_new_tokens": 24, "timeout_s": 20}
    config = {
        "database": {"path": "load.db"},
        "rate_limit": {"messages": 50},
        "model": model,
        "discord": {"support_channels": [fake.support_channel_id], "staff_channel": fake.staff_channel_id,
                    "staff_role": fake.staff_role_id, "command_guild_id": fake.guild_id,
                    "api_base": fake.api_base, "gateway_url": fake.gateway_url, "typing_indicator": False},
        "plugins": {"directories": [str(PROJECT_ROOT / "plugins")]},
    }
    path = folder / "config.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def bot_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, str(PROJECT_ROOT / "bot.py"), *args, "--config", str(config), "--log-level", "WARNING"]


def environment(fake: FakeDiscord) -> dict[str, str]:
    return {**os.environ, "DISCORD_TOKEN": fake.token, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


async def start_bot(config: Path, fake: FakeDiscord, log: Any) -> subprocess.Popen[bytes]:
    before = fake.gateway.identifies
    process = subprocess.Popen(bot_command(config, "run"), env=environment(fake), stdout=log, stderr=log,
                               cwd=config.parent)
    for _ in range(6000):  # loading the models takes minutes on a busy machine
        if fake.gateway.identifies > before:
            return process
        if process.poll() is not None:
            break
        await asyncio.sleep(0.1)
    log.flush()
    tail = Path(log.name).read_text(encoding="utf-8", errors="replace")[-2000:]
    process.kill()
    raise RuntimeError(f"the bot did not connect (exit status {process.poll()}); its log ends:\n{tail}")


async def drive(run: Run, fake: FakeDiscord, config: Path, args: argparse.Namespace, log: Any) -> None:
    rng = random.Random(7)
    texts = customer_texts()
    users = [fake.world.add_user(f"customer{i}") for i in range(args.customers)]
    process = await start_bot(config, fake, log)
    run.started = time.time()

    async def customer(user: dict[str, Any]) -> None:
        for _ in range(args.messages):
            await asyncio.sleep(rng.uniform(0, args.spread_s / args.messages))
            text = rng.choice(texts)
            message = await fake.post_message(fake.support_channel_id, text, author=user)
            run.posted[int(message["id"])] = time.time()
            run.texts.append(text)

    async def faults() -> None:
        nonlocal process
        step = args.spread_s / 10
        await asyncio.sleep(2 * step)
        await fake.gateway.drop()
        run.faults.append("gateway drop")
        await asyncio.sleep(step)
        fake.faults.rate_limit("/channels/*/messages", method="POST", retry_after=0.2, times=5)
        run.faults.append("five 429s in a row")
        await asyncio.sleep(step)
        fake.faults.rate_limit("/channels/*/messages", method="POST", retry_after=0.5, times=1, is_global=True)
        fake.faults.server_error("/channels/*/messages", method="POST", status=502, times=1)
        run.faults.append("a global 429 and a 502")
        await asyncio.sleep(step)
        if args.kill:
            process.send_signal(signal.SIGKILL)
            process.wait()
            down_from = time.time()
            run.faults.append("kill -9 and restart")
            await asyncio.sleep(1.0)
            process = await start_bot(config, fake, log)
            run.down.append((down_from, time.time()))

    await asyncio.gather(faults(), *(customer(u) for u in users))
    # Settle: every message answered (or the time is up), then a clean stop.
    deadline = time.perf_counter() + args.settle_s
    while time.perf_counter() < deadline and len(first_replies(fake)) < len(run.posted):
        await asyncio.sleep(0.5)
    await asyncio.sleep(2.0)  # late duplicates would show here
    process.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    if process.poll() is None:
        process.kill()


def first_replies(fake: FakeDiscord) -> dict[int, list[Any]]:
    replies: dict[int, list[Any]] = {}
    for posted in fake.posted:
        reference = posted.message.get("message_reference") or {}
        if reference.get("message_id") and posted.channel_id == fake.support_channel_id:
            replies.setdefault(int(reference["message_id"]), []).append(posted)
    return replies


def settle_figures(run: Run, fake: FakeDiscord, database: Path) -> dict[str, Any]:
    replies = first_replies(fake)
    latencies, live = [], []
    for message_id, posted_at in run.posted.items():
        got = replies.get(message_id)
        if not got:
            continue
        ms = (_sent_at(got[0]) - posted_at) * 1000
        latencies.append(ms)
        if not any(start <= posted_at <= end for start, end in run.down):
            live.append(ms)
    with sqlite3.connect(database) as db:
        kinds = dict(db.execute(
            "SELECT o.kind, COUNT(*) FROM messages m JOIN outcomes o ON o.message_id = m.id "
            "WHERE m.direction = 'in' GROUP BY o.kind").fetchall())
        settled = {int(row[0].partition(":")[2]) for row in db.execute(
            "SELECT m.platform_message_id FROM messages m JOIN outcomes o ON o.message_id = m.id WHERE m.direction = 'in'")}
    last_reply = max((_sent_at(r[0]) for r in replies.values()), default=run.started)
    elapsed = max(last_reply - run.started, 1e-9)
    return {
        "mode": run.mode,
        "messages": len(run.posted),
        "answered": kinds.get("answered", 0),
        "handed_off": kinds.get("handed_off", 0),
        "ignored": kinds.get("ignored", 0),
        "lost": sum(1 for m in run.posted if m not in settled),
        "duplicates": sum(1 for m in run.posted if len(replies.get(m, [])) > 1),
        "unanswered_on_discord": sum(1 for m in run.posted if m not in replies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(_p95(latencies), 1) if latencies else None,
        "p95_ms_live": round(_p95(live), 1) if live else None,
        "msgs_per_s": round(len(run.posted) / elapsed, 2),
        "faults": run.faults,
    }


def _sent_at(posted: Any) -> float:
    """When the fake Discord created the bot's message (its timestamp, as Discord's)."""
    return datetime.fromisoformat(posted.message["timestamp"]).timestamp()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def embedder_alone(texts: list[str]) -> float:
    """Texts per second for the bot's embedder on the same texts, in this process."""
    from supportbot.models import EmbeddingSettings, ModelSettings, create_runner

    runner = create_runner(ModelSettings(backend="none"), EmbeddingSettings())

    async def encode() -> float:
        await runner.start()
        await runner.embed(texts[:8])  # warm up
        started = time.perf_counter()
        for text in texts:  # one at a time, as messages arrive
            await runner.embed([text])
        elapsed = time.perf_counter() - started
        await runner.close()
        return len(texts) / elapsed

    return asyncio.run(encode())


async def one_mode(mode: str, args: argparse.Namespace, folder: Path, tiny_model: Path | None) -> tuple[dict[str, Any], list[str]]:
    async with FakeDiscord() as fake:
        mode_dir = folder / mode
        mode_dir.mkdir()
        config = write_config(mode_dir, fake, mode, tiny_model)
        for kind, path in (("faq", EXAMPLES / "faq.csv"), ("policies", EXAMPLES / "policies.md"),
                           ("products", EXAMPLES / "products.csv")):
            subprocess.run(bot_command(config, "import", kind, str(path), "--no-progress"), check=True,
                           capture_output=True, env=environment(fake))
        run = Run(mode)
        with (mode_dir / "bot.log").open("wb") as log:
            await drive(run, fake, config, args, log)
        figures = settle_figures(run, fake, mode_dir / "load.db")
        figures["bot_log"] = str(mode_dir / "bot.log")
        return figures, run.texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5, help="messages per customer")
    parser.add_argument("--spread-s", type=float, default=60.0, help="customers write over this many seconds")
    parser.add_argument("--settle-s", type=float, default=180.0, help="wait at most this long for the last replies")
    parser.add_argument("--modes", default="knowledge,generator")
    parser.add_argument("--no-kill", dest="kill", action="store_false")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        folder = Path(scratch)
        tiny_model = None
        if "generator" in args.modes:
            from supportbot.testing.tiny_model import build_tiny_chat_model

            tiny_model = build_tiny_chat_model(folder / "tiny-model")
        for mode in args.modes.split(","):
            figures, mode_texts = asyncio.run(one_mode(mode, args, folder, tiny_model))
            results[mode] = figures
            texts += mode_texts
            print(json.dumps(figures))
        embed_rate = embedder_alone(texts[: min(len(texts), 1000)])
    first = results[args.modes.split(",")[0]]
    summary = {key: first[key] for key in ("messages", "answered", "handed_off", "ignored", "lost", "duplicates",
                                           "p95_ms", "msgs_per_s")}
    summary.update({
        "mode": first["mode"], "p50_ms": first["p50_ms"], "p95_ms_live": first["p95_ms_live"],
        "embedder_texts_per_s": round(embed_rate, 1),
        "throughput_vs_embedder": round(first["msgs_per_s"] / embed_rate, 3) if embed_rate else None,
        "lost_all_modes": sum(r["lost"] for r in results.values()),
        "duplicates_all_modes": sum(r["duplicates"] for r in results.values()),
        "modes": {m: {k: v for k, v in r.items() if k not in ("faults", "bot_log")} for m, r in results.items()},
    })
    for mode, figures in results.items():
        print(f"{mode}: {figures['messages']} messages, {figures['answered']} answered, {figures['handed_off']} handed "
              f"off, {figures['ignored']} ignored, {figures['lost']} lost, {figures['duplicates']} duplicates; "
              f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms (live {figures['p95_ms_live']} ms); "
              f"{figures['msgs_per_s']} msgs/s; faults: {', '.join(figures['faults'])}")
    print(f"embedder alone: {embed_rate:.1f} texts/s on the same texts")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
