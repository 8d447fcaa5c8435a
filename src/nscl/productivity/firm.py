"""Firm-level production functions and TFP, following R's prodest 1.0.1 (Rovigatti).

Value-added specification in logs: y = β_f·free + β_s·state + ω + ε, panel `id` × `time`. A lag
exists only for the previous calendar year of the same firm (a gap gives no lag).

Estimators (each a model class whose ``fit()`` returns :class:`ProductivityResults`):

- ``OLS``, ``FixedEffects`` (within firm): no proxy.
- ``OlleyPakes`` (proxy: investment), ``LevinsohnPetrin`` (proxy: materials): first stage OLS of y
  on the free inputs, controls and a full second-degree polynomial in (state, proxy); productivity
  follows a cubic polynomial in its lag; the state coefficients minimise the sum of squared
  innovations (prodest's ``gOPLP``).
- ``ACF`` (Ackerberg-Caves-Frazer): first stage on a full second-degree polynomial in (free,
  state, proxy); exactly identified GMM with instruments (lagged free, current state) and weight
  (Z'Z)⁻¹/N (prodest's ``gACF``).
- ``Wooldridge`` (IV): prodest 1.0.1's ``prodestWRDG`` — the level equation stacked over the
  lagged-productivity equation (productivity a random walk), free inputs instrumented by their
  lags; regressors projected on the instruments without a constant, then OLS of y on the fitted
  regressors and a constant, with OLS standard errors. (Stata's ``prodest, method(wrdg)`` differs:
  a constant and an equation-2 intercept in both regressors and instruments, u'u/N variance.)
- ``WooldridgeGMM``: the two-equation system of Wooldridge (2009) estimated by two-step GMM exactly
  as prodest's ``prodestWRDG_GMM`` (diagonal first-step weight, then σ̂²·Z'Z), with its analytic
  standard errors.

Deliberate differences from prodest, and why:

- prodest starts its optimiser at the first-stage coefficients plus N(0, 0.01) noise and uses BFGS
  with finite-difference gradients, which stops early on these flat criteria (OP/LP) and, for ACF,
  in whichever local minimum is nearest. Here the criteria are minimised to tight tolerance from
  deterministic starts: OP/LP's sum of squared innovations by Levenberg-Marquardt (Nelder-Mead if
  it fails); ACF's GMM criterion from several starts (first stage, 0.5, seeded random points) by
  Levenberg-Marquardt on the weighted moments, finished by Nelder-Mead unless it reached an exact
  root, keeping the lowest criterion and reporting every local minimum found. When several minima
  tie (an exactly identified criterion can have more than one exact root), the one with every
  elasticity in (0, 1) is kept and the tie is reported. ACF's bootstrap draws start at the full
  sample's estimate and at the draw's own first stage.
- The cubic productivity process is fitted on the standardised lagged productivity (the same span,
  well-conditioned normal equations); results equal prodest's up to rounding.
- Bootstrap draws that fail are counted and reported (prodest drops them with ``na.rm``).
- Controls (``controls``): OP/LP as prodest (linear in the first stage, their coefficients taken
  from it); ACF as prodest 1.0.2, which fixed 1.0.1's failure with controls (linear in the first
  stage, in the second stage with their lags, lagged controls as instruments); Wooldridge IV and
  GMM treat them as exogenous regressors and instruments in both equations (prodest 1.0.1 leaves
  them out of its matrices).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from .tables import unit_list

METHODS = ("ols", "fe", "op", "lp", "acf", "wrdg", "wrdg-gmm")


class FirmDataError(ValueError):
    """Input that cannot be estimated; the message names the column (and firms)."""


# ----------------------------------------------------------------------------------------------
# Panel preparation

@dataclass
class Panel:
    """Numeric arrays sorted by firm and year, with the index of each row's previous year."""

    ids: np.ndarray
    time: np.ndarray
    y: np.ndarray
    free: np.ndarray
    state: np.ndarray
    proxy: np.ndarray | None
    controls: np.ndarray | None
    prev: np.ndarray            # index of the same firm's previous calendar year, or -1
    names: dict
    labels: np.ndarray | None = None   # the firms' own identifiers, by code

    @property
    def n(self):
        return len(self.y)

    def lag(self, values: np.ndarray) -> np.ndarray:
        out = np.full(values.shape, np.nan)
        has = self.prev >= 0
        out[has] = values[self.prev[has]]
        return out


def _previous_index(ids: np.ndarray, time: np.ndarray) -> np.ndarray:
    prev = np.full(len(ids), -1, dtype=np.int64)
    same = (ids[1:] == ids[:-1]) & (time[1:] == time[:-1] + 1)
    prev[1:][same] = np.flatnonzero(same)
    return prev


def prepare(data: pd.DataFrame, id: str, time: str, output: str, free, state, proxy=None, controls=None,
            log_inputs: bool = False) -> Panel:
    free, state = _as_list(free), _as_list(state)
    controls = _as_list(controls)
    needed = [id, time, output, *free, *state, *([proxy] if proxy else []), *controls]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise FirmDataError(f"Thiếu cột: {', '.join(missing)}. Các cột có: {', '.join(map(str, data.columns[:30]))}.")
    if not free or not state:
        raise FirmDataError("Cần ít nhất một biến tự do (--free) và một biến trạng thái (--state).")
    df = data[list(dict.fromkeys(needed))]
    for col in needed[1:]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna()
        if bad.any():
            raise FirmDataError(f"Cột {col}: {int(bad.sum())} giá trị trống hoặc không phải số "
                                f"(doanh nghiệp {unit_list(df.loc[bad, id])}).")
        if log_inputs and col not in (time, *controls):
            nonpos = values <= 0
            if nonpos.any():
                raise FirmDataError(f"Cột {col}: {int(nonpos.sum())} giá trị ≤ 0, không lấy logarit được "
                                    f"(doanh nghiệp {unit_list(df.loc[nonpos, id])}).")
    df = df.sort_values([id, time], kind="mergesort")
    ids, labels = pd.factorize(df[id])
    t = pd.to_numeric(df[time]).to_numpy()
    if (t % 1 != 0).any():
        raise FirmDataError(f"Cột {time}: năm phải là số nguyên.")
    t = t.astype(np.int64)
    dup = (ids[1:] == ids[:-1]) & (t[1:] == t[:-1])
    if dup.any():
        row = np.flatnonzero(dup)[0] + 1
        raise FirmDataError(f"Doanh nghiệp {unit_list(df[id].iloc[[row]])} có hai dòng cho năm {t[row]}.")

    def arr(cols):
        if not cols:
            return None
        a = df[cols].to_numpy(dtype=float)
        return np.log(a) if log_inputs else a

    y = df[output].to_numpy(dtype=float)
    y = np.log(y) if log_inputs else y
    panel = Panel(ids=ids, time=t, y=y, free=arr(free), state=arr(state), proxy=arr([proxy]) if proxy else None,
                  controls=df[controls].to_numpy(dtype=float) if controls else None, prev=_previous_index(ids, t),
                  names={"free": free, "state": state, "proxy": proxy, "controls": controls, "output": output},
                  labels=np.asarray(labels))
    return panel


def _as_list(v):
    if v is None:
        return []
    if isinstance(v, str):
        return [c.strip() for c in v.split(",") if c.strip()]
    return list(v)


def poly2(m: np.ndarray) -> np.ndarray:
    """Full second-degree polynomial without constant, in R's model.matrix(~.^2) order plus squares."""
    k = m.shape[1]
    cols = [m[:, i] for i in range(k)]
    cols += [m[:, i] * m[:, j] for i in range(k) for j in range(i + 1, k)]
    cols += [m[:, i] ** 2 for i in range(k)]
    return np.column_stack(cols)


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


# ----------------------------------------------------------------------------------------------
# Results

@dataclass
class ProductivityResults:
    method: str
    names: list
    params: np.ndarray
    std_errors: np.ndarray | None
    n_obs: int
    n_firms: int
    criterion: float | None
    converged: bool
    optimizer: dict = field(default_factory=dict)
    bootstrap: dict = field(default_factory=lambda: {"reps": 0, "failed": 0})
    log_tfp: pd.DataFrame | None = None

    @property
    def coefficients(self) -> dict:
        return dict(zip(self.names, map(float, self.params)))

    def to_dict(self) -> dict:
        se = None if self.std_errors is None else {n: (None if not np.isfinite(s) else float(s))
                                                   for n, s in zip(self.names, self.std_errors)}
        return {"method": self.method, "coefficients": self.coefficients, "std_errors": se, "n_obs": self.n_obs,
                "n_firms": self.n_firms, "criterion": None if self.criterion is None else float(self.criterion),
                "converged": self.converged, "bootstrap": self.bootstrap, "optimizer": self.optimizer}

    def summary(self) -> str:
        lines = [f"{LABELS[self.method]}    obs: {self.n_obs}   firms: {self.n_firms}"
                 + (f"   criterion: {self.criterion:.6g}" if self.criterion is not None else ""),
                 "-" * 56, f"{'':16}{'coef':>12}{'std. err.':>12}{'z':>9}", "-" * 56]
        for i, name in enumerate(self.names):
            se = None if self.std_errors is None else self.std_errors[i]
            z = self.params[i] / se if se and np.isfinite(se) and se > 0 else float("nan")
            lines.append(f"{name:16}{self.params[i]:12.4f}{'' if se is None else f'{se:12.4f}'}"
                         f"{'' if se is None else f'{z:9.2f}'}")
        lines.append("-" * 56)
        if self.bootstrap["reps"]:
            lines.append(f"bootstrap over firms: {self.bootstrap['reps']} draws, {self.bootstrap['failed']} failed")
        elif self.std_errors is not None:
            lines.append("analytic standard errors (no bootstrap)")
        if not self.converged:
            lines.append("WARNING: the optimiser did not report convergence")
        for m in self.optimizer.get("local_minima", []):
            if np.allclose(m["params"], self.params, atol=1e-3):
                continue
            lines.append(f"other local minimum: {np.round(m['params'], 4).tolist()} criterion {m['criterion']:.3g}")
        if self.optimizer.get("tied_minima", 1) > 1:
            lines.append("NOTE: several minima reach the same criterion; the one with all elasticities in (0, 1) was kept")
        return "\n".join(lines)


LABELS = {"ols": "OLS", "fe": "Fixed effects (within)", "op": "Olley-Pakes", "lp": "Levinsohn-Petrin",
          "acf": "Ackerberg-Caves-Frazer", "wrdg": "Wooldridge (IV)", "wrdg-gmm": "Wooldridge (GMM)"}


# ----------------------------------------------------------------------------------------------
# Estimators

class ProductionFunction:
    method = ""
    needs_proxy = True

    def __init__(self, data: pd.DataFrame | Panel, id="id", time="time", output="y", free=None, state=None,
                 proxy=None, controls=None, log_inputs=False):
        self.panel = data if isinstance(data, Panel) else prepare(
            data, id, time, output, free, state, proxy, controls, log_inputs)
        if self.needs_proxy and self.panel.proxy is None:
            raise FirmDataError(f"{LABELS[self.method]} cần một biến đại diện (--proxy).")
        if self.needs_proxy:
            p = self.panel.proxy[:, 0]
            if np.nanstd(p) == 0:
                raise FirmDataError(f"Biến đại diện {self.panel.names['proxy']} không thay đổi giữa các quan sát.")

    @property
    def names(self):
        n = self.panel.names
        return n["free"] + n["state"] + n["controls"]

    def _estimate(self, panel: Panel) -> tuple[np.ndarray, dict]:  # params, info
        raise NotImplementedError

    def _estimate_draw(self, panel: Panel, estimate: np.ndarray) -> np.ndarray:
        """A bootstrap draw's estimate; `estimate` is the full sample's (a start for optimisers)."""
        return self._estimate(panel)[0]

    def fit(self, bootstrap: int = 0, seed: int | None = None, jobs: int = 1, progress=None) -> ProductivityResults:
        """`progress(done, total)` is called as bootstrap draws finish; raising from it stops the fit."""
        params, info = self._estimate(self.panel)
        se = info.pop("std_errors", None)
        boot = {"reps": 0, "failed": 0}
        if bootstrap:
            draws, failed = bootstrap_draws(self, bootstrap, seed, jobs, progress=progress, estimate=params)
            boot = {"reps": int(bootstrap), "failed": int(failed)}
            ok = draws[np.isfinite(draws).all(axis=1)]
            se = ok.std(axis=0, ddof=1) if len(ok) > 1 else np.full(len(params), np.nan)
        res = ProductivityResults(self.method, self.names, np.asarray(params, float), se, info.pop("n_obs"),
                                  int(len(np.unique(self.panel.ids))), info.pop("criterion", None),
                                  info.pop("converged", True), info, boot)
        res.log_tfp = firm_tfp(self.panel, res)
        return res


class OLS(ProductionFunction):
    method = "ols"
    needs_proxy = False

    def _design(self, p):
        parts = [p.free, p.state] + ([p.controls] if p.controls is not None else [])
        return np.column_stack(parts)

    def _estimate(self, p):
        x = np.column_stack([np.ones(p.n), self._design(p)])
        b, se = _ols_with_se(x, p.y, x.shape[1])
        return b[1:], {"n_obs": p.n, "std_errors": se[1:]}


class FixedEffects(OLS):
    method = "fe"

    def _estimate(self, p):
        x = self._design(p)
        counts = np.bincount(p.ids)

        def demean(a):
            if a.ndim == 1:
                return a - (np.bincount(p.ids, a) / counts)[p.ids]
            return np.column_stack([demean(a[:, j]) for j in range(a.shape[1])])
        xd, yd = demean(x), demean(p.y)
        if np.linalg.matrix_rank(xd) < xd.shape[1]:
            raise FirmDataError("Ma trận hồi quy suy biến sau khi khử trung bình theo doanh nghiệp "
                                "(có biến không đổi theo thời gian trong từng doanh nghiệp?).")
        n_firms = len(counts)
        b, se = _ols_with_se(xd, yd, xd.shape[1] + n_firms)
        return b, {"n_obs": p.n, "std_errors": se}


def _ols_with_se(x, y, k_dof):
    b, *_ = np.linalg.lstsq(x, y, rcond=None)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise FirmDataError("Ma trận hồi quy suy biến: các biến đầu vào phụ thuộc tuyến tính.")
    e = y - x @ b
    dof = len(y) - k_dof
    if dof <= 0:
        raise FirmDataError("Quá ít quan sát so với số tham số.")
    cov = (e @ e / dof) * np.linalg.inv(x.T @ x)
    return b, np.sqrt(np.diag(cov))


class OlleyPakes(ProductionFunction):
    method = "op"

    def _estimate(self, p):
        s = p.state
        regs = [p.free] + ([p.controls] if p.controls is not None else []) + [poly2(np.column_stack([s, p.proxy]))]
        x = np.column_stack([np.ones(p.n)] + regs)
        _check_rank(x, "giai đoạn 1")
        b = _lstsq(x, p.y)
        nf, nc = p.free.shape[1], 0 if p.controls is None else p.controls.shape[1]
        beta_free = b[1:1 + nf]
        beta_controls = b[1 + nf:1 + nf + nc]
        phi = x @ b - p.free @ beta_free
        res = p.y - p.free @ beta_free
        lphi, ls = p.lag(phi), p.lag(s)
        ok = np.isfinite(lphi) & np.isfinite(ls).all(axis=1)
        if ok.sum() < 10:
            raise FirmDataError("Quá ít quan sát có năm liền trước cùng doanh nghiệp để tính độ trễ.")
        phi, lphi, s_, ls, res = phi[ok], lphi[ok], s[ok], ls[ok], res[ok]

        def innovations(theta):
            st = s_ @ theta
            return res - st - _cubic_fit(lphi - ls @ theta, phi - st)

        def crit(theta):
            xi = innovations(theta)
            return float(xi @ xi)
        start = b[1 + nf + nc:1 + nf + nc + s.shape[1]]
        best = _minimise(crit, [start, np.full(s.shape[1], 0.2)], residuals=innovations, sum_of_squares=True)
        params = np.concatenate([beta_free, best["params"], beta_controls])
        return params, {"n_obs": int(ok.sum()), "criterion": best["criterion"], "converged": best["converged"],
                        "first_stage_start": start.tolist()}


class LevinsohnPetrin(OlleyPakes):
    method = "lp"


class ACF(ProductionFunction):
    method = "acf"

    def __init__(self, *args, starts: int = 6, start_seed: int = 12345, **kwargs):
        super().__init__(*args, **kwargs)
        self.n_starts = starts
        self.start_seed = start_seed

    def _estimate_draw(self, panel, estimate):
        # a draw's global minimum lies near the full sample's: start there and at the draw's own
        # first stage rather than from every random point (a third of the work, same minima)
        return self._estimate(panel, starts_from=estimate)[0]

    def _estimate(self, p, starts_from=None):
        xs = [p.free, p.state] + ([p.controls] if p.controls is not None else [])
        X = np.column_stack(xs)
        reg = poly2(np.column_stack([p.free, p.state, p.proxy]))
        if p.controls is not None:
            reg = np.column_stack([p.controls, reg])
        x1 = np.column_stack([np.ones(p.n), reg])
        _check_rank(x1, "giai đoạn 1")
        b = _lstsq(x1, p.y)
        phi = x1 @ b
        lX = p.lag(X)
        lphi = p.lag(phi)
        ok = np.isfinite(lphi) & np.isfinite(lX).all(axis=1)
        if ok.sum() < 10:
            raise FirmDataError("Quá ít quan sát có năm liền trước cùng doanh nghiệp để tính độ trễ.")
        nf, ns = p.free.shape[1], p.state.shape[1]
        # lagged free, current state, lagged controls (prodest 1.0.2, which fixed controls in ACF)
        Z = np.column_stack([lX[ok, :nf], X[ok, nf:nf + ns], lX[ok, nf + ns:]])
        X, lX, phi, lphi = X[ok], lX[ok], phi[ok], lphi[ok]
        n = len(phi)
        W = np.linalg.inv(Z.T @ Z) / n

        chol = np.linalg.cholesky(W)

        def moments(theta):
            om = phi - X @ theta
            return Z.T @ (om - _cubic_fit(lphi - lX @ theta, om))

        def crit(theta):
            m = moments(theta)
            return float(m @ W @ m)

        def weighted(theta):  # crit = |L' m|^2: least squares finds the roots quickly
            return chol.T @ moments(theta)
        k = X.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]
        first = np.concatenate([b[1 + nc:1 + k], b[1:1 + nc]])  # free and state, then controls
        if starts_from is not None:
            starts = [np.asarray(starts_from, float), first]
        else:
            rng = np.random.default_rng(self.start_seed)
            starts = [first, np.full(k, 0.5)] + [rng.uniform(0, 1, k) for _ in range(max(self.n_starts - 2, 0))]
        best = _minimise(crit, starts, keep_all=True, residuals=weighted)
        return best["params"], {"n_obs": n, "criterion": best["criterion"], "converged": best["converged"],
                                "local_minima": best["all"], "starts": len(starts), "tied_minima": best["tied"]}


class Wooldridge(ProductionFunction):
    method = "wrdg"

    def _blocks(self, p):
        reg = poly2(np.column_stack([p.state, p.proxy]))
        lreg, lfree = p.lag(reg), p.lag(p.free)
        ok = np.isfinite(lreg).all(axis=1) & np.isfinite(lfree).all(axis=1)
        if ok.sum() < 10:
            raise FirmDataError("Quá ít quan sát có năm liền trước cùng doanh nghiệp để tính độ trễ.")
        c = None if p.controls is None else p.controls[ok]
        return ok, reg[ok], lreg[ok], lfree[ok], c

    def _estimate(self, p):
        """prodest 1.0.1's ``prodestWRDG``: the level equation stacked over the lagged-productivity
        equation, both sharing the coefficients of the polynomial in (state, proxy) (productivity a
        random walk, g(h) = h), the free inputs instrumented by their lags. As prodest does it: the
        regressors are first projected on the instruments with no constant (and no separate
        intercept for equation 2), then y is regressed by OLS on the fitted regressors plus a constant,
        with OLS's standard errors (σ̂² with N − K degrees of freedom)."""
        ok, reg, lreg, lfree, c = self._blocks(p)
        cc = [] if c is None else [c]
        f, s = p.free[ok], p.state[ok]
        X = np.vstack([np.column_stack([f, s, *cc, reg]), np.column_stack([f, s, *cc, lreg])])
        Z = np.vstack([np.column_stack([lfree, s, *cc, reg]), np.column_stack([lfree, s, *cc, lreg])])
        _check_rank(Z, "ma trận công cụ")
        y = np.concatenate([p.y[ok], p.y[ok]])
        q, _ = np.linalg.qr(Z)
        D = np.column_stack([np.ones(len(y)), q @ (q.T @ X)])
        _check_rank(D, "ma trận hồi quy giai đoạn hai")
        beta, *_ = np.linalg.lstsq(D, y, rcond=None)
        e = y - D @ beta
        cov = (e @ e / (len(y) - D.shape[1])) * np.linalg.inv(D.T @ D)
        k = len(self.names)
        se = np.sqrt(np.diag(cov))
        return beta[1:1 + k], {"n_obs": int(ok.sum()), "std_errors": se[1:1 + k]}


class WooldridgeGMM(Wooldridge):
    method = "wrdg-gmm"

    def _estimate(self, p):
        ok, reg, lreg, lfree, c = self._blocks(p)
        n = int(ok.sum())
        one = np.ones((n, 1))
        f, s, y = p.free[ok], p.state[ok], p.y[ok]
        cc = [] if c is None else [c]
        X1 = np.column_stack([one, f, s, *cc, reg[:, 1:]])      # reg starts with the state itself
        X2 = np.column_stack([one, f, s, *cc, one, lreg])
        Z1 = np.column_stack([one, f, s, *cc, reg[:, 1:]])
        Z2 = np.column_stack([one, lfree, s, *cc, lreg])
        num_r = 1 + f.shape[1] + s.shape[1] + (0 if c is None else c.shape[1])
        nu1, nu2 = X1.shape[1] - num_r, X2.shape[1] - num_r
        dX = np.vstack([np.column_stack([X1, np.zeros((n, nu2))]),
                        np.column_stack([X2[:, :num_r], np.zeros((n, nu1)), X2[:, num_r:]])])
        zr, zc = Z1.shape[1], Z2.shape[1]
        # Z = blockdiag(Z1, Z2): work with blocks to save memory
        ZtZ = np.zeros((zr + zc, zr + zc))
        ZtZ[:zr, :zr], ZtZ[zr:, zr:] = Z1.T @ Z1, Z2.T @ Z2
        _check_rank(ZtZ, "ma trận công cụ")
        ZtdX = np.vstack([Z1.T @ dX[:n], Z2.T @ dX[n:]])
        Ztdy = np.concatenate([Z1.T @ y, Z2.T @ y])

        def step(W):
            A = ZtdX.T @ W
            return np.linalg.solve(A @ ZtdX, A @ Ztdy)
        W0 = np.diag(np.diag(np.linalg.inv(ZtZ)))
        b1 = step(W0)

        def sigma(b):
            k1 = X1.shape[1]
            r1 = y - X1 @ b[:k1]
            r2 = y - X2 @ np.concatenate([b[:num_r], b[k1:]])
            return float(r1 @ r1 + r2 @ r2)
        S = sigma(b1) * ZtZ
        b2 = step(np.linalg.inv(S))
        S2 = sigma(b2) * ZtZ
        cov = (1.0 / n) * np.linalg.inv(ZtdX.T @ np.linalg.inv(S2) @ ZtdX)
        k = len(self.names)
        se = np.sqrt(np.diag(cov))
        return b2[1:1 + k], {"n_obs": n, "std_errors": se[1:1 + k]}


ESTIMATORS = {"ols": OLS, "fe": FixedEffects, "op": OlleyPakes, "lp": LevinsohnPetrin, "acf": ACF,
              "wrdg": Wooldridge, "wrdg-gmm": WooldridgeGMM}


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


# ----------------------------------------------------------------------------------------------
# Firm TFP and bootstrap

def firm_tfp(panel: Panel, res: ProductivityResults) -> pd.DataFrame:
    """Log TFP (output less the estimated input contributions) and its index (mean over all = 1)."""
    x = np.column_stack([panel.free, panel.state] + ([panel.controls] if panel.controls is not None else []))
    log_tfp = panel.y - x @ res.params
    firms = panel.labels[panel.ids] if panel.labels is not None else panel.ids
    return pd.DataFrame({"firm": firms, "time": panel.time, "log_tfp": log_tfp,
                         "tfp_index": np.exp(log_tfp - log_tfp.mean())})


def resample_firms(panel: Panel, rng: np.random.Generator) -> Panel:
    """A bootstrap panel: firms drawn with replacement, each draw a new firm (lags stay inside it)."""
    n_firms = int(panel.ids.max()) + 1
    starts = np.flatnonzero(np.r_[True, panel.ids[1:] != panel.ids[:-1]])
    lengths = np.diff(np.r_[starts, panel.n])
    pick = rng.integers(0, n_firms, n_firms)
    rows = np.concatenate([np.arange(starts[f], starts[f] + lengths[f]) for f in pick])
    new_ids = np.repeat(np.arange(n_firms), lengths[pick])
    take = (lambda a: None if a is None else a[rows])  # noqa: E731
    return Panel(ids=new_ids, time=panel.time[rows], y=panel.y[rows], free=panel.free[rows], state=panel.state[rows],
                 proxy=take(panel.proxy), controls=take(panel.controls),
                 prev=_previous_index(new_ids, panel.time[rows]), names=panel.names)


def _boot_chunk(args):
    model, estimate, seeds, single_thread = args
    if single_thread:
        # one BLAS thread per worker: several workers each running a multi-threaded BLAS on the
        # same cores are slower than one process
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return _boot_chunk((model, estimate, seeds, False))
    out, failed = [], 0
    for seq in seeds:
        rng = np.random.default_rng(seq)
        try:
            params = np.asarray(model._estimate_draw(resample_firms(model.panel, rng), estimate), float)
            if not np.isfinite(params).all():
                raise FloatingPointError
            out.append(params)
        except (FirmDataError, np.linalg.LinAlgError, FloatingPointError, ValueError):
            out.append(np.full(len(model.names), np.nan))
            failed += 1
    return np.array(out), failed


def bootstrap_draws(model: ProductionFunction, reps: int, seed: int | None, jobs: int = 1, progress=None,
                    batch: int | None = None, estimate: np.ndarray | None = None):
    """Estimates on `reps` firm-resampled panels; the same seed gives the same draws whatever `jobs`
    (draw i always uses the i-th child of the seed). Work goes in batches so `progress` can report."""
    seeds = np.random.SeedSequence(seed).spawn(reps)
    jobs = max(1, min(jobs or 1, reps, os.cpu_count() or 1))
    batch = batch or max(jobs, min(reps, 10 * jobs))
    draws = np.full((reps, len(model.names)), np.nan)
    failed = 0
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    try:
        for start in range(0, reps, batch):
            part = seeds[start:start + batch]
            chunks = [part[i::jobs] for i in range(jobs) if part[i::jobs]]
            if pool is None:
                results = [_boot_chunk((model, estimate, chunks[0], False))]
            else:
                results = list(pool.map(_boot_chunk, [(model, estimate, c, True) for c in chunks]))
            block = np.full((len(part), len(model.names)), np.nan)
            for j, (arr, f) in enumerate(results):
                block[j::len(chunks)] = arr
                failed += f
            draws[start:start + len(part)] = block
            if progress is not None:
                progress(start + len(part), reps)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return draws, failed


def estimate(data: pd.DataFrame, method: str, **kwargs) -> ProductionFunction:
    if method not in ESTIMATORS:
        raise FirmDataError(f"Phương pháp “{method}” không có; chọn một trong: {', '.join(METHODS)}.")
    return ESTIMATORS[method](data, **kwargs)

