"""Plotting helpers in the house style, shared by the chapters.

Each helper draws on a given matplotlib ``Axes`` (or a new one made with
:func:`hepml.style.subplots`) and returns the axes, so a notebook can add labels or combine
panels. Axis labels carry units where the data have them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from hepml import style
from hepml.methods.metrics import mean_absolute_error, r2_score, roc_auc, roc_curve
from hepml.validation import check_array, check_callable, check_int, check_targets, check_xy


def parity_plot(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    ax: plt.Axes | None = None,
    quantity: str = "y",
    unit: str = "",
    show_metrics: bool = True,
    max_points: int = 5000,
) -> plt.Axes:
    """Predicted against true values, with the diagonal ``y_pred = y_true`` of a perfect model.

    Points above the diagonal are over-estimated, points below under-estimated. Both axes share
    the same range so that the diagonal is at 45 degrees.

    Parameters
    ----------
    y_true, y_pred
        True and predicted values, 1-D arrays of the same length.
    ax
        Axes to draw on; a new figure in the house style if omitted.
    quantity
        Name of the predicted quantity, used in the axis labels (e.g. ``"energy"``).
    unit
        Its unit, e.g. ``"GeV"``; appended to the labels in brackets.
    show_metrics
        Write the mean absolute error and R^2 in the upper left corner.
    max_points
        At most this many points are drawn (the first ones), to keep the figure light; the
        metrics always use every point.
    """
    y_true, y_pred = check_targets(y_true, y_pred)
    max_points = check_int(max_points, "max_points", minimum=1)
    if ax is None:
        _, ax = style.subplots(figsize=(4.2, 4.0))
    suffix = f" [{unit}]" if unit else ""
    ax.scatter(
        y_true[:max_points],
        y_pred[:max_points],
        s=4,
        alpha=0.4,
        color=style.PALETTE["blue"],
        label="events",
    )
    low = min(y_true.min(), y_pred.min())
    high = max(y_true.max(), y_pred.max())
    ax.plot(
        [low, high],
        [low, high],
        color=style.PALETTE["black"],
        linewidth=1.2,
        label="perfect prediction",
    )
    ax.set(
        xlim=(low, high),
        ylim=(low, high),
        xlabel=f"true {quantity}{suffix}",
        ylabel=f"predicted {quantity}{suffix}",
    )
    ax.set_aspect("equal")
    if show_metrics:
        mae = mean_absolute_error(y_true, y_pred)
        text = (
            f"MAE = {mae:.3g}{' ' + unit if unit else ''}\n$R^2$ = {r2_score(y_true, y_pred):.4f}"
        )
        ax.text(0.04, 0.96, text, transform=ax.transAxes, va="top", ha="left")
    ax.legend(loc="lower right")
    return ax


def loss_curves(
    train: np.ndarray,
    validation: np.ndarray | None = None,
    *,
    ax: plt.Axes | None = None,
    ylabel: str = "loss",
    log: bool = True,
    label: str = "",
) -> plt.Axes:
    """Training (solid) and validation (dashed) loss against the epoch.

    Entry ``k`` of each history is the loss after ``k`` epochs (entry 0: before training), as
    recorded by :func:`hepml.methods.linear.gradient_descent`. Call again on the same ``ax`` to
    compare several runs; each call uses the next colour of the house palette.

    Parameters
    ----------
    train
        Training loss per epoch, 1-D.
    validation
        Validation loss at the same epochs, or ``None``.
    ax
        Axes to draw on; a new figure in the house style if omitted.
    ylabel
        Label of the vertical axis, e.g. ``"MSE [GeV$^2$]"``.
    log
        Logarithmic vertical axis (losses often fall over orders of magnitude).
    label
        Prefix for the legend entries, e.g. the learning rate of this run.
    """
    train = check_array(train, "train", ndim=1, min_length=1, finite=False)
    if validation is not None:
        validation = check_array(validation, "validation", ndim=1, finite=False)
        if validation.shape != train.shape:
            raise ValueError(
                f"validation must have the same length as train, "
                f"got {len(validation)} and {len(train)}"
            )
    if ax is None:
        _, ax = style.subplots()
    prefix = f"{label}: " if label else ""
    (line,) = ax.plot(np.arange(len(train)), train, label=f"{prefix}training")
    if validation is not None:
        ax.plot(
            np.arange(len(validation)),
            validation,
            linestyle="--",
            color=line.get_color(),
            label=f"{prefix}validation",
        )
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=ylabel)
    ax.legend()
    return ax


def roc_curve_plot(
    y_true: np.ndarray,
    y_score: np.ndarray,
    *,
    ax: plt.Axes | None = None,
    label: str = "",
    kind: str = "roc",
) -> plt.Axes:
    """The ROC curve of a classifier score, or its background rejection against signal efficiency.

    ``kind="roc"`` draws the true-positive rate (signal efficiency) against the false-positive
    rate, the machine-learning convention. ``kind="rejection"`` draws the background rejection
    ``1 / FPR`` on a logarithmic axis against the signal efficiency, the way particle physicists
    show taggers: better classifiers lie higher. Both use :func:`hepml.methods.metrics.roc_curve`;
    the dotted line is a random guess. Call again on the same ``ax`` to compare classifiers.

    Parameters
    ----------
    y_true
        True classes, 1 for signal and 0 for background.
    y_score
        Classifier outputs, larger meaning more signal-like.
    ax
        Axes to draw on; a new figure in the house style if omitted.
    label
        Legend entry of this curve; the AUC is appended for ``kind="roc"``.
    kind
        ``"roc"`` or ``"rejection"``.
    """
    if kind not in ("roc", "rejection"):
        raise ValueError(f"kind must be 'roc' or 'rejection', got {kind!r}")
    fpr, tpr, _ = roc_curve(y_true, y_score)
    if ax is None:
        _, ax = style.subplots(figsize=(4.6, 3.6))
    has_guess = any(line.get_label() == "random guess" for line in ax.get_lines())
    if kind == "roc":
        ax.plot(
            fpr, tpr, label=f"{label} (AUC = {roc_auc(y_true, y_score):.3f})" if label else None
        )
        if not has_guess:
            ax.plot(
                [0, 1], [0, 1], linestyle=":", color=style.PALETTE["black"], label="random guess"
            )
        ax.set(
            xlabel="false-positive rate (background efficiency)",
            ylabel="true-positive rate (signal efficiency)",
        )
        ax.set(xlim=(0, 1), ylim=(0, 1.01))
    else:
        keep = fpr > 0
        ax.plot(tpr[keep], 1 / fpr[keep], label=label or None)
        if not has_guess:
            efficiency = np.linspace(0.01, 1, 100)
            ax.plot(
                efficiency,
                1 / efficiency,
                linestyle=":",
                color=style.PALETTE["black"],
                label="random guess",
            )
        ax.set_yscale("log")
        ax.set(xlabel="signal efficiency", ylabel="background rejection 1 / FPR", xlim=(0, 1))
    ax.legend()
    return ax


def decision_boundary(
    predict,
    X: np.ndarray,
    y: np.ndarray,
    *,
    ax: plt.Axes | None = None,
    grid_points: int = 200,
    padding: float = 0.5,
    feature_names: tuple[str, str] = ("$x_1$", "$x_2$"),
    max_points: int = 1000,
    marker_size: float = 12.0,
) -> plt.Axes:
    """The regions a two-feature classifier assigns to each class, with the data on top.

    The plane is shaded by ``predict`` on a grid (orange: background, blue: signal), the
    black line is where ``predict`` crosses 0.5, and the events are drawn as dots in their true
    class colours.

    Parameters
    ----------
    predict
        Function mapping an ``(m, 2)`` array of points to ``m`` values in [0, 1]: probabilities
        ``P(signal | x)`` or hard decisions 0/1.
    X
        Events, shape ``(n, 2)``; they also set the plotted range.
    y
        True classes of the events, 1 for signal and 0 for background.
    ax
        Axes to draw on; a new figure in the house style if omitted.
    grid_points
        Grid resolution along each axis, >= 10.
    padding
        Margin added around the data range, in feature units.
    feature_names
        Axis labels, with units where the features have them.
    max_points
        At most this many events are drawn (the first ones).
    marker_size
        Area of the event markers in points^2 (larger for a handful of events).
    """
    from matplotlib.colors import LinearSegmentedColormap

    check_callable(predict, "predict", "a function of an (m, 2) array")
    X, y = check_xy(X, y)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns, got shape {X.shape}")
    if grid_points < 10:
        raise ValueError(f"grid_points must be >= 10, got {grid_points}")
    if ax is None:
        _, ax = style.subplots(figsize=(4.6, 3.8))
    low = X.min(axis=0) - padding
    high = X.max(axis=0) + padding
    grid_x, grid_y = np.meshgrid(
        np.linspace(low[0], high[0], grid_points), np.linspace(low[1], high[1], grid_points)
    )
    values = np.asarray(predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])), dtype=float)
    if values.shape != (grid_x.size,):
        raise ValueError(
            f"predict must return one value per point, shape ({grid_x.size},), got {values.shape}"
        )
    values = values.reshape(grid_x.shape)
    colours = LinearSegmentedColormap.from_list(
        "background-signal", [style.BACKGROUND_COLOR, "white", style.SIGNAL_COLOR]
    )
    ax.contourf(grid_x, grid_y, values, levels=np.linspace(0, 1, 11), cmap=colours, alpha=0.45)
    if values.min() < 0.5 < values.max():
        ax.contour(
            grid_x, grid_y, values, levels=[0.5], colors=style.PALETTE["black"], linewidths=1.5
        )
    shown, shown_labels = X[:max_points], y[:max_points]
    for value, name, colour in (
        (0, "background", style.BACKGROUND_COLOR),
        (1, "signal", style.SIGNAL_COLOR),
    ):
        points = shown[shown_labels == value]
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=marker_size,
            color=colour,
            edgecolor="white",
            linewidth=0.4,
            label=name,
        )
    ax.set(
        xlabel=feature_names[0],
        ylabel=feature_names[1],
        xlim=(low[0], high[0]),
        ylim=(low[1], high[1]),
    )
    ax.legend(loc="upper left")
    return ax
