"""Staff tools over the wire: the real discord.py client against the loopback fake Discord."""

from __future__ import annotations

from supportbot.testing.fake_discord import FakeDiscord, Posted

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]

ASK = "can I speak to a real person please"  # escalation's phrase trigger: no model needed


async def _handoff(fake: FakeDiscord) -> tuple[int, Posted]:
    await fake.post_message(fake.support_channel_id, ASK)
    thread = await fake.wait_for_thread()
    card = await fake.wait_for_message(int(thread["id"]), lambda p: p.content.startswith("Handoff #"))
    return int(thread["id"]), card


async def test_card_buttons_claim_for_staff_refuse_customers_and_survive_a_restart(fake_discord: FakeDiscord,
                                                                                 discord_bot) -> None:
    running = await discord_bot("escalation")
    thread_id, card = await _handoff(fake_discord)
    assert set(card.buttons.values()) == {"Claim", "Resolve", "Transfer"}

    refused = await fake_discord.wait_for_reply(await fake_discord.click(card, "escalation:claim:1"))
    assert "staff only" in refused.content and refused.ephemeral

    running = await running.restart()  # the card was posted by the previous process
    claimed = await fake_discord.wait_for_reply(
        await fake_discord.click(card, "escalation:claim:1", member=fake_discord.staff))
    assert claimed.content == "You now own handoff #1." and claimed.ephemeral
    await fake_discord.rest.wait_for(lambda: card.edits)
    assert f"claimed by <@{fake_discord.staff['id']}>" in card.content and "Claim" not in card.buttons.values()

    # A note stays in the thread; a reply goes to the customer.
    await fake_discord.post_message(thread_id, "# refund approved by finance", author=fake_discord.staff)
    await fake_discord.post_message(thread_id, "Your refund is on its way.", author=fake_discord.staff)
    relayed = await fake_discord.wait_for_message(fake_discord.support_channel_id, lambda p: "(staff)" in p.content)
    assert relayed.content.endswith("Your refund is on its way.")
    assert not any("finance" in p.content for p in fake_discord.messages_in(fake_discord.support_channel_id))

    resolved = await fake_discord.wait_for_reply(
        await fake_discord.click(card, "escalation:resolve:1", member=fake_discord.staff))
    assert resolved.content == "Handoff #1 resolved."
    transcript = await fake_discord.wait_for_message(thread_id, lambda p: p.content.startswith("Transcript"))
    files = dict(transcript.files)
    assert "INTERNAL note" in files["handoff-1.txt"].decode() and "finance" in files["handoff-1.txt"].decode()

    prompt = await fake_discord.wait_for_message(fake_discord.support_channel_id,
                                                 lambda p: "How did we do" in p.content)
    thanks = await fake_discord.wait_for_reply(await fake_discord.click(prompt, "escalation:csat:1:5"))
    assert "Thank you" in thanks.content
    assert running.bot.plugins["escalation"].desk.get(1).csat == 5  # type: ignore[attr-defined]


async def test_a_customers_photo_reaches_the_staff_thread_and_a_too_large_file_is_explained(
        fake_discord: FakeDiscord, discord_bot) -> None:
    await discord_bot("escalation")
    await fake_discord.post_message(fake_discord.support_channel_id, "the parcel arrived like this",
                                    files=[("damage.jpg", "image/jpeg", 250_000), ("clip.mp4", "video/mp4", 90_000_000)])
    refusal = await fake_discord.wait_for_message(fake_discord.support_channel_id, lambda p: "clip.mp4" in p.content)
    assert "85.8 MB > 8 MB" in refusal.content
    thread = await fake_discord.wait_for_thread()
    relayed = await fake_discord.wait_for_message(int(thread["id"]), lambda p: p.content.startswith("Files from"))
    assert "damage.jpg (image/jpeg, 244 KB) https://cdn.fake-discord.test/attachments/" in relayed.content
    assert "clip.mp4" not in relayed.content
