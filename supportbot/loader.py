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
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["ENTRY_POINT_GROUP", "PluginNotFound", "find_plugin_module"]

ENTRY_POINT_GROUP = "supportbot.plugins"


class PluginNotFound(LookupError):
    pass


#: The plugins that ship with the bot: searched after the configured folders, so a config.yaml kept
#: anywhere still finds them (a folder of the merchant's own can override one by name).
SHIPPED_PLUGINS = Path(__file__).resolve().parent.parent / "plugins"


def find_plugin_module(name: str, directories: list[Path]) -> ModuleType:
    """Import the module for plugin ``name``; raises :class:`PluginNotFound` or the import error."""
    for directory in directories:
        for candidate in (directory / f"{name}.py", directory / name / "__init__.py"):
            if candidate.is_file():
                return _import_file(name, candidate)
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
