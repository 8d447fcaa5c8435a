"""The proxy (control-function) estimators: Olley-Pakes, Levinsohn-Petrin and Ackerberg-Caves-Frazer.

First stage: the regression on a full second-degree polynomial, solved from the Gram matrix of the
polynomial of the *standardised* inputs (the same span as prodest's polynomial of the raw inputs, so
the same fitted values, and far better conditioned); the coefficients prodest reads from it (the
free inputs', and the second stage's start) are converted back to the raw inputs.

Second stage: productivity's cubic in its lag is fitted from moments (:class:`.sums.PolyMoments`)
of columns centred at a reference θ₀ (the first start; for a bootstrap draw, the full sample's
estimate), so a criterion evaluation costs almost nothing for ACF (its moments are sums) and a pass
of a few operations per row for OP/LP (their least squares need the innovations themselves). The
minimum found is polished from moments centred at it, so the digits lost in expanding the powers
far from θ₀ come back.
"""
from __future__ import annotations

import numpy as np

from .estimators import ProductionFunction, fitted, singular
from .optimise import _minimise, newton_refine
from .panel import FirmDataError, Sample, poly2
from .sums import PolyMoments, chunks, solve_normal, well_posed

POLISH = 0.25    # a minimum this far from θ₀ (in any coefficient) is polished from moments centred at it


def _n_poly(m: int) -> int:
    return m + m * (m - 1) // 2 + m


def _std(p, block, idx):
    mean, sd = p.scales()[block]
    return (getattr(p, block)[idx] - mean) / sd


def poly_linear(a: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """The linear coefficients, as a polynomial of the raw x, of a full second-degree polynomial
    (:func:`poly2` order, coefficients `a`) of the standardised (x − mean)/sd: its gradient at x = 0."""
    m = len(mean)
    z0 = -mean / sd
    n_cross = m * (m - 1) // 2
    grad = a[:m] + 2 * a[m + n_cross:m + n_cross + m] * z0
    for c, (i, j) in zip(a[m:m + n_cross], [(i, j) for i in range(m) for j in range(i + 1, m)]):
        grad[i] += c * z0[j]
        grad[j] += c * z0[i]
    return grad / sd


def _horner(coef, v):
    """Σ coef_i·v^i."""
    out = np.full(len(v), coef[-1])
    for c in coef[-2::-1]:
        out *= v
        out += c
    return out


def _mean(a, w):
    return a.mean(axis=0) if w is None else (w @ a) / w.sum()


class _ProxyEstimator(ProductionFunction):

    def _first_stage(self, s: Sample):
        """(coefficients, build, k): y (the design's last column) on its first k columns, weighted."""
        builds, width, _ = self._designs(s.panel)["first"]
        g = self._gram(s, "first")
        k = width - 1
        if s.count(np.ones(s.n, bool)) <= k or not well_posed(g[:k, :k]):
            raise singular("giai đoạn 1")
        return solve_normal(g[:k, :k], g[:k, k]), builds[0], k

    @staticmethod
    def _lagged(s: Sample):
        ok = s.prev >= 0
        if s.count(ok) < 10:
            raise FirmDataError("Quá ít quan sát có năm liền trước cùng doanh nghiệp để tính độ trễ.")
        return ok, s.prev[ok], None if s.weight is None else s.weight[ok]


class OlleyPakes(_ProxyEstimator):
    method = "op"

    def _designs(self, p):
        """First stage: [1, free, controls, polynomial in (state, proxy)] of standardised inputs, y."""
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]

        def build(idx):
            parts = [np.ones(len(p.y[idx])), _std(p, "free", idx)]
            parts += [_std(p, "controls", idx)] if nc else []
            sp = np.column_stack([_std(p, "state", idx), _std(p, "proxy", idx)])
            return np.column_stack(parts + [poly2(sp), p.y[idx]])
        return {"first": ([build], 2 + nf + nc + _n_poly(ns + 1), None)}

    def _fit(self, s, start=None):
        p = s.panel
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]
        b, build, k = self._first_stage(s)
        sc = p.scales()
        beta_free = b[1:1 + nf] / sc["free"][1]
        beta_controls = b[1 + nf:1 + nf + nc] / sc["controls"][1] if nc else np.zeros(0)
        first = poly_linear(b[1 + nf + nc:], np.r_[sc["state"][0], sc["proxy"][0]],
                            np.r_[sc["state"][1], sc["proxy"][1]])[:ns]
        free_part = s.take(p.free) @ beta_free
        phi = fitted(build, s.rows, p.n, k, b) - free_part
        res = s.take(p.y) - free_part
        ok, prev, w = self._lagged(s)
        state = s.take(p.state)
        stage = Innovations(phi[ok], phi[prev], state[ok], state[prev], res[ok], w)
        if start is None:
            best = stage.minimise([first, np.full(ns, 0.2)], first)
        else:
            best = stage.minimise([start[nf:nf + ns]], start[nf:nf + ns])
        params = np.concatenate([beta_free, best["params"], beta_controls])
        return params, {"n_obs": int(s.count(ok)), "criterion": best["criterion"], "converged": best["converged"],
                        "first_stage_start": first.tolist()}


class LevinsohnPetrin(OlleyPakes):
    method = "lp"


class Innovations:
    """OP/LP's second stage: the innovations ξ(θ) = res − s·θ − E[φ − s·θ | cubic in φ₋₁ − s₋₁·θ],
    weighted, whose sum of squares θ minimises (prodest's ``gOPLP``)."""

    def __init__(self, phi, lphi, s, ls, res, w):
        c_phi, c_s = _mean(phi, w), _mean(s, w)
        self.phi, self.lphi, self.s, self.ls = phi - c_phi, lphi - c_phi, s - c_s, ls - c_s
        self.res, self.w = res - c_phi, w
        self.sw = None if w is None else np.sqrt(w)

    def centre(self, theta0):
        self.theta0 = np.asarray(theta0, float)
        self.u0 = self.lphi - self.ls @ self.theta0
        self.r0 = self.res - self.s @ self.theta0
        self.pm = PolyMoments(np.column_stack([self.u0, self.ls]),
                              np.column_stack([self.phi - self.s @ self.theta0, self.s]), self.w)

    def _cubic(self, theta):
        """Δθ, v's coefficients c, the cubic's coefficients G in powers of v and the moment fit's parts."""
        d = np.asarray(theta, float) - self.theta0
        c = np.r_[1.0, -d]
        g, sd, t = self.pm.fit(c, c)
        return d, c, g / sd ** np.arange(4), sd, t

    def _rows(self, d, sl):
        return self.u0[sl] - (self.ls[sl, 0] * d[0] if len(d) == 1 else self.ls[sl] @ d)

    def residuals(self, theta):
        d, _, G, _, _ = self._cubic(theta)
        out = np.empty(len(self.u0))
        for sl in chunks(len(out), 8):
            v = self._rows(d, sl)
            o = out[sl]
            np.subtract(self.r0[sl], self.s[sl, 0] * d[0] if len(d) == 1 else self.s[sl] @ d, out=o)
            o -= _horner(G, v)
            if self.sw is not None:
                o *= self.sw[sl]
        return out

    def jacobian(self, theta):
        """dξ/dθ_j = −s_j − d(fit)/dθ_j; the fit f = V·A⁻¹·V'W·t (V the powers of v, t = φ − s·θ)
        moves with t and with V: df = q + V·A⁻¹·(V'W·(dt − q) + dV'W·e), q = dV·G = −s₋₁,j·p'(v),
        e = t − f; every sum from the moments."""
        d, c, G, sd, t = self._cubic(theta)
        pm = self.pm
        s = pm.powers(c)
        scale = sd ** -np.arange(4)
        a = s[np.arange(4)[:, None] + np.arange(4)[None, :]] * np.outer(scale, scale)
        t_v = t / scale[:, None]                          # Σ w·v^i·Y_k
        dG = G[1:] * np.arange(1, 4)                      # p'(v) in powers of v
        kappa = []
        for j in range(len(d)):
            r, q = pm.times_column(c, 1 + j)              # Σ w·v^m·s₋₁,j ; Σ w·v^i·s₋₁,j·Y_k
            rhs = -t_v[:, 1 + j] + np.array([dG @ r[i:i + 3] for i in range(4)])
            for i in range(1, 4):
                rhs[i] -= i * (q[i - 1] @ c - G @ r[i - 1:i + 3])
            kappa.append(scale * np.linalg.solve(a, scale * rhs))
        out = np.empty((len(self.u0), len(d)))
        for sl in chunks(len(out), 8 * len(d)):
            v = self._rows(d, sl)
            dp = _horner(dG, v)
            for j in range(len(d)):
                o = out[sl, j]
                np.multiply(self.ls[sl, j], dp, out=o)
                o -= self.s[sl, j]
                o -= _horner(kappa[j], v)
                if self.sw is not None:
                    o *= self.sw[sl]
        return out

    def criterion(self, theta):
        r = self.residuals(theta)
        return float(r @ r)

    def gradient(self, theta):
        """½ of the criterion's gradient: J'ξ."""
        return self.jacobian(theta).T @ self.residuals(theta)

    def minimise(self, starts, theta0):
        self.centre(theta0)
        best = _minimise(self.criterion, starts, residuals=self.residuals, sum_of_squares=True,
                         jacobian=self.jacobian)
        best = _polished(self, best, sum_of_squares=True)
        # Levenberg-Marquardt stops when the sum of squares no longer changes in its 15th digit,
        # which in a flat valley can leave θ off in its 8th: the gradient's root is found to rounding
        best["params"] = newton_refine(self.gradient, best["params"])
        return best


class ACF(_ProxyEstimator):
    method = "acf"

    def __init__(self, *args, starts: int = 6, start_seed: int = 12345, **kwargs):
        super().__init__(*args, **kwargs)
        self.n_starts = starts
        self.start_seed = start_seed

    def _designs(self, p):
        """First stage: [1, controls, polynomial in (free, state, proxy)] of standardised inputs, y."""
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]

        def build(idx):
            parts = [np.ones(len(p.y[idx]))] + ([_std(p, "controls", idx)] if nc else [])
            fsp = np.column_stack([_std(p, "free", idx), _std(p, "state", idx), _std(p, "proxy", idx)])
            return np.column_stack(parts + [poly2(fsp), p.y[idx]])
        return {"first": ([build], 2 + nc + _n_poly(nf + ns + 1), None)}

    def _fit(self, s, start=None):
        p = s.panel
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]
        b, build, k = self._first_stage(s)
        sc = p.scales()
        lin = poly_linear(b[1 + nc:], np.r_[sc["free"][0], sc["state"][0], sc["proxy"][0]],
                          np.r_[sc["free"][1], sc["state"][1], sc["proxy"][1]])[:nf + ns]
        first = np.concatenate([lin, b[1:1 + nc] / sc["controls"][1] if nc else []])   # free, state, controls
        phi = fitted(build, s.rows, p.n, k, b)
        ok, prev, w = self._lagged(s)
        X = s.take(np.column_stack([p.free, p.state] + ([p.controls] if nc else [])))
        lX = X[prev]
        # lagged free, current state, lagged controls (prodest 1.0.2, which fixed controls in ACF)
        Z = np.column_stack([lX[:, :nf], X[ok, nf:nf + ns], lX[:, nf + ns:]])
        gmm = GMM(phi[ok], phi[prev], X[ok], lX, Z, w)
        kx = X.shape[1]
        if start is None:
            rng = np.random.default_rng(self.start_seed)
            starts = [first, np.full(kx, 0.5)] + [rng.uniform(0, 1, kx) for _ in range(max(self.n_starts - 2, 0))]
            best = gmm.minimise(starts, first, keep_all=True)
        else:
            # a draw's global minimum lies near the full sample's: start there and at the draw's own
            # first stage rather than from every random point (a third of the work, same minima)
            starts = [np.asarray(start, float), first]
            best = gmm.minimise(starts, starts[0])
        return best["params"], {"n_obs": int(s.count(ok)), "criterion": best["criterion"],
                                "converged": best["converged"], "local_minima": best.get("all", []),
                                "starts": len(starts), "tied_minima": best["tied"]}


class GMM:
    """ACF's second stage: the moments Z'(ω(θ) − E[ω(θ) | cubic in ω₋₁(θ)]), ω(θ) = φ − X·θ,
    weighted, and prodest's ``gACF`` criterion m'Wm with W = (Z'Z)⁻¹/N."""

    def __init__(self, phi, lphi, X, lX, Z, w):
        n = len(phi) if w is None else w.sum()
        zz = Z.T @ (Z if w is None else Z * w[:, None])
        self.W = np.linalg.inv(zz) / n
        self.chol = np.linalg.cholesky(self.W)
        c_phi, c_x = _mean(phi, w), _mean(X, w)
        self.phi, self.lphi, self.X, self.lX = phi - c_phi, lphi - c_phi, X - c_x, lX - c_x
        self.Z, self.w = Z - _mean(Z, w), w
        self.k = X.shape[1]

    def centre(self, theta0):
        self.theta0 = np.asarray(theta0, float)
        self.pm = PolyMoments(np.column_stack([self.lphi - self.lX @ self.theta0, self.lX]),
                              np.column_stack([self.phi - self.X @ self.theta0, self.X, self.Z]), self.w)

    def moments(self, theta):
        d = np.asarray(theta, float) - self.theta0
        k = self.k
        c = np.r_[1.0, -d]
        g, _, t = self.pm.fit(c, np.r_[c, np.zeros(k)])
        yy = self.pm.yy
        z = slice(1 + k, 1 + 2 * k)
        return yy[z, 0] - yy[z, 1:1 + k] @ d - t[:, z].T @ g

    def criterion(self, theta):
        m = self.moments(theta)
        return float(m @ self.W @ m)

    def weighted(self, theta):   # criterion = |L'm|²: least squares finds the roots quickly
        return self.chol.T @ self.moments(theta)

    def gradient(self, theta):
        """½ of the criterion's gradient: J'Wm, J = dm/dθ by central differences (m costs nothing)."""
        x = np.asarray(theta, float)
        h = 1e-5 * np.maximum(1.0, np.abs(x))
        e = np.eye(len(x))
        jac = np.column_stack([(self.moments(x + h[j] * e[j]) - self.moments(x - h[j] * e[j])) / (2 * h[j])
                               for j in range(len(x))])
        return jac.T @ self.W @ self.moments(x)

    def minimise(self, starts, theta0, keep_all=False):
        self.centre(theta0)
        best = _minimise(self.criterion, starts, keep_all=keep_all, residuals=self.weighted)
        best = _polished(self, best)
        if best["criterion"] > 1e-12 * best["f_start"]:
            # not an exact root: Nelder-Mead's minimum is good to about 1e-9; the gradient's root to rounding
            old = best["params"]
            best["params"] = newton_refine(self.gradient, old)
            best["criterion"] = self.criterion(best["params"])
            for m in best.get("all", []):
                if np.allclose(m["params"], old, rtol=0, atol=1e-12):
                    m.update(params=best["params"].tolist(), criterion=best["criterion"])
        return best


def _polished(stage, best: dict, sum_of_squares: bool = False) -> dict:
    """The minimum `best` found from moments centred at θ₀, minimised again from moments centred
    at it when it lies more than :data:`POLISH` from θ₀ (kept as it is if that fails)."""
    old = best["params"]
    if np.abs(old - stage.theta0).max() <= POLISH:
        return best
    stage.centre(old)
    residuals = stage.residuals if sum_of_squares else stage.weighted
    try:
        again = _minimise(stage.criterion, [old], residuals=residuals, sum_of_squares=sum_of_squares,
                          jacobian=stage.jacobian if sum_of_squares else None, scale=best["f_start"])
    except FirmDataError:
        return best
    best.update(params=again["params"], criterion=again["criterion"], converged=again["converged"])
    for m in best.get("all", []):
        if np.allclose(m["params"], old, rtol=0, atol=1e-12):
            m.update(params=best["params"].tolist(), criterion=best["criterion"])
    return best
