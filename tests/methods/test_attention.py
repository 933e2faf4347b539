"""hepml.methods.attention against torch and PyTorch Geometric, and its symmetries, in float64."""

import math

import numpy as np
import pytest
import torch
import torch_geometric.nn

from hepml.methods import attention

F64 = torch.float64
TOL = {"rtol": 0.0, "atol": 1e-12}


def _random(*shape, seed=0, scale=1.0):
    generator = torch.Generator().manual_seed(seed)
    return scale * torch.randn(*shape, generator=generator, dtype=F64)


def _padding_mask(n_real, n_slots):
    """(N, P) boolean, True at the first n_real[i] slots of set i."""
    return torch.arange(n_slots)[None, :] < torch.as_tensor(n_real)[:, None]


# --------------------------------------------------------------------------- scaled dot product


@pytest.mark.parametrize("scale", [None, 0.3])
def test_attention_equals_torch_without_mask(scale):
    q, k, v = _random(2, 3, 5, 4, seed=1), _random(2, 3, 7, 4, seed=2), _random(2, 3, 7, 6, seed=3)
    ours = attention.scaled_dot_product_attention(q, k, v, scale=scale)
    twin = torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=scale)
    assert ours.shape == (2, 3, 5, 6)
    torch.testing.assert_close(ours, twin, **TOL)


def test_attention_equals_torch_with_a_boolean_mask():
    q, k, v = _random(4, 5, 3, seed=4, scale=3.0), _random(4, 6, 3, seed=5), _random(4, 6, 2)
    mask = torch.rand(4, 5, 6, generator=torch.Generator().manual_seed(6)) < 0.6
    mask[..., 0] = True  # every query may attend to something
    ours, weights = attention.scaled_dot_product_attention(q, k, v, mask, return_weights=True)
    twin = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(ours, twin, **TOL)
    assert bool((weights[~mask] == 0).all())
    torch.testing.assert_close(weights.sum(-1), torch.ones(4, 5, dtype=F64), **TOL)


def test_attention_weights_are_the_textbook_softmax_of_large_scores():
    # scores of several hundred overflow a naive exp: the max is subtracted first
    q, k, v = _random(6, 4, scale=30.0, seed=7), _random(9, 4, scale=30.0, seed=8), _random(9, 2)
    _, weights = attention.scaled_dot_product_attention(q, k, v, return_weights=True)
    scores = (q.numpy() @ k.numpy().T) / 2.0
    assert np.abs(scores).max() > 710  # exp overflows float64 beyond 709.8
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(weights.numpy(), expected, rtol=0, atol=1e-12)


def test_a_query_with_no_allowed_key_gets_a_zero_output():
    q, k, v = _random(3, 2, seed=9), _random(4, 2, seed=10), _random(4, 3, seed=11)
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1] = False
    out, weights = attention.scaled_dot_product_attention(q, k, v, mask, return_weights=True)
    assert bool(torch.isfinite(out).all())
    assert bool((out[1] == 0).all()) and bool((weights[1] == 0).all())
    twin = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out[[0, 2]], twin[[0, 2]], **TOL)


# --------------------------------------------------------------------------- multi-head


def _torch_twin(embed_dim, num_heads, seed):
    torch.manual_seed(seed)
    twin = torch.nn.MultiheadAttention(embed_dim, num_heads, dtype=F64)  # batch_first=False
    with torch.no_grad():  # torch starts the biases at zero: make them matter
        twin.in_proj_bias.normal_()
        twin.out_proj.bias.normal_()
    ours = attention.MultiHeadAttention(embed_dim, num_heads, dtype=F64)
    ours.load_state_dict(twin.state_dict())
    return ours, twin


@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_multi_head_self_attention_equals_torch(num_heads):
    ours, twin = _torch_twin(8, num_heads, seed=num_heads)
    x = _random(3, 5, 8, seed=12)  # (N, L, E)
    out, weights = ours(x, x, x)
    seq_first = x.transpose(0, 1)  # torch's default layout is (L, N, E)
    twin_out, twin_weights = twin(seq_first, seq_first, seq_first)
    torch.testing.assert_close(out, twin_out.transpose(0, 1), **TOL)
    torch.testing.assert_close(weights, twin_weights, **TOL)  # averaged over heads
    _, per_head = ours(x, x, x, average_attn_weights=False)
    _, twin_per_head = twin(seq_first, seq_first, seq_first, average_attn_weights=False)
    assert per_head.shape == (3, num_heads, 5, 5)
    torch.testing.assert_close(per_head, twin_per_head, **TOL)


def test_multi_head_cross_attention_with_key_padding_equals_torch():
    ours, twin = _torch_twin(6, 3, seed=13)
    query, memory = _random(2, 4, 6, seed=14), _random(2, 7, 6, seed=15)
    padding = ~_padding_mask([7, 3], 7)  # True at padding, torch's convention here
    out, weights = ours(query, memory, memory, key_padding_mask=padding)
    twin_out, twin_weights = twin(
        query.transpose(0, 1),
        memory.transpose(0, 1),
        memory.transpose(0, 1),
        key_padding_mask=padding,
    )
    torch.testing.assert_close(out, twin_out.transpose(0, 1), **TOL)
    torch.testing.assert_close(weights, twin_weights, **TOL)
    assert bool((weights[1, :, 3:] == 0).all())


def test_multi_head_attention_with_batch_first_twin():
    ours, twin = _torch_twin(4, 2, seed=16)
    twin_bf = torch.nn.MultiheadAttention(4, 2, dtype=F64, batch_first=True)
    twin_bf.load_state_dict(twin.state_dict())
    x = _random(2, 3, 4, seed=17)
    torch.testing.assert_close(ours(x, x, x)[0], twin_bf(x, x, x)[0], **TOL)


# --------------------------------------------------------------------------- symmetries


def _permutation(n, seed):
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


def test_self_attention_is_permutation_equivariant_and_its_sum_invariant():
    layer = attention.MultiHeadAttention(8, 2, dtype=F64)
    x = _random(2, 6, 8, seed=18)
    perm = _permutation(6, 19)
    out = layer(x, x, x)[0]
    out_perm = layer(x[:, perm], x[:, perm], x[:, perm])[0]
    torch.testing.assert_close(out_perm, out[:, perm], **TOL)
    assert not torch.allclose(out_perm, out)  # the permutation did move the tokens
    torch.testing.assert_close(out_perm.sum(1), out.sum(1), rtol=0, atol=1e-11)


def test_deep_set_is_permutation_invariant():
    torch.manual_seed(20)
    phi = torch.nn.Sequential(torch.nn.Linear(3, 5, dtype=F64), torch.nn.ReLU())
    net = attention.DeepSet(phi, torch.nn.Linear(5, 1, dtype=F64))
    x, mask = _random(4, 7, 3, seed=21), _padding_mask([7, 5, 2, 6], 7)
    perm = _permutation(7, 22)
    torch.testing.assert_close(net(x[:, perm], mask[:, perm]), net(x, mask), rtol=0, atol=1e-12)


def test_masked_sum_is_the_sum_over_real_particles():
    h, mask = _random(3, 4, 2, seed=23), _padding_mask([4, 1, 0], 4)
    expected = np.stack([h[i, : int(mask[i].sum())].numpy().sum(0) for i in range(3)])
    np.testing.assert_allclose(attention.masked_sum(h, mask).numpy(), expected, atol=1e-15)


def _pad(x, mask, n_extra, seed):
    """Append n_extra padding slots full of large junk, marked False in the mask."""
    junk = _random(x.shape[0], n_extra, x.shape[2], seed=seed, scale=50.0)
    pad = torch.zeros(x.shape[0], n_extra, dtype=torch.bool)
    return torch.cat([x, junk], 1), torch.cat([mask, pad], 1)


def test_padding_changes_no_output_of_attention_deep_set_or_edgeconv():
    torch.manual_seed(24)
    x, mask = _random(3, 5, 4, seed=25), _padding_mask([5, 4, 2], 5)
    x_pad, mask_pad = _pad(x, mask, 3, seed=26)
    mha = attention.MultiHeadAttention(4, 2, dtype=F64)
    out = mha(x, x, x, key_padding_mask=~mask)[0]
    out_pad = mha(x_pad, x_pad, x_pad, key_padding_mask=~mask_pad)[0]
    torch.testing.assert_close(out_pad[:, :5][mask], out[mask], **TOL)
    deep_set = attention.DeepSet(torch.nn.Linear(4, 3, dtype=F64), torch.nn.Identity())
    torch.testing.assert_close(deep_set(x_pad, mask_pad), deep_set(x, mask), **TOL)
    conv = attention.EdgeConv(torch.nn.Linear(8, 3, dtype=F64))
    graph = attention.knn_graph(x[..., 0], x[..., 1], 2, mask)
    graph_pad = attention.knn_graph(x_pad[..., 0], x_pad[..., 1], 2, mask_pad)
    torch.testing.assert_close(conv(x_pad, *graph_pad)[:, :5][mask], conv(x, *graph)[mask], **TOL)


# --------------------------------------------------------------------------- graphs


def test_knn_graph_equals_a_brute_force_search_with_wrapped_phi():
    generator = np.random.default_rng(27)
    eta = generator.normal(scale=0.4, size=(2, 9))
    phi = generator.uniform(-math.pi, math.pi, size=(2, 9))
    mask = _padding_mask([9, 6], 9)
    neighbours, valid = attention.knn_graph(torch.tensor(eta), torch.tensor(phi), 3, mask)
    for n, n_real in enumerate([9, 6]):
        for i in range(n_real):
            others = [j for j in range(n_real) if j != i]
            dphi = [
                min(abs(phi[n, i] - phi[n, j]), 2 * math.pi - abs(phi[n, i] - phi[n, j]))
                for j in others
            ]
            dist = [math.hypot(eta[n, i] - eta[n, j], d) for j, d in zip(others, dphi)]
            nearest = [others[m] for m in np.argsort(dist)[:3]]
            assert neighbours[n, i].tolist() == nearest
            assert bool(valid[n, i].all())
        assert not bool(valid[n, n_real:].any())


def test_knn_graph_joins_particles_across_phi_equals_pi():
    eta = torch.zeros(1, 3, dtype=F64)
    phi = torch.tensor([[math.pi - 0.01, -math.pi + 0.01, 0.5]], dtype=F64)
    neighbours, _ = attention.knn_graph(eta, phi, 1)
    assert neighbours[0, :, 0].tolist() == [1, 0, 0]


def test_knn_graph_marks_missing_neighbours_invalid():
    eta, phi = _random(1, 5, seed=28), _random(1, 5, seed=29)
    _, valid = attention.knn_graph(eta, phi, 3, _padding_mask([3], 5))
    assert valid[0, :3].sum(-1).tolist() == [2, 2, 2]  # only two other real particles each


@pytest.mark.parametrize("k", [1, 3])
def test_edgeconv_equals_torch_geometric(k):
    torch.manual_seed(30 + k)
    edge_nn = torch.nn.Sequential(
        torch.nn.Linear(6, 5, dtype=F64), torch.nn.ReLU(), torch.nn.Linear(5, 4, dtype=F64)
    )
    # PyG's constructor re-initialises the edge network it is given: build it first
    twin_layer = torch_geometric.nn.EdgeConv(edge_nn, aggr="max")
    x, mask = _random(3, 6, 3, seed=31), _padding_mask([6, 4, 1], 6)
    neighbours, valid = attention.knn_graph(x[..., 0], x[..., 1], k, mask)
    ours = attention.EdgeConv(edge_nn)(x, neighbours, valid)
    twin = twin_layer(x.reshape(-1, 3), attention.edge_index(neighbours, valid)).reshape(3, 6, 4)
    torch.testing.assert_close(ours[mask], twin[mask.reshape(3, 6)], **TOL)
    assert bool((ours[2, 0] == 0).all())  # a lone particle has no neighbour: zeros, as in PyG


def test_edgeconv_mean_equals_torch_geometric():
    torch.manual_seed(32)
    edge_nn = torch.nn.Linear(4, 3, dtype=F64)
    twin_layer = torch_geometric.nn.EdgeConv(edge_nn, aggr="mean")  # before ours: it resets
    x = _random(2, 5, 2, seed=33)
    graph = attention.knn_graph(x[..., 0], x[..., 1], 2)
    ours = attention.EdgeConv(edge_nn, aggr="mean")(x, *graph)
    twin = twin_layer(x.reshape(-1, 2), attention.edge_index(*graph))
    torch.testing.assert_close(ours.reshape(-1, 3), twin, **TOL)


def test_edgeconv_is_permutation_equivariant():
    torch.manual_seed(34)
    conv = attention.EdgeConv(torch.nn.Linear(6, 2, dtype=F64))
    x = _random(2, 7, 3, seed=35)
    perm = _permutation(7, 36)
    out = conv(x, *attention.knn_graph(x[..., 0], x[..., 1], 3))
    xp = x[:, perm]
    out_perm = conv(xp, *attention.knn_graph(xp[..., 0], xp[..., 1], 3))
    torch.testing.assert_close(out_perm, out[:, perm], **TOL)


# --------------------------------------------------------------------------- bad input


def test_bad_input_names_the_argument():
    q = _random(2, 3)
    with pytest.raises(TypeError, match="query"):
        attention.scaled_dot_product_attention(q.numpy(), q, q)
    with pytest.raises(ValueError, match="d_k"):
        attention.scaled_dot_product_attention(q, _random(2, 4), _random(2, 4))
    with pytest.raises(TypeError, match="mask"):
        attention.scaled_dot_product_attention(q, q, q, torch.ones(2, 2))
    with pytest.raises(ValueError, match="num_heads"):
        attention.MultiHeadAttention(6, 4)
    mha = attention.MultiHeadAttention(4, 2, dtype=F64)
    x = _random(1, 3, 4)
    with pytest.raises(ValueError, match="key_padding_mask"):
        mha(x, x, x, key_padding_mask=torch.zeros(1, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="k must be smaller"):
        attention.knn_graph(_random(1, 3), _random(1, 3), 3)
    with pytest.raises(ValueError, match="aggr"):
        attention.EdgeConv(torch.nn.Identity(), aggr="sum")
    with pytest.raises(ValueError, match="mask"):
        attention.masked_sum(_random(2, 3, 1), torch.ones(2, 4, dtype=torch.bool))
