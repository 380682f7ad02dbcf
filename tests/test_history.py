"""The SQLite record: migrations keep data, writers can run concurrently, one outcome per message."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from supportbot.events import Author, MessageReceived
from supportbot.history import SCHEMA_VERSION, History, _v1, _v2, _v3, connect
from supportbot.outcomes import Outcome


def message(text: str, *, msg_id: str, customer: str = "alice", channel: str = "support") -> MessageReceived:
    return MessageReceived(platform="test", message_id=msg_id, channel_id=channel,
                           author=Author(id=customer, name=customer), text=text)


@pytest.fixture
def history(tmp_path):
    h = History.open(tmp_path / "h.db")
    yield h
    h.close()


def test_new_database_is_at_the_latest_version_in_wal_mode(history):
    assert history.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert history.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert history.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migration_from_version_1_keeps_rows(tmp_path):
    path = tmp_path / "old.db"
    db = connect(path)
    _v1(db)
    db.execute("PRAGMA user_version = 1")
    db["customers"].insert({"id": 1, "platform": "discord", "external_id": "42", "name": "Ann", "created_at": "2026-01-01T00:00:00+00:00"})
    db["conversations"].insert({"id": 1, "customer_id": 1, "platform": "discord", "channel_id": "9", "state": "bot",
                                "started_at": "2026-01-01T00:00:00+00:00", "last_message_at": "2026-01-01T00:00:00+00:00"})
    db["messages"].insert({"id": 1, "conversation_id": 1, "direction": "in", "platform_message_id": "discord:77",
                           "author_id": "42", "text": "where is my parcel?", "created_at": "2026-01-01T00:00:00+00:00"})
    db["outcomes"].insert({"message_id": 1, "kind": "answered", "reason": None, "plugin": "auto_reply",
                           "created_at": "2026-01-01T00:00:01+00:00"})
    db.conn.commit()
    db.conn.close()

    history = History.open(path)
    assert history.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert history.message(1)["text"] == "where is my parcel?"
    assert history.message(1)["understanding"] is None  # new column, old row kept
    assert history.outcome_of(1)["plugin"] == "auto_reply"
    assert history.customer(1)["name"] == "Ann"
    assert "handoffs" in history.db.table_names()
    # The old message is still recognised: redelivery does not duplicate it.
    record = history.record_inbound(MessageReceived(platform="discord", message_id="77", channel_id="9",
                                                    author=Author(id="42", name="Ann"), text="where is my parcel?"))
    assert record.message_row_id == 1 and record.existing_outcome == "answered"
    history.close()


def test_migration_from_version_3_sets_the_staff_desk_columns_aside_row_for_row(tmp_path):
    """Schema 4 takes the desk's columns (thread, summary, staff replies, CSAT) out of the core's
    handoffs table; their values wait in legacy_handoff_fields for the plugin that owns them."""
    path = tmp_path / "v3.db"
    db = connect(path)
    for step in (_v1, _v2, _v3):
        step(db)
    db.execute("PRAGMA user_version = 3")
    db["customers"].insert({"id": 1, "platform": "discord", "external_id": "42", "name": "Ann",
                            "created_at": "2026-01-01T00:00:00+00:00"})
    db["conversations"].insert({"id": 1, "customer_id": 1, "platform": "discord", "channel_id": "9", "state": "human",
                                "started_at": "2026-01-01T00:00:00+00:00", "last_message_at": "2026-01-01T00:00:00+00:00"})
    db["handoffs"].insert({"id": 1, "conversation_id": 1, "state": "claimed", "reason": "complaint", "owner_id": "s1",
                           "thread_id": "555", "opened_at": "2026-01-01T00:00:00+00:00",
                           "first_staff_reply_at": "2026-01-01T00:05:00+00:00", "reopen_count": 0})
    db["handoffs"].insert({"id": 2, "conversation_id": 1, "state": "resolved", "reason": "x",
                           "opened_at": "2026-01-01T00:00:00+00:00", "reopen_count": 0})
    db.conn.commit()
    db.conn.close()

    history = History.open(path)
    core = history.db["handoffs"].columns_dict
    assert "thread_id" not in core and "csat" not in core and "owner_id" in core
    assert [dict(r) for r in history.db.query("SELECT handoff_id, thread_id, first_staff_reply_at FROM legacy_handoff_fields")] == [
        {"handoff_id": 1, "thread_id": "555", "first_staff_reply_at": "2026-01-01T00:05:00+00:00"}]
    assert history.db.execute("SELECT state, owner_id FROM handoffs WHERE id = 1").fetchone() == ("claimed", "s1")
    history.close()


def test_a_database_from_a_newer_bot_is_refused(tmp_path):
    db = connect(tmp_path / "new.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer than this bot"):
        History(db)


def test_exactly_one_outcome_per_inbound_message(history):
    record = history.record_inbound(message("hi", msg_id="1"))
    assert history.record_outcome(record.message_row_id, Outcome.answered("hello"))
    assert not history.record_outcome(record.message_row_id, Outcome.handed_off("again"))
    assert history.outcome_of(record.message_row_id)["kind"] == "answered"


def test_the_outcome_and_the_replys_sent_mark_commit_together(history):
    record = history.record_inbound(message("hi", msg_id="1"))
    reply = history.record_outbound(record.conversation_id, "hello", in_reply_to=record.message_row_id)
    assert history.reply_to(record.message_row_id) == {"id": reply, "platform_message_id": None}  # before the send
    assert history.record_outcome(record.message_row_id, Outcome.answered("hello"), reply_sent=(reply, "test", "900"))
    assert history.reply_to(record.message_row_id) == {"id": reply, "platform_message_id": "test:900"}
    # An outcome already there is refused as before, without undoing the mark.
    assert not history.record_outcome(record.message_row_id, Outcome.handed_off("again"),
                                      reply_sent=(reply, "test", "900"))
    assert history.outcome_of(record.message_row_id)["kind"] == "answered"
    assert history.reply_to(record.message_row_id)["platform_message_id"] == "test:900"


def test_an_understanding_is_stored_as_asdict_would_give_it(history):
    import dataclasses

    @dataclasses.dataclass
    class Inner:
        kind: str

    @dataclasses.dataclass
    class Seen:
        intent: str
        entities: dict
        inner: list
        at: datetime

    seen = Seen("refund", {"order_number": ["123"]}, [Inner("a"), (1, 2)], datetime(2026, 1, 2))
    record = history.record_inbound(message("hi", msg_id="1"))
    history.attach_understanding(record.message_row_id, {f.name: getattr(seen, f.name) for f in dataclasses.fields(seen)})
    assert history.message(record.message_row_id)["understanding"] == json.dumps(dataclasses.asdict(seen), default=str)


def test_redelivered_message_is_recorded_once(history):
    first = history.record_inbound(message("hi", msg_id="1"))
    again = history.record_inbound(message("hi", msg_id="1"))
    assert again.message_row_id == first.message_row_id
    assert history.db["messages"].count == 1


def test_pending_inbound_lists_messages_without_outcome(history):
    done = history.record_inbound(message("a", msg_id="1"))
    history.record_outcome(done.message_row_id, Outcome.answered("ok"))
    history.record_inbound(message("b", msg_id="2"))
    assert [row["text"] for row in history.pending_inbound()] == ["b"]


def test_recent_turns_never_mix_customers(history):
    a1 = history.record_inbound(message("alice asks", msg_id="1", customer="alice"))
    history.record_outbound(a1.conversation_id, "answer to alice")
    history.record_inbound(message("bob asks", msg_id="2", customer="bob"))
    a2 = history.record_inbound(message("alice again", msg_id="3", customer="alice"))
    turns = history.recent_turns(a2.conversation_id, 10, before_message_id=a2.message_row_id)
    assert turns == [{"role": "user", "content": "alice asks"}, {"role": "assistant", "content": "answer to alice"}]


def test_idle_conversation_starts_a_new_one(tmp_path):
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    history = History.open(tmp_path / "c.db", clock=lambda: now[0], conversation_idle=timedelta(hours=1))
    first = history.record_inbound(message("a", msg_id="1"))
    now[0] += timedelta(minutes=30)
    same = history.record_inbound(message("b", msg_id="2"))
    now[0] += timedelta(hours=2)
    new = history.record_inbound(message("c", msg_id="3"))
    assert first.conversation_id == same.conversation_id != new.conversation_id
    history.close()


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "shared.db"
    History.open(path).close()
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            history = History.open(path)  # its own connection, as a second process would have
            for i in range(100):
                record = history.record_inbound(message(f"{name} {i}", msg_id=f"{name}-{i}", customer=name))
                history.record_outcome(record.message_row_id, Outcome.answered("ok"))
            history.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = History.open(path)
    assert history.db["messages"].count == 400
    assert history.db["outcomes"].count == 400
    history.close()


def test_delete_customer_forgets_everything_of_theirs(history):
    a = history.record_inbound(message("alice", msg_id="1", customer="alice"))
    history.record_outcome(a.message_row_id, Outcome.answered("ok"))
    history.db["handoffs"].insert({"conversation_id": a.conversation_id, "state": "open", "reason": "x",
                                   "opened_at": "2026-01-01T00:00:00+00:00"})
    history.db.conn.commit()
    b = history.record_inbound(message("bob", msg_id="2", customer="bob"))
    history.delete_customer(a.customer_id)
    assert history.customer(a.customer_id) is None
    assert [m["text"] for m in history.db["messages"].rows] == ["bob"]
    assert history.db["handoffs"].count == 0
    assert history.customer(b.customer_id) is not None


def test_looking_for_an_earlier_reply_uses_an_index_not_a_scan(tmp_path):
    history = History.open(tmp_path / "h.db")
    plan = history.db.execute(
        "EXPLAIN QUERY PLAN SELECT id, platform_message_id FROM messages WHERE direction = 'out' AND in_reply_to = ? "
        "ORDER BY id LIMIT 1", [1]).fetchall()
    assert any("idx_messages_in_reply_to" in row[-1] for row in plan), plan
    history.close()
