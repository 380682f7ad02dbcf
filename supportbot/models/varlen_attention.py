"""Attention that treats each sequence of a continuous batch on its own, for CPUs.

Without flash attention (CUDA only), transformers' continuous batching runs SDPA once over the
whole batch: every query token is scored against the keys of *every* request, and a
block-diagonal mask throws most of it away. That work grows with the square of the batch; on a
CPU it dominated each step once a few dozen chats were active. This function scores each
sequence against its own keys only, using the cumulative lengths the batch already carries.

It is registered in transformers' ``AttentionInterface`` and only used by the runner's model.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from transformers import AttentionInterface
from transformers.generation.continuous_batching.cache import PagedAttentionCache
from transformers.integrations.sdpa_attention import sdpa_attention_forward

__all__ = ["VARLEN_SDPA", "varlen_sdpa_attention"]

#: The name the function is registered under in ``AttentionInterface``.
VARLEN_SDPA = "supportbot_varlen_sdpa"


def varlen_sdpa_attention(
    module: torch.nn.Module,
    query: torch.Tensor,  # [1, heads, q_tokens, head_dim]
    key: torch.Tensor,  # [1, kv_heads, q_tokens, head_dim] before the cache update
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,  # the batch-wide mask: not needed here
    dropout: float = 0.0,
    scaling: float | None = None,
    cache: PagedAttentionCache | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    if not isinstance(cache, PagedAttentionCache):  # an ordinary forward pass
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    # Writes the new keys and values, and returns each request's cached ones followed by its new ones.
    key, value = cache.update(key_states=key, value_states=value, layer_idx=module.layer_idx, kwargs=kwargs)
    cu_q = kwargs["cu_seq_lens_q"].tolist()
    cu_k = kwargs["cu_seq_lens_k"].tolist()
    gqa = getattr(module, "num_key_value_groups", 1) > 1
    output = query.new_zeros(query.shape)
    decoding: list[tuple[int, int, int]] = []  # (query position, first key, key count)
    for q0, q1, k0, k1 in zip(cu_q, cu_q[1:], cu_k, cu_k[1:], strict=False):
        if q1 - q0 == 1:
            decoding.append((q0, k0, k1 - k0))
        elif q1 > q0:  # a prompt (or a chunk of one): causal, aligned to the end of its keys
            mask = torch.ones(q1 - q0, k1 - k0, dtype=torch.bool, device=query.device).tril(k1 - k0 - (q1 - q0))
            output[:, :, q0:q1] = F.scaled_dot_product_attention(
                query[:, :, q0:q1], key[:, :, k0:k1], value[:, :, k0:k1], attn_mask=mask, scale=scaling, enable_gqa=gqa
            )
    if decoding:
        # One call for all decoding sequences: each query token against its own keys, padded to
        # the longest. Many tiny calls would cost more than the attention itself on a CPU.
        device = query.device
        positions = torch.tensor([d[0] for d in decoding], device=device)
        starts = torch.tensor([d[1] for d in decoding], device=device)
        lengths = torch.tensor([d[2] for d in decoding], device=device)
        offsets = torch.arange(int(lengths.max()), device=device)
        valid = offsets[None, :] < lengths[:, None]  # [n, longest]
        index = torch.where(valid, starts[:, None] + offsets[None, :], 0)
        keys = key[0][:, index].transpose(0, 1)  # [n, kv_heads, longest, head_dim]
        values = value[0][:, index].transpose(0, 1)
        queries = query[0][:, positions].transpose(0, 1).unsqueeze(2)  # [n, heads, 1, head_dim]
        attended = F.scaled_dot_product_attention(
            queries, keys, values, attn_mask=valid[:, None, None, :], scale=scaling, enable_gqa=gqa
        )
        output[0][:, positions] = attended.squeeze(2).transpose(0, 1)
    return output.transpose(1, 2).contiguous(), None


AttentionInterface.register(VARLEN_SDPA, varlen_sdpa_attention)
