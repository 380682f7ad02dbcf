import logging

import pytest

from supportbot.events import Event, EventBus, HandoffOpened, OutcomeRecorded


async def test_listeners_get_their_events_and_base_class_listeners_too():
    bus = EventBus()
    seen: list[str] = []

    async def on_handoff(event: HandoffOpened) -> None:
        seen.append(f"handoff {event.handoff_id}")

    async def on_any(event: Event) -> None:
        seen.append(type(event).__name__)

    bus.subscribe(HandoffOpened, on_handoff)
    bus.subscribe(Event, on_any)
    await bus.publish(HandoffOpened(handoff_id=3, conversation_id=1, reason="asked_for_human"))
    await bus.publish(OutcomeRecorded(message_id="m", conversation_id=1, kind="answered", reason=None, plugin=None))
    assert sorted(seen) == ["HandoffOpened", "OutcomeRecorded", "handoff 3"]


async def test_a_failing_listener_does_not_stop_the_others(caplog):
    bus = EventBus()
    seen = []

    async def broken(event):
        raise RuntimeError("boom")

    async def fine(event):
        seen.append(event.handoff_id)

    bus.subscribe(HandoffOpened, broken)
    bus.subscribe(HandoffOpened, fine)
    with caplog.at_level(logging.ERROR):
        await bus.publish(HandoffOpened(handoff_id=7, conversation_id=1, reason="x"))
    assert seen == [7]
    assert "broken" in caplog.text and "boom" in caplog.text


def test_subscribing_to_a_non_event_is_refused():
    bus = EventBus()

    async def listener(event):
        pass

    with pytest.raises(TypeError, match="not an Event subclass"):
        bus.subscribe("on_mesage", listener)  # type: ignore[arg-type]


async def test_unsubscribe():
    bus = EventBus()
    seen = []

    async def listener(event):
        seen.append(event)

    bus.subscribe(HandoffOpened, listener)
    bus.unsubscribe(HandoffOpened, listener)
    await bus.publish(HandoffOpened(handoff_id=1, conversation_id=1, reason="x"))
    assert seen == []
