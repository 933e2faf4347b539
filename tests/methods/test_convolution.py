"""Tests of hepml.methods.convolution against torch.nn.functional and scipy.signal (float64)."""

import itertools

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F

from hepml.methods import convolution as conv

RNG = np.random.default_rng(2026)


def _t(array):
    return torch.tensor(array, dtype=torch.float64)


# ---- one image, one kernel: scipy.signal ----------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "kernel_shape"), [((5, 5), (3, 3)), ((7, 4), (2, 3)), ((3, 8), (3, 1))]
)
def test_correlate2d_equals_scipy_correlate2d(shape, kernel_shape):
    image, kernel = RNG.normal(size=shape), RNG.normal(size=kernel_shape)
    ours = conv.correlate2d(image, kernel)
    np.testing.assert_allclose(
        ours, scipy.signal.correlate2d(image, kernel, mode="valid"), rtol=1e-13, atol=1e-13
    )
    # full mode: padding by the kernel size minus one on every side
    full = conv.correlate2d(image, kernel, padding=(kernel_shape[0] - 1, kernel_shape[1] - 1))
    np.testing.assert_allclose(
        full, scipy.signal.correlate2d(image, kernel, mode="full"), rtol=1e-13, atol=1e-13
    )


def test_convolve2d_equals_scipy_convolve2d_and_differs_from_correlate():
    image, kernel = RNG.normal(size=(6, 6)), RNG.normal(size=(3, 3))
    ours = conv.convolve2d(image, kernel)
    np.testing.assert_allclose(
        ours, scipy.signal.convolve2d(image, kernel, mode="valid"), rtol=1e-13, atol=1e-13
    )
    # an asymmetric kernel tells the two operations apart
    assert np.abs(ours - conv.correlate2d(image, kernel)).max() > 0.1
    # same mode with an odd kernel = padding (k - 1) / 2
    same = conv.convolve2d(image, kernel, padding=1)
    np.testing.assert_allclose(
        same, scipy.signal.convolve2d(image, kernel, mode="same"), rtol=1e-13, atol=1e-13
    )


def test_correlate2d_on_a_hand_example():
    # worked by hand: a 3x3 image with a 2x2 kernel that takes (top-left - bottom-right)
    image = np.arange(9.0).reshape(3, 3)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])
    np.testing.assert_array_equal(conv.correlate2d(image, kernel), -4 * np.ones((2, 2)))
    np.testing.assert_array_equal(conv.convolve2d(image, kernel), 4 * np.ones((2, 2)))


# ---- batched layers: torch.nn.functional -----------------------------------------------------

CONV_SETTINGS = [
    # (n, c_in, c_out, H, W, kernel, stride, padding)
    (2, 1, 1, 5, 5, (3, 3), 1, 0),
    (3, 2, 4, 9, 7, (3, 2), 2, 1),
    (1, 3, 2, 8, 8, (1, 1), 3, 0),
    (2, 2, 3, 6, 10, (5, 3), (1, 2), (2, 0)),
    (1, 1, 2, 4, 4, (4, 4), 1, 3),
]


@pytest.mark.parametrize(("n", "c_in", "c_out", "h", "w", "k", "stride", "padding"), CONV_SETTINGS)
def test_conv2d_equals_torch(n, c_in, c_out, h, w, k, stride, padding):
    x = RNG.normal(size=(n, c_in, h, w))
    weight = RNG.normal(size=(c_out, c_in, *k))
    bias = RNG.normal(size=c_out)
    ours = conv.conv2d(x, weight, bias, stride=stride, padding=padding)
    theirs = F.conv2d(_t(x), _t(weight), _t(bias), stride=stride, padding=padding).numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("n", "c_in", "c_out", "h", "w", "k", "stride", "padding"), CONV_SETTINGS)
def test_conv_transpose2d_equals_torch(n, c_in, c_out, h, w, k, stride, padding):
    y = RNG.normal(size=(n, c_in, h, w))
    weight = RNG.normal(size=(c_in, c_out, *k))
    bias = RNG.normal(size=c_out)
    strides = stride if isinstance(stride, tuple) else (stride, stride)
    output_padding = tuple(s - 1 for s in strides)  # the largest allowed
    for op in [0, output_padding]:
        try:
            theirs = F.conv_transpose2d(
                _t(y), _t(weight), _t(bias), stride=stride, padding=padding, output_padding=op
            ).numpy()
        except RuntimeError:  # torch refuses a negative output size: so must we
            with pytest.raises(ValueError, match="padding"):
                conv.conv_transpose2d(y, weight, bias, stride, padding, op)
            continue
        ours = conv.conv_transpose2d(
            y, weight, bias, stride=stride, padding=padding, output_padding=op
        )
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    """<conv(x), y> = <x, conv_transpose(y)> to 1e-10, over strides, paddings and sizes."""
    checked = 0
    for h, k, stride, padding in itertools.product([5, 6, 9], [1, 2, 3], [1, 2, 3], [0, 1, 2]):
        if h + 2 * padding < k:
            continue
        weight = RNG.normal(size=(3, 2, k, k))
        x = RNG.normal(size=(2, 2, h, h + 1))
        out = conv.conv2d(x, weight, stride=stride, padding=padding)
        y = RNG.normal(size=out.shape)
        # the output padding that brings the transpose back to x's size
        op = tuple(
            size - ((o - 1) * stride - 2 * padding + k)
            for size, o in zip(x.shape[2:], out.shape[2:])
        )
        if min(op) < 0 or max(op) >= stride:
            continue  # padding larger than the kernel reaches: no transpose of this size
        back = conv.conv_transpose2d(y, weight, stride=stride, padding=padding, output_padding=op)
        assert back.shape == x.shape
        left, right = np.sum(out * y), np.sum(x * back)
        assert abs(left - right) <= 1e-10 * max(1.0, abs(left))
        checked += 1
    assert checked >= 50


def test_the_adjoint_identity_fails_for_a_wrong_transpose():
    # the identity is a real check: the flipped kernel (a convolution) does not satisfy it
    weight = RNG.normal(size=(1, 1, 3, 3))
    x = RNG.normal(size=(1, 1, 6, 6))
    y = RNG.normal(size=(1, 1, 4, 4))
    left = np.sum(conv.conv2d(x, weight) * y)
    wrong = conv.conv_transpose2d(y, weight[:, :, ::-1, ::-1].copy())
    assert abs(left - np.sum(x * wrong)) > 1e-3


@pytest.mark.parametrize(
    ("h", "w", "k", "stride", "padding"),
    [(6, 6, 2, None, 0), (7, 5, 3, 2, 1), (8, 9, (2, 3), (2, 1), (1, 0)), (5, 5, 5, 1, 2)],
)
def test_pooling_equals_torch(h, w, k, stride, padding):
    x = RNG.normal(size=(2, 3, h, w))
    for ours_fn, torch_fn in [(conv.max_pool2d, F.max_pool2d), (conv.avg_pool2d, F.avg_pool2d)]:
        ours = ours_fn(x, k, stride=stride, padding=padding)
        theirs = torch_fn(_t(x), k, stride=stride, padding=padding).numpy()
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-13)


def test_max_pool_ignores_padding_even_for_negative_images():
    x = -1.0 - RNG.random(size=(1, 1, 4, 4))
    pooled = conv.max_pool2d(x, 2, stride=2, padding=1)
    assert pooled.max() < 0  # a zero padding would have won every border window
    np.testing.assert_allclose(
        pooled, F.max_pool2d(_t(x), 2, stride=2, padding=1).numpy(), rtol=0, atol=0
    )


# ---- output sizes -----------------------------------------------------------------------------


def test_output_size_matches_torch_over_a_grid():
    checked = 0
    for h, k, stride, padding in itertools.product(
        range(1, 12), range(1, 6), range(1, 5), range(3)
    ):
        if h + 2 * padding < k:
            with pytest.raises(ValueError, match="kernel_size"):
                conv.output_size(h, k, stride, padding)
            continue
        shape = F.conv2d(
            torch.zeros(1, 1, h, h), torch.zeros(1, 1, k, k), stride=stride, padding=padding
        ).shape
        assert conv.output_size(h, k, stride, padding) == shape[2]
        assert (
            conv.conv2d(
                np.zeros((1, 1, h, 3)), np.zeros((1, 1, k, 1)), stride=stride, padding=padding
            ).shape[2]
            == shape[2]
        )
        checked += 1
    assert checked > 500


def test_transpose_output_size_matches_torch_over_a_grid():
    checked = 0
    for h, k, stride, padding in itertools.product(
        range(1, 8), range(1, 5), range(1, 4), range(3)
    ):
        for op in range(stride):
            try:
                shape = F.conv_transpose2d(
                    torch.zeros(1, 1, h, h),
                    torch.zeros(1, 1, k, k),
                    stride=stride,
                    padding=padding,
                    output_padding=op,
                ).shape
            except RuntimeError:
                shape = (0, 0, 0)
            if shape[2] == 0:  # torch raises or returns an empty image: we raise
                with pytest.raises(ValueError, match="padding"):
                    conv.transpose_output_size(h, k, stride, padding, op)
                continue
            assert conv.transpose_output_size(h, k, stride, padding, op) == shape[2]
            checked += 1
    assert checked > 200


# ---- properties -------------------------------------------------------------------------------


def test_conv2d_is_translation_equivariant_away_from_the_border():
    x = np.zeros((1, 1, 12, 12))
    x[0, 0, 3:6, 2:5] = RNG.normal(size=(3, 3))
    weight = RNG.normal(size=(2, 1, 3, 3))
    shifted = np.roll(x, (2, 3), axis=(2, 3))
    out, out_shifted = conv.conv2d(x, weight, padding=1), conv.conv2d(shifted, weight, padding=1)
    np.testing.assert_allclose(np.roll(out, (2, 3), axis=(2, 3)), out_shifted, atol=1e-14)
    # stride 2 breaks it for a shift by one pixel
    a = conv.max_pool2d(conv.conv2d(x, weight, padding=1), 2)
    b = conv.max_pool2d(conv.conv2d(np.roll(x, 1, axis=3), weight, padding=1), 2)
    assert not any(np.allclose(np.roll(a, s, axis=3), b) for s in range(-2, 3))


# ---- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: conv.correlate2d(np.ones(3), np.ones((2, 2))), ValueError, "image"),
        (lambda: conv.correlate2d(np.ones((3, 3)), np.ones((4, 4))), ValueError, "kernel"),
        (
            lambda: conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)), stride=0),
            ValueError,
            "stride",
        ),
        (lambda: conv.convolve2d(np.ones((3, 3)), "abc"), TypeError, "kernel"),
        (lambda: conv.conv2d(np.ones((1, 2, 4, 4)), np.ones((1, 3, 2, 2))), ValueError, "weight"),
        (
            lambda: conv.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), padding=-1),
            ValueError,
            "padding",
        ),
        (
            lambda: conv.conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 2, 2)), np.ones(3)),
            ValueError,
            "bias",
        ),
        (
            lambda: conv.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), stride=1.5),
            TypeError,
            "stride",
        ),
        (
            lambda: conv.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), stride=(1, 2, 3)),
            ValueError,
            "stride",
        ),
        (
            lambda: conv.conv2d(np.full((1, 1, 4, 4), np.nan), np.ones((1, 1, 2, 2))),
            ValueError,
            "x",
        ),
        (
            lambda: conv.conv_transpose2d(
                np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=2, output_padding=2
            ),
            ValueError,
            "output_padding",
        ),
        (
            lambda: conv.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((1, 1, 2, 2))),
            ValueError,
            "weight",
        ),
        (
            lambda: conv.conv_transpose2d(np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), padding=1),
            ValueError,
            "padding",
        ),
        (lambda: conv.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=2), ValueError, "padding"),
        (lambda: conv.max_pool2d(np.ones((1, 1, 4, 4)), 0), ValueError, "kernel_size"),
        (lambda: conv.avg_pool2d(np.ones((1, 4, 4)), 2), ValueError, "x"),
        (lambda: conv.avg_pool2d(np.ones((1, 1, 4, 4)), 5), ValueError, "kernel_size"),
        (lambda: conv.output_size(5, 2, stride=True), TypeError, "stride"),
        (
            lambda: conv.transpose_output_size(5, 2, stride=2, output_padding=3),
            ValueError,
            "output_padding",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
