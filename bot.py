#!/usr/bin/env python3
"""supportbot: a support bot for merchants' Discord servers.

    python bot.py                      run on Discord if DISCORD_TOKEN is set, else the console
    python bot.py console [--script F] try it in a terminal, or replay a script ("-" for stdin)
    python bot.py demo                 the console with the example shop (examples/), in its own database
    python bot.py import products F    bring in the catalog (also: faq, policies, reviews)
    python bot.py import shop DIR      a shop folder: product export, FAQ and policy pages
    python bot.py train-intents F.csv  fit the intent classifier on your own labelled messages
    python bot.py train-sentiment F    fit review sentiment on your own star ratings
    python bot.py report --out DIR     charts, CSV tables and an HTML page of the last --days N
    python bot.py describe --missing   write descriptions for products without one (--out F.csv to review)
    python bot.py export descriptions F.csv   the descriptions saved by /describe-pick and describe
    python bot.py check-config         validate config.yaml and print the settings in effect

Every command takes --config PATH (default ./config.yaml).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

from supportbot.config import Config, ConfigError, load_config
from supportbot.logs import setup_logging

log = logging.getLogger("supportbot")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config if Path(args.config).exists() or args.config != "config.yaml" else None)
    except ConfigError as exc:
        print("config error:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 2
    setup_logging(args.log_level or config.bot.log_level)
    try:
        return args.func(config, args)
    except ConfigError as exc:
        print("config error:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


# --- commands -----------------------------------------------------------------------------------


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        return cmd_console(config, args, why="no DISCORD_TOKEN set, so this is the console")
    from supportbot.transports.discord import DiscordStartupError, create_transport

    try:
        return asyncio.run(_serve(config, create_transport(config.discord, token)))
    except DiscordStartupError as exc:
        print(str(exc), file=sys.stderr)  # one line: bad token, refused intent, ...
        return 1


def cmd_demo(config: Config, args: argparse.Namespace) -> int:
    args.demo = True
    return cmd_console(config, args)


def cmd_console(config: Config, args: argparse.Namespace, *, why: str = "console") -> int:
    """The conversation on stdout; the log in a file beside the database (``--log-level`` also
    puts it on stderr); an empty knowledge base gets the example shop in a database of its own."""
    from supportbot import demo
    from supportbot.transports.console import ConsoleTransport

    log_file = config.resolve(Path(config.database.path)).with_suffix(".log")
    setup_logging(config.bot.log_level, file=str(log_file), stream_level=args.log_level)
    use_demo = getattr(args, "demo", None)
    if use_demo is None:
        use_demo = not demo.has_own_knowledge(config)
    if use_demo:
        config = demo.demo_config(config)
        print(demo.BANNER.format(path=config.resolve(config.database.path)), flush=True)
    script = getattr(args, "script", None)
    interactive = script is None and sys.stdin.isatty()
    print(f"{why} (!help lists its commands); the log goes to {log_file}" if interactive
          else f"(the log goes to {log_file})", file=sys.stderr)
    source = sys.stdin if script in (None, "-") else open(script, encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        transport = ConsoleTransport(source, customer_name=config.console.customer_name,
                                     staff_name=config.console.staff_name, echo=script is not None,
                                     fresh=getattr(args, "fresh", False))
        hints = demo.QUESTIONS if use_demo and interactive else ()
        return asyncio.run(_serve(config, transport, demo=use_demo, hints=hints))
    finally:
        if source is not sys.stdin:
            source.close()


def _warn_if_empty(bot: Any) -> None:
    """An empty knowledge base hands every question to staff: say so once, with the fix."""
    if bot.knowledge is None:
        return
    counts = bot.knowledge.counts()
    if not (counts["products"] or counts["faq"] or counts["policy"]):
        log.warning("the knowledge base is empty, so questions go to staff: import yours with "
                    "`python bot.py import faq|policies|products FILE` (`python bot.py demo` shows an example shop)")


async def _serve(config: Config, transport: Any, *, demo: bool = False, hints: tuple[str, ...] = ()) -> int:
    from supportbot.instance import AlreadyRunning, InstanceLock
    from supportbot.preflight import runtime_problems

    problems = runtime_problems(config)
    if problems:
        raise ConfigError(problems)
    lock = InstanceLock(config.resolve(config.database.path))
    try:
        lock.acquire()  # before anything loads: a second instance is refused at once
    except AlreadyRunning as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        return await _serve_locked(config, transport, demo=demo, hints=hints)
    finally:
        lock.release()


async def _serve_locked(config: Config, transport: Any, *, demo: bool, hints: tuple[str, ...]) -> int:
    """Start the bot on ``transport`` and run until it stops. A console shows one status line for
    the slow start (models, the intent classifier) and, for the demo, questions to try."""
    from supportbot.app import build_bot
    from supportbot.demo import import_examples, reset
    from supportbot.logs import quiet_library_progress, status_line

    if demo:
        reset(config)  # the lock is held: no other demo is using this database
    bot = build_bot(config, transport)
    console = transport.name == "console"
    if console:
        quiet_library_progress()
    starting = "loading the models and the intent classifier" + (", importing the example shop" if demo else "")
    with status_line(starting) if console else contextlib.nullcontext():
        await bot.start()
        if demo and bot.knowledge is not None:
            await asyncio.to_thread(import_examples, bot.knowledge)
    _freeze_startup_objects()
    try:
        await transport.start(bot)
        _warn_if_empty(bot)
        recovered = await bot.recover()
        if recovered:
            log.info("gave an outcome to %d message(s) left pending by the last run", recovered)
        if hints:
            print("Try: " + " · ".join(f"“{q}”" for q in hints), flush=True)
        await transport.run()
    finally:
        await transport.stop()
        await bot.close()
    return 0


def _freeze_startup_objects() -> None:
    """Keep what loading left (torch, transformers, the models, lingua's tables: millions of
    objects) out of every later garbage collection. Each full collection walked all of it while
    holding the GIL, 0.4-0.65 s at a time in bench.load's burst, stalling the event loop and the
    encoder alike; garbage made while serving is still collected."""
    gc.collect()
    gc.freeze()


def cmd_import(config: Config, args: argparse.Namespace) -> int:
    """Exit 0 when the file was imported (bad rows, if any, are listed and left out), 1 when no
    row could be imported, 2 when the file or the column mapping cannot be used at all."""
    from supportbot.app import build_runner, open_history
    from supportbot.knowledge import KnowledgeBase, MappingError
    from supportbot.knowledge.importers import import_file, parse_mapping

    history = open_history(config)
    try:
        knowledge = KnowledgeBase(history.db, build_runner(config), config.knowledge)
        if args.kind == "shop":
            return _import_shop(knowledge, args)
        mapping = parse_mapping(args.map) if args.map else None
        if args.kind == "reviews":
            report = _insights_cli().import_reviews_file(config, history, knowledge.runner, Path(args.file), mapping,
                                         progress=not args.no_progress)
        else:
            report = import_file(knowledge, args.kind, Path(args.file), mapping, progress=not args.no_progress,
                                 preset=args.preset)
    except MappingError as exc:
        print(f"import {args.kind}: {exc}", file=sys.stderr)
        return 2
    finally:
        history.close()
    print(report.summary())
    if report.problems:
        print("Problems (rows count from the first data row; a CSV header is not a row):")
    for problem in report.problems[: args.show_errors]:
        print(f"  {problem}")
    if len(report.problems) > args.show_errors:
        print(f"  ... and {len(report.problems) - args.show_errors} more (--show-errors N lists more)")
    return 0 if report.imported or not report.problems else 1


def _import_shop(knowledge: Any, args: argparse.Namespace) -> int:
    from supportbot.knowledge import MappingError
    from supportbot.knowledge.shop import import_shop

    if args.map or args.preset:
        raise MappingError("a shop folder names mappings and presets in its shop.yaml, not on the command line")
    report = import_shop(knowledge, Path(args.file), progress=not args.no_progress)
    print(report.summary())
    return 0 if any(report.counts.values()) else 1


def cmd_train_intents(config: Config, args: argparse.Namespace) -> int:
    from supportbot.app import cache_dir as cache_dir_of
    from supportbot.understanding import fit_from_csv

    cache_dir = cache_dir_of(config)
    try:
        report = fit_from_csv(
            Path(args.file), args.text_col, args.label_col, cache_dir=cache_dir,
            settings=config.understanding, embedder=config.understanding.encoder or config.embeddings.model,
            fine_tune=not args.no_fine_tune, epochs=args.epochs, embedding_cache=cache_dir / "embeddings",
            progress=print,
        )
    except (OSError, ValueError) as exc:
        print(f"train-intents: {exc}", file=sys.stderr)
        return 2
    print(f"{report.examples} examples, {len(report.intents)} intents, "
          f"{'fine-tuned encoder' if report.fine_tuned else 'head on frozen embeddings'}: {report.directory}")
    print("Restart the bot to use it.")
    return 0


def _insights_cli() -> Any:
    """The insights plugin's command-line half, by name (a shipped plugin is its own package)."""
    import importlib

    return importlib.import_module("plugins.insights.cli")


def cmd_train_sentiment(config: Config, args: argparse.Namespace) -> int:
    from supportbot.understanding.review_sentiment import fit_sentiment_from_file

    try:
        fit, directory = fit_sentiment_from_file(
            Path(args.file), args.text_col, args.rating_col, embedder=config.embeddings.model,
            cache_dir=config.resolve(Path(config.database.path)).parent / ".supportbot-cache",
            fine_tune=args.fine_tune, epochs=args.epochs, progress=print)
    except (OSError, ValueError) as exc:
        print(f"train-sentiment: {exc}", file=sys.stderr)
        return 2
    print(f"{fit.examples} rated reviews ({fit.negatives} negative), {fit.method}: {directory}")
    print("Every review, those imported before included, is scored with it the next time /reviews, "
          "/insights or bot.py report runs, and new imports use it.")
    return 0


def cmd_report(config: Config, args: argparse.Namespace) -> int:
    for path in _insights_cli().write_report_dir(config, days=args.days, out=Path(args.out)):
        print(path)
    return 0


def cmd_check_config(config: Config, args: argparse.Namespace) -> int:
    """Every setting checked, each enabled plugin's own too (imported, never started)."""
    import yaml

    from supportbot.loader import check_plugin_settings
    from supportbot.preflight import runtime_problems

    problems = runtime_problems(config) + check_plugin_settings(config)
    if problems:
        raise ConfigError(problems)
    print(f"{config.source or 'built-in defaults'}: OK")
    if args.show:
        print(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand sets these only when given, so `bot.py --config X import ...` keeps X.
    common.add_argument("--config", default=argparse.SUPPRESS, help="settings file (default: ./config.yaml)")
    common.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], default=argparse.SUPPRESS,
                        help="override bot.log_level (in the console: also show the log here)")
    parser.set_defaults(func=cmd_run, config="config.yaml", log_level=None)
    parser.add_argument("--config", default="config.yaml", help=argparse.SUPPRESS)
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help=argparse.SUPPRESS)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="run on Discord (DISCORD_TOKEN) or else the console")
    run.set_defaults(func=cmd_run)

    console = sub.add_parser("console", parents=[common], help="chat with the bot in this terminal")
    demo = sub.add_parser("demo", parents=[common], help="the console with the example shop, in a database of its own")
    for chat in (console, demo):
        chat.add_argument("--script", metavar="FILE", help="read lines from FILE ('-' for stdin), print the transcript, exit")
    console.add_argument("--fresh", action="store_true",
                         help="new conversations: earlier console runs' are not continued (the demo always starts fresh)")
    console.add_argument("--demo", action=argparse.BooleanOptionalAction, default=None,
                         help="the example shop in its own database (default: only when your knowledge base is empty)")
    console.set_defaults(func=cmd_console)
    demo.set_defaults(func=cmd_demo)

    imp = sub.add_parser("import", parents=[common], help="import products, FAQ or policies")
    imp.add_argument("kind", choices=["products", "faq", "policies", "reviews", "shop"])
    imp.add_argument("file", help="the file to import (for shop: the folder)")
    imp.add_argument("--preset", choices=["shopify", "woocommerce", "magento", "none"],
                     help="products: a platform's own export (detected from the header when not given)")
    imp.add_argument("--map", help="column mapping, e.g. 'sku=ProductID,name=ProductName,price=Price (INR)'")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")
    imp.add_argument("--show-errors", type=int, default=20, metavar="N", help="list at most N bad rows")
    imp.set_defaults(func=cmd_import)

    train = sub.add_parser("train-intents", parents=[common], help="fit the intent classifier on labelled messages")
    train.add_argument("file")
    train.add_argument("--text-col", default="text")
    train.add_argument("--label-col", default="intent")
    train.add_argument("--no-fine-tune", action="store_true",
                       help="fit only a head on frozen embeddings (seconds instead of minutes)")
    train.add_argument("--epochs", type=int, default=3, help="fine-tuning epochs (default 3)")
    train.set_defaults(func=cmd_train_intents)

    sentiment = sub.add_parser("train-sentiment", parents=[common], help="fit review sentiment on star ratings")
    sentiment.add_argument("file")
    sentiment.add_argument("--text-col", default="text")
    sentiment.add_argument("--rating-col", default="rating")
    sentiment.add_argument("--fine-tune", action="store_true",
                           help="let a fine-tuned encoder compete (slow; not measured better on reviews yet)")
    sentiment.add_argument("--epochs", type=int, default=3, help="fine-tuning epochs with --fine-tune (default 3)")
    sentiment.set_defaults(func=cmd_train_sentiment)

    report = sub.add_parser("report", parents=[common], help="write the insights report (PNG, CSV, HTML)")
    report.add_argument("--days", type=int, default=30, help="look back this many days (default 30)")
    report.add_argument("--out", default="report", help="folder to write into (default ./report)")
    report.set_defaults(func=cmd_report)
    from plugins.descriptions.cli import add_commands as add_description_commands

    add_description_commands(sub, common)  # describe --missing, export descriptions

    check = sub.add_parser("check-config", parents=[common], help="validate the config file")
    check.add_argument("--show", action="store_true", help="print every setting in effect")
    check.set_defaults(func=cmd_check_config)
    return parser


if __name__ == "__main__":
    sys.exit(main())
