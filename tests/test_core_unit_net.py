"""The unit scorer: a small network trained deterministically (build/mlp.py)."""

from __future__ import annotations

import json

import numpy as np

from unspin.build.mlp import fit_unit_net
from unspin.build.model import fit_logistic
from unspin.verdict import UnitNet, sigmoid


def _interaction_data(n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Spun only when both cues agree or both are absent (XOR-like): the kind of
    interaction a linear model cannot express (an unseen bigram matters around a common
    word, not around a rare name)."""
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 2, n), rng.integers(0, 2, n)
    X = np.column_stack([np.ones(n), a + rng.normal(0, 0.1, n), b + rng.normal(0, 0.1, n)])
    return X, (a == b).astype(float)


def test_learns_an_interaction_a_linear_model_cannot():
    X, y = _interaction_data()
    net = fit_unit_net(X, y, hidden=8, epochs=30)
    linear = sigmoid(X @ fit_logistic(X, y))
    assert ((net(X) > 0.5) == (y > 0)).mean() > 0.95
    assert ((linear > 0.5) == (y > 0)).mean() < 0.8


def test_training_is_deterministic_and_round_trips_through_json():
    X, y = _interaction_data(500)
    a = fit_unit_net(X, y, hidden=4, epochs=3)
    b = fit_unit_net(X, y, hidden=4, epochs=3)
    assert np.array_equal(a.w1, b.w1) and np.array_equal(a.w2, b.w2)
    again = UnitNet.from_dict(json.loads(json.dumps(a.to_dict())))
    assert np.allclose(again(X), a(X), atol=1e-5)


def test_no_units_and_the_untrained_placeholder():
    assert len(UnitNet.untrained(3)(np.zeros((0, 3)))) == 0
    assert np.allclose(UnitNet.untrained(3)(np.ones((2, 3))), 0.5)
