"""From-scratch teaching implementations, one module per concept.

Each module writes a method out so that it can be read next to its formula, and each is tested
against its library twin (scikit-learn, SciPy or torch) in ``tests/methods/``:

- :mod:`~hepml.methods.likelihood`: entropy, KL divergence, maximum-likelihood fits (chapter 2);
- :mod:`~hepml.methods.linear`: least squares, gradient descent, ridge, lasso (chapter 3);
- :mod:`~hepml.methods.classify`: logistic regression, the perceptron, the loss zoo (chapter 4);
- :mod:`~hepml.methods.metrics`: classification and regression metrics (chapters 3, 4);
- :mod:`~hepml.methods.model_selection`: cross-validation, bias and variance (chapter 5);
- :mod:`~hepml.methods.neighbours`: k-nearest-neighbour classification (chapter 6);
- :mod:`~hepml.methods.trees`: CART classification and regression trees (chapter 6);
- :mod:`~hepml.methods.ensembles`: bagging, random forests, AdaBoost, gradient boosting
  (chapter 6);
- :mod:`~hepml.methods.naive_bayes`: Gaussian naive Bayes (chapter 6);
- :mod:`~hepml.methods.kernels`: RBF and polynomial kernels, Gram matrices (chapter 6);
- :mod:`~hepml.methods.svm`: a linear SVM by subgradient descent on the primal (chapter 6);
- :mod:`~hepml.methods.gaussian_process`: Gaussian-process regression (chapter 6);
- :mod:`~hepml.methods.autodiff`: a scalar reverse-mode autodiff engine (chapter 8);
- :mod:`~hepml.methods.array_autodiff`: the same engine on NumPy arrays (chapter 8);
- :mod:`~hepml.methods.forward_mode`: forward mode with dual numbers (chapter 8);
- :mod:`~hepml.methods.optimizers`: SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, AMSGrad
  (chapter 8);
- :mod:`~hepml.methods.convolution`: cross-correlation, convolution, pooling and transpose
  convolution (chapter 9);
- :mod:`~hepml.methods.attention`: scaled dot-product and multi-head attention, deep sets,
  k-nearest-neighbour graphs and EdgeConv on padded particle sets (chapter 10).

Import the module a chapter needs, ``from hepml.methods import linear``; torch is imported only
by the modules that need it.
"""
