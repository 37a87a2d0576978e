"""Scoring rules and small fitting routines (numpy only, so inference and training share them)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

EPS = 1e-6


def sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def logit(p: Any) -> Any:
    q = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(q / (1 - q))


def normal_cdf(x: Any) -> Any:
    """Standard normal CDF via erf, vectorised without scipy."""
    arr = np.asarray(x, dtype=float)
    return 0.5 * (1.0 + _erf(arr / math.sqrt(2.0)))


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to ~1e-7 (Numerical Recipes erfc Chebyshev fit), vectorised: numpy has no erf."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def poisson_sf(mean: np.ndarray, line: np.ndarray) -> np.ndarray:
    """P(X > line) for Poisson X; lines are half-integers so there is no push."""
    mean = np.asarray(mean, dtype=float)
    kmax = np.floor(np.asarray(line, dtype=float)).astype(int)
    top = int(np.max(kmax)) if kmax.size else 0
    ks = np.arange(top + 1)
    log_pmf = (
        ks[None, :] * np.log(np.maximum(mean, EPS))[..., None] - mean[..., None] - _log_factorial(ks)[None, :]
    )
    pmf = np.exp(log_pmf)
    cdf = np.where(ks[None, :] <= kmax[..., None], pmf, 0.0).sum(axis=-1)
    return np.clip(1.0 - cdf, 0.0, 1.0)


def _log_factorial(ks: np.ndarray) -> np.ndarray:
    return np.array([math.lgamma(k + 1.0) for k in ks])


def fit_logistic(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, l2: float = 1.0
) -> np.ndarray:
    """Ridge-penalised logistic regression by Newton steps; returns [intercept, coefs...]."""
    design = np.column_stack([np.ones(len(x)), x])
    w = np.zeros(design.shape[1])
    sw = np.ones(len(x)) if weights is None else weights
    penalty = l2 * np.eye(len(w))
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = sigmoid(design @ w)
        hess = design.T @ (design * (p * (1 - p) * sw)[:, None]) + penalty
        grad = design.T @ ((p - y) * sw) + penalty @ w
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return w


def fit_ridge(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    design = np.column_stack([np.ones(len(x)), x])
    penalty = l2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    return np.asarray(np.linalg.solve(design.T @ design + penalty, design.T @ y))


def apply_linear(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.asarray(coef[0] + x @ coef[1:])


def outcome(result: float) -> float:
    """Home win 1, loss 0, tie 0.5 (ties are left out of accuracy, Brier and log loss)."""
    return 1.0 if result > 0 else 0.0 if result < 0 else 0.5


def summarise(
    prob: np.ndarray, margin: np.ndarray, total: np.ndarray, result: np.ndarray, actual_total: np.ndarray
) -> dict[str, float]:
    """Accuracy (pick home when p >= 0.5), Brier and log loss over decided games; MAEs over all games."""
    decided = result != 0
    y = (result[decided] > 0).astype(float)
    p = np.clip(prob[decided], EPS, 1 - EPS)
    return {
        "games": len(result),
        "accuracy": float(np.mean((p >= 0.5) == (y == 1.0))),
        "brier": float(np.mean((p - y) ** 2)),
        "log_loss": float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
        "spread_mae": float(np.mean(np.abs(margin - result))),
        "total_mae": float(np.mean(np.abs(total - actual_total))),
    }


def american_to_prob(odds: float) -> float:
    return 100.0 / (odds + 100.0) if odds > 0 else -odds / (-odds + 100.0)


def american_profit(odds: float) -> float:
    """Profit per unit staked on a winning bet at American odds."""
    return odds / 100.0 if odds > 0 else 100.0 / -odds


def devig(home_ml: float | None, away_ml: float | None) -> float | None:
    if home_ml is None or away_ml is None:
        return None
    h, a = american_to_prob(home_ml), american_to_prob(away_ml)
    return h / (h + a)
