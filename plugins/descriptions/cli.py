"""The command-line side: ``python bot.py describe --missing ...`` and ``export descriptions FILE``.

bot.py only registers these (:func:`add_commands`); everything they need is imported when they run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_commands", "cmd_describe", "cmd_export"]


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    from .settings import LANGUAGES, LENGTHS, TONES

    describe = sub.add_parser("describe", parents=[common], help="write descriptions for products that lack one")
    describe.add_argument("--missing", action="store_true", required=True,
                          help="every product without a description (or with one under --min-chars)")
    describe.add_argument("--category", help="only this category (whole path segments, e.g. 'Footwear')")
    describe.add_argument("--limit", type=int, metavar="N", help="at most N products this run")
    describe.add_argument("--variants", type=int, default=1, choices=range(1, 6), metavar="1-5",
                          help="variants per product; the one covering most attributes among those that pass is kept")
    describe.add_argument("--out", metavar="FILE.csv", help="write to a CSV for review instead of the catalog")
    describe.add_argument("--force", action="store_true", help="also replace short descriptions that staff wrote")
    describe.add_argument("--template", action="store_true",
                          help="without a model, write template descriptions composed from the attributes")
    describe.add_argument("--min-chars", type=int, metavar="N", help="shorter descriptions count as missing "
                          "(default: plugins.settings.descriptions.min_chars)")
    describe.add_argument("--language", choices=LANGUAGES)
    describe.add_argument("--tone", choices=TONES)
    describe.add_argument("--length", choices=LENGTHS)
    describe.add_argument("--no-progress", action="store_true", help="no progress bar")
    describe.set_defaults(func=cmd_describe)

    export = sub.add_parser("export", parents=[common], help="export data to a file (descriptions)")
    export.add_argument("kind", choices=["descriptions"])
    export.add_argument("file")
    export.add_argument("--all-versions", action="store_true", help="every saved version, not only the latest")
    export.set_defaults(func=cmd_export)


def cmd_describe(config: Any, args: argparse.Namespace) -> int:
    from supportbot.app import build_runner, open_history
    from supportbot.knowledge import KnowledgeBase

    from .bulk import BulkOptions, run_bulk
    from .settings import DescriptionSettings
    from .store import DescriptionStore
    from .writer import DescriptionWriter

    settings = config.plugin_settings("descriptions", DescriptionSettings)
    options = BulkOptions(category=args.category, limit=args.limit, variants=args.variants,
                          out=Path(args.out) if args.out else None, force=args.force, language=args.language,
                          tone=args.tone, length=args.length,
                          min_chars=settings.min_chars if args.min_chars is None else args.min_chars,
                          progress=not args.no_progress)
    history = open_history(config)

    async def go() -> int:
        runner = build_runner(config)
        await runner.start()
        try:
            writer = DescriptionWriter(runner, config, settings)
            if not writer.can_generate and not args.template:
                print("describe: model-written descriptions need a model (`model.backend` in config.yaml); "
                      "--template writes template descriptions from the attributes instead.", file=sys.stderr)
                return 2
            kb = KnowledgeBase(history.db, runner, config.knowledge)
            report = await run_bulk(kb, DescriptionStore(history.db), writer, options)
        finally:
            await runner.close()
        print(report.summary())
        for problem in report.problems[:20]:
            print(f"  {problem}")
        if options.out:
            print(f"Review them in {options.out}; nothing in the catalog was changed.")
        return 0 if not report.failed else 1

    try:
        return asyncio.run(go())
    finally:
        history.close()


def cmd_export(config: Any, args: argparse.Namespace) -> int:
    from supportbot.app import open_history
    from supportbot.knowledge import KnowledgeBase

    from .store import DescriptionStore

    history = open_history(config)
    try:
        kb = KnowledgeBase(history.db, None, config.knowledge)
        names = {p.sku: p.name for p in kb.products()}
        count = DescriptionStore(history.db).export_csv(Path(args.file), names, all_versions=args.all_versions)
    finally:
        history.close()
    print(f"{count} description(s) written to {args.file}")
    return 0
