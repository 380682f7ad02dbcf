"""Config errors name the key and its line; defaults make an empty file valid."""

from pathlib import Path

import pytest

from supportbot.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_gives_documented_defaults(tmp_path):
    config = load_config(write(tmp_path, ""))
    assert config.database.path == Path("supportbot.db")
    assert config.resolve(config.database.path) == tmp_path / "supportbot.db"
    assert config.discord.support_channels == []
    assert config.plugins.enabled[0] == "escalation"


def test_shipped_config_is_valid():
    config = load_config(Path(__file__).parent.parent / "config.yaml")
    assert config.plugins.enabled


def test_unknown_key_names_key_and_line(tmp_path):
    path = write(tmp_path, "bot:\n  name: Shop\n\ndiscord:\n  support_chanels: [1]\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.problems == [f"{path}:5: discord.support_chanels: unknown key"]


def test_wrong_type_names_key_line_and_value(tmp_path):
    path = write(tmp_path, "discord:\n  staff_role: admins\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    (problem,) = err.value.problems
    assert problem.startswith(f"{path}:2: discord.staff_role: ")
    assert "'admins'" in problem


def test_bad_value_in_a_list_points_at_the_item(tmp_path):
    path = write(tmp_path, "discord:\n  support_channels:\n    - 123\n    - general\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    (problem,) = err.value.problems
    assert problem.startswith(f"{path}:4: discord.support_channels.1: ")


def test_out_of_range_value(tmp_path):
    path = write(tmp_path, "rate_limit:\n  messages: 0\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.problems[0].startswith(f"{path}:2: rate_limit.messages: ")


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, "bot:\n  memory_turns: lots\nmetrics:\n  port: -1\n  colour: red\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    lines = sorted(p.split(": ")[0] for p in err.value.problems)
    assert lines == [f"{path}:2", f"{path}:4", f"{path}:5"]


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = write(tmp_path, "bot:\n  name: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.problems[0].startswith(f"{path}:")
    assert "not valid YAML" in err.value.problems[0]


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match=":1: the top level must be a mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_plugin_settings_are_checked_by_the_plugin_with_lines(tmp_path):
    from supportbot.plugin import PluginSettings

    class Greeter(PluginSettings):
        greeting: str = "hi"

    path = write(tmp_path, "plugins:\n  settings:\n    greeter:\n      greting: hello\n")
    config = load_config(path)
    with pytest.raises(ConfigError) as err:
        config.plugin_settings("greeter", Greeter)
    assert err.value.problems == [f"{path}:4: plugins.settings.greeter.greting: unknown key"]


def test_token_is_not_a_config_key(tmp_path):
    with pytest.raises(ConfigError, match="discord.token: unknown key"):
        load_config(write(tmp_path, "discord:\n  token: abc\n"))
