"""Finding plugin modules: the configured folders first, then installed entry points.

A plugin module exposes ``async def setup(bot)``, which calls ``await bot.add_plugin(Cls)``.
Third-party packages register modules under the entry-point group ``supportbot.plugins``::

    [project.entry-points."supportbot.plugins"]
    loyalty = "my_package.loyalty"
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import sys
from difflib import get_close_matches
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config

__all__ = ["ENTRY_POINT_GROUP", "PluginNotFound", "check_plugin_settings", "find_plugin_module", "plugin_directories",
           "unknown_plugin_settings"]

ENTRY_POINT_GROUP = "supportbot.plugins"


class PluginNotFound(LookupError):
    pass


#: The plugins that ship with the bot: searched after the configured folders, so a config.yaml kept
#: anywhere still finds them (a folder of the merchant's own can override one by name).
SHIPPED_PLUGINS = Path(__file__).resolve().parent.parent / "plugins"


def plugin_directories(config: Config) -> list[Path]:
    """The configured plugin folders, then the shipped ``plugins/``."""
    directories = [config.resolve(d) for d in config.plugins.directories]
    if SHIPPED_PLUGINS.is_dir() and SHIPPED_PLUGINS not in directories:
        directories.append(SHIPPED_PLUGINS)
    return directories


def _plugin_file(name: str, directories: list[Path]) -> Path | None:
    for directory in directories:
        for candidate in (directory / f"{name}.py", directory / name / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _plugin_names(directories: list[Path]) -> set[str]:
    """Every plugin name that could be loaded from these folders or the installed entry points."""
    names = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    for directory in directories:
        if directory.is_dir():
            names |= {p.stem for p in directory.glob("*.py") if p.stem != "__init__"}
            names |= {p.parent.name for p in directory.glob("*/__init__.py")}
    return names


def find_plugin_module(name: str, directories: list[Path]) -> ModuleType:
    """Import the module for plugin ``name``; raises :class:`PluginNotFound` or the import error."""
    path = _plugin_file(name, directories)
    if path is not None:
        return _import_file(name, path)
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name == name:
            return importlib.import_module(entry_point.value.split(":")[0])
    searched = ", ".join(str(d) for d in directories) or "no folders"
    raise PluginNotFound(f"plugin {name!r} is neither in {searched} nor an installed '{ENTRY_POINT_GROUP}' entry point")


def _import_file(name: str, path: Path) -> ModuleType:
    module_name = f"supportbot_plugins.{name}"
    if "supportbot_plugins" not in sys.modules:
        sys.modules["supportbot_plugins"] = ModuleType("supportbot_plugins")
    spec = importlib.util.spec_from_file_location(
        module_name, path, submodule_search_locations=[str(path.parent)] if path.name == "__init__.py" else None
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def unknown_plugin_settings(config: Config) -> list[str]:
    """A ``plugins.settings`` block for a plugin that is neither enabled nor installed (a typo such
    as ``escalaton:``) would be ignored without a word: each is a problem naming key and line."""
    known = set(config.plugins.enabled) | _plugin_names(plugin_directories(config))
    problems = []
    for key in config.plugins.settings:
        if key not in known:
            close = get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (plugins: {', '.join(sorted(known)) or 'none'})"
            problems.append(f"{config.location(('plugins', 'settings', key))}: no plugin named {key!r}{hint}")
    return problems


def check_plugin_settings(config: Config) -> list[str]:
    """Validate the settings of every enabled plugin against its own schema, without starting it:
    the module is imported and its plugin classes are found, but ``setup`` is not run.

    Returns the problems, each with its key and line; a plugin that cannot be imported is one too.
    """
    from .config import ConfigError
    from .plugin import Plugin

    problems = unknown_plugin_settings(config)
    directories = plugin_directories(config)
    for index, name in enumerate(config.plugins.enabled):
        try:
            module = find_plugin_module(name, directories)
        except PluginNotFound as exc:
            problems.append(f"{config.location(('plugins', 'enabled', index))}: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - reported, as the bot would at start
            problems.append(f"{config.location(('plugins', 'enabled', index))}: plugin {name!r} fails to import: "
                            f"{type(exc).__name__}: {exc}")
            continue
        classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
                   if issubclass(c, Plugin) and c is not Plugin and getattr(c, "name", None)
                   and (c.__module__ == module.__name__ or c.__module__.startswith(module.__name__ + "."))]
        for cls in classes:
            try:
                config.plugin_settings(cls.name, cls.Settings)
            except ConfigError as exc:
                problems.extend(exc.problems)
    return problems
