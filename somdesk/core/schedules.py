"""How sigma (neighbourhood radius) and alpha (learning rate) shrink over a run.

All schedules take the iteration index t in [0, T) and return (sigma_t, alpha_t).

classic  The seed's: lambda = T / ln(sigma0), sigma_t = sigma0 exp(-t/lambda),
         alpha_t = alpha0 exp(-t/lambda).  sigma reaches 1 at t = T.
         When sigma0 <= 1 (e.g. 1x1 and 2x2 grids) ln(sigma0) <= 0 and the seed's
         formula divides by zero or makes sigma grow; somdesk then uses
         lambda = T, so sigma and alpha both fall by a factor e over the run.
linear   sigma falls linearly from sigma0 to min(1, sigma0) at t = T;
         alpha_t = alpha0 (1 - t/T).
inverse  Hyperbolic ("inverse time") decay: alpha_t = alpha0 C / (C + t) with
         C = T / 100 (MiniSom's inverse_decay_to_zero); sigma_t = sigma0 C' / (C' + t)
         with C' = T / (sigma0 - 1), so sigma reaches 1 at t = T (constant when
         sigma0 <= 1).

Edges: `SOMConfig` admits sigma0 in [0.01, 20000] node spacings and alpha0 in
[1e-9, 1] (see somdesk.core.options), so no schedule can underflow or
overflow: sigma_t >= sigma0 / e and alpha_t >= alpha0 / (T + 1).  As a second
guard for direct callers, every schedule returns sigma_t >= SIGMA_FLOOR (1e-3:
there exp(-1 / (2 sigma^2)) is already exactly 0, so flooring changes no
result but keeps 1 / sigma^2 finite), and `schedule` refuses non-finite or
non-positive arguments with an OptionError.
"""
from __future__ import annotations

import math

from somdesk.core.options import DECAYS, choose, real_number, whole_number
from somdesk.errors import OptionError

SIGMA_FLOOR = 1e-3


def classic_lambda(sigma0: float, iterations: int) -> float:
    """The classic schedule's time constant in iterations: T / ln(sigma0), T when sigma0 <= 1."""
    log_sigma = math.log(sigma0)
    return iterations / log_sigma if log_sigma > 0 else float(iterations)


def _classic(t: int, T: int, sigma0: float, alpha0: float) -> tuple[float, float]:
    lam = classic_lambda(sigma0, T)
    f = math.exp(-t / lam)
    return max(sigma0 * f, SIGMA_FLOOR), alpha0 * f


def _linear(t: int, T: int, sigma0: float, alpha0: float) -> tuple[float, float]:
    frac = t / T
    end = min(1.0, sigma0)
    return max(sigma0 + (end - sigma0) * frac, SIGMA_FLOOR), alpha0 * (1.0 - frac)


def _inverse(t: int, T: int, sigma0: float, alpha0: float) -> tuple[float, float]:
    c = max(T / 100.0, 1e-12)
    alpha = alpha0 * c / (c + t)
    if sigma0 <= 1:
        return max(sigma0, SIGMA_FLOOR), alpha
    cs = T / (sigma0 - 1.0)
    return max(sigma0 * cs / (cs + t), SIGMA_FLOOR), alpha


# canonical decay name -> f(t, T, sigma0, alpha0); SOMConfig has already checked the name
SCHEDULES = {"classic": _classic, "linear": _linear, "inverse": _inverse}


def schedule(decay: str, t: int, iterations: int, sigma0: float, alpha0: float) -> tuple[float, float]:
    """(sigma_t, alpha_t) for iteration t of `iterations` under the named decay.

    sigma in node spacings, alpha a factor in (0, 1] (module docstring for the
    formulas).  OptionError for an unknown decay, t outside [0, iterations], or a sigma0 /
    alpha0 that is not a finite positive number.
    """
    iterations = whole_number("iterations", iterations)
    t = whole_number("t", t)
    if iterations < 1 or not 0 <= t <= iterations:
        raise OptionError(f"iteration {t} of {iterations} is outside the run")
    sigma0, alpha0 = real_number("sigma", sigma0), real_number("learning rate", alpha0)
    if sigma0 <= 0 or alpha0 <= 0:
        raise OptionError(f"sigma and learning rate must be positive, got {sigma0:g} and {alpha0:g}")
    return SCHEDULES[choose(decay, DECAYS, "decay")](t, iterations, sigma0, alpha0)
