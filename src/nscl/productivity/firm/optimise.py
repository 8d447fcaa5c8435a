"""Optimisers and small numerical helpers of the estimators."""
from __future__ import annotations

import numpy as np
from scipy import optimize

from .panel import FirmDataError


def _lstsq(x, y):
    return np.linalg.lstsq(x, y, rcond=None)[0]


def _cubic_fit(v, target):
    """Fitted values of `target` on a cubic polynomial in `v` (prodest's productivity process).

    The polynomial is built on the standardised `v`: it spans the same space, and the 4x4 normal
    equations stay well conditioned. They are formed from dot products of the powers and the fit
    evaluated by Horner's rule, so no N x 4 matrix is built (this runs hundreds of times per fit).
    """
    z = v - v.mean()
    sd = np.sqrt(z @ z / len(z)) or 1.0
    z /= sd
    z2 = z * z
    z3 = z2 * z
    n = float(len(z))
    s1, s2, s3 = z.sum(), z @ z, z @ z2
    s4, s5, s6 = z2 @ z2, z2 @ z3, z3 @ z3
    A = np.array([[n, s1, s2, s3], [s1, s2, s3, s4], [s2, s3, s4, s5], [s3, s4, s5, s6]])
    g = np.linalg.solve(A, np.array([target.sum(), z @ target, z2 @ target, z3 @ target]))
    fit = z * g[3]
    fit += g[2]
    fit *= z
    fit += g[1]
    fit *= z
    fit += g[0]
    return fit



def _simplex(x0, step):
    k = len(x0)
    return np.vstack([x0] + [x0 + step * np.eye(k)[i] for i in range(k)])


def _check_rank(x, what):
    square = x.shape[0] == x.shape[1]
    if (not square and x.shape[0] <= x.shape[1]) or np.linalg.matrix_rank(x) < x.shape[1]:
        raise FirmDataError(f"Ma trận suy biến ở {what}: các biến phụ thuộc tuyến tính hoặc quá ít quan sát.")


def _minimise(crit, starts, keep_all=False, residuals=None, sum_of_squares=False):
    """Minimise from each start; with `residuals` (crit = |r|^2) by Levenberg-Marquardt first,
    finished by Nelder-Mead, which needs no gradient and copes with the criterion's flat valleys.
    `sum_of_squares`: crit is a plain sum of squared residuals (OP/LP), so Levenberg-Marquardt's
    convergence is a minimum and needs no polishing; GMM roots are accepted only when exact."""
    found = []
    for s0 in starts:
        s0 = np.asarray(s0, float)
        try:
            x0 = s0
            if residuals is not None:
                lm = optimize.least_squares(residuals, s0, method="lm", xtol=1e-12, ftol=1e-15, gtol=1e-15,
                                            max_nfev=200 * len(s0))
                x0 = lm.x
            f0 = abs(crit(s0))
            if residuals is not None and lm.success:
                f_lm = crit(x0)
                if f_lm <= 1e-12 * max(f0, 1e-300) or (sum_of_squares and f_lm <= f0):
                    # Levenberg-Marquardt reached an exact root: nothing left for Nelder-Mead to improve
                    found.append({"start": s0.tolist(), "params": x0, "criterion": float(f_lm), "converged": True})
                    continue
            # a change in the criterion below its rounding at the start cannot be told apart
            r = optimize.minimize(crit, x0, method="Nelder-Mead",
                                  options={"xatol": 1e-9, "fatol": 1e-13 * max(f0, 1e-300), "maxiter": 4000 * len(s0),
                                           "maxfev": 8000 * len(s0),
                                           "initial_simplex": _simplex(x0, 0.02 if residuals is not None else 0.05)})
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            continue
        if np.isfinite(r.fun):
            found.append({"start": s0.tolist(), "params": r.x, "criterion": float(r.fun), "converged": bool(r.success)})
    if not found:
        raise FirmDataError("Không tối ưu được hàm mục tiêu từ mọi điểm xuất phát.")
    found.sort(key=lambda m: m["criterion"])
    # Exactly identified GMM can have several exact roots (criterion zero up to rounding): among
    # minima tied with the best, prefer one whose elasticities all lie in (0, 1).
    tol = 1e-9 * max(1.0, found[0]["criterion"])
    tied = [m for m in found if m["criterion"] <= found[0]["criterion"] + tol]
    admissible = [m for m in tied if np.all((m["params"] > 0) & (m["params"] < 1))]
    best = dict((admissible or tied)[0])
    best["tied"] = len({tuple(np.round(m["params"], 3)) for m in tied})
    if keep_all:
        distinct = []
        for m in found:
            if all(np.abs(m["params"] - d["params"]).max() > 1e-3 for d in distinct):
                distinct.append(m)
        best["all"] = [{"params": d["params"].tolist(), "criterion": d["criterion"], "start": d["start"]} for d in distinct]
    return best


