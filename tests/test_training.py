"""The training helper against a hand-written torch loop, and its early stopping."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from hepml.training import fit_model, make_loader


def _data(n=50, seed=0):
    rng = np.random.default_rng(seed)
    X = torch.as_tensor(rng.normal(size=(n, 3)))
    y = torch.as_tensor((rng.random(n) < 0.5).astype(float))[:, None]
    return X, y


def _network(seed=1):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
    ).double()


def _hand_written_loop(model, loss_fn, optimizer, X, y, epochs, batch_size, seed, X_val, y_val):
    """The loop every tutorial writes, with torch's own DataLoader."""
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(TensorDataset(X, y), batch_size, shuffle=True, generator=generator)

    def mean_loss(inputs, targets):
        with torch.no_grad():
            return float(loss_fn(model(inputs), targets))

    train, validation = [mean_loss(X, y)], [mean_loss(X_val, y_val)]
    for _ in range(epochs):
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            optimizer.step()
        train.append(mean_loss(X, y))
        validation.append(mean_loss(X_val, y_val))
    return np.array(train), np.array(validation)


@pytest.mark.parametrize("batch_size", [None, 7, 50])
def test_histories_equal_a_hand_written_loop_in_float64(batch_size):
    X, y = _data()
    X_val, y_val = _data(30, seed=5)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    ours = _network()
    result = fit_model(
        ours,
        loss_fn,
        torch.optim.SGD(ours.parameters(), lr=0.3, momentum=0.9),
        X,
        y,
        epochs=6,
        batch_size=batch_size,
        X_val=X_val,
        y_val=y_val,
        seed=4,
        progress=False,
    )
    theirs = _network()
    train, validation = _hand_written_loop(
        theirs,
        loss_fn,
        torch.optim.SGD(theirs.parameters(), lr=0.3, momentum=0.9),
        X,
        y,
        6,
        batch_size or len(X),
        4,
        X_val,
        y_val,
    )
    np.testing.assert_allclose(result.loss_history, train, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.validation_loss_history, validation, rtol=0, atol=1e-12)
    for mine, reference in zip(ours.parameters(), theirs.parameters()):
        torch.testing.assert_close(mine, reference, rtol=0, atol=1e-12)
    batches = 1 if batch_size is None else -(-len(X) // batch_size)
    assert result.n_steps == 6 * batches
    assert result.n_epochs == 6
    assert result.loss_history[-1] < result.loss_history[0]


def test_the_loader_gives_the_batches_of_torchs_shuffling_data_loader():
    X, y = _data(23)
    reference = DataLoader(
        TensorDataset(X, y), 5, shuffle=True, generator=torch.Generator().manual_seed(9)
    )
    ours = make_loader(X, y, batch_size=5, seed=9)
    for _ in range(3):  # every epoch draws a new order, the same in both
        pairs = list(zip(ours, reference, strict=True))
        assert len(pairs) == 5
        for (x_ours, y_ours), (x_ref, y_ref) in pairs:
            assert torch.equal(x_ours, x_ref) and torch.equal(y_ours, y_ref)


def test_a_full_batch_keeps_the_order_unless_asked_to_shuffle():
    X, y = _data(10)
    (inputs, targets), *rest = list(make_loader(X, y))
    assert not rest and torch.equal(inputs, X) and torch.equal(targets, y)
    (shuffled, _), *_ = list(make_loader(X, y, shuffle=True, seed=2))
    assert not torch.equal(shuffled, X)
    assert torch.equal(shuffled[:, 0].sort().values, X[:, 0].sort().values)


def test_same_seed_same_history_and_the_global_generator_is_untouched():
    X, y = _data()

    def run(seed):
        model = _network()
        state = torch.get_rng_state()
        result = fit_model(
            model,
            torch.nn.BCEWithLogitsLoss(),
            torch.optim.Adam(model.parameters(), lr=0.05),
            X,
            y,
            epochs=4,
            batch_size=8,
            seed=seed,
            progress=False,
        )
        assert torch.equal(state, torch.get_rng_state()), "the data order used the global RNG"
        return result.loss_history

    assert np.array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


class _Scalar(torch.nn.Module):
    """Predicts one learnable number w for every input."""

    def __init__(self, start=0.0):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor([start], dtype=torch.float64))

    def forward(self, inputs):
        return self.w.expand(len(inputs))


def _fit_scalar(patience, min_delta=0.0, validation_target=0.5, epochs=20, lr=0.1):
    # Training target 1 with MSE and SGD at rate lr: w_k = 1 - (1 - 2 lr)^k. At lr = 0.1,
    # w_k = 1 - 0.8^k, so the validation loss (w_k - 0.5)^2 is 0.25, 0.09, 0.0196, 0.000144,
    # 0.0081, ... lowest after 3 epochs.
    model = _Scalar()
    X = torch.zeros(4, 1, dtype=torch.float64)
    result = fit_model(
        model,
        torch.nn.MSELoss(),
        torch.optim.SGD(model.parameters(), lr=lr),
        X,
        torch.ones(4, dtype=torch.float64),
        epochs=epochs,
        X_val=X,
        y_val=torch.full((4,), validation_target, dtype=torch.float64),
        patience=patience,
        min_delta=min_delta,
        progress=False,
    )
    return model, result


@pytest.mark.parametrize("patience", [1, 2, 5])
def test_early_stopping_stops_where_the_validation_curve_says(patience):
    model, result = _fit_scalar(patience)
    w = 1 - 0.8 ** np.arange(result.n_epochs + 1)
    np.testing.assert_allclose(result.validation_loss_history, (w - 0.5) ** 2, rtol=1e-12)
    np.testing.assert_allclose(result.loss_history, (w - 1) ** 2, rtol=1e-12)
    assert result.best_epoch == 3
    assert result.n_epochs == 3 + patience
    assert result.stopped_early
    assert model.w.item() == pytest.approx(1 - 0.8**3, rel=1e-12)  # best weights restored


@pytest.mark.parametrize("epochs", [4, 5, 7])
def test_the_epoch_limit_before_patience_still_restores_the_best_epoch(epochs):
    # Best epoch 3; patience 10 never runs out, so the epoch limit ends the fit.
    model, result = _fit_scalar(patience=10, epochs=epochs)
    assert model.w.item() == pytest.approx(1 - 0.8**3, rel=1e-12), "last weights returned"
    assert (result.best_epoch, result.n_epochs, result.stopped_early) == (3, epochs, False)
    assert len(result.validation_loss_history) == epochs + 1


def test_a_learning_rate_too_large_to_beat_epoch_0_restores_the_initial_weights():
    # At lr = 1.5, w_k = 1 - (-2)^k = 0, 3, -3, 9, -15: every epoch is worse than the start
    # for the validation target 0.5, and patience 10 outlasts the 4 epochs.
    model, result = _fit_scalar(patience=10, epochs=4, lr=1.5)
    w = 1 - (-2.0) ** np.arange(5)
    np.testing.assert_allclose(result.validation_loss_history, (w - 0.5) ** 2, rtol=1e-12)
    assert model.w.item() == 0.0, "the weights of the last epoch were returned"
    assert (result.best_epoch, result.stopped_early) == (0, False)
    # ... and when patience runs out first, epoch 0 is restored as well.
    model, result = _fit_scalar(patience=2, epochs=20, lr=1.5)
    assert model.w.item() == 0.0
    assert (result.best_epoch, result.n_epochs, result.stopped_early) == (0, 2, True)


def test_an_overfitting_network_ends_with_its_lowest_validation_loss():
    # 16 training examples with random labels: a 3-8-1 network memorises them, so the
    # validation loss on 400 fresh examples rises after a few epochs. Patience outlasts the
    # 150 epochs: the epoch limit ends the fit, and the model must hold the best epoch.
    X, y = _data(16, seed=3)
    X_val, y_val = _data(400, seed=4)
    model = _network()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    result = fit_model(
        model,
        loss_fn,
        torch.optim.Adam(model.parameters(), lr=0.05),
        X,
        y,
        epochs=150,
        X_val=X_val,
        y_val=y_val,
        patience=1000,
        progress=False,
    )
    history = result.validation_loss_history
    assert history[-1] > history.min() + 0.1  # it did overfit: the test can tell the two apart
    with torch.no_grad():
        returned = float(loss_fn(model(X_val), y_val))
    assert returned == pytest.approx(history.min(), rel=1e-12), "not the best epoch's weights"
    assert result.best_epoch == int(np.argmin(history)) < 150
    assert result.n_epochs == 150 and not result.stopped_early


def test_min_delta_ignores_small_improvements():
    # From epoch 2 (0.0196) to 3 (0.000144) the improvement is 0.019456: below 0.02 it does
    # not count, so epoch 2 stays the best and two epochs without improvement end the fit.
    _, result = _fit_scalar(patience=2, min_delta=0.02)
    assert (result.best_epoch, result.n_epochs) == (2, 4)


def test_early_stopping_can_restore_the_untrained_weights():
    # The validation target is the starting value: training only makes validation worse.
    model, result = _fit_scalar(patience=1, validation_target=0.0)
    assert (result.best_epoch, result.n_epochs, result.stopped_early) == (0, 1, True)
    assert model.w.item() == 0.0


def test_without_patience_every_epoch_runs_and_the_best_is_reported():
    model, result = _fit_scalar(patience=None, epochs=8)
    assert (result.best_epoch, result.n_epochs, result.stopped_early) == (3, 8, False)
    assert model.w.item() == pytest.approx(1 - 0.8**8, rel=1e-12)  # not rewound
    assert len(result.loss_history) == len(result.validation_loss_history) == 9


def test_without_validation_data_there_is_no_validation_history():
    model = _Scalar()
    result = fit_model(
        model,
        torch.nn.MSELoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        torch.zeros(4, 1, dtype=torch.float64),
        torch.ones(4, dtype=torch.float64),
        epochs=3,
        progress=False,
    )
    assert result.validation_loss_history is None and result.best_epoch is None
    assert result.loss_history.shape == (4,)


def test_the_model_gets_back_its_mode():
    X, y = _data()
    for training in (True, False):
        model = _network().train(training)
        fit_model(
            model,
            torch.nn.BCEWithLogitsLoss(),
            torch.optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            epochs=1,
            progress=False,
        )
        assert model.training is training


def test_a_diverging_fit_raises_instead_of_returning_nan():
    model = _Scalar()
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit_model(
            model,
            torch.nn.MSELoss(),
            torch.optim.SGD(model.parameters(), lr=1e3),
            torch.zeros(4, 1),
            torch.ones(4, dtype=torch.float64),
            epochs=200,
            progress=False,
        )


_SCRIPT = textwrap.dedent(
    """
    import torch
    from hepml.training import fit_model
    model = torch.nn.Linear(2, 1)
    fit_model(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1),
              torch.zeros(8, 2), torch.zeros(8, 1), epochs=3, description="bar-test")
    print("done")
    """
)


@pytest.mark.parametrize("disable", [True, False])
def test_the_progress_bar_is_silent_under_tqdm_disable(disable):
    env = {key: value for key, value in os.environ.items() if key != "TQDM_DISABLE"}
    if disable:
        env["TQDM_DISABLE"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"
    if disable:
        assert result.stderr == ""
    else:
        assert "bar-test" in result.stderr and "3/3" in result.stderr


def _valid_arguments():
    model = _network()
    X, y = _data()
    return {
        "model": model,
        "loss_fn": torch.nn.BCEWithLogitsLoss(),
        "optimizer": torch.optim.SGD(model.parameters(), lr=0.1),
        "X": X,
        "y": y,
        "epochs": 2,
        "progress": False,
    }


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"model": "net"}, TypeError, "model must be a torch.nn.Module"),
        ({"loss_fn": 3}, TypeError, "loss_fn must be a loss function"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be a torch.optim.Optimizer"),
        (
            {"optimizer": torch.optim.SGD(torch.nn.Linear(3, 1).parameters(), lr=0.1)},
            ValueError,
            "not model's",
        ),
        ({"epochs": 0}, ValueError, "epochs must be >= 1"),
        ({"epochs": 2.0}, TypeError, "epochs must be an integer"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"X": [[1.0, 2.0, 3.0]]}, TypeError, "X must be a torch tensor or NumPy array"),
        ({"y": torch.zeros(49, 1)}, ValueError, "y must have one entry per example of X"),
        ({"X": torch.full((50, 3), float("nan"))}, ValueError, "X contains NaN"),
        ({"X": torch.zeros(0, 3), "y": torch.zeros(0, 1)}, ValueError, "at least one example"),
        ({"patience": 3}, ValueError, "needs validation data"),
        ({"X_val": torch.zeros(5, 3)}, ValueError, "both X_val and y_val"),
        ({"min_delta": -1.0}, ValueError, "min_delta must be >= 0"),
        ({"progress": 1}, TypeError, "progress must be True or False"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
    ],
)
def test_bad_arguments_get_clear_errors(change, error, message):
    arguments = {**_valid_arguments(), **change}
    with pytest.raises(error, match=message):
        fit_model(**arguments)


def test_bad_shuffle_gets_a_clear_error():
    X, y = _data()
    with pytest.raises(TypeError, match="shuffle must be True, False or None"):
        make_loader(X, y, shuffle="yes")


def test_the_package_does_not_import_torch_eagerly():
    code = "import sys, hepml; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
