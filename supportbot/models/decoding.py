"""Incremental detokenization: token ids in as they are generated, text pieces out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

__all__ = ["IncrementalDecoder", "chat_token_ids"]


class IncrementalDecoder:
    """Turns one request's token ids into text pieces as they arrive, never splitting a character.

    Decoding each new token on its own would break multi-byte characters (byte-level BPE) and drop
    the spaces some tokenizers only add between tokens; decoding the whole answer at every step
    costs quadratic time. Fast tokenizers have ``DecodeStream`` for exactly this.
    """

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        from tokenizers.decoders import DecodeStream

        self._backend = getattr(tokenizer, "backend_tokenizer", None)
        self._tokenizer = tokenizer
        self._stream = DecodeStream(skip_special_tokens=True) if self._backend is not None else None
        # Slow tokenizers have no DecodeStream: decode everything and emit the new suffix.
        self._ids: list[int] = []
        self._emitted = ""

    def feed(self, token_ids: list[int]) -> str:
        """The text that ``token_ids`` (the next tokens) complete; may be empty."""
        self._ids.extend(token_ids)
        if self._stream is not None and self._backend is not None:
            backend, stream = self._backend, self._stream
            pieces = (stream.step(backend, token_id) for token_id in token_ids)
            piece = "".join(piece for piece in pieces if piece)
            self._emitted += piece
            return piece
        text = self._decoded()
        if text.endswith("\ufffd"):  # an incomplete UTF-8 sequence: wait for its next byte
            return ""
        piece, self._emitted = text[len(self._emitted) :], text
        return piece

    def finish(self) -> str:
        """What is still held back at the end (bytes of a character that never completed)."""
        text = self._decoded()
        return text[len(self._emitted) :] if text.startswith(self._emitted) else ""

    def _decoded(self) -> str:
        text = self._tokenizer.decode(self._ids, skip_special_tokens=True)
        assert isinstance(text, str), "one sequence of ids decodes to one string"
        return text


def chat_token_ids(template_output: object) -> list[int]:
    """What ``apply_chat_template(..., tokenize=True, return_dict=False)`` returns: a flat list of
    token ids (transformers types it as any of the template's outputs)."""
    assert isinstance(template_output, (list, tuple)), f"expected token ids, got {type(template_output).__name__}"
    return [int(i) for i in template_output]
