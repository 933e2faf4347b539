"""Tests of the scalar reverse-mode engine hepml.methods.autodiff against torch.autograd."""

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hepml.methods import autodiff
from hepml.methods.autodiff import Value

# An expression graph is a program: each instruction applies an operation to earlier
# results (indices into the list of results so far, which starts with the inputs). Reusing
# results makes graphs with shared nodes, where gradients from several paths must add up.
BINARY = ["+", "-", "*", "/"]
UNARY = ["exp", "log", "tanh", "relu", "sigmoid", "square", "sqrt", "cube", "neg", "const"]


def _apply(op, x, y, constant, *, exp, log, tanh, relu, sigmoid):
    """One instruction, written once for Values and for torch tensors alike."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        return x / (y * y + 0.5)  # a denominator bounded away from zero
    if op == "exp":
        return exp(tanh(x))  # bounded, so nested exps cannot overflow
    if op == "log":
        return log(x * x + 0.1)  # a positive argument
    if op == "square":
        return x**2
    if op == "sqrt":
        return (x * x + 1) ** 0.5
    if op == "cube":
        return x**3
    if op == "neg":
        return -x
    if op == "const":
        return constant * x + constant
    return {"tanh": tanh, "relu": relu, "sigmoid": sigmoid}[op](x)


def _run(program, inputs, **functions):
    results = list(inputs)
    for op, i, j, constant in program:
        x, y = results[i % len(results)], results[j % len(results)]
        results.append(_apply(op, x, y, constant, **functions))
    # the output depends on every result, so every input gets a gradient path
    total = results[-1]
    for r in results[:-1]:
        total = total + 0.1 * r
    return total


VALUE_FUNCTIONS = {
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
}
TORCH_FUNCTIONS = {
    "exp": torch.exp,
    "log": torch.log,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
}

instruction = st.tuples(
    st.sampled_from(BINARY + UNARY),
    st.integers(0, 100),
    st.integers(0, 100),
    st.floats(-2, 2, allow_nan=False),
)
point = st.lists(st.floats(-2, 2, allow_nan=False), min_size=3, max_size=3)


@settings(max_examples=200, deadline=None)
@given(program=st.lists(instruction, min_size=1, max_size=25), inputs=point)
def test_gradients_equal_torch_autograd_on_random_expression_graphs(program, inputs):
    values = [Value(x) for x in inputs]
    out = _run(program, values, **VALUE_FUNCTIONS)
    out.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    expected = _run(program, tensors, **TORCH_FUNCTIONS)
    assume(abs(expected.item()) < 1e8)  # products of products can grow; keep well-scaled
    grads = torch.autograd.grad(expected, tensors, allow_unused=True)
    expected_grads = [0.0 if g is None else g.item() for g in grads]
    assume(all(abs(g) < 1e8 for g in expected_grads))

    assert out.data == pytest.approx(expected.item(), rel=1e-10, abs=1e-10)
    np.testing.assert_allclose([v.grad for v in values], expected_grads, rtol=1e-10, atol=1e-10)


def _value_mlp(x, weights):
    """A 3-4-4-1 tanh network built from Values, as in micrograd."""
    activations = x
    for layer, (w, b) in enumerate(weights):
        pre = [sum((wij * aj for wij, aj in zip(row, activations)), bi) for row, bi in zip(w, b)]
        activations = pre if layer == len(weights) - 1 else [p.tanh() for p in pre]
    return activations[0]


def test_mlp_gradients_equal_the_same_mlp_in_torch():
    rng = np.random.default_rng(3)
    sizes = [3, 4, 4, 1]
    arrays = [
        (rng.normal(size=(n_out, n_in)), rng.normal(size=n_out))
        for n_in, n_out in zip(sizes, sizes[1:])
    ]
    X, y = rng.normal(size=(6, 3)), rng.normal(size=6)

    weights = [([[Value(w) for w in row] for row in W], [Value(v) for v in b]) for W, b in arrays]
    loss = sum(((_value_mlp(list(map(Value, x)), weights) - t) ** 2 for x, t in zip(X, y)), 0.0)
    loss = loss / len(y)
    loss.backward()

    torch_weights = [
        (torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
        for W, b in arrays
    ]
    h = torch.tensor(X)
    for layer, (W, b) in enumerate(torch_weights):
        h = h @ W.T + b
        h = h if layer == len(torch_weights) - 1 else torch.tanh(h)
    torch_loss = torch.mean((h[:, 0] - torch.tensor(y)) ** 2)
    torch_loss.backward()

    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    for (W, b), (tW, tb) in zip(weights, torch_weights):
        np.testing.assert_allclose(
            [[w.grad for w in row] for row in W], tW.grad.numpy(), rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose([v.grad for v in b], tb.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_log_of_a_product_has_the_textbook_gradient_and_graph():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    d = c.log()
    d.backward()
    assert d.data == pytest.approx(math.log(6.0))
    assert (a.grad, b.grad, c.grad) == pytest.approx((1 / 2, 1 / 3, 1 / 6))
    nodes, edges = autodiff.trace(d)
    assert [id(n) for n in nodes] == [id(a), id(b), id(c), id(d)]
    assert {(id(p), id(q)) for p, q in edges} == {(id(a), id(c)), (id(b), id(c)), (id(c), id(d))}
    assert [n.op for n in nodes[-2:]] == ["*", "log"]


def test_a_graph_deeper_than_the_recursion_limit_back_propagates():
    x = Value(0.5)
    y = x
    for _ in range(20_000):
        y = y * 1.0001 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0001**20_000, rel=1e-9)


def test_a_node_used_twice_gets_both_contributions_and_backward_does_not_accumulate():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    y.backward()
    assert x.grad == pytest.approx(7.0)


def test_vjp_equals_torch_func_vjp():
    def f(v, log, tanh):
        x, y, z = v
        return [x * y + tanh(z), log(x * x + 1) / (y * y + 1) - z**3]

    point, cotangent = [0.3, -1.2, 0.7], [2.0, -0.5]
    outputs, product = autodiff.vjp(lambda v: f(v, Value.log, Value.tanh), point, cotangent)

    def torch_f(v):
        return torch.stack(f(v, torch.log, torch.tanh))

    out, pullback = torch.func.vjp(torch_f, torch.tensor(point, dtype=torch.float64))
    (expected,) = pullback(torch.tensor(cotangent, dtype=torch.float64))
    np.testing.assert_allclose(outputs, out.numpy(), rtol=1e-12)
    np.testing.assert_allclose(product, expected.numpy(), rtol=1e-10, atol=1e-12)


def test_bad_input_gives_clear_errors():
    with pytest.raises(TypeError, match="data must be a real number"):
        Value("1.0")
    with pytest.raises(ValueError, match="data"):
        Value(float("nan"))
    with pytest.raises(ValueError, match="log is defined for positive numbers"):
        Value(-1.0).log()
    with pytest.raises(TypeError, match="exponent must be a constant"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match="not real"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="must return 2 Values"):
        autodiff.vjp(lambda v: [v[0]], [1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="output must be a Value"):
        autodiff.trace(1.0)


def test_draw_graph_puts_one_box_per_node():
    import matplotlib

    matplotlib.use("Agg")
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    d = (a * b).log()
    d.backward()
    ax = autodiff.draw_graph(d)
    texts = [t.get_text() for t in ax.texts if t.get_text()]  # arrows have no text
    assert len(texts) == 4
    assert any(t.startswith("log\n1.79") for t in texts)
    assert any(t.startswith("a\n2\ngrad 0.5") for t in texts)
