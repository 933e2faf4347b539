"""Every public function of hepml.methods and hepml.simulate, sent bad input (issue 20).

Each row calls one public function or class with one bad argument and expects a TypeError or
ValueError whose message names the argument the caller passed. The public names are found by
listing each module (``__all__`` where it exists, else every public function and class the
module defines), and :func:`test_every_public_function_has_a_row` fails when a new one has no
row, so it cannot be forgotten. hepml.training is not covered yet (owned by another change).
"""

from __future__ import annotations

import importlib
import inspect
import math

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression

from hepml import simulate
from hepml.methods import (
    array_autodiff,
    attention,
    autodiff,
    classify,
    convolution,
    ensembles,
    forward_mode,
    gaussian_process,
    kernels,
    likelihood,
    linear,
    metrics,
    model_selection,
    naive_bayes,
    neighbours,
    optimizers,
    svm,
    trees,
)

METHOD_MODULES = (
    "array_autodiff attention autodiff classify convolution ensembles forward_mode "
    "gaussian_process kernels likelihood linear metrics model_selection naive_bayes neighbours "
    "optimizers svm trees"
).split()

RNG = np.random.default_rng(0)


def _t(array):
    """A float64 (or bool) torch tensor of a NumPy array."""
    return torch.tensor(array)


X = RNG.normal(size=(12, 2))
Y = np.array([0, 1] * 6)
Y_NAN = np.array([0.0, 1.0] * 5 + [np.nan, 1.0])
Y_NONE = [0, 1] * 5 + [None, 1]
X_NAN = X.copy()
X_NAN[3, 1] = np.nan
X_INF = X.copy()
X_INF[0, 0] = np.inf
SCORES = np.linspace(0.0, 1.0, 12)
IMAGES = RNG.normal(size=(1, 1, 4, 4))  # one image, one channel
IMAGES_NAN = IMAGES.copy()
IMAGES_NAN[0, 0, 1, 2] = np.nan
KERNELS = RNG.normal(size=(1, 1, 2, 2))
KERNELS_NAN = KERNELS.copy()
KERNELS_NAN[0, 0, 0, 1] = np.nan


def _one_jet():
    import awkward as ak

    return ak.Array([[{"pt": 10.0, "eta": 0.1, "phi": -0.2}, {"pt": 5.0, "eta": 0.0, "phi": 0.3}]])


def _one_jet():
    import awkward as ak

    return ak.Array([[{"pt": 10.0, "eta": 0.1, "phi": -0.2}, {"pt": 5.0, "eta": 0.0, "phi": 0.3}]])


def _fits():
    # small fitted models whose methods take new input
    return {
        "logistic": classify.fit_logistic_regression(X, Y, max_steps=5),
        "perceptron": classify.fit_perceptron(X, Y, max_epochs=2),
        "forest": ensembles.fit_random_forest(X, Y, n_trees=2),
        "adaboost": ensembles.fit_adaboost(X, Y, n_estimators=2),
        "boosting": ensembles.fit_gradient_boosting(X, Y * 1.0, n_estimators=2),
        "tree": trees.fit_classification_tree(X, Y, max_depth=1),
        "bayes": naive_bayes.fit_gaussian_naive_bayes(X, Y),
        "knn": neighbours.fit_knn(X, Y, k=3),
        "svm": svm.fit_linear_svm(X, Y, max_steps=10),
        "linear": linear.least_squares(X, Y * 1.0),
    }


FITS = _fits()

# A result container that takes no input of its own beyond what its fit checked.
NO_INPUT = "a result container, built by a checked fit"

# name -> list of (call, expected exception, regex that names the argument), or a reason
ROWS: dict[str, list | str] = {
    # -- array_autodiff
    "array_autodiff.Tensor": [
        (lambda: array_autodiff.Tensor([1.0, np.nan]), ValueError, "data contains NaN"),
        (lambda: array_autodiff.Tensor("x"), TypeError, "data must be an array"),
        (lambda: array_autodiff.Tensor([1.0]) ** np.nan, ValueError, "exponent must be finite"),
        (
            lambda: array_autodiff.Tensor([1.0, 2.0]).backward(np.array([1.0, np.inf])),
            ValueError,
            "gradient contains NaN",
        ),
    ],
    # -- attention (torch tensors in, so NumPy arrays are the bad input)
    "attention.scaled_dot_product_attention": [
        (
            lambda: attention.scaled_dot_product_attention(X, _t(X), _t(X)),
            TypeError,
            "query must be a torch.Tensor",
        ),
        (
            lambda: attention.scaled_dot_product_attention(_t(X), _t(X[:, :1]), _t(X)),
            ValueError,
            "query and key must have the same last dimension",
        ),
        (
            lambda: attention.scaled_dot_product_attention(_t(X), _t(X), _t(X), mask=_t(X)),
            TypeError,
            "mask must be a boolean",
        ),
    ],
    "attention.MultiHeadAttention": [
        (lambda: attention.MultiHeadAttention(4, 3), ValueError, r"num_heads \(3\) must divide"),
        (lambda: attention.MultiHeadAttention(4.5, 1), TypeError, "embed_dim"),
        (
            lambda: attention.MultiHeadAttention(2, 1, dtype=torch.float64)(
                _t(X)[None], _t(X)[None], _t(X)[None], key_padding_mask=_t(X[None, :, 0])
            ),
            TypeError,
            "key_padding_mask must be a boolean",
        ),
    ],
    "attention.masked_sum": [
        (lambda: attention.masked_sum(_t(X)[None], _t(X[None, :, 0])), TypeError, "mask must be"),
        (lambda: attention.masked_sum(_t(X), _t(Y > 0)), ValueError, "h must have 3 dimensions"),
    ],
    "attention.DeepSet": [
        (lambda: attention.DeepSet(np.tanh, torch.nn.Identity()), TypeError, "phi must be"),
        (lambda: attention.DeepSet(torch.nn.Identity(), "sum"), TypeError, "rho must be"),
    ],
    "attention.knn_graph": [
        (lambda: attention.knn_graph(_t(X), _t(X), 2), ValueError, "k must be smaller"),
        (lambda: attention.knn_graph(_t(X), _t(X.T), 1), ValueError, "phi must have the shape"),
        (lambda: attention.knn_graph(X, _t(X), 1), TypeError, "eta must be a torch.Tensor"),
    ],
    "attention.edge_index": [
        (
            lambda: attention.edge_index(torch.zeros(1, 2, 1, dtype=torch.long), _t(X)[None]),
            TypeError,
            "valid must be a boolean",
        ),
    ],
    "attention.EdgeConv": [
        (lambda: attention.EdgeConv(np.tanh), TypeError, "nn must be a torch.nn.Module"),
        (lambda: attention.EdgeConv(torch.nn.Identity(), aggr="sum"), ValueError, "aggr must"),
    ],
    # -- autodiff
    "autodiff.Value": [
        (lambda: autodiff.Value(np.nan), ValueError, "data must be finite"),
        (lambda: autodiff.Value([1.0]), TypeError, "data must be a real number"),
        (lambda: autodiff.Value(1.0) ** math.inf, ValueError, "exponent must be finite"),
    ],
    "autodiff.topological_order": [
        (lambda: autodiff.topological_order(1.0), TypeError, "output must be a Value")
    ],
    "autodiff.trace": [(lambda: autodiff.trace([1.0]), TypeError, "output must be a Value")],
    "autodiff.draw_graph": [
        (lambda: autodiff.draw_graph(np.ones(2)), TypeError, "output must be a Value")
    ],
    "autodiff.vjp": [
        (lambda: autodiff.vjp(lambda v: [v[0]], [], [1.0]), ValueError, "point must have"),
        (lambda: autodiff.vjp(lambda v: [v[0]], [np.nan], [1.0]), ValueError, "point contains"),
        (lambda: autodiff.vjp(lambda v: v[0], [1.0], [1.0]), TypeError, "function must return"),
        (lambda: autodiff.vjp(lambda v: [v[0]], [1.0], [np.nan]), ValueError, "cotangent"),
    ],
    # -- convolution
    "convolution.avg_pool2d": [
        (lambda: convolution.avg_pool2d(IMAGES_NAN, 2), ValueError, "x contains NaN"),
        (lambda: convolution.avg_pool2d(IMAGES, 5), ValueError, "kernel_size"),
    ],
    "convolution.conv2d": [
        (lambda: convolution.conv2d(IMAGES_NAN, KERNELS), ValueError, "x contains NaN"),
        (lambda: convolution.conv2d(IMAGES, KERNELS, stride=0), ValueError, "stride must be"),
        (lambda: convolution.conv2d(IMAGES, KERNELS, bias=[1.0, 2.0]), ValueError, "bias"),
    ],
    "convolution.conv_transpose2d": [
        (lambda: convolution.conv_transpose2d(IMAGES, KERNELS_NAN), ValueError, "weight contains"),
        (
            lambda: convolution.conv_transpose2d(IMAGES, KERNELS, stride=2, output_padding=2),
            ValueError,
            "output_padding",
        ),
    ],
    "convolution.convolve2d": [
        (lambda: convolution.convolve2d(IMAGES[0, 0], KERNELS_NAN[0, 0]), ValueError, "kernel"),
        (lambda: convolution.convolve2d(IMAGES, KERNELS[0, 0]), ValueError, "image must be 2"),
    ],
    "convolution.correlate2d": [
        (
            lambda: convolution.correlate2d(IMAGES[0, 0], KERNELS[0, 0], padding=-1),
            ValueError,
            "padding",
        ),
        (
            lambda: convolution.correlate2d(IMAGES_NAN[0, 0], KERNELS[0, 0]),
            ValueError,
            "image contains",
        ),
    ],
    "convolution.max_pool2d": [
        (lambda: convolution.max_pool2d(IMAGES, 2, padding=2), ValueError, "padding"),
        (lambda: convolution.max_pool2d(IMAGES, 1.5), TypeError, "kernel_size"),
    ],
    "convolution.output_size": [
        (lambda: convolution.output_size(5, 2, stride=True), TypeError, "stride"),
        (lambda: convolution.output_size(3, 5), ValueError, "kernel_size"),
    ],
    "convolution.transpose_output_size": [
        (
            lambda: convolution.transpose_output_size(5, 2, stride=2, output_padding=3),
            ValueError,
            "output_padding",
        ),
        (lambda: convolution.transpose_output_size(0, 2), ValueError, "size must be"),
    ],
    # -- forward_mode
    "forward_mode.Dual": [
        (lambda: forward_mode.Dual(1.0, np.nan), ValueError, "tangent must be finite"),
        (lambda: forward_mode.Dual("1"), TypeError, "value must be a real number"),
    ],
    "forward_mode.jvp": [
        (lambda: forward_mode.jvp(lambda v: v[0], [1.0], [1.0]), TypeError, "function must"),
        (lambda: forward_mode.jvp(lambda v: [v[0]], [1.0], [np.inf]), ValueError, "tangent"),
    ],
    "forward_mode.jacobian": [
        (lambda: forward_mode.jacobian(lambda v: [v[0]], []), ValueError, "point must have"),
        (lambda: forward_mode.jacobian(lambda v: v[0], [1.0]), TypeError, "function must"),
        (lambda: forward_mode.jacobian(3.0, [1.0]), TypeError, "function must be"),
    ],
    # -- classify
    "classify.sigmoid": [(lambda: classify.sigmoid("a"), TypeError, "z must be")],
    "classify.logit": [(lambda: classify.logit([0.5, np.nan]), ValueError, "p ")],
    "classify.binary_cross_entropy": [
        (lambda: classify.binary_cross_entropy(Y_NAN, SCORES), ValueError, "y_true"),
        (lambda: classify.binary_cross_entropy(Y, SCORES[:3]), ValueError, "y_pred"),
    ],
    "classify.binary_cross_entropy_with_logits": [
        (
            lambda: classify.binary_cross_entropy_with_logits(Y_NONE, SCORES),
            ValueError,
            "y_true contains None",
        ),
        (lambda: classify.binary_cross_entropy_with_logits(Y, X_INF[:, 0]), ValueError, "logits"),
    ],
    "classify.binary_cross_entropy_gradient": [
        (
            lambda: classify.binary_cross_entropy_gradient(X_NAN, Y, np.zeros(2), 0.0),
            ValueError,
            "X contains NaN",
        ),
        (
            lambda: classify.binary_cross_entropy_gradient(X, Y, 0.0, 0.0),
            ValueError,
            "weights",
        ),
    ],
    "classify.LogisticRegressionResult": [
        (lambda: FITS["logistic"].predict_proba(X_NAN), ValueError, "X contains NaN")
    ],
    "classify.fit_logistic_regression": [
        (lambda: classify.fit_logistic_regression(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: classify.fit_logistic_regression(X_INF, Y), ValueError, "X contains NaN"),
        (lambda: classify.fit_logistic_regression(X[0], Y), ValueError, "X must be 2-dim"),
    ],
    "classify.PerceptronResult": [
        (lambda: FITS["perceptron"].predict(X[:, :1]), ValueError, "X must have 2 columns")
    ],
    "classify.fit_perceptron": [
        (lambda: classify.fit_perceptron(X, Y_NONE), ValueError, "y contains None"),
        (lambda: classify.fit_perceptron(X + 1j, Y), TypeError, "X must be an array of real"),
    ],
    "classify.margin_loss": [
        (lambda: classify.margin_loss([np.nan], "hinge"), ValueError, "margin contains"),
        (lambda: classify.margin_loss([1.0], "hinges"), ValueError, "kind"),
    ],
    "classify.margin_loss_gradient": [
        (lambda: classify.margin_loss_gradient([np.inf], "hinge"), ValueError, "margin contains"),
    ],
    # -- ensembles
    "ensembles.bootstrap_indices": [
        (lambda: ensembles.bootstrap_indices(2.5), TypeError, "n must be an integer"),
    ],
    "ensembles.RandomForest": [
        (lambda: FITS["forest"].predict(X_NAN), ValueError, "X contains NaN"),
    ],
    "ensembles.fit_random_forest": [
        (lambda: ensembles.fit_random_forest(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: ensembles.fit_random_forest(X, Y_NONE), ValueError, "y contains None"),
        (
            lambda: ensembles.fit_random_forest(X, Y, bootstraps=[np.arange(12) + 0.5]),
            ValueError,
            r"bootstraps\[0\] must hold integer indices",
        ),
        (
            lambda: ensembles.fit_random_forest(X, Y, bootstraps=[np.array([], dtype=int)]),
            ValueError,
            r"bootstraps\[0\]",
        ),
        (lambda: ensembles.fit_random_forest(X, Y, n_trees=1.5), TypeError, "n_trees"),
    ],
    "ensembles.AdaBoostResult": [
        (lambda: FITS["adaboost"].decision_function(X_INF), ValueError, "X contains NaN"),
    ],
    "ensembles.fit_adaboost": [
        (lambda: ensembles.fit_adaboost(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: ensembles.fit_adaboost(X, Y, learning_rate=np.nan), ValueError, "learning_rate"),
    ],
    "ensembles.GradientBoostingResult": [
        (lambda: FITS["boosting"].predict(X[:, :1]), ValueError, "X has 1 features"),
    ],
    "ensembles.fit_gradient_boosting": [
        (lambda: ensembles.fit_gradient_boosting(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: ensembles.fit_gradient_boosting(X_NAN, Y), ValueError, "X contains NaN"),
    ],
    # -- gaussian_process
    "gaussian_process.RBFCovariance": [
        (lambda: gaussian_process.RBFCovariance(1.0, -1.0), ValueError, "length_scale"),
        (lambda: gaussian_process.RBFCovariance(np.nan, 1.0), ValueError, "amplitude"),
    ],
    "gaussian_process.GPPosteriorResult": NO_INPUT,
    "gaussian_process.GPHyperparameterResult": NO_INPUT,
    "gaussian_process.gp_posterior": [
        (
            lambda: gaussian_process.gp_posterior(
                X, Y * 1.0, X_NAN, gaussian_process.RBFCovariance(1.0, 1.0), 0.1
            ),
            ValueError,
            "X_test contains NaN",
        ),
        (
            lambda: gaussian_process.gp_posterior(
                X, Y_NAN, X, gaussian_process.RBFCovariance(1.0, 1.0), 0.1
            ),
            ValueError,
            "y_train contains NaN",
        ),
    ],
    "gaussian_process.log_marginal_likelihood": [
        (
            lambda: gaussian_process.log_marginal_likelihood(
                X, Y * 1.0, gaussian_process.RBFCovariance(1.0, 1.0), np.nan
            ),
            ValueError,
            "noise",
        ),
    ],
    "gaussian_process.fit_gp_hyperparameters": [
        (
            lambda: gaussian_process.fit_gp_hyperparameters(X_INF, Y * 1.0, 0.1),
            ValueError,
            "X contains NaN",
        ),
    ],
    # -- kernels
    "kernels.rbf_kernel": [
        (lambda: kernels.rbf_kernel(X_NAN), ValueError, "X contains NaN"),
        (lambda: kernels.rbf_kernel(X, X[:, :1]), ValueError, "Y must have as many columns"),
    ],
    "kernels.polynomial_kernel": [
        (lambda: kernels.polynomial_kernel(X, degree=1.5), TypeError, "degree"),
        (lambda: kernels.polynomial_kernel(1.0), ValueError, "X must be 2-dim"),
    ],
    # -- likelihood
    "likelihood.self_information": [
        (lambda: likelihood.self_information([0.5, np.nan]), ValueError, "probability"),
    ],
    "likelihood.entropy": [(lambda: likelihood.entropy(0.5), ValueError, "p must be 1-dim")],
    "likelihood.kl_divergence": [
        (lambda: likelihood.kl_divergence([0.5, 0.5], [0.5, np.nan]), ValueError, "q "),
    ],
    "likelihood.gaussian_entropy": [
        (lambda: likelihood.gaussian_entropy(-1.0), ValueError, "sigma must be > 0"),
    ],
    "likelihood.gaussian_kl": [
        (lambda: likelihood.gaussian_kl(0, 1, np.nan, 1), ValueError, "mu_q must be finite"),
    ],
    "likelihood.LikelihoodFitResult": [
        (
            lambda: likelihood.minimize_nll(lambda t: t @ t, [1.0], names=["a"]).value("b"),
            KeyError,  # a lookup by name: KeyError, as a dict; it names the missing key
            "no parameter called 'b'",
        )
    ],
    "likelihood.nll_hessian": [
        (lambda: likelihood.nll_hessian(lambda t: t @ t, [np.nan]), ValueError, "x contains"),
        (lambda: likelihood.nll_hessian(lambda t: t @ t, []), ValueError, "x must have"),
    ],
    "likelihood.minimize_nll": [
        (lambda: likelihood.minimize_nll(lambda t: t @ t, [np.inf]), ValueError, "x0 contains"),
    ],
    "likelihood.pulls": [
        (lambda: likelihood.pulls([1.0], [0.0], 1.0), ValueError, "errors"),
    ],
    "likelihood.PullResult": NO_INPUT,
    "likelihood.pull_summary": [
        (lambda: likelihood.pull_summary([1.0, np.nan, 2.0]), ValueError, "values contains"),
        (lambda: likelihood.pull_summary(1.0), ValueError, "values must be 1-dim"),
    ],
    # -- linear
    "linear.LinearModel": [
        (lambda: FITS["linear"].predict(X_NAN), ValueError, "X contains NaN"),
    ],
    "linear.GradientDescentResult": NO_INPUT,
    "linear.least_squares": [
        (lambda: linear.least_squares(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: linear.least_squares(X, 1.0), ValueError, "y must be 1-dim"),
    ],
    "linear.mse_gradient": [
        (lambda: linear.mse_gradient(X, Y * 1.0, np.zeros(3)), ValueError, "weights"),
    ],
    "linear.gradient_descent": [
        (
            lambda: linear.gradient_descent(X, Y * 1.0, learning_rate=np.nan, n_epochs=2),
            ValueError,
            "learning_rate",
        ),
        (
            lambda: linear.gradient_descent(
                X, Y * 1.0, learning_rate=0.1, n_epochs=2, X_val=X_NAN, y_val=Y * 1.0
            ),
            ValueError,
            "X_val contains NaN",
        ),
    ],
    "linear.polynomial_features": [
        (lambda: linear.polynomial_features(X, 2.0), TypeError, "degree"),
        (lambda: linear.polynomial_features(X_INF, 2), ValueError, "X contains NaN"),
    ],
    "linear.ridge": [(lambda: linear.ridge(X, Y * 1.0, -1.0), ValueError, "alpha")],
    "linear.soft_threshold": [
        (lambda: linear.soft_threshold([1.0, np.nan], 0.5), ValueError, "value contains"),
        (lambda: linear.soft_threshold(1.0, -0.5), ValueError, "threshold"),
    ],
    "linear.lasso": [(lambda: linear.lasso(X_NAN, Y * 1.0, 0.1), ValueError, "X contains")],
    "linear.Standardiser": [
        (lambda: linear.Standardiser().fit(X_NAN), ValueError, "X contains NaN"),
        (lambda: linear.Standardiser().fit(X).transform(X[:, :1]), ValueError, "X must have 2"),
    ],
    # -- metrics
    "metrics.confusion_matrix": [
        (lambda: metrics.confusion_matrix(Y_NAN, Y), ValueError, "y_true contains NaN"),
        (lambda: metrics.confusion_matrix(Y, Y_NONE), ValueError, "y_pred contains None"),
    ],
    "metrics.precision": [(lambda: metrics.precision(Y, Y_NAN), ValueError, "y_pred")],
    "metrics.recall": [(lambda: metrics.recall(Y_NONE, Y), ValueError, "y_true contains None")],
    "metrics.f1_score": [(lambda: metrics.f1_score(Y, Y[:3]), ValueError, "y_pred")],
    "metrics.roc_curve": [
        (lambda: metrics.roc_curve(Y_NAN, SCORES), ValueError, "y_true contains NaN"),
        (lambda: metrics.roc_curve(Y, X_NAN[:, 1]), ValueError, "y_score contains NaN"),
    ],
    "metrics.roc_auc": [(lambda: metrics.roc_auc(Y, 0.5), ValueError, "y_score")],
    "metrics.background_rejection": [
        (lambda: metrics.background_rejection(Y, SCORES, 1.5), ValueError, "signal_efficiency"),
    ],
    "metrics.mean_squared_error": [
        (lambda: metrics.mean_squared_error(Y_NAN, SCORES), ValueError, "y_true contains NaN"),
    ],
    "metrics.mean_absolute_error": [
        (lambda: metrics.mean_absolute_error(SCORES, 1.0), ValueError, "y_pred"),
    ],
    "metrics.r2_score": [
        (lambda: metrics.r2_score(SCORES, Y_NONE), ValueError, "y_pred contains None"),
        (lambda: metrics.r2_score(SCORES, SCORES + 0j), TypeError, "y_pred must be an array"),
        (lambda: metrics.r2_score(SCORES.astype(str), SCORES), TypeError, "y_true must be"),
    ],
    # -- model_selection
    "model_selection.kfold_indices": [
        (lambda: model_selection.kfold_indices(3, 5), ValueError, "n_samples must be >= 5"),
        (lambda: model_selection.kfold_indices(10, 2.0), TypeError, "n_splits"),
    ],
    "model_selection.cross_val_score": [
        (
            lambda: model_selection.cross_val_score(LinearRegression(), X[:3], Y[:3] * 1.0),
            ValueError,
            r"n_splits \(5\) .*X",
        ),
        (
            lambda: model_selection.cross_val_score(LinearRegression(), X_NAN, Y * 1.0),
            ValueError,
            "X contains NaN",
        ),
        (
            lambda: model_selection.cross_val_score(LinearRegression(), X, Y_NONE),
            ValueError,
            "y contains None",
        ),
    ],
    "model_selection.validation_curve": [
        (
            lambda: model_selection.validation_curve(
                LinearRegression(), X[:4], Y[:4] * 1.0, "fit_intercept", [True]
            ),
            ValueError,
            r"n_splits \(5\) .*X",
        ),
    ],
    "model_selection.BiasVarianceResult": NO_INPUT,
    "model_selection.bias_variance_decomposition": [
        (
            lambda: model_selection.bias_variance_decomposition(
                lambda x, y: lambda x_new: np.zeros(len(x_new)),
                lambda x: 1.0,
                lambda rng: (X[:, 0], Y * 1.0),
                np.linspace(0, 1, 5),
                0.1,
                n_datasets=3,
            ),
            ValueError,
            "true_function must return one value per entry of x_test",
        ),
        (
            lambda: model_selection.bias_variance_decomposition(
                lambda x, y: lambda x_new: 0.0,
                lambda x: np.sin(x),
                lambda rng: (X[:, 0], Y * 1.0),
                np.linspace(0, 1, 5),
                0.1,
                n_datasets=3,
            ),
            ValueError,
            "the predictor returned by fit must return one value per entry of x_test",
        ),
    ],
    # -- naive_bayes
    "naive_bayes.GaussianNaiveBayes": [
        (lambda: FITS["bayes"].predict(X_NAN), ValueError, "X contains NaN"),
    ],
    "naive_bayes.fit_gaussian_naive_bayes": [
        (lambda: naive_bayes.fit_gaussian_naive_bayes(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: naive_bayes.fit_gaussian_naive_bayes(X, Y_NONE), ValueError, "y contains None"),
    ],
    # -- neighbours
    "neighbours.KNNClassifier": [
        (lambda: FITS["knn"].predict(X_INF), ValueError, "X contains NaN"),
    ],
    "neighbours.fit_knn": [
        (lambda: neighbours.fit_knn(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: neighbours.fit_knn(X, Y_NONE), ValueError, "y contains None"),
        (lambda: neighbours.fit_knn(X, Y, k=2.5), TypeError, "k must be an integer"),
    ],
    # -- optimizers
    "optimizers.Optimizer": [
        (lambda: optimizers.Optimizer([np.zeros(2)], lr=np.nan), ValueError, "lr"),
    ],
    "optimizers.SGD": [
        (lambda: optimizers.SGD([np.zeros(2)], lr=0.1, momentum=np.nan), ValueError, "momentum"),
        (lambda: optimizers.SGD([1.0, 2.0], lr=0.1), TypeError, r"params\[0\]"),
    ],
    "optimizers.Adagrad": [
        (lambda: optimizers.Adagrad([np.zeros(2)], lr=0.1, eps=-1.0), ValueError, "eps"),
    ],
    "optimizers.RMSprop": [
        (lambda: optimizers.RMSprop([np.zeros(2)], alpha=1.5), ValueError, "alpha"),
    ],
    "optimizers.Adam": [
        (lambda: optimizers.Adam([np.zeros(2)], betas=(0.9, np.nan)), ValueError, "betas"),
    ],
    "optimizers.DescentResult": NO_INPUT,
    "optimizers.descend": [
        (
            lambda: optimizers.descend(
                lambda x: x @ x, lambda x: 2 * x, [np.nan], lambda p: optimizers.SGD(p, 0.1), 3
            ),
            ValueError,
            "start contains",
        ),
        (
            lambda: optimizers.descend(
                lambda x: x @ x, lambda x: 2 * x, [], lambda p: optimizers.SGD(p, 0.1), 3
            ),
            ValueError,
            "start must have",
        ),
    ],
    # -- svm
    "svm.LinearSVMResult": [
        (lambda: FITS["svm"].decision_function(X_NAN), ValueError, "X contains NaN"),
    ],
    "svm.fit_linear_svm": [
        (lambda: svm.fit_linear_svm(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: svm.fit_linear_svm(X, Y, C=np.inf), ValueError, "C must be finite"),
    ],
    # -- trees
    "trees.DecisionTree": [
        (lambda: FITS["tree"].predict(X_NAN), ValueError, "X contains NaN"),
    ],
    "trees.fit_classification_tree": [
        (lambda: trees.fit_classification_tree(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: trees.fit_classification_tree(X, Y_NONE), ValueError, "y contains None"),
        (
            lambda: trees.fit_classification_tree(X, Y, sample_weight=np.full(12, np.nan)),
            ValueError,
            "sample_weight contains NaN",
        ),
    ],
    "trees.fit_regression_tree": [
        (lambda: trees.fit_regression_tree(X, Y_NAN), ValueError, "y contains NaN"),
        (lambda: trees.fit_regression_tree(X_INF, Y * 1.0), ValueError, "X contains NaN"),
    ],
    # -- simulate
    "simulate.BTagSample": NO_INPUT,
    "simulate.GaussianClassSample": NO_INPUT,
    "simulate.JetSample": NO_INPUT,
    "simulate.ResonanceSample": NO_INPUT,
    "simulate.Sample": NO_INPUT,
    "simulate.TaggedJetSample": NO_INPUT,
    "simulate.TurnOnSample": NO_INPUT,
    "simulate.btag_features": [
        (lambda: simulate.btag_features(10, b_fraction=1.5), ValueError, "b_fraction"),
        (lambda: simulate.btag_features(10.5), TypeError, "n must be an integer"),
    ],
    "simulate.calorimeter_showers": [
        (lambda: simulate.calorimeter_showers(10, (5.0, np.nan)), ValueError, "energy_range"),
    ],
    "simulate.counting_experiment": [
        (lambda: simulate.counting_experiment(np.nan, 1.0, 3), ValueError, "signal"),
    ],
    "simulate.event_log_likelihood_ratio": [
        (
            lambda: simulate.event_log_likelihood_ratio(np.column_stack([X_NAN, X[:, 0]])),
            ValueError,
            "X contains NaN",
        ),
        (lambda: simulate.event_log_likelihood_ratio(1.0), ValueError, "X must be 2-dim"),
    ],
    "simulate.gaussian_classes": [
        (lambda: simulate.gaussian_classes(10, signal_mean=(np.nan, 0.0)), ValueError, "mean"),
        (lambda: simulate.gaussian_classes(10, signal_fraction=2.0), ValueError, "signal_fr"),
    ],
    "simulate.gaussian_measurements": [
        (lambda: simulate.gaussian_measurements(0.0, -1.0, 3), ValueError, "resolution"),
        (lambda: simulate.gaussian_measurements(0.0, 1.0, 2.5), TypeError, "size"),
    ],
    "simulate.isotropic_polar_angles": [
        (lambda: simulate.isotropic_polar_angles(-1), ValueError, "n must be >= 1"),
    ],
    "simulate.jet_images": [
        (lambda: simulate.jet_images(_one_jet(), extent=-1.0), ValueError, "extent"),
        (lambda: simulate.jet_images(X), TypeError, "constituents"),
    ],
    "simulate.jet_mass": [
        (lambda: simulate.jet_mass(X), TypeError, "constituents"),
    ],
    "simulate.load_jets": [
        (lambda: simulate.load_jets(5), ValueError, "n must be even"),
    ],
    "simulate.n_subjettiness": [
        (lambda: simulate.n_subjettiness(_one_jet(), 2, R=np.nan), ValueError, "R "),
        (lambda: simulate.n_subjettiness(_one_jet(), 1.5), TypeError, "n_axes"),
    ],
    "simulate.pad_constituents": [
        (lambda: simulate.pad_constituents(_one_jet(), 0), ValueError, "n_particles"),
    ],
    "simulate.mean_em_fraction": [
        (lambda: simulate.mean_em_fraction([10.0, np.nan]), ValueError, "energy"),
    ],
    "simulate.pseudorapidity": [
        (lambda: simulate.pseudorapidity([0.5, np.nan]), ValueError, "theta"),
    ],
    "simulate.resonance_pdf": [
        (lambda: simulate.resonance_pdf([90.0], np.nan, 2.5, 0.3, 25.0), ValueError, "mass"),
        (lambda: simulate.resonance_pdf([np.nan], 91.0, 2.5, 0.3, 25.0), ValueError, "x "),
    ],
    "simulate.resonance_spectrum": [
        (lambda: simulate.resonance_spectrum(100, width=-1.0), ValueError, "width"),
    ],
    "simulate.signal_background_events": [
        (lambda: simulate.signal_background_events(0), ValueError, "n must be >= 1"),
    ],
    "simulate.tagged_jets": [
        (lambda: simulate.tagged_jets(10, efficiency=np.nan), ValueError, "efficiency"),
    ],
    "simulate.trigger_turn_on": [
        (lambda: simulate.trigger_turn_on(10, pt_range=(50.0, 10.0)), ValueError, "pt_range"),
    ],
    "simulate.truth_table": [
        (lambda: simulate.truth_table("maybe"), ValueError, "gate"),
        (lambda: simulate.truth_table(1), TypeError, "gate"),
    ],
    "simulate.turn_on_efficiency": [
        (lambda: simulate.turn_on_efficiency([40.0, np.inf]), ValueError, "pt"),
    ],
}


def _public_names() -> list[str]:
    names = []
    for module_name in METHOD_MODULES:
        module = importlib.import_module(f"hepml.methods.{module_name}")
        public = getattr(module, "__all__", None) or [
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__
        ]
        names += [f"{module_name}.{name}" for name in public]
    names += [f"simulate.{name}" for name in simulate.__all__ if callable(getattr(simulate, name))]
    return names


def test_every_public_function_has_a_row():
    public = set(_public_names())
    assert public - set(ROWS) == set(), "public functions without a bad-input row"
    assert set(ROWS) - public == set(), "rows for names that are not public"


CASES = [
    pytest.param(call, error, match, id=f"{name}-{i}")
    for name, rows in ROWS.items()
    if not isinstance(rows, str)
    for i, (call, error, match) in enumerate(rows)
]


@pytest.mark.parametrize(("call", "error", "match"), CASES)
def test_bad_input_raises_an_error_that_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
