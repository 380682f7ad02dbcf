"""Benchmark the model runner against the naive way of serving a chat model.

    python -m bench.runner                 # CPU, ~30M-parameter random-weight Qwen2
    python -m bench.runner --device cuda   # on a GPU

Requests of mixed prompt lengths arrive over a few seconds, as customers' messages would. The
naive way answers them in turn with one ``model.generate`` call each (on a worker thread, so it
does not freeze the loop either); the runner serves them all at once, with the engine and the
batch sizing that ``ModelSettings`` defaults to unless an option overrides them. Both decode
greedily, so their answers must be identical. Time to first token is, for both, the time to the
first piece of text a customer could see. A ticker coroutine measures how long the event loop
was ever kept from running. Embeddings are timed one call at a time against concurrent
callers sharing micro-batches.

The machine's load average is part of the report: on a shared machine, both ways slow down
(not by the same factor), so figures are only comparable at similar loads.

Prints a table, then, as its last line, the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportbot.models import EmbeddingSettings, GenerationOptions, ModelRunner, ModelSettings, create_runner, metrics
from supportbot.models.decoding import IncrementalDecoder
from supportbot.models.engines.continuous import CPU_MAX_BATCH_TOKENS
from supportbot.models.loading import cpu_threads
from supportbot.testing.tiny_model import build_tiny_chat_model, support_sentences

log = logging.getLogger("bench.runner")


@dataclass
class Request:
    messages: list[dict[str, str]]
    arrival_s: float  # offset from the start of the run


@dataclass
class Result:
    arrival: float
    first_token: float
    done: float
    text: str
    tokens: int

    @property
    def ttft(self) -> float:
        return self.first_token - self.arrival

    @property
    def latency(self) -> float:
        return self.done - self.arrival


# What a support bot sends before every customer message. The runner's prefix cache computes it
# once; one `generate` per message recomputes it every time.
SYSTEM_PROMPT = (
    "You are the support assistant of an online shop. Answer in two short sentences, using only "
    "these policies: orders ship within two days; returns are accepted within 30 days; refunds take "
    "five to ten days. Otherwise say that staff will follow up."
)


def make_requests(count: int, spread_s: float, *, system_prompt: bool = True, seed: int = 1) -> list[Request]:
    """``count`` chats with customer messages of 16 to ~256 tokens, arriving over ``spread_s`` seconds."""
    rng = random.Random(seed)
    sentences = list(support_sentences(2000, seed=seed))
    system = [{"role": "system", "content": SYSTEM_PROMPT}] if system_prompt else []
    requests = []
    for _ in range(count):
        length = rng.choice([1, 2, 4, 8, 14, 20])  # sentences; about 12 tokens each
        start = rng.randrange(len(sentences) - length)
        customer = {"role": "user", "content": " ".join(sentences[start : start + length])}
        requests.append(Request(messages=[*system, customer], arrival_s=rng.uniform(0, spread_s)))
    return sorted(requests, key=lambda r: r.arrival_s)


class LoopTicker:
    """Wakes up every ``interval_s`` and records how late each wake-up was: the loop's stalls."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.max_stall_s = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.max_stall_s = 0.0
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        return self.max_stall_s

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + self.interval_s
            await asyncio.sleep(self.interval_s)
            self.max_stall_s = max(self.max_stall_s, loop.time() - expected)


async def arrive(request: Request, t0: float) -> float:
    """Sleep until the request's arrival time; return that time."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, t0 + request.arrival_s - loop.time()))
    return time.perf_counter()


# ----------------------------------------------------------------------------- the naive way


class _FirstTextClock:
    """A transformers streamer that notes when the first piece of text is ready.

    The runner's time to first token is measured the same way (its first non-empty piece): a
    token can be a fragment of a character, which neither way can show yet.
    """

    def __init__(self, tokenizer: Any) -> None:
        self._decoder = IncrementalDecoder(tokenizer)
        self._prompt_seen = False
        self.first_text: float | None = None

    def put(self, value: Any) -> None:
        if not self._prompt_seen:  # the first call carries the prompt
            self._prompt_seen = True
        elif self.first_text is None and self._decoder.feed(value.flatten().tolist()):
            self.first_text = time.perf_counter()

    def end(self) -> None:
        pass


async def run_sequential(
    path: Path, device: str, requests: Sequence[Request], new_tokens: int, threads: int | None = None
) -> tuple[list[Result], int]:
    """One ``model.generate`` per request, in arrival order, on a worker thread.

    Uses torch's default thread count (one per core) unless ``threads`` is given; returns the
    results and the thread count ``generate`` ran with.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from supportbot.models.loading import resolve_dtype

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=resolve_dtype("auto", device)).to(device).eval()
    lock = threading.Lock()
    used_threads = 0

    def generate(messages: list[dict[str, str]]) -> tuple[str, int, float]:
        nonlocal used_threads
        if threads is not None:
            torch.set_num_threads(threads)
        used_threads = torch.get_num_threads()
        ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        ids = ids.to(device)
        clock = _FirstTextClock(tokenizer)
        with lock, torch.no_grad():
            out = model.generate(**ids, max_new_tokens=new_tokens, do_sample=False, streamer=clock)
        new = out[0, ids["input_ids"].shape[1] :]
        if device == "cuda":
            torch.cuda.synchronize()
        return tokenizer.decode(new, skip_special_tokens=True), len(new), clock.first_text or time.perf_counter()

    await asyncio.to_thread(generate, requests[0].messages)  # warm-up, not timed
    queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
    results: list[Result | None] = [None] * len(requests)
    t0 = asyncio.get_running_loop().time()

    async def customer(index: int) -> None:
        queue.put_nowait((index, await arrive(requests[index], t0)))

    async def worker() -> None:
        for _ in requests:
            index, arrival = await queue.get()
            text, tokens, first = await asyncio.to_thread(generate, requests[index].messages)
            results[index] = Result(arrival, first, time.perf_counter(), text, tokens)

    await asyncio.gather(worker(), *(customer(i) for i in range(len(requests))))
    return [r for r in results if r is not None], used_threads


# ----------------------------------------------------------------------------- the runner


async def run_runner(runner: ModelRunner, requests: Sequence[Request], new_tokens: int) -> list[Result]:
    options = GenerationOptions(temperature=0.0, max_new_tokens=new_tokens, timeout_s=600)
    tokens = metrics.GENERATED_TOKENS.labels("transformers")
    t0 = asyncio.get_running_loop().time()

    async def customer(request: Request) -> Result:
        arrival = await arrive(request, t0)
        before = tokens._value.get()  # approximate per request; the total below is exact
        first = None
        pieces = []
        async for piece in runner.stream_chat(request.messages, options):
            first = first or time.perf_counter()
            pieces.append(piece)
        done = time.perf_counter()
        return Result(arrival, first or done, done, "".join(pieces), int(tokens._value.get() - before))

    return list(await asyncio.gather(*(customer(r) for r in requests)))


# ----------------------------------------------------------------------------- embeddings


async def bench_embeddings(runner: ModelRunner, count: int) -> dict[str, float]:
    texts = list(support_sentences(count, seed=7))
    await runner.embed(texts[:8])  # warm-up
    start = time.perf_counter()
    for text in texts:
        await runner.embed([text])
    one_at_a_time = count / (time.perf_counter() - start)
    start = time.perf_counter()
    await asyncio.gather(*(runner.embed([text]) for text in texts))
    batched = count / (time.perf_counter() - start)
    return {"one_at_a_time_per_s": one_at_a_time, "micro_batched_per_s": batched}


# ----------------------------------------------------------------------------- report


def prompt_lengths(path: Path, requests: Sequence[Request]) -> list[int]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    return [
        len(tokenizer.apply_chat_template(r.messages, add_generation_prompt=True, return_dict=False)) for r in requests
    ]


def summarize(results: Sequence[Result], tokens: int) -> dict[str, float]:
    start = min(r.arrival for r in results)
    end = max(r.done for r in results)
    latencies = sorted(r.latency for r in results)
    return {
        "tokens": tokens,
        "tokens_per_s": tokens / (end - start),
        "ttft_p50_s": statistics.median(r.ttft for r in results),
        "latency_p50_s": statistics.median(latencies),
        "p95_latency_s": latencies[max(0, round(0.95 * len(latencies)) - 1)],
    }


def runner_settings(args: argparse.Namespace, path: Path) -> ModelSettings:
    """The defaults, with what the command line overrides."""
    overrides = {
        name: getattr(args, name)
        for name in ("engine", "scheduler", "max_batch_tokens", "page_size", "cpu_threads")
        if getattr(args, name) is not None
    }
    return ModelSettings(name=str(path), device=args.device, temperature=0.0, **overrides)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    requests = make_requests(args.requests, args.spread_s, system_prompt=not args.no_system_prompt)
    load_before = os.getloadavg()[0]
    ticker = LoopTicker()
    with tempfile.TemporaryDirectory(prefix="bench-runner-") as folder:
        path = build_tiny_chat_model(Path(folder), size="small")
        prompt_tokens = prompt_lengths(path, requests)

        ticker.start()
        sequential, naive_threads = await run_sequential(
            path, args.device, requests, args.new_tokens, args.naive_threads
        )
        sequential_stall = await ticker.stop()

        settings = runner_settings(args, path)
        embeddings = EmbeddingSettings(backend="none" if args.skip_embeddings else "sentence-transformers")
        runner = create_runner(settings, embeddings)
        await runner.start()
        if not runner.generation_available:
            raise SystemExit("the runner could not load the model (see the warning above)")
        engine = runner.generator.engine  # type: ignore[union-attr]
        runner_threads = cpu_threads(settings.cpu_threads) if args.device == "cpu" else None
        try:
            ticker.start()
            tokens_before = metrics.GENERATED_TOKENS.labels("transformers")._value.get()
            batched = await run_runner(runner, requests, args.new_tokens)
            runner_tokens = int(metrics.GENERATED_TOKENS.labels("transformers")._value.get() - tokens_before)
            runner_stall = await ticker.stop()
            embed = {} if args.skip_embeddings else await bench_embeddings(runner, args.embed_texts)
        finally:
            await runner.close()

    seq = summarize(sequential, sum(r.tokens for r in sequential))
    run = summarize(batched, runner_tokens)
    identical = sum(a.text == b.text for a, b in zip(sequential, batched, strict=True))
    report: dict[str, Any] = {
        "device": args.device,
        "requests": args.requests,
        "spread_s": args.spread_s,
        "new_tokens": args.new_tokens,
        "engine": engine,
        "scheduler": settings.scheduler,
        "max_batch_tokens": settings.max_batch_tokens or (CPU_MAX_BATCH_TOKENS if args.device == "cpu" else "auto"),
        "page_size": settings.page_size,
        "torch_threads": {"sequential": naive_threads, "runner": runner_threads},
        "system_prompt": not args.no_system_prompt,
        "prompt_tokens": {
            "min": min(prompt_tokens),
            "median": statistics.median(prompt_tokens),
            "max": max(prompt_tokens),
        },
        "identical_outputs": f"{identical}/{len(requests)}",
        "sequential": seq,
        "runner": run,
        "speedup_vs_sequential": run["tokens_per_s"] / seq["tokens_per_s"],
        "ttft_p50_ratio": seq["ttft_p50_s"] / run["ttft_p50_s"],
        "p95_latency_s": {"sequential": seq["p95_latency_s"], "runner": run["p95_latency_s"]},
        "max_loop_stall_ms": runner_stall * 1000,
        "sequential_max_loop_stall_ms": sequential_stall * 1000,
        "embeddings": embed,
        "load_average_1m": {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)},
        "cpu_count": os.cpu_count(),
    }
    return report


def print_table(report: dict[str, Any]) -> None:
    seq, run = report["sequential"], report["runner"]
    lengths = report["prompt_tokens"]
    shared = "a shared system prompt + " if report["system_prompt"] else ""
    print(
        f"\n{report['requests']} requests over {report['spread_s']:g}s; prompts of {shared}a customer message, "
        f"{lengths['min']}-{lengths['max']} tokens (median {lengths['median']:g}); {report['new_tokens']} new tokens "
        f"each, greedy, device {report['device']}; identical outputs: {report['identical_outputs']}\n"
    )
    print(f"{'way':<34}{'tokens/s':>10}{'p50 latency':>13}{'p95 latency':>13}{'p50 TTFT':>11}")
    runner_name = f"model runner ({report['engine']} engine)"
    for name, row in (("one generate per request, in turn", seq), (runner_name, run)):
        print(
            f"{name:<34}{row['tokens_per_s']:>10.1f}{row['latency_p50_s']:>12.2f}s"
            f"{row['p95_latency_s']:>12.2f}s{row['ttft_p50_s']:>10.3f}s"
        )
    print(
        f"\nspeedup {report['speedup_vs_sequential']:.2f}x, TTFT p50 ratio {report['ttft_p50_ratio']:.1f}x, "
        f"worst loop stall {report['max_loop_stall_ms']:.1f} ms (runner), "
        f"{report['sequential_max_loop_stall_ms']:.1f} ms (in turn)"
    )
    if embed := report["embeddings"]:
        print(
            f"embeddings/s: {embed['one_at_a_time_per_s']:.0f} one at a time, "
            f"{embed['micro_batched_per_s']:.0f} micro-batched"
        )
    threads = report["torch_threads"]
    if threads["runner"] is not None:
        print(f"torch threads: {threads['sequential']} in turn, {threads['runner']} runner")
    load = report["load_average_1m"]
    print(f"load average (1 min) {load['start']:.2f} at the start, {load['end']:.2f} at the end, {report['cpu_count']} CPUs")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--requests", type=int, default=32)
    parser.add_argument("--spread-s", type=float, default=3.0, help="arrivals are spread over this many seconds")
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--engine", choices=["continuous", "thread"], help="default: the settings' auto")
    parser.add_argument("--scheduler", choices=["fifo", "prefill_first"], help="default: the settings' default")
    parser.add_argument("--max-batch-tokens", type=int, help="default: the settings' (256 on cpu)")
    parser.add_argument("--page-size", type=int, help="default: the settings' default")
    parser.add_argument("--cpu-threads", type=int, help="torch threads for the runner (default: the settings')")
    parser.add_argument(
        "--naive-threads", type=int, help="torch threads for the naive way (default: torch's, one per core)"
    )
    parser.add_argument("--embed-texts", type=int, default=256)
    parser.add_argument("--skip-embeddings", action="store_true")
    parser.add_argument("--no-system-prompt", action="store_true", help="customer messages only, no shared prefix")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    result = asyncio.run(main(parse_args()))
    print_table(result)
    print(json.dumps(result))
