"""/describe and /describe-pick: product descriptions for staff, written from the catalog, checked.

``/describe sku:`` writes one to five variants (or, without a generator, a template description)
and shows each with the attributes it rests on; variants that state something the attributes do
not hold are rejected with the reason before staff see them. A "Use variant N" button (or
``/describe-pick`` where buttons are unavailable) saves a variant as the product's next version and
writes it back to the catalog; both go through :meth:`Descriptions.pick`.
"""

from __future__ import annotations

from typing import Any

from supportbot.actions import Button, CommandResult, Embed
from supportbot.components import ComponentContext, component
from supportbot.models import ModelError
from supportbot.plugin import CommandContext, Option, Plugin, autocomplete, command

from .settings import LANGUAGES, LENGTHS, TONES, DescriptionSettings
from .store import DescriptionStore, PickError, SavedDescription
from .writer import DescriptionWriter, Draft

__all__ = ["Descriptions"]

_SEP = " · "


class Descriptions(Plugin):
    name = "descriptions"
    Settings = DescriptionSettings
    settings: DescriptionSettings

    async def plugin_load(self) -> None:
        self.store = DescriptionStore(self.bot.history.db)
        self.writer = DescriptionWriter(self.bot.runner, self.bot.config, self.settings)

    # --- /describe ------------------------------------------------------------------------------

    @command("describe", "Write product descriptions from the catalog's attributes", staff_only=True)
    async def describe(
        self, ctx: CommandContext,
        sku: str = Option("Product (SKU or name)"),
        tone: str | None = Option("Tone (default neutral)", default=None, choices=TONES),
        length: str | None = Option("Length", default=None, choices=LENGTHS),
        language: str | None = Option("Language (auto follows the product)", default=None, choices=LANGUAGES),
        variants: int | None = Option("How many variants, 1 to 5", default=None),
        temperature: float | None = Option("Sampling temperature, 0 to 2", default=None),
        top_p: float | None = Option("Nucleus sampling, above 0 up to 1", default=None),
        top_k: int | None = Option("Top-k sampling (0 = off)", default=None),
    ) -> CommandResult:
        problem = _check_sampling(variants, temperature, top_p, top_k)
        if problem:
            return CommandResult(problem)
        product = self._product(sku)
        if product is None:
            return CommandResult(f"No product matches “{sku}”.")
        failure = None
        try:
            draft = await self.writer.write(product, variants=variants, language=language, tone=tone, length=length,
                                            temperature=temperature, top_p=top_p, top_k=top_k)
        except ModelError as exc:  # a model that fails still leaves staff with something to work from
            self.log.warning("/describe %s: the model failed (%s); offering the template", product.sku, exc)
            failure = f"The model failed ({exc}); here is the template description instead."
            draft = self.writer.template(product, language=language, tone=tone, length=length)
        request_id = self.store.save_request(draft, ctx.author_id)
        self.log.info("/describe %s by %s: request %d, %d variant(s), %d rejected", product.sku, ctx.author_id,
                      request_id, len(draft.variants), len(draft.rejected))
        return self._show(product, draft, request_id, failure)

    def _show(self, product: Any, draft: Draft, request_id: int, failure: str | None) -> CommandResult:
        lines = [failure] if failure else []
        if draft.source == "template":
            lines += [f"**{draft.label}**", draft.note or ""]
        else:
            lines.append(f"{len(draft.variants)} variant(s) for **{product.name}** ({product.sku}): "
                         f"{len(draft.accepted)} passed the check, {len(draft.rejected)} rejected.")
        for position, variant in draft.rejected:
            lines.append(f"Variant {position} rejected: {'; '.join(variant.check.reasons)[:300]}")
        if draft.accepted:
            lines.append(f"Pick one with its button, or `/describe-pick request:{request_id} variant:N` "
                         "(`apply:false` saves it without writing it to the catalog).")
        else:
            lines.append("No variant passed the check: run /describe again, or write it yourself.")
        embeds = []
        for position, variant in draft.accepted[:5]:
            mentioned = [f"{k}: {product.attributes[k]}"[:80] for k in variant.check.coverage.mentioned]
            fields = [("Rests on", "; ".join(mentioned)[:1024] or "the name only")]
            if variant.check.coverage.omitted:
                fields.append(("Not mentioned", ", ".join(variant.check.coverage.omitted)[:1024]))
            title = f"Variant {position}" + (" (template)" if draft.source == "template" else "")
            embeds.append(Embed(title=title, description=variant.text[:4000], fields=tuple(fields),
                                footer=f"request {request_id} · variant {position} · {draft.language}"))
        buttons = tuple(Button(f"descriptions:pick:{request_id}:{position}", f"Use variant {position}", style="primary")
                        for position, _ in draft.accepted[:5])
        return CommandResult("\n".join(x for x in lines if x), embeds=tuple(embeds), components=buttons)

    @autocomplete("describe", "sku")
    async def sku_choices(self, ctx: CommandContext, current: str) -> list[str]:
        kb = self.bot.knowledge
        if kb is None:
            return []
        hits = kb.products(limit=25) if not current.strip() else kb.search_products_sync(current, k=25)
        return [f"{h.sku}{_SEP}{h.name}"[:100] for h in hits]

    def _product(self, text: str) -> Any:
        kb = self.bot.knowledge
        if kb is None:
            return None
        sku = text.split(_SEP)[0].strip()
        found = kb.product(sku)
        if found is None:  # a name typed instead of a SKU: only an exact name counts
            hits = kb.search_products_sync(text, k=5)
            found = next((h for h in hits if h.name.casefold() == text.strip().casefold()), None)
        return found

    # --- picking --------------------------------------------------------------------------------

    @command("describe-pick", "Save a description variant and write it to the catalog", staff_only=True)
    async def describe_pick(
        self, ctx: CommandContext,
        request: int = Option("The request number /describe gave"),
        variant: int = Option("The variant number"),
        apply: bool = Option("Write it to the catalog now (default yes)", default=True),
    ) -> CommandResult:
        try:
            saved = await self.pick(request, variant, ctx.author_id, apply=apply)
        except PickError as exc:
            return CommandResult(str(exc))
        return _saved(saved)

    @component("descriptions:pick", staff_only=True)
    async def pick_button(self, ctx: ComponentContext) -> CommandResult:
        """The "Use variant N" button under /describe's answer: the same pick, written to the catalog."""
        try:
            saved = await self.pick(int(ctx.args[0]), int(ctx.args[1]), ctx.author_id)
        except (PickError, IndexError, ValueError) as exc:
            return CommandResult(str(exc) or "That button is out of date; run /describe again.")
        return _saved(saved)

    async def pick(self, request_id: int, position: int, author: str, *, apply: bool = True) -> SavedDescription:
        """Save one variant as the product's next version; with ``apply``, write it to the catalog.

        The one way a pick is made, whether from /describe-pick or a button.
        """
        saved = self.store.pick(request_id, position, author)
        self.log.info("%s picked variant %d of request %d: %s version %d", author, position, request_id,
                      saved.sku, saved.version)
        if apply and self.bot.knowledge is not None and self.bot.knowledge.set_description(saved.sku, saved.text):
            self.store.mark_applied(saved.id)
            return SavedDescription(saved.id, saved.sku, saved.version, saved.text, saved.source, saved.author, True)
        return saved


def _saved(saved: SavedDescription) -> CommandResult:
    where = "written to the catalog" if saved.applied else "saved, not written to the catalog"
    return CommandResult(f"Version {saved.version} of {saved.sku} {where}.")


def _check_sampling(variants: int | None, temperature: float | None, top_p: float | None, top_k: int | None) -> str | None:
    if variants is not None and not 1 <= variants <= 5:
        return "variants must be between 1 and 5."
    if temperature is not None and not 0 <= temperature <= 2:
        return "temperature must be between 0 and 2."
    if top_p is not None and not 0 < top_p <= 1:
        return "top_p must be above 0 and at most 1."
    if top_k is not None and top_k < 0:
        return "top_k must be 0 (off) or more."
    return None
