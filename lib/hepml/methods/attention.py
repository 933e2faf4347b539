"""Attention, deep sets and message passing on particle sets, written out in torch (chapter 10).

A jet is an unordered set of particles of varying size. Padded to ``P`` slots, a batch of ``N``
jets is a tensor ``x`` of shape ``(N, P, F)`` and a boolean ``mask`` of shape ``(N, P)``, True
for a real particle and False for a padding slot. Every layer here ignores the padding slots
exactly, so appending padding changes no output at a real particle, and treats the slots
symmetrically, so permuting the particles permutes the outputs (equivariance) and leaves a
pooled output unchanged (invariance). ``tests/methods/test_attention.py`` checks each layer
against its library twin and both symmetries:

- :func:`scaled_dot_product_attention`: ``softmax(Q K^T / sqrt(d_k)) V`` with a boolean mask
  (True: may attend, the convention of ``torch.nn.functional.scaled_dot_product_attention``);
- :class:`MultiHeadAttention`: ``h`` heads of width ``E / h`` from one packed input projection,
  with the parameter names and layout of ``torch.nn.MultiheadAttention`` (its state dict loads
  as it is), but batch first and returning every head's weights on request; its
  ``key_padding_mask`` is True at *padding*, torch's convention for this argument;
- :func:`masked_sum` and :class:`DeepSet`: ``rho(sum_i phi(x_i))`` over the real particles;
- :func:`knn_graph`: each particle's ``k`` nearest real neighbours in (eta, phi), with the
  azimuthal difference wrapped into [-pi, pi);
- :class:`EdgeConv`: one round of message passing,
  ``x_i' = aggr_j h(x_i, x_j - x_i)`` over the neighbours j of i, with a maximum (as the
  dynamic graph CNN and ``torch_geometric.nn.EdgeConv``'s default) or a mean (as
  ParticleNet); :func:`edge_index` turns the neighbour table into PyTorch Geometric's edge
  list.
"""

from __future__ import annotations

import math

import torch

from hepml.validation import check_int

__all__ = [
    "DeepSet",
    "EdgeConv",
    "MultiHeadAttention",
    "edge_index",
    "knn_graph",
    "masked_sum",
    "scaled_dot_product_attention",
]


def _check_tensor(value: object, name: str, *, ndim: int | None = None) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(value.shape)}")
    return value


def _check_float(value: object, name: str, *, ndim: int | None = None) -> torch.Tensor:
    value = _check_tensor(value, name, ndim=ndim)
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {value.dtype}")
    return value


def _check_mask(mask: object, name: str, shape: tuple[int, ...]) -> torch.Tensor:
    mask = _check_tensor(mask, name)
    if mask.dtype != torch.bool:
        raise TypeError(f"{name} must be a boolean tensor, got {mask.dtype}")
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {tuple(mask.shape)}")
    return mask


# --------------------------------------------------------------------------- attention


def _masked_softmax(scores: torch.Tensor, allowed: torch.Tensor | None) -> torch.Tensor:
    """Softmax over the last axis, over the allowed entries only; all-forbidden rows give 0."""
    if allowed is not None:
        scores = scores.masked_fill(~allowed, -math.inf)
    top = scores.amax(dim=-1, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    weights = torch.exp(scores - top)  # exp(-inf) = 0 at the forbidden entries
    total = weights.sum(dim=-1, keepdim=True)
    return weights / torch.where(total > 0, total, torch.ones_like(total))


def _attention(query, key, value, allowed, scale):
    scores = (query @ key.transpose(-2, -1)) * scale
    weights = _masked_softmax(scores, allowed)
    return weights @ value, weights


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    scale: float | None = None,
    return_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """``softmax(Q K^T * scale) V``, row by row, optionally masked.

    Parameters
    ----------
    query, key, value
        Tensors of shapes ``(..., L, d_k)``, ``(..., S, d_k)`` and ``(..., S, d_v)``: L queries
        look at S keys and average their S values.
    mask
        Boolean, broadcastable to ``(..., L, S)``: True where query l may attend to key s (the
        convention of ``torch.nn.functional.scaled_dot_product_attention``). A query with no
        allowed key gets zero weights and a zero output.
    scale
        Factor of the scores; ``None`` is ``1 / sqrt(d_k)``.
    return_weights
        Also return the attention weights, shape ``(..., L, S)``, each row summing to 1
        (a query with no allowed key has weights 0).

    Returns
    -------
    torch.Tensor or (torch.Tensor, torch.Tensor)
        The output of shape ``(..., L, d_v)`` (and the weights).
    """
    query = _check_float(query, "query")
    key = _check_float(key, "key")
    value = _check_float(value, "value")
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError("query, key and value need at least 2 dimensions (tokens, features)")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"query and key must have the same last dimension d_k, got {query.shape[-1]} "
            f"and {key.shape[-1]}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"key and value must have the same number of tokens, got {key.shape[-2]} and "
            f"{value.shape[-2]}"
        )
    if mask is not None:
        mask = _check_tensor(mask, "mask")
        if mask.dtype != torch.bool:
            raise TypeError(f"mask must be a boolean tensor, got {mask.dtype}")
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    output, weights = _attention(query, key, value, mask, scale)
    return (output, weights) if return_weights else output


class MultiHeadAttention(torch.nn.Module):
    """Multi-head attention with ``torch.nn.MultiheadAttention``'s parameters, batch first.

    ``in_proj_weight`` (shape ``(3E, E)``) stacks the query, key and value projections,
    ``in_proj_bias`` their biases, and ``out_proj`` is the output projection: the names and
    layout of ``torch.nn.MultiheadAttention(E, num_heads)``, whose ``state_dict`` this module
    loads. Head ``i`` uses features ``i * E/h`` to ``(i + 1) * E/h`` of each projection.

    Parameters
    ----------
    embed_dim
        Width E of the tokens.
    num_heads
        Number of heads h; must divide ``embed_dim``.
    dtype
        dtype of the parameters (default: torch's default dtype).
    """

    def __init__(self, embed_dim: int, num_heads: int, *, dtype: torch.dtype | None = None):
        super().__init__()
        embed_dim = check_int(embed_dim, "embed_dim", minimum=1)
        num_heads = check_int(num_heads, "num_heads", minimum=1)
        if embed_dim % num_heads:
            raise ValueError(f"num_heads ({num_heads}) must divide embed_dim ({embed_dim})")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_proj_weight = torch.nn.Parameter(
            torch.empty(3 * embed_dim, embed_dim, dtype=dtype)
        )
        self.in_proj_bias = torch.nn.Parameter(torch.zeros(3 * embed_dim, dtype=dtype))
        self.out_proj = torch.nn.Linear(embed_dim, embed_dim, dtype=dtype)
        torch.nn.init.xavier_uniform_(self.in_proj_weight)
        torch.nn.init.zeros_(self.out_proj.bias)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """(N, T, E) -> (N, h, T, E/h)."""
        n, t, _ = x.shape
        return x.reshape(n, t, self.num_heads, -1).transpose(1, 2)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        *,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend from ``query`` (N, L, E) to ``key``/``value`` (N, S, E).

        ``key_padding_mask`` (N, S) is True at padding slots, which no query attends to.
        Returns the output (N, L, E) and, with ``need_weights``, the weights, averaged over
        the heads (N, L, S) or per head (N, h, L, S) with ``average_attn_weights=False``.
        """
        query = _check_float(query, "query", ndim=3)
        key = _check_float(key, "key", ndim=3)
        value = _check_float(value, "value", ndim=3)
        n, length, width = query.shape
        if width != self.embed_dim or key.shape[-1] != width or value.shape[-1] != width:
            raise ValueError(
                f"query, key and value must have embed_dim = {self.embed_dim} features, got "
                f"{query.shape[-1]}, {key.shape[-1]}, {value.shape[-1]}"
            )
        if key.shape[:2] != value.shape[:2] or key.shape[0] != n:
            raise ValueError(
                "key and value must have the shape (N, S, E) with the N of query, got "
                f"{tuple(key.shape)} and {tuple(value.shape)}"
            )
        allowed = None
        if key_padding_mask is not None:
            padding = _check_mask(key_padding_mask, "key_padding_mask", tuple(key.shape[:2]))
            allowed = ~padding[:, None, None, :]  # (N, 1, 1, S): the same for heads and queries
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3)
        q = self._heads(query @ w_q.T + b_q)
        k = self._heads(key @ w_k.T + b_k)
        v = self._heads(value @ w_v.T + b_v)
        scale = 1.0 / math.sqrt(width // self.num_heads)
        heads, weights = _attention(q, k, v, allowed, scale)  # (N, h, L, E/h), (N, h, L, S)
        output = self.out_proj(heads.transpose(1, 2).reshape(n, length, width))
        if not need_weights:
            return output, None
        return output, weights.mean(dim=1) if average_attn_weights else weights


# --------------------------------------------------------------------------- deep sets


def masked_sum(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Sum of ``h`` (N, P, F) over the real slots of ``mask`` (N, P): shape (N, F)."""
    h = _check_float(h, "h", ndim=3)
    mask = _check_mask(mask, "mask", tuple(h.shape[:2]))
    return (h * mask[..., None].to(h.dtype)).sum(dim=1)


class DeepSet(torch.nn.Module):
    """``rho(sum_i phi(x_i))`` over the real particles of each set (Zaheer et al. 2017).

    Parameters
    ----------
    phi
        Module applied to every particle, (..., F) -> (..., H).
    rho
        Module applied to the pooled sum, (N, H) -> (N, out).
    """

    def __init__(self, phi: torch.nn.Module, rho: torch.nn.Module):
        super().__init__()
        for value, name in ((phi, "phi"), (rho, "rho")):
            if not isinstance(value, torch.nn.Module):
                raise TypeError(f"{name} must be a torch.nn.Module, got {type(value).__name__}")
        self.phi, self.rho = phi, rho

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = _check_float(x, "x", ndim=3)
        return self.rho(masked_sum(self.phi(x), mask))


# --------------------------------------------------------------------------- graphs


def knn_graph(
    eta: torch.Tensor, phi: torch.Tensor, k: int, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` nearest other real particles of every particle, by distance in (eta, phi).

    The distance is ``sqrt(d_eta^2 + d_phi^2)`` with ``d_phi`` wrapped into [-pi, pi), so
    particles on both sides of phi = +-pi are close. Ties are broken by slot order.

    Parameters
    ----------
    eta, phi
        Coordinates, shape (N, P).
    k
        Number of neighbours, >= 1.
    mask
        Boolean (N, P), True at real particles (default: all real). Padding slots have no
        neighbours and are nobody's neighbour.

    Returns
    -------
    neighbours, valid
        ``neighbours`` (N, P, k), the slot of each neighbour, nearest first; ``valid``
        (N, P, k), False where a particle has fewer than ``k`` real neighbours (and at padding
        slots): those entries of ``neighbours`` point to an arbitrary slot and must be ignored.
    """
    eta = _check_float(eta, "eta", ndim=2)
    phi = _check_float(phi, "phi", ndim=2)
    if phi.shape != eta.shape:
        raise ValueError(
            f"phi must have the shape of eta {tuple(eta.shape)}, got {tuple(phi.shape)}"
        )
    n_slots = eta.shape[1]
    k = check_int(k, "k", minimum=1)
    if k >= n_slots:
        raise ValueError(f"k must be smaller than the number of slots {n_slots}, got {k}")
    mask = (
        torch.ones_like(eta, dtype=torch.bool)
        if mask is None
        else _check_mask(mask, "mask", tuple(eta.shape))
    )
    d_eta = eta[:, :, None] - eta[:, None, :]
    d_phi = torch.remainder(phi[:, :, None] - phi[:, None, :] + math.pi, 2 * math.pi) - math.pi
    distance2 = d_eta**2 + d_phi**2
    forbidden = ~(mask[:, :, None] & mask[:, None, :])
    forbidden |= torch.eye(n_slots, dtype=torch.bool)[None]  # a particle is not its own neighbour
    distance2 = distance2.masked_fill(forbidden, math.inf)
    order = torch.argsort(distance2, dim=-1, stable=True)[..., :k]
    valid = torch.isfinite(torch.gather(distance2, -1, order))
    return order, valid


def edge_index(neighbours: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """PyTorch Geometric's edge list (2, E) of a neighbour table from :func:`knn_graph`.

    The N sets become one graph whose node ``n * P + p`` is slot p of set n; an edge runs from
    the neighbour j (row 0, the source) to the particle i (row 1, the target), the direction
    in which a message flows in ``torch_geometric`` (``flow="source_to_target"``).
    """
    neighbours = _check_tensor(neighbours, "neighbours", ndim=3)
    valid = _check_mask(valid, "valid", tuple(neighbours.shape))
    n, p, k = neighbours.shape
    offset = (torch.arange(n) * p)[:, None, None]
    target = (torch.arange(p)[None, :, None] + offset).expand(n, p, k)
    source = neighbours + offset
    return torch.stack([source[valid], target[valid]])


class EdgeConv(torch.nn.Module):
    """One round of message passing, ``x_i' = aggr_j h([x_i, x_j - x_i])`` (Wang et al. 2019).

    The edge function ``h`` sees each particle with the offset of one neighbour; the messages
    of the neighbours are combined component by component by a maximum (``aggr="max"``, as in
    the dynamic graph CNN and ``torch_geometric.nn.EdgeConv``'s default) or a mean (as in
    ParticleNet). A particle without a valid neighbour gets zeros, as in PyTorch Geometric.

    Parameters
    ----------
    nn
        Module mapping (..., 2F) -> (..., F_out).
    aggr
        ``"max"`` or ``"mean"``.
    """

    def __init__(self, nn: torch.nn.Module, aggr: str = "max"):
        super().__init__()
        if not isinstance(nn, torch.nn.Module):
            raise TypeError(f"nn must be a torch.nn.Module, got {type(nn).__name__}")
        if aggr not in ("max", "mean"):
            raise ValueError(f'aggr must be "max" or "mean", got {aggr!r}')
        self.nn, self.aggr = nn, aggr

    def forward(
        self, x: torch.Tensor, neighbours: torch.Tensor, valid: torch.Tensor
    ) -> torch.Tensor:
        """Update ``x`` (N, P, F) from the neighbour table of :func:`knn_graph`."""
        x = _check_float(x, "x", ndim=3)
        neighbours = _check_tensor(neighbours, "neighbours", ndim=3)
        if neighbours.shape[:2] != x.shape[:2]:
            raise ValueError(
                f"neighbours must have shape (N, P, k) with (N, P) = {tuple(x.shape[:2])}, got "
                f"{tuple(neighbours.shape)}"
            )
        valid = _check_mask(valid, "valid", tuple(neighbours.shape))
        n = x.shape[0]
        x_j = x[torch.arange(n)[:, None, None], neighbours]  # (N, P, k, F): the neighbours
        x_i = x[:, :, None, :].expand_as(x_j)
        messages = self.nn(torch.cat([x_i, x_j - x_i], dim=-1))  # (N, P, k, F_out)
        weight = valid[..., None]
        if self.aggr == "mean":
            count = weight.sum(dim=2).clamp(min=1).to(messages.dtype)
            return (messages * weight.to(messages.dtype)).sum(dim=2) / count
        top = messages.masked_fill(~weight, -math.inf).amax(dim=2)
        return torch.where(weight.any(dim=2), top, torch.zeros_like(top))
