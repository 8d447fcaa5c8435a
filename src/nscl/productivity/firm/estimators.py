"""The production-function estimators: each a model class whose ``fit()`` returns
:class:`~nscl.productivity.firm.results.ProductivityResults` (conventions in the package docstring)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import registry
from .bootstrap import bootstrap_draws
from .optimise import _check_rank, _cubic_fit, _lstsq, _minimise
from .panel import FirmDataError, Panel, poly2, prepare
from .results import ProductivityResults, firm_tfp


PROXY_KIND = {"investment": "đầu tư", "materials": "nguyên vật liệu (đầu vào trung gian)"}


class ProductionFunction:
    method = ""

    def __init__(self, data: pd.DataFrame | Panel, id="id", time="time", output="y", free=None, state=None,
                 proxy=None, controls=None, log_inputs=False):
        self.panel = data if isinstance(data, Panel) else prepare(
            data, id, time, output, free, state, proxy, controls, log_inputs)
        spec = registry.firm_method(self.method)
        if self.needs_proxy and self.panel.proxy is None:
            raise FirmDataError(f"{spec.label_vi} cần một biến đại diện: chưa chọn cột {PROXY_KIND[spec.proxy]}.",
                                field="proxy")
        if self.needs_proxy:
            p = self.panel.proxy[:, 0]
            if np.nanstd(p) == 0:
                raise FirmDataError(f"Biến đại diện {self.panel.names['proxy']} không thay đổi giữa các quan sát.")

    @property
    def needs_proxy(self) -> bool:
        return registry.firm_method(self.method).needs_proxy

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
        res.diagnostics = diagnostics(self.panel, self.method)
        return res


def diagnostics(p: Panel, method: str) -> dict:
    """What tells whether the method suits the data (read by :mod:`nscl.productivity.interpret`):
    the OLS and within-firm (FE) coefficients on the same panel (they differ when a firm's
    lasting productivity moves with its inputs) and, for the proxy methods, the R² of each free
    input on the polynomial in (state, proxy) of the first stage: near 1, labour carries no
    variation of its own and its coefficient is not identified (Ackerberg, Caves & Frazer 2015)."""
    out = {}
    for code, cls in (("ols", OLS), ("fe", FixedEffects)):
        try:
            b, info = cls.__new__(cls)._estimate(p)
            out[code] = {"params": [float(v) for v in b], "std_errors": [float(v) for v in info["std_errors"]]}
        except (FirmDataError, np.linalg.LinAlgError, ValueError):
            pass
    if registry.firm_method(method).needs_proxy and p.proxy is not None:
        x = np.column_stack([np.ones(p.n), poly2(np.column_stack([p.state, p.proxy]))])
        r2 = []
        for j in range(p.free.shape[1]):
            f = p.free[:, j]
            e = f - x @ _lstsq(x, f)
            tss = float(((f - f.mean()) ** 2).sum())
            r2.append(1.0 - float(e @ e) / tss if tss > 0 else 1.0)
        out["free_r2_on_proxy"] = r2
    return out


class OLS(ProductionFunction):
    method = "ols"

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


def estimate(data: pd.DataFrame, method: str, **kwargs) -> ProductionFunction:
    """The model of the registry's method `method` on `data` (keyword arguments as the classes')."""
    try:
        spec = registry.firm_method(method)
    except KeyError:
        raise FirmDataError(f"Phương pháp “{method}” không có; chọn một trong: "
                            f"{', '.join(registry.codes(registry.FIRM_METHODS))}.", field="method") from None
    return spec.model()(data, **kwargs)

