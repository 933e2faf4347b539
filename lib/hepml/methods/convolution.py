"""Convolution, pooling and transpose convolution written out in NumPy (chapter 9).

Every layer works on a batch of images of shape ``(n_images, channels, height, width)``, the
layout of :func:`torch.nn.functional.conv2d`, and computes what its torch twin computes:

- :func:`correlate2d` and :func:`convolve2d`: one 2-D image and one kernel, the operation of
  the textbooks (a convolution flips the kernel, a cross-correlation does not);
- :func:`conv2d`: the layer of a CNN, a cross-correlation summed over input channels, with
  stride and zero padding (``torch.nn.functional.conv2d``);
- :func:`max_pool2d` and :func:`avg_pool2d`: pooling (``torch.nn.functional.max_pool2d``,
  ``avg_pool2d`` with its default ``count_include_pad=True``);
- :func:`conv_transpose2d`: the transpose (adjoint) of :func:`conv2d`, which scatters each
  input pixel over the output (``torch.nn.functional.conv_transpose2d``);
- :func:`output_size` and :func:`transpose_output_size`: the sizes these layers produce.

The loops run over the kernel's offsets, not over pixels: for each offset ``(i, j)`` the layer
takes one strided slice of the padded input, so each line reads like the sum it implements.
"""

from __future__ import annotations

import numpy as np

from hepml.validation import check_array, check_int

__all__ = [
    "avg_pool2d",
    "conv2d",
    "conv_transpose2d",
    "convolve2d",
    "correlate2d",
    "max_pool2d",
    "output_size",
    "transpose_output_size",
]


def output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Length of a convolution's or pooling's output along one axis.

    ``floor((size + 2 * padding - kernel_size) / stride) + 1``: the number of positions of a
    window of ``kernel_size`` pixels that start every ``stride`` pixels and fit inside the
    input padded by ``padding`` pixels on each side.

    Raises
    ------
    ValueError
        If the kernel does not fit inside the padded input.
    """
    size = check_int(size, "size", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    return _output_size(size, kernel_size, stride, padding, "kernel_size")


def transpose_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, output_padding: int = 0
) -> int:
    """Length of a transpose convolution's output along one axis.

    ``(size - 1) * stride - 2 * padding + kernel_size + output_padding``. Several input sizes
    of a strided convolution give the same output size; ``output_padding`` (below ``stride``)
    picks which of them the transpose convolution returns.
    """
    size = check_int(size, "size", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    output_padding = check_int(output_padding, "output_padding", minimum=0)
    if output_padding >= stride:
        raise ValueError(
            f"output_padding must be smaller than stride ({stride}), got {output_padding}"
        )
    result = (size - 1) * stride - 2 * padding + kernel_size + output_padding
    if result < 1:
        raise ValueError(
            f"padding {padding} is too large: the transpose convolution's output would have "
            f"{result} pixels"
        )
    return result


def correlate2d(
    image: np.ndarray, kernel: np.ndarray, stride: int | tuple = 1, padding: int | tuple = 0
) -> np.ndarray:
    """Cross-correlation of one 2-D image with one 2-D kernel (no flip).

    ``out[r, c] = sum_{i, j} padded[r * stride + i, c * stride + j] * kernel[i, j]``, the sum
    of the kernel times the patch of the (zero-padded) image under it. With ``stride=1`` and
    ``padding=0`` this is ``scipy.signal.correlate2d(image, kernel, mode="valid")``.

    Parameters
    ----------
    image
        Shape ``(height, width)``.
    kernel
        Shape ``(kernel_height, kernel_width)``.
    stride, padding
        An integer, or a pair ``(rows, columns)``.
    """
    image = check_array(image, "image", ndim=2)
    kernel = check_array(kernel, "kernel", ndim=2)
    stride = _pair(stride, "stride", minimum=1)
    padding = _pair(padding, "padding", minimum=0)
    _check_fits(image.shape, kernel.shape, padding, "kernel")
    return _conv2d(image[None, None], kernel[None, None], None, stride, padding)[0, 0]


def convolve2d(
    image: np.ndarray, kernel: np.ndarray, stride: int | tuple = 1, padding: int | tuple = 0
) -> np.ndarray:
    """Convolution of one 2-D image with one 2-D kernel: the cross-correlation with the
    kernel flipped along both axes.

    ``out[r, c] = sum_{m, n} image[m, n] * kernel[r - m, c - n]`` in the mathematician's
    indexing; with ``stride=1`` and ``padding=0`` this is
    ``scipy.signal.convolve2d(image, kernel, mode="valid")``. Parameters as for
    :func:`correlate2d`.
    """
    kernel = check_array(kernel, "kernel", ndim=2)
    return correlate2d(image, kernel[::-1, ::-1], stride=stride, padding=padding)


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple = 1,
    padding: int | tuple = 0,
) -> np.ndarray:
    """A convolutional layer as torch computes it: a cross-correlation, summed over channels.

    ``out[n, o, r, c] = bias[o] + sum_{k, i, j} weight[o, k, i, j] *
    padded[n, k, r * stride + i, c * stride + j]``.

    Parameters
    ----------
    x
        Images, shape ``(n_images, in_channels, height, width)``.
    weight
        Kernels, shape ``(out_channels, in_channels, kernel_height, kernel_width)``.
    bias
        Shape ``(out_channels,)``, or ``None``.
    stride, padding
        An integer, or a pair ``(rows, columns)``; padding adds zeros on every side.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_images, out_channels, out_height, out_width)``, with the sizes of
        :func:`output_size`.
    """
    x = check_array(x, "x", ndim=4)
    weight = check_array(weight, "weight", ndim=4)
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"weight has {weight.shape[1]} input channels (axis 1) but x has {x.shape[1]} (axis 1)"
        )
    bias = _check_bias(bias, weight.shape[0])
    stride = _pair(stride, "stride", minimum=1)
    padding = _pair(padding, "padding", minimum=0)
    _check_fits(x.shape[2:], weight.shape[2:], padding, "weight")
    return _conv2d(x, weight, bias, stride, padding)


def conv_transpose2d(
    y: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple = 1,
    padding: int | tuple = 0,
    output_padding: int | tuple = 0,
) -> np.ndarray:
    """Transpose convolution: the adjoint of :func:`conv2d` with the same ``weight``.

    Each input pixel ``y[n, o, r, c]`` adds ``y[n, o, r, c] * weight[o, k]`` to the output
    patch that starts at ``(r * stride, c * stride)`` of a padded canvas; then ``padding``
    pixels are cut from every side. Without bias, for every ``x`` and ``y`` of matching shapes,
    ``sum(conv2d(x, w, stride=s, padding=p) * y) == sum(x * conv_transpose2d(y, w, stride=s,
    padding=p, output_padding=q))``, with ``q`` chosen so that the output has ``x``'s shape.
    It is not an inverse: it undoes the convolution's shape, not its values.

    Parameters
    ----------
    y
        Shape ``(n_images, in_channels, height, width)``.
    weight
        Shape ``(in_channels, out_channels, kernel_height, kernel_width)``: the layout of
        :func:`conv2d`'s weight read the other way, as torch stores it.
    bias
        Shape ``(out_channels,)``, or ``None``.
    stride, padding, output_padding
        An integer, or a pair ``(rows, columns)``; ``output_padding`` must be below ``stride``
        and adds rows and columns at the bottom and right.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_images, out_channels, out_height, out_width)`` with the sizes of
        :func:`transpose_output_size`.
    """
    y = check_array(y, "y", ndim=4)
    weight = check_array(weight, "weight", ndim=4)
    if weight.shape[0] != y.shape[1]:
        raise ValueError(
            f"weight has {weight.shape[0]} input channels (axis 0) but y has {y.shape[1]} (axis 1)"
        )
    bias = _check_bias(bias, weight.shape[1])
    stride = _pair(stride, "stride", minimum=1)
    padding = _pair(padding, "padding", minimum=0)
    output_padding = _pair(output_padding, "output_padding", minimum=0)
    for axis in range(2):
        if output_padding[axis] >= stride[axis]:
            raise ValueError(
                f"output_padding must be smaller than stride {stride}, got {output_padding}"
            )
        size = (
            (y.shape[2 + axis] - 1) * stride[axis]
            - 2 * padding[axis]
            + weight.shape[2 + axis]
            + output_padding[axis]
        )
        if size < 1:
            raise ValueError(
                f"padding {padding} is too large: the output would have {size} pixels along "
                f"axis {2 + axis}"
            )
    return _conv_transpose2d(y, weight, bias, stride, padding, output_padding)


def max_pool2d(
    x: np.ndarray,
    kernel_size: int | tuple,
    stride: int | tuple | None = None,
    padding: int | tuple = 0,
) -> np.ndarray:
    """Max pooling: the largest value of each window, channel by channel.

    Padding adds ``-inf`` (it never wins), as torch does. ``stride`` defaults to
    ``kernel_size`` (windows that tile the image); ``padding`` is at most half the window.
    ``x`` has shape ``(n_images, channels, height, width)``.
    """
    x, kernel, stride, padding = _check_pool(x, kernel_size, stride, padding)
    return _pool(x, kernel, stride, padding, -np.inf, np.max)


def avg_pool2d(
    x: np.ndarray,
    kernel_size: int | tuple,
    stride: int | tuple | None = None,
    padding: int | tuple = 0,
) -> np.ndarray:
    """Average pooling: the mean of each window, channel by channel.

    Padding adds zeros that count in the mean (torch's default ``count_include_pad=True``).
    Other arguments as for :func:`max_pool2d`.
    """
    x, kernel, stride, padding = _check_pool(x, kernel_size, stride, padding)
    return _pool(x, kernel, stride, padding, 0.0, np.mean)


# --- computation (arguments already checked) ----------------------------------------------


def _output_size(size: int, kernel: int, stride: int, padding: int, name: str) -> int:
    if size + 2 * padding < kernel:
        raise ValueError(
            f"{name} {kernel} is larger than the padded input ({size} + 2 * {padding} pixels)"
        )
    return (size + 2 * padding - kernel) // stride + 1


def _conv2d(x, weight, bias, stride, padding) -> np.ndarray:
    (sr, sc), (pr, pc) = stride, padding
    padded = np.pad(x, ((0, 0), (0, 0), (pr, pr), (pc, pc)))
    kh, kw = weight.shape[2:]
    rows = _output_size(x.shape[2], kh, sr, pr, "weight")
    cols = _output_size(x.shape[3], kw, sc, pc, "weight")
    out = np.zeros((x.shape[0], weight.shape[0], rows, cols))
    for i in range(kh):
        for j in range(kw):
            # the input pixels that kernel entry (i, j) meets, one per output pixel
            patch = padded[
                :, :, i : i + sr * (rows - 1) + 1 : sr, j : j + sc * (cols - 1) + 1 : sc
            ]
            out += np.einsum("nkrc,ok->norc", patch, weight[:, :, i, j])
    if bias is not None:
        out += bias[None, :, None, None]
    return out


def _conv_transpose2d(y, weight, bias, stride, padding, output_padding) -> np.ndarray:
    (sr, sc), (pr, pc), (qr, qc) = stride, padding, output_padding
    kh, kw = weight.shape[2:]
    rows, cols = y.shape[2:]
    canvas = np.zeros(
        (y.shape[0], weight.shape[1], (rows - 1) * sr + kh + qr, (cols - 1) * sc + kw + qc)
    )
    for i in range(kh):
        for j in range(kw):
            # kernel entry (i, j) sends each input pixel to the same place conv2d read it from
            canvas[:, :, i : i + sr * (rows - 1) + 1 : sr, j : j + sc * (cols - 1) + 1 : sc] += (
                np.einsum("norc,ok->nkrc", y, weight[:, :, i, j])
            )
    out_rows = (rows - 1) * sr - 2 * pr + kh + qr
    out_cols = (cols - 1) * sc - 2 * pc + kw + qc
    out = canvas[:, :, pr : pr + out_rows, pc : pc + out_cols]
    if bias is not None:
        out = out + bias[None, :, None, None]
    return np.ascontiguousarray(out)


def _pool(x, kernel, stride, padding, fill, reduce) -> np.ndarray:
    (kh, kw), (sr, sc), (pr, pc) = kernel, stride, padding
    padded = np.pad(x, ((0, 0), (0, 0), (pr, pr), (pc, pc)), constant_values=fill)
    rows = _output_size(x.shape[2], kh, sr, pr, "kernel_size")
    cols = _output_size(x.shape[3], kw, sc, pc, "kernel_size")
    windows = np.stack(
        [
            padded[:, :, i : i + sr * (rows - 1) + 1 : sr, j : j + sc * (cols - 1) + 1 : sc]
            for i in range(kh)
            for j in range(kw)
        ]
    )
    return reduce(windows, axis=0)


# --- checks -------------------------------------------------------------------------------


def _pair(value: object, name: str, *, minimum: int) -> tuple[int, int]:
    """An integer or a pair of integers as a pair (rows, columns)."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"{name} must be an integer or a pair of integers, got {value!r}")
        return (
            check_int(value[0], f"{name}[0]", minimum=minimum),
            check_int(value[1], f"{name}[1]", minimum=minimum),
        )
    value = check_int(value, name, minimum=minimum)
    return value, value


def _check_bias(bias: object, channels: int) -> np.ndarray | None:
    if bias is None:
        return None
    bias = check_array(bias, "bias", ndim=1)
    if bias.shape[0] != channels:
        raise ValueError(f"bias must have {channels} entries (one per output channel)")
    return bias


def _check_fits(size: tuple, kernel: tuple, padding: tuple, name: str) -> None:
    for axis in range(2):
        if kernel[axis] < 1:
            raise ValueError(f"{name} must have at least one pixel along each axis")
        _output_size(size[axis], kernel[axis], 1, padding[axis], name)


def _check_pool(x, kernel_size, stride, padding):
    x = check_array(x, "x", ndim=4, finite=False)
    if np.isnan(x).any():
        raise ValueError("x contains NaN values")
    kernel = _pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if stride is None else _pair(stride, "stride", minimum=1)
    padding = _pair(padding, "padding", minimum=0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(
            f"padding must be at most half of kernel_size {kernel}, got {padding}: a window "
            f"could then hold padding only"
        )
    _check_fits(x.shape[2:], kernel, padding, "kernel_size")
    return x, kernel, stride, padding
