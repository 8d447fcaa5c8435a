"""Wooldridge's one-step estimators (prodest 1.0.1's ``prodestWRDG`` and ``prodestWRDG_GMM``), both
linear: everything they need is the weighted Gram matrix of each equation's columns over the rows
with a lag (for a bootstrap draw, the weighted sum of each firm's). The polynomial in (state, proxy)
stays raw, as prodest's: the IV projection has no constant, so centring would change it."""
from __future__ import annotations

import numpy as np

from .estimators import ProductionFunction, singular
from .panel import FirmDataError, poly2
from .sums import solve_normal, well_posed


class Wooldridge(ProductionFunction):
    method = "wrdg"

    def _designs(self, p):
        rows = np.flatnonzero(p.prev >= 0)
        builds = [lambda idx, e=e: self._columns(p, rows[idx], p.prev[rows[idx]], e) for e in (1, 2)]
        return {"both": (builds, builds[0](slice(0, 1)).shape[1], rows)}

    @staticmethod
    def _check(s):
        if s.count(s.prev >= 0) < 10:
            raise FirmDataError("Quá ít quan sát có năm liền trước cùng doanh nghiệp để tính độ trễ.")

    @staticmethod
    def _columns(p, r, lag, equation):
        """[1, free, lagged free, state, controls, polynomial in (state, proxy) — this year's in the
        level equation (1), last year's in the lagged-productivity equation (2) — y]."""
        h = r if equation == 1 else lag
        cc = [] if p.controls is None else [p.controls[r]]
        return np.column_stack([np.ones(len(r)), p.free[r], p.free[lag], p.state[r], *cc,
                                poly2(np.column_stack([p.state[h], p.proxy[h]])), p.y[r]])

    def _fit(self, s, start=None):
        """prodest 1.0.1's ``prodestWRDG``: the level equation stacked over the lagged-productivity
        equation, both sharing the coefficients of the polynomial in (state, proxy) (productivity a
        random walk, g(h) = h), the free inputs instrumented by their lags. As prodest does it: the
        regressors are first projected on the instruments with no constant (and no separate
        intercept for equation 2), then y is regressed by OLS on the fitted regressors plus a constant,
        with OLS's standard errors (σ̂² with N − K degrees of freedom)."""
        p = s.panel
        self._check(s)
        g = self._gram(s, "both")
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]
        width = g.shape[0]
        f, lf = np.arange(1, 1 + nf), np.arange(1 + nf, 1 + 2 * nf)
        rest = np.arange(1 + 2 * nf, width - 1)          # state, controls, polynomial
        zi, xi, y = np.r_[lf, rest], np.r_[f, rest], width - 1
        gzz = g[np.ix_(zi, zi)]
        if not well_posed(gzz):
            raise singular("ma trận công cụ")
        proj = solve_normal(gzz, g[np.ix_(zi, xi)])                 # X̂ = Z·proj
        dd = np.empty((1 + len(xi), 1 + len(xi)))
        dd[0, 0] = g[0, 0]
        dd[0, 1:] = dd[1:, 0] = g[0, zi] @ proj
        dd[1:, 1:] = proj.T @ g[np.ix_(zi, xi)]
        dy = np.r_[g[0, y], proj.T @ g[zi, y]]
        if not well_posed(dd):
            raise singular("ma trận hồi quy giai đoạn hai")
        beta = solve_normal(dd, dy)
        k = nf + ns + nc
        if start is not None:
            return beta[1:1 + k], {}
        n_stacked = g[0, 0]
        sse = max(g[y, y] - beta @ dy, 0.0)
        cov = sse / (n_stacked - len(beta)) * np.linalg.inv(dd)
        return beta[1:1 + k], {"n_obs": int(n_stacked / 2), "std_errors": np.sqrt(np.diag(cov))[1:1 + k]}


class WooldridgeGMM(Wooldridge):
    method = "wrdg-gmm"

    def _designs(self, p):
        rows = np.flatnonzero(p.prev >= 0)
        out = {}
        for name, e in (("level", 1), ("lagged", 2)):
            build = (lambda idx, e=e: self._columns_gmm(p, rows[idx], p.prev[rows[idx]], e))  # noqa: E731 - bound per equation
            out[name] = ([build], build(slice(0, 1)).shape[1], rows)
        return out

    @staticmethod
    def _columns_gmm(p, r, lag, equation):
        """Level equation: [1, free, state, controls, polynomial without its first column (the state
        itself), y]; lagged-productivity equation: [1, free, lagged free, state, controls, last
        year's polynomial, y]."""
        cc = [] if p.controls is None else [p.controls[r]]
        if equation == 1:
            reg = poly2(np.column_stack([p.state[r], p.proxy[r]]))
            return np.column_stack([np.ones(len(r)), p.free[r], p.state[r], *cc, reg[:, 1:], p.y[r]])
        return np.column_stack([np.ones(len(r)), p.free[r], p.free[lag], p.state[r], *cc,
                                poly2(np.column_stack([p.state[lag], p.proxy[lag]])), p.y[r]])

    def _fit(self, s, start=None):
        """Two-step GMM as prodest's ``prodestWRDG_GMM``: a diagonal first-step weight, then
        (σ̂²·Z'Z)⁻¹ with σ̂² the first step's residual variance. σ̂² only scales the weight, so the
        second step's estimate is that of the weight (Z'Z)⁻¹; σ̂² of the second step gives the
        analytic standard errors."""
        p = s.panel
        self._check(s)
        g1, g2 = self._gram(s, "level"), self._gram(s, "lagged")
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]
        num_r = 1 + nf + ns + nc
        y1, y2 = g1.shape[0] - 1, g2.shape[0] - 1
        x1 = np.arange(y1)                                             # = Z1
        common2 = np.r_[0, np.arange(1, 1 + nf), np.arange(1 + 2 * nf, 1 + 2 * nf + ns + nc)]
        poly_2 = np.arange(1 + 2 * nf + ns + nc, y2)
        x2_rest = np.r_[0, poly_2]                                     # equation 2's own intercept, polynomial
        z2 = np.r_[0, np.arange(1 + nf, 1 + 2 * nf), np.arange(1 + 2 * nf, y2)]
        nu1, nu2 = y1 - num_r, len(x2_rest)
        zr, zc = len(x1), len(z2)
        ztz = np.zeros((zr + zc, zr + zc))
        ztz[:zr, :zr], ztz[zr:, zr:] = g1[np.ix_(x1, x1)], g2[np.ix_(z2, z2)]
        if not well_posed(ztz):
            raise singular("ma trận công cụ")
        ztdx = np.zeros((zr + zc, num_r + nu1 + nu2))
        ztdx[:zr, :num_r + nu1] = g1[np.ix_(x1, x1)]
        ztdx[zr:, :num_r] = g2[np.ix_(z2, common2)]
        ztdx[zr:, num_r + nu1:] = g2[np.ix_(z2, x2_rest)]
        ztdy = np.r_[g1[x1, y1], g2[z2, y2]]
        w = np.linalg.inv(ztz)
        a = ztdx.T @ w
        b2 = np.linalg.solve(a @ ztdx, a @ ztdy)
        k = nf + ns + nc
        if start is not None:
            return b2[1:1 + k], {}
        # σ̂² = |r1|² + |r2|² from the Gram matrices
        b_1 = b2[:num_r + nu1]
        b_2 = np.r_[b2[:num_r], b2[num_r + nu1:]]
        x2 = np.r_[common2, x2_rest]
        sigma = (g1[y1, y1] - 2 * b_1 @ g1[x1, y1] + b_1 @ g1[np.ix_(x1, x1)] @ b_1
                 + g2[y2, y2] - 2 * b_2 @ g2[x2, y2] + b_2 @ g2[np.ix_(x2, x2)] @ b_2)
        n = g1[0, 0]
        cov = (1.0 / n) * np.linalg.inv(ztdx.T @ np.linalg.inv(sigma * ztz) @ ztdx)
        return b2[1:1 + k], {"n_obs": int(n), "std_errors": np.sqrt(np.diag(cov))[1:1 + k]}
