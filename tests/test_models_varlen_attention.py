"""The per-sequence attention the runner uses on CPUs, against a plain reference."""

from __future__ import annotations

import pytest
import torch

from supportbot.models.varlen_attention import attend

pytestmark = pytest.mark.slow  # imports torch and transformers


def reference(query, key, value, cu_q, cu_k, scaling):  # type: ignore[no-untyped-def]
    """Each sequence alone, in float64, its queries aligned to the end of its keys."""
    groups = query.shape[1] // key.shape[1]
    output = torch.zeros_like(query)
    cu_q, cu_k = cu_q.tolist(), cu_k.tolist()
    for q0, q1, k0, k1 in zip(cu_q, cu_q[1:], cu_k, cu_k[1:], strict=False):
        q = query[0, :, q0:q1].double()
        k = key[0, :, k0:k1].repeat_interleave(groups, 0).double()
        v = value[0, :, k0:k1].repeat_interleave(groups, 0).double()
        scores = q @ k.transpose(-1, -2) * scaling
        visible = torch.ones(q1 - q0, k1 - k0, dtype=torch.bool).tril((k1 - k0) - (q1 - q0))
        output[0, :, q0:q1] = (scores.masked_fill(~visible, float("-inf")).softmax(-1) @ v).float()
    return output


def batch(layout: list[tuple[int, int]], heads: int = 8, kv_heads: int = 2, dim: int = 16):  # type: ignore[no-untyped-def]
    """Random inputs for sequences of (new tokens, keys including them)."""
    cu_q, cu_k = [0], [0]
    for new, keys in layout:
        cu_q.append(cu_q[-1] + new)
        cu_k.append(cu_k[-1] + keys)
    generator = torch.Generator().manual_seed(len(layout))
    query = torch.randn(1, heads, cu_q[-1], dim, generator=generator)
    key = torch.randn(1, kv_heads, cu_k[-1], dim, generator=generator)
    value = torch.randn(1, kv_heads, cu_k[-1], dim, generator=generator)
    return query, key, value, torch.tensor(cu_q), torch.tensor(cu_k)


@pytest.mark.parametrize(
    "layout",
    [
        [(1, 5), (1, 9), (1, 1)],  # decoding only
        [(6, 6), (3, 3)],  # fresh prompts
        [(4, 20), (1, 7), (5, 5), (1, 12), (2, 9)],  # chunks after a cached prefix, mixed with decoding
    ],
)
@pytest.mark.parametrize("kv_heads", [2, 8])
def test_matches_attention_over_each_sequence_alone(layout: list[tuple[int, int]], kv_heads: int) -> None:
    inputs = batch(layout, kv_heads=kv_heads)
    torch.testing.assert_close(attend(*inputs, scaling=0.25), reference(*inputs, scaling=0.25), atol=1e-5, rtol=1e-5)


def test_a_changed_layout_in_the_same_tensors_is_planned_again() -> None:
    query, key, value, cu_q, cu_k = batch([(1, 4), (2, 6)])
    first = attend(query, key, value, cu_q, cu_k, 0.25)
    # transformers reuses its cumulative-length tensors from one step to the next.
    cu_q[1:] = torch.tensor([2, 3])
    cu_k[1:] = torch.tensor([5, 10])
    second = attend(query, key, value, cu_q, cu_k, 0.25)
    torch.testing.assert_close(second, reference(query, key, value, cu_q, cu_k, 0.25), atol=1e-5, rtol=1e-5)
    assert not torch.allclose(first, second)
