"""Load and faults: many customers at once through the fake Discord, against the real bot process.

    python -m bench.load                                   # both modes, with the kill: the figures
    python -m bench.load --modes knowledge --no-kill       # knowledge-only, faults but no kill -9
    python -m bench.load --customers 50 --burst 200        # smaller

``bot.py run`` is a subprocess on the real discord.py transport against the project's fake Discord
(loopback), with the demo shop of ``examples/`` imported. The fake Discord runs in this process, so
it takes CPU from the same cores as the bot: the figures are for both together. Each mode has
two phases:

1. **Spread** (latency): ``--customers`` x ``--messages`` written over ``--spread-s`` seconds.
   Meanwhile the gateway drops (the bot resumes), a reply meets five 429s in a row, a global 429
   and a 502 come; in generator mode the model turns slow on purpose for a tenth of the time
   (every generation stalls past its deadline: those messages must be handed off, not dropped);
   with the kill, the bot is killed with SIGKILL and started again (what was written while it was
   down is caught up from the channel's history). Reply latency is from the customer's post to
   the bot's reply; ``p95_ms_live`` leaves out messages written while the bot was down.
2. **Burst** (throughput): ``--burst`` new customers write at once, far above what the bot can
   take, and ``msgs_per_s`` is how fast it settles them (first post to last outcome). The
   embedder alone then encodes the same texts, batched as it would best do it (every batch size
   and torch thread count tried, the fastest kept), here on the same machine in the same run:
   ``throughput_vs_embedder`` is the ratio.

Counted from the fake Discord's record and the bot's database, never from the bot's own report:
``lost`` is a customer message with no outcome in the database at the end, ``duplicates`` a
message that got more than one reply, ``silent`` one answered or handed off with no reply posted.
The last line printed is JSON; ``python -m bench.load --help`` lists the knobs.
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


BENCH_PLUGINS = Path(__file__).resolve().parent / "load_plugins"
#: Names for the burst's customers; "Hi, I'm <name>." makes each burst text one of its kind, so
#: no cache can answer a text the embedder alone has to encode.
NAMES = ("Anna", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Luca",
         "Mei", "Nico", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Yusuf")


@dataclass
class Phase:
    """The customer messages of one phase: when each was posted and what it said."""

    name: str
    posted: dict[int, float] = field(default_factory=dict)  # inbound id -> when it was posted
    texts: dict[int, str] = field(default_factory=dict)


@dataclass
class Run:
    mode: str
    spread: Phase = field(default_factory=lambda: Phase("spread"))
    burst: Phase = field(default_factory=lambda: Phase("burst"))
    down: list[tuple[float, float]] = field(default_factory=list)  # when the bot was not running
    faults: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the burst
    process: subprocess.Popen[bytes] | None = None
    channels: list[int] = field(default_factory=list)  # the support channels customers write in


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


def burst_texts(count: int, rng: random.Random) -> list[str]:
    texts = customer_texts()
    return [f"Hi, I'm {NAMES[i % len(NAMES)]} {i // len(NAMES) + 1}. {rng.choice(texts)}" for i in range(count)]


def write_config(folder: Path, fake: FakeDiscord, mode: str, tiny_model: Path | None, args: argparse.Namespace) -> Path:
    from supportbot.config import DEFAULT_PLUGINS

    plugins: dict[str, Any] = {"directories": [str(PROJECT_ROOT / "plugins")]}
    if mode == "knowledge":
        model: dict[str, Any] = {"backend": "none"}
    else:
        model = {"backend": "transformers", "name": str(tiny_model), "device": "cpu", "max_new_tokens": 24,
                 "timeout_s": args.model_timeout_s}
        plugins = {"directories": [str(BENCH_PLUGINS), str(PROJECT_ROOT / "plugins")],
                   "enabled": [*DEFAULT_PLUGINS, "slow_model"],
                   "settings": {"slow_model": {"flag_file": str(folder / "slow-model.flag"),
                                               "delay_s": 3 * args.model_timeout_s}}}
    config = {
        "database": {"path": "load.db"},
        "rate_limit": {"messages": 50},
        "model": model,
        "discord": {"support_channels": support_channels(fake, args.channels), "staff_channel": fake.staff_channel_id,
                    "staff_role": fake.staff_role_id, "command_guild_id": fake.guild_id,
                    "api_base": fake.api_base, "gateway_url": fake.gateway_url, "typing_indicator": False},
        "plugins": plugins,
    }
    path = folder / "config.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def support_channels(fake: FakeDiscord, count: int) -> list[int]:
    """The fake's support channel and ``count - 1`` more (before the bot connects: READY lists them).

    Discord keeps one rate-limit bucket per channel for posting, and discord.py sends one message
    at a time in a bucket whose limits it has not been told (the fake sends no X-RateLimit headers):
    a shop's load spread over its support channels is what real Discord would carry at all."""
    return [fake.support_channel_id, *(fake.world.add_channel(f"support-{n}") for n in range(2, count + 1))]


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


class Outcomes:
    """Reads the bot's database (read-only, beside the bot's writes: WAL) for settled messages."""

    def __init__(self, database: Path) -> None:
        self.database = database

    def settled(self) -> dict[int, tuple[str, float]]:
        """Inbound platform id -> (outcome kind, when it was recorded)."""
        if not self.database.exists():
            return {}
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute(
                "SELECT m.platform_message_id, o.kind, o.created_at FROM messages m JOIN outcomes o "
                "ON o.message_id = m.id WHERE m.direction = 'in'").fetchall()
        return {int(key.partition(":")[2]): (kind, datetime.fromisoformat(at).timestamp()) for key, kind, at in rows}

    async def wait(self, ids: set[int], timeout_s: float) -> bool:
        """Until every message of ``ids`` has an outcome (True), or ``timeout_s`` passed (False)."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            with contextlib.suppress(sqlite3.OperationalError):  # locked for a moment by a checkpoint
                if ids <= set(self.settled()):
                    return True
            await asyncio.sleep(0.25)
        return False


async def warm_up(fake: FakeDiscord, outcomes: Outcomes) -> None:
    """One message first, not counted: what loads on first use is not the customers' wait."""
    user = fake.world.add_user("warm-up")
    message = await fake.post_message(fake.support_channel_id, "How long does delivery take?", author=user)
    await outcomes.wait({int(message["id"])}, 600)


async def spread_phase(run: Run, fake: FakeDiscord, config: Path, outcomes: Outcomes, args: argparse.Namespace,
                       log: Any) -> None:
    rng = random.Random(7)
    texts = customer_texts()
    users = [fake.world.add_user(f"customer{i}") for i in range(args.customers)]
    flag = config.parent / "slow-model.flag"
    channel_of = {int(user["id"]): run.channels[i % len(run.channels)] for i, user in enumerate(users)}

    started = time.perf_counter()

    async def customer(user: dict[str, Any]) -> None:
        # Each customer's messages at times drawn evenly over the phase: a steady offered rate.
        for at in sorted(rng.uniform(0, args.spread_s) for _ in range(args.messages)):
            await asyncio.sleep(max(0.0, started + at - time.perf_counter()))
            text = rng.choice(texts)
            posted = time.time()
            message = await fake.post_message(channel_of[int(user["id"])], text, author=user)
            run.spread.posted[int(message["id"])] = posted
            run.spread.texts[int(message["id"])] = text

    async def faults() -> None:
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
        if run.mode == "generator":
            flag.touch()
            run.faults.append(f"slow model for {step:.0f} s (each generation stalls past its {args.model_timeout_s:g} s deadline)")
            await asyncio.sleep(step)
            flag.unlink()
        if args.kill:
            assert run.process is not None
            run.process.send_signal(signal.SIGKILL)
            run.process.wait()
            down_from = time.time()
            run.faults.append("kill -9 and restart")
            await asyncio.sleep(1.0)
            run.process = await start_bot(config, fake, log)
            run.down.append((down_from, time.time()))

    await asyncio.gather(faults(), *(customer(u) for u in users))
    if not await outcomes.wait(set(run.spread.posted), args.settle_s):
        print(f"{run.mode}: not every message settled within --settle-s {args.settle_s:g}", file=sys.stderr)


async def burst_phase(run: Run, fake: FakeDiscord, outcomes: Outcomes, args: argparse.Namespace) -> None:
    """``--burst`` new customers at once; the bot's throughput is how fast it settles them."""
    if not args.burst:
        return
    texts = burst_texts(args.burst, random.Random(11))
    users = [fake.world.add_user(f"burst{i}") for i in range(args.burst)]
    assert run.process is not None
    bot_before, bench_before = _cpu_by_thread(run.process.pid), _cpu_seconds(os.getpid())
    for i, (user, text) in enumerate(zip(users, texts, strict=True)):
        posted = time.time()
        message = await fake.post_message(run.channels[i % len(run.channels)], text, author=user)
        run.burst.posted[int(message["id"])] = posted
        run.burst.texts[int(message["id"])] = text
    if not await outcomes.wait(set(run.burst.posted), args.settle_s):
        print(f"{run.mode}: not every burst message settled within --settle-s {args.settle_s:g}", file=sys.stderr)
    bot_after = _cpu_by_thread(run.process.pid)
    by_thread = {name: bot_after[name] - bot_before.get(name, 0.0) for name in bot_after}
    run.cpu = {"bot": sum(by_thread.values()),
               "bot_event_loop": by_thread.get("main", 0.0),
               "bot_other_threads": sum(v for k, v in by_thread.items() if k != "main"),  # the encoder's, mostly
               "bench_and_fake_discord": _cpu_seconds(os.getpid()) - bench_before}


def _cpu_seconds(pid: int, task: str = "") -> float:
    """User + system CPU time of a process (Linux /proc), threads included, or of one of its threads."""
    try:
        fields = Path(f"/proc/{pid}{task}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_by_thread(pid: int) -> dict[str, float]:
    """CPU seconds of a process's main thread (``main``: the event loop) and its other threads, by
    their OS names (Python does not name them: most are ``python``)."""
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            name = "main" if task.name == str(pid) else (task / "comm").read_text().strip()
            out[name] = out.get(name, 0.0) + _cpu_seconds(pid, f"/task/{task.name}")
    return out


async def drive(run: Run, fake: FakeDiscord, config: Path, args: argparse.Namespace, log: Any) -> None:
    outcomes = Outcomes(config.parent / "load.db")
    run.process = await start_bot(config, fake, log)
    await warm_up(fake, outcomes)
    await spread_phase(run, fake, config, outcomes, args, log)
    await asyncio.sleep(2.0)  # late duplicates would show here
    await burst_phase(run, fake, outcomes, args)
    await asyncio.sleep(2.0)
    run.process.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        run.process.wait(timeout=30)
    if run.process.poll() is None:
        run.process.kill()


def replies_by_message(fake: FakeDiscord, channels: list[int]) -> dict[int, list[Any]]:
    replies: dict[int, list[Any]] = {}
    for posted in fake.posted:
        reference = posted.message.get("message_reference") or {}
        if reference.get("message_id") and posted.channel_id in channels:
            replies.setdefault(int(reference["message_id"]), []).append(posted)
    return replies


def phase_figures(phase: Phase, run: Run, replies: dict[int, list[Any]], settled: dict[int, tuple[str, float]]) -> dict[str, Any]:
    latencies, live = [], []
    for message_id, posted_at in phase.posted.items():
        got = replies.get(message_id)
        if not got:
            continue
        ms = (_sent_at(got[0]) - posted_at) * 1000
        latencies.append(ms)
        if not any(start - 1.0 <= posted_at <= end for start, end in run.down):
            live.append(ms)
    kinds = [settled[m][0] for m in phase.posted if m in settled]
    figures: dict[str, Any] = {
        "messages": len(phase.posted),
        "answered": kinds.count("answered"),
        "handed_off": kinds.count("handed_off"),
        "ignored": kinds.count("ignored"),
        "lost": sum(1 for m in phase.posted if m not in settled),
        "duplicates": sum(1 for m in phase.posted if len(replies.get(m, [])) > 1),
        "silent": sum(1 for m in phase.posted if m in settled and settled[m][0] != "ignored" and m not in replies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(_p95(latencies), 1) if latencies else None,
    }
    if phase.name == "spread":
        figures["p95_ms_live"] = round(_p95(live), 1) if live else None
        span = max(phase.posted.values()) - min(phase.posted.values()) if phase.posted else 0.0
        figures["offered_msgs_per_s"] = round(len(phase.posted) / span, 2) if span else None
    else:
        done = [settled[m][1] for m in phase.posted if m in settled]
        if done:
            elapsed = max(max(done) - min(phase.posted.values()), 1e-9)
            figures["msgs_per_s"] = round(len(done) / elapsed, 2)
            figures["seconds"] = round(elapsed, 2)
        figures["cpu_s"] = {k: round(v, 1) for k, v in run.cpu.items()}
        if done and run.cpu:
            figures["bot_cpu_ms_per_msg"] = round(run.cpu["bot"] / len(done) * 1000, 2)
    return figures


def _sent_at(posted: Any) -> float:
    """When the fake Discord created the bot's message (its timestamp, as Discord's)."""
    return datetime.fromisoformat(posted.message["timestamp"]).timestamp()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def embedder_alone(texts: list[str]) -> dict[str, Any]:
    """Texts per second for the bot's embedder on ``texts``, in this process, the bot stopped:
    batched, with each batch size and torch thread count tried; the fastest is the baseline.
    The same code as the bot's: with the traced forward pass and one torch thread, the passes of
    a batch run side by side on as many threads as there are cores, as they do in the bot."""
    import torch

    from supportbot.models import EmbeddingSettings, ModelSettings, create_runner

    runner = create_runner(ModelSettings(backend="none"), EmbeddingSettings())
    runner.embed_sync(texts[:64])  # loads the model and warms it up
    threads_before = torch.get_num_threads()
    tried: dict[str, float] = {}
    cpu: dict[str, float] = {}
    try:
        for threads in sorted({1, os.cpu_count() or 1}):
            torch.set_num_threads(threads)
            for batch in (8, 16, 32, 64, 128):
                started, cpu_started = time.perf_counter(), time.process_time()
                runner.embed_sync(texts, batch_size=batch)
                tried[f"{threads}t/b{batch}"] = round(len(texts) / (time.perf_counter() - started), 1)
                cpu[f"{threads}t/b{batch}"] = time.process_time() - cpu_started
    finally:
        torch.set_num_threads(threads_before)
    best = max(tried, key=lambda k: tried[k])
    return {"texts_per_s": tried[best], "best": best, "tried": tried, "texts": len(texts),
            "cpu_ms_per_text": round(cpu[best] / len(texts) * 1000, 2)}


async def one_mode(mode: str, args: argparse.Namespace, folder: Path, tiny_model: Path | None) -> tuple[dict[str, Any], list[str]]:
    async with FakeDiscord() as fake:
        mode_dir = folder / mode
        mode_dir.mkdir()
        config = write_config(mode_dir, fake, mode, tiny_model, args)
        for kind, path in (("faq", EXAMPLES / "faq.csv"), ("policies", EXAMPLES / "policies.md"),
                           ("products", EXAMPLES / "products.csv")):
            subprocess.run(bot_command(config, "import", kind, str(path), "--no-progress"), check=True,
                           capture_output=True, env=environment(fake))
        run = Run(mode, channels=json.loads(config.read_text(encoding="utf-8"))["discord"]["support_channels"])
        with (mode_dir / "bot.log").open("wb") as log:
            await drive(run, fake, config, args, log)
        replies, settled = replies_by_message(fake, run.channels), Outcomes(mode_dir / "load.db").settled()
        spread, burst = phase_figures(run.spread, run, replies, settled), phase_figures(run.burst, run, replies, settled)
        figures = {"mode": mode, "kill": args.kill, "channels": len(run.channels), "spread": spread, "burst": burst, "faults": run.faults,
                   "bot_log": str(mode_dir / "bot.log")}
        return figures, list(run.burst.texts.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5, help="messages per customer")
    parser.add_argument("--channels", type=int, default=20, help="support channels the customers write in")
    parser.add_argument("--spread-s", type=float, default=60.0, help="customers write over this many seconds")
    parser.add_argument("--burst", type=int, default=500, help="new customers writing at once (0: no burst)")
    parser.add_argument("--settle-s", type=float, default=300.0, help="wait at most this long for a phase's outcomes")
    parser.add_argument("--model-timeout-s", type=float, default=10.0, help="the generator's deadline (model.timeout_s)")
    parser.add_argument("--modes", default="knowledge,generator")
    parser.add_argument("--no-kill", dest="kill", action="store_false")
    parser.add_argument("--keep", type=Path, help="keep the databases and logs in this folder")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    burst: list[str] = []
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        tiny_model = None
        if "generator" in args.modes:
            from supportbot.testing.tiny_model import build_tiny_chat_model

            tiny_model = build_tiny_chat_model(folder / "tiny-model")
        for mode in args.modes.split(","):
            figures, mode_burst = asyncio.run(one_mode(mode, args, folder, tiny_model))
            results[mode] = figures
            burst = burst or mode_burst
            print(json.dumps(figures), flush=True)
        baseline = embedder_alone(burst) if burst else None
    for mode, figures in results.items():
        s, b = figures["spread"], figures["burst"]
        print(f"{mode}{' with kill -9' if args.kill else ''}: spread {s['messages']} messages "
              f"(offered {s['offered_msgs_per_s']}/s): {s['answered']} answered, {s['handed_off']} handed off, "
              f"{s['ignored']} ignored, {s['lost']} lost, {s['duplicates']} duplicates, {s['silent']} silent; "
              f"reply p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms (live {s['p95_ms_live']} ms); "
              f"faults: {', '.join(figures['faults'])}")
        if b["messages"]:
            print(f"{mode}: burst {b['messages']} messages at once: {b.get('msgs_per_s')} msgs/s settled, "
                  f"{b['lost']} lost, {b['duplicates']} duplicates; CPU s bot {b['cpu_s'].get('bot')} (event loop "
                  f"{b['cpu_s'].get('bot_event_loop')}, other threads {b['cpu_s'].get('bot_other_threads')}), "
                  f"bench + fake Discord {b['cpu_s'].get('bench_and_fake_discord')}")
    if baseline:
        print(f"embedder alone: {baseline['texts_per_s']} texts/s on the {baseline['texts']} burst texts, "
              f"{baseline['cpu_ms_per_text']} ms CPU each (best of {baseline['tried']})")
    first = results[args.modes.split(",")[0]]
    s, b = first["spread"], first["burst"]
    rate = b.get("msgs_per_s")
    summary = {
        "mode": first["mode"], "kill": args.kill, "channels": args.channels,
        "messages": s["messages"] + b["messages"],
        **{k: s[k] + b[k] for k in ("answered", "handed_off", "ignored", "lost", "duplicates", "silent")},
        "p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"], "p95_ms_live": s["p95_ms_live"],
        "msgs_per_s": rate,
        "embedder_texts_per_s": baseline["texts_per_s"] if baseline else None,
        "throughput_vs_embedder": round(rate / baseline["texts_per_s"], 3) if baseline and rate else None,
        "embedder_cpu_ms_per_text": baseline["cpu_ms_per_text"] if baseline else None,
        "bot_cpu_ms_per_msg": b.get("bot_cpu_ms_per_msg"),
        "lost_all_modes": sum(r["spread"]["lost"] + r["burst"]["lost"] for r in results.values()),
        "duplicates_all_modes": sum(r["spread"]["duplicates"] + r["burst"]["duplicates"] for r in results.values()),
        "load_average": [round(x, 1) for x in (*load_before, *os.getloadavg())],
        "cpus": os.cpu_count(),
        "fake_discord": "in the bench process, on the same cores",
        "modes": {m: {"spread": r["spread"], "burst": r["burst"]} for m, r in results.items()},
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
