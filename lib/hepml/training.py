"""A small torch training loop with a loss history, early stopping and a progress bar.

Chapters from 07 on train their networks with :func:`fit_model`; chapter 07 writes the same loop
out by hand first. The loop is the textbook one::

    for epoch in range(epochs):
        for inputs, targets in batches:       # make_loader: shuffled with its own generator
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            optimizer.step()
        record the training and validation loss; stop if the validation loss has not
        improved for `patience` epochs

Reproducibility: the data order comes from a :class:`torch.Generator` seeded by ``seed``, so it
never draws from (or disturbs) torch's global generator; weight initialisation and dropout do
use the global generator, which :func:`hepml.setup_notebook` seeds. The progress bar is tqdm's
text bar, which ``TQDM_DISABLE=1`` silences (the test and execution environments set it, so
stored outputs stay clean). ``tqdm.notebook`` would ignore that variable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)
from tqdm.std import tqdm

from hepml.validation import check_callable, check_consistent_length, check_int, check_real

__all__ = ["TrainingResult", "fit_model", "make_loader"]


@dataclass(frozen=True)
class TrainingResult:
    """Result of :func:`fit_model`.

    Attributes
    ----------
    loss_history
        Mean training loss after each epoch; entry 0 is before training, so the shape is
        ``(n_epochs + 1,)``, as :func:`hepml.plotting.loss_curves` expects.
    validation_loss_history
        Mean validation loss at the same epochs, or ``None`` without validation data.
    n_steps
        Number of optimiser steps (batches) taken.
    n_epochs
        Number of epochs run: ``epochs``, or fewer if early stopping ended the fit.
    stopped_early
        True if the early-stopping rule ended the fit: the validation loss had not improved
        for ``patience`` epochs (this can happen in the last allowed epoch too). False if the
        epoch limit ended it, and always False without ``patience``.
    best_epoch
        Epoch of the lowest validation loss (0: before training); ``None`` without validation
        data. With ``patience`` the model holds this epoch's weights when the fit returns,
        whether early stopping or the epoch limit ended it.
    """

    loss_history: np.ndarray
    validation_loss_history: np.ndarray | None
    n_steps: int
    n_epochs: int
    stopped_early: bool
    best_epoch: int | None


def make_loader(
    X: torch.Tensor | np.ndarray,
    y: torch.Tensor | np.ndarray,
    *,
    batch_size: int | None = None,
    shuffle: bool | None = None,
    seed: int = 0,
) -> DataLoader:
    """A :class:`~torch.utils.data.DataLoader` of ``(X, y)`` batches with its own seeded order.

    The batches are the same as those of
    ``DataLoader(TensorDataset(X, y), batch_size, shuffle=True, generator=g)`` with
    ``g = torch.Generator().manual_seed(seed)``, but each batch is cut from the tensors in one
    indexing operation instead of being collated example by example, which is many times faster
    for small models. Each pass over the loader (epoch) draws a new order from its generator;
    torch's global generator is never used.

    Parameters
    ----------
    X, y
        Inputs and targets with one entry per example along the first axis; NumPy arrays are
        converted with :func:`torch.as_tensor` (float64 stays float64).
    batch_size
        Examples per batch, >= 1; ``None`` gives one batch of every example (full batch).
    shuffle
        Draw a new order every epoch. By default, only when there is more than one batch (a
        full batch in a new order changes nothing but the order of a sum).
    seed
        Seed of the loader's own generator, >= 0.
    """
    X, y = _as_tensors(X, y)
    n = len(X)
    batch_size = n if batch_size is None else check_int(batch_size, "batch_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    if shuffle is None:
        shuffle = batch_size < n
    elif not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True, False or None, got {type(shuffle).__name__}")
    dataset = TensorDataset(X, y)
    generator = torch.Generator().manual_seed(seed)
    order = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    # batch_size=None: the sampler yields lists of indices and TensorDataset cuts whole batches.
    return DataLoader(
        dataset,
        batch_size=None,
        sampler=BatchSampler(order, batch_size, drop_last=False),
        generator=generator,
    )


def fit_model(
    model: torch.nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor | np.ndarray,
    y: torch.Tensor | np.ndarray,
    *,
    epochs: int,
    batch_size: int | None = None,
    X_val: torch.Tensor | np.ndarray | None = None,
    y_val: torch.Tensor | np.ndarray | None = None,
    patience: int | None = None,
    min_delta: float = 0.0,
    seed: int = 0,
    progress: bool = True,
    description: str = "training",
) -> TrainingResult:
    """Train ``model`` by minimising ``loss_fn`` with ``optimizer``, epoch by epoch.

    Each epoch visits the training data once in batches from :func:`make_loader` and takes one
    optimiser step per batch. Before training and after every epoch the mean loss over the
    whole training set (and the validation set) is recorded, in evaluation mode and without
    gradients. With ``patience``, training stops once the validation loss has not improved on
    its best value by more than ``min_delta`` for ``patience`` epochs in a row; whether it
    stopped early or ran all ``epochs``, the model then gets back the weights of its best
    epoch, which may be epoch 0, the initial weights (the optimiser's state is not rewound).
    Without ``patience`` the model keeps the weights of its last epoch.

    Parameters
    ----------
    model
        The network, trained in place; it is returned to the mode (train or eval) it had.
    loss_fn
        ``loss_fn(model(inputs), targets)`` returns the mean loss of a batch as a scalar
        tensor, e.g. ``torch.nn.BCEWithLogitsLoss()``.
    optimizer
        An optimiser over (some of) ``model``'s parameters, e.g. ``torch.optim.Adam(...)``.
    X, y
        Training inputs and targets, one entry per example along the first axis.
    epochs
        Largest number of passes over the training data, >= 1.
    batch_size
        Examples per optimiser step; ``None`` trains on the full batch.
    X_val, y_val
        Validation inputs and targets, both or neither.
    patience
        Early stopping: epochs without improvement before stopping, >= 1 (needs validation
        data); the best epoch's weights are restored at the end. ``None`` trains for all
        ``epochs`` and keeps the last weights.
    min_delta
        Improvement of the validation loss that counts as one, >= 0.
    seed
        Seed of the data order (see :func:`make_loader`).
    progress
        Show a tqdm progress bar over the epochs (silenced by ``TQDM_DISABLE=1``).
    description
        Label of the progress bar.

    Returns
    -------
    TrainingResult
        Loss histories, steps, epochs, whether early stopping ended the fit, the best epoch.

    Raises
    ------
    FloatingPointError
        If the training loss becomes NaN or infinite (a learning rate that is too large).
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_callable(loss_fn, "loss_fn", "a loss function of (prediction, target)")
    _check_optimizer(optimizer, model)
    epochs = check_int(epochs, "epochs", minimum=1)
    loader = make_loader(X, y, batch_size=batch_size, seed=seed)
    train_data = loader.dataset.tensors
    validation = _validation_data(X_val, y_val, patience)
    if patience is not None:
        patience = check_int(patience, "patience", minimum=1)
    min_delta = check_real(min_delta, "min_delta", minimum=0.0)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {type(progress).__name__}")
    eval_size = loader.sampler.batch_size
    # One batch in the original order: the tensors themselves, without the loader's overhead
    # (a quarter of a millisecond per epoch, as much as a small model's step).
    batches = [train_data] if eval_size >= len(train_data[0]) else loader
    was_training = model.training
    try:
        return _fit(
            model,
            loss_fn,
            optimizer,
            batches,
            train_data,
            validation,
            epochs=epochs,
            eval_size=eval_size,
            patience=patience,
            min_delta=min_delta,
            bar=tqdm(total=epochs, desc=description, **({} if progress else {"disable": True})),
        )
    finally:
        model.train(was_training)


def _fit(
    model,
    loss_fn,
    optimizer,
    batches,
    train_data,
    validation,
    *,
    epochs,
    eval_size,
    patience,
    min_delta,
    bar,
) -> TrainingResult:
    losses = [_mean_loss(model, loss_fn, *train_data, eval_size)]
    val_losses = [] if validation is None else [_mean_loss(model, loss_fn, *validation, eval_size)]
    best_state = None if patience is None else _copy_state(model)
    best_epoch, waited, n_steps, epoch = 0, 0, 0, 0
    with bar:
        for epoch in range(1, epochs + 1):
            model.train()
            for inputs, targets in batches:
                optimizer.zero_grad()
                loss_fn(model(inputs), targets).backward()
                optimizer.step()
                n_steps += 1
            losses.append(_mean_loss(model, loss_fn, *train_data, eval_size))
            if not math.isfinite(losses[-1]):
                raise FloatingPointError(
                    f"the training loss became {losses[-1]} in epoch {epoch}: "
                    "lower the learning rate or check the inputs"
                )
            bar.update()
            if validation is None:
                continue
            val_losses.append(_mean_loss(model, loss_fn, *validation, eval_size))
            bar.set_postfix(validation_loss=f"{val_losses[-1]:.4g}")
            if val_losses[-1] < val_losses[best_epoch] - min_delta:
                best_epoch, waited = epoch, 0
                if patience is not None:
                    best_state = _copy_state(model)
            else:
                waited += 1
            if patience is not None and waited >= patience:
                break
    if patience is not None:
        # The best epoch's weights, also when the epoch limit came first (epoch 0 included).
        model.load_state_dict(best_state)
    return TrainingResult(
        loss_history=np.array(losses),
        validation_loss_history=None if validation is None else np.array(val_losses),
        n_steps=n_steps,
        n_epochs=epoch,
        stopped_early=patience is not None and waited >= patience,
        best_epoch=None if validation is None else best_epoch,
    )


def _mean_loss(model, loss_fn, X, y, chunk: int) -> float:
    # The mean over chunks weighted by their size equals the mean over all examples.
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(X), chunk):
            inputs, targets = X[start : start + chunk], y[start : start + chunk]
            total += float(loss_fn(model(inputs), targets)) * len(inputs)
    return total / len(X)


def _copy_state(model: torch.nn.Module) -> dict:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def _as_tensors(X, y, names: tuple[str, str] = ("X", "y")) -> tuple[torch.Tensor, torch.Tensor]:
    tensors = []
    for value, name in zip((X, y), names):
        if not isinstance(value, (torch.Tensor, np.ndarray)):
            raise TypeError(
                f"{name} must be a torch tensor or NumPy array, got {type(value).__name__}"
            )
        tensor = torch.as_tensor(value)
        if tensor.ndim == 0 or len(tensor) == 0:
            raise ValueError(
                f"{name} must have at least one example along axis 0, got shape "
                f"{tuple(tensor.shape)}"
            )
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"{name} contains NaN or infinite values")
        tensors.append(tensor)
    check_consistent_length(tensors, names)
    return tensors[0], tensors[1]


def _validation_data(X_val, y_val, patience) -> tuple[torch.Tensor, torch.Tensor] | None:
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is None:
        if patience is not None:
            raise ValueError("early stopping (patience) needs validation data X_val, y_val")
        return None
    return _as_tensors(X_val, y_val, ("X_val", "y_val"))


def _check_optimizer(optimizer: object, model: torch.nn.Module) -> None:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    owned = {id(parameter) for parameter in model.parameters()}
    for group in optimizer.param_groups:
        if any(id(parameter) not in owned for parameter in group["params"]):
            raise ValueError(
                "optimizer updates parameters that are not model's: build it from "
                "model.parameters() of this model"
            )
