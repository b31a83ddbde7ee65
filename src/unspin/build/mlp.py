"""Train the unit scorer: a one-hidden-layer network (numpy, deterministic).

Measured against the logistic model it replaced, on the same tune units: recall of
spun units at 1 false flag per 1,000 clean units 0.101 -> ~0.13, at 1 per 100 0.28 ->
0.31 (the evidence interacts: an unseen bigram means little around a rare name, much
around a common word). Small enough to score every unit in microseconds.
"""

from __future__ import annotations

import numpy as np

from unspin.verdict import UnitNet, sigmoid


def fit_unit_net(
    X: np.ndarray,
    y: np.ndarray,
    hidden: int = 32,
    l2: float = 1e-4,
    epochs: int = 40,
    batch: int = 512,
    lr: float = 3e-3,
    seed: int = 0,
) -> UnitNet:
    """Minibatch Adam on the log loss, fixed seed: the same data gives the same net."""
    rng = np.random.default_rng(seed)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    constant = scale < 1e-6
    mean[constant], scale[constant] = 0.0, 1.0  # the bias column stays a bias
    Z = (X - mean) / scale
    n, k = Z.shape
    params = [
        rng.normal(0, 1 / np.sqrt(k), (k, hidden)),
        np.zeros(hidden),
        rng.normal(0, 1 / np.sqrt(hidden), hidden),
        np.zeros(1),
    ]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    step = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for s in range(0, n, batch):
            idx = order[s : s + batch]
            xb, yb = Z[idx], y[idx]
            w1, b1, w2, b2 = params
            h = np.tanh(xb @ w1 + b1)
            g = (sigmoid(h @ w2 + b2[0]) - yb) / len(idx)
            gh = np.outer(g, w2) * (1 - h * h)
            grads = (xb.T @ gh + l2 * w1, gh.sum(axis=0), h.T @ g + l2 * w2, np.array([g.sum()]))
            step += 1
            for i, (p, gr) in enumerate(zip(params, grads)):
                m1[i] = 0.9 * m1[i] + 0.1 * gr
                m2[i] = 0.999 * m2[i] + 0.001 * gr * gr
                p -= lr * (m1[i] / (1 - 0.9**step)) / (np.sqrt(m2[i] / (1 - 0.999**step)) + 1e-8)
    return UnitNet(mean, scale, *params)
