"""Sufficient statistics of the estimators: weighted cross-products (Gram matrices) over rows or per
firm, and the moments of polynomials in linear combinations of columns.

Why: a bootstrap draw that resamples firms with replacement is the panel with an integer weight per
firm (how many times it was drawn). Every sum over the resampled rows is then a weighted sum over
the original rows, and a sum of cross-products is the weighted sum of the firms' own sums, which
are computed once. Sums are taken over chunks of rows that stay in the processor's cache and never
build an N × K matrix.
"""
from __future__ import annotations

from itertools import combinations_with_replacement
from math import factorial

import numpy as np

CHUNK_CELLS = 1 << 19   # floats of one chunk's work matrix (4 MB, in the shared cache)


def chunks(n: int, width: int = 1):
    """Row slices of a work matrix `width` columns wide."""
    step = max(256, CHUNK_CELLS // max(int(width), 1))
    for a in range(0, n, step):
        yield slice(a, min(a + step, n))


def gram(build, n: int, k: int, weight: np.ndarray | None = None) -> np.ndarray:
    """Σ w·x'x over the rows of the matrix whose rows `sl` are ``build(sl)`` (k columns)."""
    g = np.zeros((k, k))
    for sl in chunks(n, k):
        x = build(sl)
        g += x.T @ (x if weight is None else x * weight[sl, None])
    return g


def firm_gram(build, n: int, k: int, ids: np.ndarray, n_firms: int) -> np.ndarray:
    """Each firm's Σ x'x (upper triangle, :func:`unpack` order), one row per firm; `ids` sorted."""
    iu, ju = np.triu_indices(k)
    out = np.zeros((n_firms, len(iu)))
    for sl in chunks(n, len(iu)):
        x = build(sl)
        prods = x[:, iu] * x[:, ju]
        f = ids[sl]
        starts = np.flatnonzero(np.r_[True, f[1:] != f[:-1]])
        out[f[starts]] += np.add.reduceat(prods, starts, axis=0)
    return out


def unpack(tri: np.ndarray, k: int) -> np.ndarray:
    """The symmetric k × k matrix of an upper triangle from :func:`firm_gram` (summed over firms)."""
    g = np.zeros((k, k))
    g[np.triu_indices(k)] = tri
    return g + np.triu(g, 1).T


def solve_normal(g: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve the normal equations g·b = rhs, scaled to unit diagonal (equilibrated) first."""
    d = np.sqrt(np.diag(g))
    d[d == 0] = 1.0
    return np.linalg.solve(g / np.outer(d, d), rhs / (d if rhs.ndim == 1 else d[:, None])) / (
        d if rhs.ndim == 1 else d[:, None])


def well_posed(g: np.ndarray, tol: float = 1e-11) -> bool:
    """False when the columns behind the Gram matrix `g` are (nearly) linearly dependent: its
    correlation-scaled form has an eigenvalue below `tol` of the largest (a singular value ratio
    of about 3e-6), or a column is zero next to the others (below 1e-9 of the largest in norm; the
    columns are scaled alike before their sums are taken)."""
    if not np.all(np.isfinite(g)):
        return False
    d = np.sqrt(np.maximum(np.diag(g), 0.0))
    if not np.all(d > 1e-9 * d.max()):
        return False
    ev = np.linalg.eigvalsh(g / np.outer(d, d))
    return bool(ev[0] > tol * ev[-1])


class PolyMoments:
    """Σ w·U^α for every monomial of total degree ≤ 2·`degree` in the columns of U, Σ w·U^α·Y_j for
    degree ≤ `degree` and Σ w·Y_i·Y_j: from them the normal equations of a least-squares fit on the
    powers 1, v, …, v^degree of any linear combination v = U·c, and the cross-products of those
    powers with any combination of the Y columns, cost nothing per evaluation (an estimator's
    criterion is evaluated hundreds of times). Columns should be centred (the expansion of v's
    powers then loses few digits)."""

    def __init__(self, U: np.ndarray, Y: np.ndarray, weight: np.ndarray | None = None, degree: int = 3):
        n, d = U.shape
        self.d, self.degree, self.q = d, degree, Y.shape[1]
        expo, parent, var = [(0,) * d], [-1], [-1]
        index = {expo[0]: 0}
        for total in range(1, 2 * degree + 1):
            for combo in combinations_with_replacement(range(d), total):
                e = tuple(np.bincount(combo, minlength=d).tolist())
                j = combo[-1]
                parent.append(index[e[:j] + (e[j] - 1,) + e[j + 1:]])   # this monomial = parent · U_j
                var.append(j)
                index[e] = len(expo)
                expo.append(e)
        # up[i, j]: the monomial U^α·U_j for the monomial i = U^α of degree < 2·degree
        self.up = np.array([[index.get(e[:j] + (e[j] + 1,) + e[j + 1:], -1) for j in range(d)] for e in expo])
        self.expo = np.array(expo)
        self.deg = self.expo.sum(axis=1)
        self.mult = np.array([factorial(int(t)) / np.prod([factorial(int(a)) for a in e])
                              for t, e in zip(self.deg, self.expo)])
        n_mono, n_low = len(expo), int((self.deg <= degree).sum())
        self.n_low = n_low
        uu, uy, yy = np.zeros(n_mono), np.zeros((n_low, self.q)), np.zeros((self.q, self.q))
        Ut, Yt = np.ascontiguousarray(U.T), np.ascontiguousarray(Y.T)
        m = np.empty((n_mono, 0))
        for sl in chunks(n, n_mono):
            width = sl.stop - sl.start
            if m.shape[1] != width:
                m = np.empty((n_mono, width))
            m[0] = 1.0
            u = Ut[:, sl]
            for i in range(1, n_mono):
                np.multiply(m[parent[i]], u[var[i]], out=m[i])
            y = Yt[:, sl]
            if weight is not None:
                y = y * weight[sl]
            uu += m @ (np.ones(width) if weight is None else weight[sl])
            uy += m[:n_low] @ y.T
            yy += y @ Yt[:, sl].T
        self.uu, self.uy, self.yy = uu, uy, yy
        self.n = uu[0]
        self._by_degree = (self.deg[:, None] == np.arange(2 * degree + 1)[None, :]).astype(float)

    def _coef(self, c):
        return self.mult * np.prod(np.asarray(c, float)[None, :] ** self.expo, axis=1)

    def powers(self, c) -> np.ndarray:
        """Σ w·v^m, m = 0 … 2·degree, for v = U·c."""
        return (self._coef(c) * self.uu) @ self._by_degree

    def times_column(self, c, j: int):
        """(Σ w·v^m·U_j for m < 2·degree, Σ w·v^i·U_j·Y for i < degree (rows)), v = U·c."""
        coef = self._coef(c)
        low = self.deg < 2 * self.degree
        r = (coef[low] * self.uu[self.up[low, j]]) @ self._by_degree[low, :2 * self.degree]
        lo = np.flatnonzero(self.deg < self.degree)
        q = self._by_degree[lo, :self.degree].T @ (coef[lo, None] * self.uy[self.up[lo, j]])
        return r, q

    def fit(self, c, y_coef):
        """For v = U·c and the target t = Y·y_coef: the coefficients g of the least-squares fit of t
        on (1, v/σ, (v/σ)², …) with σ v's standard deviation, σ, and the matrix
        T = [Σ w·(v/σ)^i·Y_j] (degree + 1 rows) for further cross-products."""
        coef = self._coef(c)
        s = (coef * self.uu) @ self._by_degree            # Σ w v^m, m = 0 … 2·degree
        mean = s[1] / s[0]
        sd = np.sqrt(max(s[2] / s[0] - mean * mean, 0.0)) or 1.0
        scale = sd ** -np.arange(2 * self.degree + 1)
        s = s * scale
        p = self.degree + 1
        a = s[np.arange(p)[:, None] + np.arange(p)[None, :]]
        t = self._by_degree[:self.n_low, :p].T @ (coef[:self.n_low, None] * self.uy) * scale[:p, None]
        g = np.linalg.solve(a, t @ np.asarray(y_coef, float))
        return g, sd, t
