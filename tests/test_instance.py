"""One bot per database: a second instance is refused with a clear line; console ids never repeat."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

from supportbot.instance import AlreadyRunning, InstanceLock
from supportbot.transports.console import ConsoleTransport

ROOT = Path(__file__).resolve().parent.parent


def test_a_second_lock_on_one_database_is_refused_and_names_the_holder(tmp_path):
    db = tmp_path / "bot.db"
    with InstanceLock(db):
        with pytest.raises(AlreadyRunning, match=r"already running on .*bot\.db \(pid \d+ on .*started .*UTC\)"):
            InstanceLock(db).acquire()
    with InstanceLock(db):  # released: the next start goes ahead
        pass
    with InstanceLock(db), InstanceLock(tmp_path / "other.db"):  # another database is another bot
        pass


def test_bot_py_refuses_a_second_instance_before_loading_anything(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("database:\n  path: shop.db\nmodel:\n  backend: none\n")
    with InstanceLock(tmp_path / "shop.db"):
        result = subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), "console", "--script", "-", "--config", str(config)],
            input="hello\n", capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)},
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("another supportbot is already running on ")
    assert result.stdout == ""


def test_two_consoles_started_in_the_same_second_never_share_message_ids(monkeypatch):
    import time

    monkeypatch.setattr(time, "time", lambda: 1_700_000_000)
    first, second = (ConsoleTransport(io.StringIO(""), io.StringIO()) for _ in range(2))
    ids = [first.next_id() for _ in range(50)] + [second.next_id() for _ in range(50)]
    assert len(set(ids)) == 100
