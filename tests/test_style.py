import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np
import pytest

from hepml import style


def test_figures_are_opaque_white_and_fit_the_page():
    fig, ax = style.subplots()
    assert mcolors.to_hex(fig.get_facecolor()) == "#ffffff"
    assert fig.get_facecolor()[3] == 1.0
    assert fig.get_size_inches()[0] <= style.PAGE_WIDTH
    assert mpl.rcParams["savefig.transparent"] is False


def test_palette_colours_are_distinct_and_used_as_cycle():
    style.use_house_style()
    cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle[: len(style.PALETTE)] == list(style.PALETTE.values())
    rgb = np.array([mcolors.to_rgb(c) for c in style.PALETTE.values()])
    distances = np.linalg.norm(rgb[:, None] - rgb[None], axis=-1)
    assert distances[~np.eye(len(rgb), dtype=bool)].min() > 0.2


def test_figure_size_rejects_empty_grid():
    with pytest.raises(ValueError, match="rows and columns must be >= 1"):
        style.figure_size(0, 1)
    assert style.figure_size(2, 2) == (style.PAGE_WIDTH, 6.4)


def test_subplots_takes_rows_then_columns_like_matplotlib():
    import matplotlib.pyplot as plt

    fig, axes = style.subplots(2, 1)
    assert axes.shape == (2,)
    assert axes[0].get_position().y0 > axes[1].get_position().y0  # stacked vertically
    assert fig.get_size_inches()[1] == style.figure_size(2, 1)[1]
    plt.close(fig)
