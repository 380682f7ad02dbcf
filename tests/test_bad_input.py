"""Bad files and configs: a clear error naming the row, line or key, and nothing else lost."""

import socket
import subprocess
import sys

import pytest

from supportbot.app import PROJECT_ROOT
from supportbot.config import ConfigError, load_config
from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, MappingError
from supportbot.knowledge.importers import import_file
from supportbot.knowledge.parsing import parse_stock


@pytest.fixture
def kb(tmp_path):
    return KnowledgeBase(connect(tmp_path / "kb.db"), None)


def skus(kb):
    return {row[0] for row in kb.db.execute("SELECT sku FROM kb_products")}


def problems(report):
    return {p.row: p.reason for p in report.problems}


@pytest.mark.parametrize("stock", ["99999999999999999999999", "inf", "-inf", "nan", "1e400"])
def test_an_absurd_stock_is_a_row_problem_not_a_traceback(kb, tmp_path, stock):
    (tmp_path / "p.csv").write_text(f"sku,name,stock\nA,Alpha,3\nB,Beta,{stock}\nC,Gamma,1\n")
    report = import_file(kb, "products", tmp_path / "p.csv")
    assert skus(kb) == {"A", "B", "C"}  # B is kept, without a stock figure
    assert "not a plausible number of units" in problems(report)[2] or "not a number" in problems(report)[2]
    assert kb.db.execute("SELECT stock FROM kb_products WHERE sku = 'B'").fetchone()[0] is None


def test_numeric_stock_from_json_is_bounded_too():
    with pytest.raises(ValueError, match="plausible"):
        parse_stock(float("inf"))
    with pytest.raises(ValueError, match="plausible"):
        parse_stock(10**30)
    assert parse_stock(12.0) == 12


def test_a_bad_row_deep_in_a_big_file_is_reported_and_the_rest_imports(kb, tmp_path):
    rows = [f"SKU-{i},Product {i},{'inf' if i == 4321 else i % 7}" for i in range(1, 6001)]
    (tmp_path / "big.csv").write_text("sku,name,stock\n" + "\n".join(rows) + "\n")
    report = import_file(kb, "products", tmp_path / "big.csv")
    assert report.added == 6000 and len(skus(kb)) == 6000
    assert list(problems(report)) == [4321]


def test_an_invalid_utf8_byte_names_its_row_and_the_rest_imports(kb, tmp_path):
    data = "sku,name\nA,Alpha\nB,Caf".encode() + b"\xe9" + " Noir\nC,Gamma\n".encode()
    (tmp_path / "p.csv").write_bytes(data)
    report = import_file(kb, "products", tmp_path / "p.csv")
    assert skus(kb) == {"A", "C"}
    assert problems(report) == {2: "name: byte 0xe9 is not UTF-8; save the file as UTF-8 (row left out)"}


def test_an_invalid_utf8_byte_in_jsonl_and_policies(kb, tmp_path):
    (tmp_path / "p.jsonl").write_bytes(b'{"sku": "A", "name": "Alpha"}\n{"sku": "B", "name": "B\xff"}\n')
    report = import_file(kb, "products", tmp_path / "p.jsonl")
    assert skus(kb) == {"A"} and "byte 0xff is not UTF-8" in problems(report)[2]
    (tmp_path / "policy.md").write_bytes(b"# Returns\n\nWithin 30 days.\n\nCaf\xe9\n")
    with pytest.raises(MappingError, match=r"policy\.md:5: byte 0xe9 is not UTF-8"):
        import_file(kb, "policies", tmp_path / "policy.md")


def test_an_unclosed_quote_is_reported_instead_of_swallowing_the_next_rows(kb, tmp_path):
    (tmp_path / "p.csv").write_text('sku,name,description\nA,Alpha,"fine\nmultiline text"\n'
                                    'B,Beta,"unclosed\nC,Gamma,nice\nD,Delta,also nice\n')
    report = import_file(kb, "products", tmp_path / "p.csv")
    assert "A" in skus(kb)  # a quoted cell over two lines is a description, not a problem
    reason = problems(report)[2]
    assert reason.startswith("description: a quote opened here is not closed") and "the 2 line(s) after it" in reason


def test_deeply_nested_json_is_a_clear_error(kb, tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(MappingError, match="nested too deeply"):
        import_file(kb, "products", tmp_path / "deep.json")
    (tmp_path / "deep.jsonl").write_text('{"sku": "A", "name": "Alpha"}\n' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "\n")
    report = import_file(kb, "products", tmp_path / "deep.jsonl")
    assert skus(kb) == {"A"} and problems(report) == {2: "JSON nested too deeply"}


# --- config -------------------------------------------------------------------------------------


def test_a_non_utf8_byte_in_the_config_names_its_line(tmp_path):
    (tmp_path / "config.yaml").write_bytes(b"bot:\n  name: Caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "config.yaml")
    assert info.value.problems == [f"{tmp_path / 'config.yaml'}:2: byte 0xe9 is not UTF-8; save the file as UTF-8"]


def test_a_duplicated_key_is_rejected_with_both_lines(tmp_path):
    (tmp_path / "config.yaml").write_text("bot:\n  name: One\n  log_level: INFO\n  name: Two\ndatabase:\n  path: a.db\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "config.yaml")
    assert info.value.problems == [
        f"{tmp_path / 'config.yaml'}:4: bot.name: duplicated key (first on line 2); keep one"]


def check_config(tmp_path, text):
    (tmp_path / "config.yaml").write_text(text)
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "bot.py"), "check-config", "--config",
                           str(tmp_path / "config.yaml")], capture_output=True, text=True, timeout=120)


def test_check_config_catches_an_unusable_database_path(tmp_path):
    (tmp_path / "taken").mkdir()
    done = check_config(tmp_path, "bot:\n  name: Shop\ndatabase:\n  path: taken\n")
    assert done.returncode == 2 and done.stdout == ""
    assert f"config.yaml:4: database.path: {tmp_path / 'taken'} is a folder, not a database file" in done.stderr
    (tmp_path / "notes.txt").write_text("hello")
    done = check_config(tmp_path, "database:\n  path: notes.txt/bot.db\n")
    assert done.returncode == 2 and "notes.txt is a file" in done.stderr
    done = check_config(tmp_path, "database:\n  path: notes.txt\n")
    assert done.returncode == 2 and "is not an SQLite database" in done.stderr


def test_check_config_catches_a_busy_metrics_port(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = check_config(tmp_path, f"metrics:\n  enabled: true\n  port: {port}\n")
    assert done.returncode == 2
    assert f"config.yaml:3: metrics.port: 127.0.0.1:{port} cannot be used (Address already in use)" in done.stderr
    done = check_config(tmp_path, f"metrics:\n  enabled: true\n  port: {port}\n")  # released: fine now
    assert done.returncode == 0 and "OK" in done.stdout


def test_the_bot_refuses_to_start_on_an_unusable_database_at_once(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "config.yaml").write_text("database:\n  path: taken\nmodel:\n  backend: none\n")
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "bot.py"), "console", "--script", "-", "--config",
                           str(tmp_path / "config.yaml")], input="hello\n", capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)})
    assert done.returncode == 2 and "database.path" in done.stderr and "Traceback" not in done.stderr
