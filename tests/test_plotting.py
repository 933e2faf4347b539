"""Tests of hepml.plotting: what each helper draws, checked through the returned axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hepml import plotting  # noqa: E402


def test_parity_plot_draws_points_and_the_diagonal_on_equal_axes():
    y_true = np.array([1.0, 2.0, 3.0, 4.0])
    y_pred = np.array([1.5, 1.5, 3.5, 5.0])
    ax = plotting.parity_plot(y_true, y_pred, quantity="energy", unit="GeV")
    offsets = ax.collections[0].get_offsets()
    assert np.array_equal(offsets[:, 0], y_true) and np.array_equal(offsets[:, 1], y_pred)
    diagonal = ax.lines[0]
    assert np.array_equal(diagonal.get_xdata(), diagonal.get_ydata())
    assert ax.get_xlim() == ax.get_ylim() == (1.0, 5.0)
    assert ax.get_xlabel() == "true energy [GeV]" and ax.get_ylabel() == "predicted energy [GeV]"
    # MAE = (0.5 + 0.5 + 0.5 + 1) / 4, R^2 = 1 - 1.75 / 5
    assert ax.texts[0].get_text() == "MAE = 0.625 GeV\n$R^2$ = 0.6500"
    plt.close("all")


def test_parity_plot_limits_drawn_points_and_validates():
    rng = np.random.default_rng(0)
    y = rng.normal(size=100)
    ax = plotting.parity_plot(y, y, max_points=10, show_metrics=False)
    assert len(ax.collections[0].get_offsets()) == 10 and not ax.texts
    with pytest.raises(ValueError, match="same shape"):
        plotting.parity_plot(y, y[:-1])
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        plotting.parity_plot(y, np.full(100, np.nan))
    plt.close("all")


def test_loss_curves_plot_each_history_against_the_epoch():
    train = np.array([4.0, 2.0, 1.0, 0.5])
    validation = np.array([4.5, 2.5, 1.5, 1.2])
    fig, ax = plt.subplots()
    assert plotting.loss_curves(train, validation, ax=ax, label="lr 0.1") is ax
    solid, dashed = ax.lines
    assert np.array_equal(solid.get_xdata(), [0, 1, 2, 3]) and np.array_equal(
        solid.get_ydata(), train
    )
    assert np.array_equal(dashed.get_ydata(), validation) and dashed.get_linestyle() == "--"
    assert solid.get_color() == dashed.get_color()
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "lr 0.1: training",
        "lr 0.1: validation",
    ]
    plotting.loss_curves(train, ax=ax, log=False)
    assert len(ax.lines) == 3 and ax.lines[2].get_color() != solid.get_color()
    plt.close("all")


def test_loss_curves_validate_lengths():
    with pytest.raises(ValueError, match="same length"):
        plotting.loss_curves(np.ones(5), np.ones(4))
    with pytest.raises(ValueError, match="train must be 1-dimensional"):
        plotting.loss_curves(np.ones((2, 2)))


def test_roc_curve_plot_draws_the_roc_and_the_rejection_curves():
    from hepml.methods import metrics

    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.9, 0.3, 0.95])
    fpr, tpr, _ = metrics.roc_curve(labels, scores)
    ax = plotting.roc_curve_plot(labels, scores, label="toy")
    assert np.array_equal(ax.lines[0].get_xdata(), fpr) and np.array_equal(
        ax.lines[0].get_ydata(), tpr
    )
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == [f"toy (AUC = {metrics.roc_auc(labels, scores):.3f})", "random guess"]
    plotting.roc_curve_plot(labels, -scores, ax=ax, label="inverted")
    assert len(ax.lines) == 3  # the random-guess line is drawn only once
    _, ax = plt.subplots()
    plotting.roc_curve_plot(labels, scores, ax=ax, kind="rejection")
    keep = fpr > 0
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 1 / fpr[keep])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), tpr[keep])
    with pytest.raises(ValueError, match="kind must be"):
        plotting.roc_curve_plot(labels, scores, kind="det")
    plt.close("all")


def test_decision_boundary_shades_the_classifier_and_draws_the_data():
    features = np.array([[-1.0, 0.0], [1.0, 0.0], [-2.0, 1.0], [2.0, -1.0]])
    labels = np.array([0, 1, 0, 1])
    ax = plotting.decision_boundary(
        lambda x: (x[:, 0] > 0).astype(float), features, labels, grid_points=50
    )
    background, signal = ax.collections[-2], ax.collections[-1]
    assert np.array_equal(background.get_offsets(), features[labels == 0])
    assert np.array_equal(signal.get_offsets(), features[labels == 1])
    assert ax.get_xlim() == (-2.5, 2.5) and ax.get_ylim() == (-1.5, 1.5)
    # the 0.5 contour of this rule is the vertical line x1 = 0 (up to the grid spacing)
    boundary = ax.collections[1].get_paths()[0].vertices
    assert np.all(np.abs(boundary[:, 0]) < 5 / 49)
    with pytest.raises(ValueError, match="one value per point"):
        plotting.decision_boundary(lambda x: np.zeros(3), features, labels)
    with pytest.raises(ValueError, match="2 columns"):
        plotting.decision_boundary(lambda x: x[:, 0], np.ones((4, 3)), labels)
    plt.close("all")
