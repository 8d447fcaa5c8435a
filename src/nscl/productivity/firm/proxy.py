"""The proxy (control-function) estimators: Olley-Pakes, Levinsohn-Petrin and Ackerberg-Caves-Frazer.

First stage: the regression on a full second-degree polynomial, solved from the Gram matrix of the
polynomial of the *standardised* inputs (the same span as prodest's polynomial of the raw inputs, so
the same fitted values, and far better conditioned); the coefficients prodest reads from it (the
free inputs', and the second stage's start) are converted back to the raw inputs.

Second stage: productivity's cubic in its lag is fitted from moments (:class:`.sums.PolyMoments`)
of the rows with a lag, computed once per estimate (per draw) with the columns centred at a
reference θ₀ (the first start; for a bootstrap draw, the full sample's estimate): a criterion
evaluation touches no row — ACF's moments are sums, and OP/LP's Levenberg-Marquardt is given the
sums it depends on (:class:`Innovations`). A minimum found more than :data:`POLISH` from θ₀ is
minimised again from moments centred at it (expanding the powers far from θ₀ loses digits; about
1e-15 of the result at 0.5 away, measured).
"""
from __future__ import annotations

import numpy as np

from .estimators import ProductionFunction, singular
from .optimise import _minimise, newton_refine
from .panel import FirmDataError, Sample, poly2
from .sums import PolyMoments, chunks, solve_normal, well_posed

POLISH = 1.0    # a minimum this far from θ₀ (in any coefficient) is polished from moments centred at it


def _n_poly(m: int) -> int:
    return m + m * (m - 1) // 2 + m


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


def _mean(a, w):
    return a.mean() if w is None else (w @ a) / w.sum()


def _columns(a):
    """The columns of a 2-D block as contiguous 1-D arrays."""
    return [] if a is None else [np.ascontiguousarray(a[:, j]) for j in range(a.shape[1])]


class _ProxyEstimator(ProductionFunction):
    linear_blocks: tuple = ()   # first stage: blocks entering linearly, then
    poly_blocks: tuple = ()     # the blocks of the full second-degree polynomial

    def _standardised(self, p, idx, blocks):
        out = []
        for block in blocks:
            a = getattr(p, block)
            if a is not None:
                mean, sd = p.scales()[block]
                out += [(a[idx, j] - mean[j]) / sd[j] for j in range(a.shape[1])]
        return out

    def _designs(self, p):
        """First stage: [1, linear blocks, polynomial in the poly blocks] of standardised inputs, y."""
        def build(idx):
            lin = self._standardised(p, idx, self.linear_blocks)
            var = np.column_stack(self._standardised(p, idx, self.poly_blocks))
            return np.column_stack([np.ones(len(var))] + lin + [poly2(var), p.y[idx]])
        n_lin = sum(getattr(p, b).shape[1] for b in self.linear_blocks if getattr(p, b) is not None)
        n_var = sum(getattr(p, b).shape[1] for b in self.poly_blocks)
        return {"first": ([build], 2 + n_lin + _n_poly(n_var), None)}

    def _first_stage(self, s: Sample):
        """(coefficients, fitted values on the sample's rows) of the first stage, weighted."""
        p = s.panel
        width = self._designs(p)["first"][1]
        g = self._gram(s, "first")
        k = width - 1
        if s.count() <= k or not well_posed(g[:k, :k]):
            raise singular("giai đoạn 1")
        b = solve_normal(g[:k, :k], g[:k, k])
        # fitted values b₀ + b_l·lin + b_v·var + var'·Q·var, chunk by chunk
        n_lin = k - 1 - _n_poly(m := sum(getattr(p, x).shape[1] for x in self.poly_blocks))
        quad = np.diag(b[1 + n_lin + m + m * (m - 1) // 2:])
        iu = np.triu_indices(m, 1)
        quad[iu] = quad.T[iu] = b[1 + n_lin + m:1 + n_lin + m + m * (m - 1) // 2] / 2
        out = np.empty(s.n)
        for sl in chunks(s.n, 2 * (n_lin + m)):
            idx = sl if s.rows is None else s.rows[sl]
            var = np.array(self._standardised(p, idx, self.poly_blocks))
            out[sl] = b[0] + b[1 + n_lin:1 + n_lin + m] @ var + np.einsum("iw,iw->w", var, quad @ var)
            if n_lin:
                out[sl] += b[1:1 + n_lin] @ np.array(self._standardised(p, idx, self.linear_blocks))
        return b, out

    @staticmethod
    def _lagged(s: Sample):
        """(rows with a lag, their previous rows, as positions in the sample and in the panel; weights)."""
        ok = s.prev >= 0
        if s.count(ok) < 10:
            raise FirmDataError("Quá ít quan sát có năm liền trước cùng doanh nghiệp để tính độ trễ.")
        prev = s.prev[ok]
        rows = (np.flatnonzero(ok), prev) if s.rows is None else (s.rows[ok], s.rows[prev])
        return ok, prev, rows, None if s.weight is None else s.weight[ok]


class OlleyPakes(_ProxyEstimator):
    method = "op"
    linear_blocks = ("free", "controls")
    poly_blocks = ("state", "proxy")

    def _fit(self, s, start=None):
        p = s.panel
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]
        b, yhat = self._first_stage(s)
        sc = p.scales()
        beta_free = b[1:1 + nf] / sc["free"][1]
        beta_controls = b[1 + nf:1 + nf + nc] / sc["controls"][1] if nc else np.zeros(0)
        first = poly_linear(b[1 + nf + nc:], np.r_[sc["state"][0], sc["proxy"][0]],
                            np.r_[sc["state"][1], sc["proxy"][1]])[:ns]
        phi = yhat - s.take(p.free) @ beta_free
        ok, prev, (now, then), w = self._lagged(s)
        res = p.y[now] - p.free[now] @ beta_free
        state = _columns(p.state)
        stage = Innovations(phi[ok], phi[prev], [a[now] for a in state], [a[then] for a in state], res, w)
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
    weighted, whose sum of squares θ minimises (prodest's ``gOPLP``). Levenberg-Marquardt's steps
    depend only on |ξ|², J'ξ and J'J (J = dξ/dθ), which are quadratic forms in the moments'
    Gram matrix: it is given the equivalent residuals [R⁻ᵀJ'ξ; ρ] with Jacobian [R; 0] (R'R = J'J,
    ρ² = |ξ|² − |R⁻ᵀJ'ξ|²), and no evaluation touches the rows."""

    def __init__(self, phi, lphi, s: list, ls: list, res, w):
        """Columns of the rows with a lag: φ, φ₋₁, the state's (lists), res = y − free·β, weights."""
        self.columns, self.w, self.ns = [phi, lphi, *s, *ls, res], w, len(s)
        self.means = np.array([_mean(a, w) for a in self.columns])
        self._at = None

    def centre(self, theta0):
        """Moments of U = [φ₋₁ − s₋₁·θ₀, s₋₁] and Y = [φ − s·θ₀, s, res − s·θ₀], centred (res
        by t₀'s centre, so that ξ's expression below holds)."""
        self.theta0 = t0 = np.asarray(theta0, float)
        self._at = None
        ns, n = self.ns, len(self.columns)
        s, ls = slice(2, 2 + ns), slice(2 + ns, 2 + 2 * ns)
        u, y = np.zeros((1 + ns, n)), np.zeros((2 + ns, n))
        u[0, 1], u[0, ls], u[1:, ls] = 1.0, -t0, np.eye(ns)
        y[0, 0], y[0, s], y[1:1 + ns, s] = 1.0, -t0, np.eye(ns)
        y[1 + ns, n - 1], y[1 + ns, s] = 1.0, -t0
        u_off, y_off = -(u @ self.means), -(y @ self.means)
        y_off[1 + ns] = y_off[0]
        self.pm = PolyMoments(self.columns, np.column_stack([u, u_off]), np.column_stack([y, y_off]), self.w)

    def sums(self, theta):
        """(|ξ|², J'ξ, J'J) at θ. With v = φ₋₁ − s₋₁·θ and the fit p(v) = Σ g_i·(v/σ)^i of t = φ − s·θ:
        ξ = res − s·θ − p(v); dξ/dθ_j = −s_j + s₋₁,j·p'(v) − V·κ_j, κ_j = A⁻¹(V'W·a_j + dV_j'W·e),
        a_j = −s_j + s₋₁,j·p'(v), e = t − p(v), A = V'WV (the fit moves with t and with V)."""
        theta = np.asarray(theta, float)
        if self._at is not None and np.array_equal(theta, self._at[0]):
            return self._at[1]
        ns = self.ns
        d = theta - self.theta0
        c = np.r_[1.0, -d]
        g_, sd = self.pm.basis_gram(c, tuple(range(1, ns + 1)))
        q = ns + 2                                       # Y: t₀, s, r₀
        v = slice(q, q + 4)
        a = g_[v, v]
        t = np.zeros(len(g_))
        t[0], t[1:1 + ns] = 1.0, -d                      # t = φ − s·θ
        gc = np.linalg.solve(a, g_[v] @ t)
        xi = np.zeros(len(g_))
        xi[1:1 + ns], xi[ns + 1], xi[v] = -d, 1.0, -gc   # ξ = r₀ − s·Δθ − p(v)
        e = t.copy()
        e[v] = -gc                                       # e = t − p(v)
        dp = gc[1:] * np.arange(1, 4) / sd               # p'(v) in powers of v/σ
        jac = []
        for j in range(ns):
            aj = np.zeros(len(g_))
            aj[1 + j] = -1.0
            u = slice(q + 4 + 3 * j, q + 7 + 3 * j)
            aj[u] = dp
            rhs = g_[v] @ aj
            rhs[1:] -= np.arange(1, 4) / sd * (g_[u] @ e)
            aj[v] = -np.linalg.solve(a, rhs)
            jac.append(aj)
        jac = np.array(jac)
        out = (float(xi @ g_ @ xi), jac @ g_ @ xi, jac @ g_ @ jac.T)
        self._at = (theta.copy(), out)
        return out

    def criterion(self, theta):
        return self.sums(theta)[0]

    def gradient(self, theta):
        """½ of the criterion's gradient: J'ξ."""
        return self.sums(theta)[1]

    def residuals(self, theta):
        ss, jx, jj = self.sums(theta)
        r = np.linalg.cholesky(jj).T
        head = np.linalg.solve(r.T, jx)
        return np.r_[head, np.sqrt(max(ss - head @ head, 0.0))]

    def jacobian(self, theta):
        r = np.linalg.cholesky(self.sums(theta)[2]).T
        return np.vstack([r, np.zeros((1, len(r)))])

    def minimise(self, starts, theta0):
        self.centre(theta0)
        best = _minimise(self.criterion, starts, residuals=self.residuals, sum_of_squares=True,
                         jacobian=self.jacobian)
        best = _polished(self, best, sum_of_squares=True)
        # Levenberg-Marquardt stops when the sum of squares no longer changes in its 15th digit,
        # which in a flat valley can leave θ off in its 8th: the gradient's root is found to rounding
        best["params"] = newton_refine(self.gradient, best["params"])
        best["criterion"] = self.criterion(best["params"])
        return best


class ACF(_ProxyEstimator):
    method = "acf"
    linear_blocks = ("controls",)
    poly_blocks = ("free", "state", "proxy")

    def __init__(self, *args, starts: int = 6, start_seed: int = 12345, **kwargs):
        super().__init__(*args, **kwargs)
        self.n_starts = starts
        self.start_seed = start_seed

    def _fit(self, s, start=None):
        p = s.panel
        nf, ns = p.free.shape[1], p.state.shape[1]
        nc = 0 if p.controls is None else p.controls.shape[1]
        b, phi = self._first_stage(s)
        sc = p.scales()
        lin = poly_linear(b[1 + nc:], np.r_[sc["free"][0], sc["state"][0], sc["proxy"][0]],
                          np.r_[sc["free"][1], sc["state"][1], sc["proxy"][1]])[:nf + ns]
        first = np.concatenate([lin, b[1:1 + nc] / sc["controls"][1] if nc else []])   # free, state, controls
        ok, prev, (now, then), w = self._lagged(s)
        X = _columns(p.free) + _columns(p.state) + _columns(p.controls)
        gmm = GMM(phi[ok], phi[prev], [a[now] for a in X], [a[then] for a in X], nf, ns, w)
        kx = len(X)
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
    weighted, and prodest's ``gACF`` criterion m'Wm with W = (Z'Z)⁻¹/N. The instruments Z are the
    lagged free inputs, the current state and the lagged controls (prodest 1.0.2, which fixed
    controls in ACF); centring them changes no moment (the fit's residuals sum to zero)."""

    def __init__(self, phi, lphi, X: list, lX: list, nf: int, ns: int, w):
        n = len(phi) if w is None else w.sum()
        k = self.k = len(X)
        self.columns, self.w = [phi, lphi, *X, *lX], w
        z = list(range(2 + k, 2 + k + nf)) + list(range(2 + nf, 2 + nf + ns)) + list(range(2 + k + nf + ns, 2 + 2 * k))
        self.z = np.array(z)                               # Z = lagged free, state, lagged controls
        zw = [self.columns[i] if w is None else self.columns[i] * w for i in z]
        self.W = np.linalg.inv(np.array([[a @ self.columns[j] for j in z] for a in zw])) / n
        self.chol = np.linalg.cholesky(self.W)
        self.means = np.array([_mean(a, w) for a in self.columns])

    def centre(self, theta0):
        """Moments of U = [φ₋₁ − X₋₁·θ₀, X₋₁] and Y = [φ − X·θ₀, X, Z], each centred."""
        self.theta0 = t0 = np.asarray(theta0, float)
        k, n = self.k, len(self.columns)
        x, lx = slice(2, 2 + k), slice(2 + k, 2 + 2 * k)
        u, y = np.zeros((1 + k, n)), np.zeros((1 + 2 * k, n))
        u[0, 1], u[0, lx], u[1:, lx] = 1.0, -t0, np.eye(k)
        y[0, 0], y[0, x], y[1:1 + k, x] = 1.0, -t0, np.eye(k)
        y[1 + k + np.arange(k), self.z] = 1.0
        self.pm = PolyMoments(self.columns, np.column_stack([u, -(u @ self.means)]),
                              np.column_stack([y, -(y @ self.means)]), self.w)

    def moments(self, theta):
        k = self.k
        om = np.zeros(2 * k + 5)                         # Y: ω₀, X, Z; then the powers of v
        om[0] = 1.0
        np.subtract(self.theta0, theta, out=om[1:1 + k])  # ω = φ − X·θ
        g_, _ = self.pm.basis_gram(om[:1 + k])
        q = 1 + 2 * k
        v = slice(q, q + 4)
        om[v] = -np.linalg.solve(g_[v, v], g_[v] @ om)    # ω − its fit on the cubic in ω₋₁
        return g_[1 + k:q] @ om

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
