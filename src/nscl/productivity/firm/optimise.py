"""The minimiser of the estimators' criteria."""
from __future__ import annotations

import numpy as np
from scipy import optimize

from .panel import FirmDataError


def _simplex(x0, step):
    k = len(x0)
    return np.vstack([x0] + [x0 + step * np.eye(k)[i] for i in range(k)])


def _minimise(crit, starts, keep_all=False, residuals=None, sum_of_squares=False, jacobian=None, scale=0.0):
    """Minimise from each start; with `residuals` (crit = |r|^2) by Levenberg-Marquardt first
    (with the analytic `jacobian` of the residuals when given: finite differences leave an error of
    about 1e-8 in the minimum), finished by Nelder-Mead, which needs no gradient and copes with the
    criterion's flat valleys. `sum_of_squares`: crit is a plain sum of squared residuals (OP/LP), so
    Levenberg-Marquardt's convergence is a minimum and needs no polishing; GMM roots are accepted
    only when exact. Nelder-Mead stops when the criterion changes by less than 1e-13 of its value at
    the start (or `scale`, when larger: the start's of an earlier search that a minimum is polished
    from), below which its rounding cannot tell changes apart."""
    found = []
    for index, s0 in enumerate(starts):
        s0 = np.asarray(s0, float)
        try:
            x0 = s0
            if residuals is not None:
                lm = optimize.least_squares(residuals, s0, jac=jacobian or "2-point", method="lm", xtol=1e-12,
                                            ftol=1e-15, gtol=1e-15, max_nfev=200 * len(s0))
                x0 = lm.x
            f0 = max(abs(crit(s0)), scale)
            if residuals is not None and lm.success:
                f_lm = crit(x0)
                if f_lm <= 1e-12 * max(f0, 1e-300) or (sum_of_squares and f_lm <= f0):
                    # Levenberg-Marquardt reached an exact root: nothing left for Nelder-Mead to improve
                    found.append({"start": s0.tolist(), "params": x0, "criterion": float(f_lm), "converged": True,
                                  "f_start": f0, "index": index})
                    continue
            r = optimize.minimize(crit, x0, method="Nelder-Mead",
                                  options={"xatol": 1e-9, "fatol": 1e-13 * max(f0, 1e-300), "maxiter": 4000 * len(s0),
                                           "maxfev": 8000 * len(s0),
                                           "initial_simplex": _simplex(x0, 0.02 if residuals is not None else 0.05)})
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            continue
        if np.isfinite(r.fun):
            found.append({"start": s0.tolist(), "params": r.x, "criterion": float(r.fun), "converged": bool(r.success),
                          "f_start": f0, "index": index})
    if not found:
        raise FirmDataError("Không tối ưu được hàm mục tiêu từ mọi điểm xuất phát.")
    found.sort(key=lambda m: m["criterion"])
    # Exactly identified GMM can have several exact roots (criterion zero up to rounding): among
    # minima tied with the best, prefer one whose elasticities all lie in (0, 1), then the one from
    # the earliest start (never the rounding of their criteria, which would differ between a
    # bootstrap draw's weighted and copied-rows computations).
    tol = 1e-9 * max(1.0, found[0]["criterion"])
    tied = [m for m in found if m["criterion"] <= found[0]["criterion"] + tol]
    admissible = [m for m in tied if np.all((m["params"] > 0) & (m["params"] < 1))]
    best = dict(min(admissible or tied, key=lambda m: m["index"]))
    best["tied"] = len({tuple(np.round(m["params"], 3)) for m in tied})
    if keep_all:
        distinct = []
        for m in found:
            if all(np.abs(m["params"] - d["params"]).max() > 1e-3 for d in distinct):
                distinct.append(m)
        best["all"] = [{"params": d["params"].tolist(), "criterion": d["criterion"], "start": d["start"]} for d in distinct]
    return best




def newton_refine(gradient, theta, steps: int = 3) -> np.ndarray:
    """Newton steps on `gradient` (its derivative by forward differences) from a minimum `theta`
    found by a minimiser: they take it to the gradient's root to rounding. Steps larger than 1e-4
    of θ mean `theta` was not near a minimum; it is then returned as it is."""
    x = np.asarray(theta, float).copy()
    eye = np.eye(len(x))
    for _ in range(steps):
        g = gradient(x)
        h = 1e-6 * np.maximum(1.0, np.abs(x))
        hess = np.column_stack([(gradient(x + h[j] * eye[j]) - g) / h[j] for j in range(len(x))])
        try:
            step = np.linalg.solve((hess + hess.T) / 2, g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.abs(step).max() > 1e-4 * (1 + np.abs(x).max()):
            break
        x = x - step
        if np.abs(step).max() <= 1e-15 * (1 + np.abs(x).max()):
            break
    return x
