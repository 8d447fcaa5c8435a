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
    degree ≤ `degree` and Σ w·Y_i·Y_j: from them the cross-products of the powers 1, v, …, v^degree
    of any linear combination v = U·c with each other, with the Y columns and with U's columns
    (:meth:`basis_gram`) cost nothing per evaluation (an estimator's criterion is evaluated hundreds
    of times). Columns should be centred: the expansion of v's powers then loses few digits (about
    1e-15 of the result where the estimators use it, even 0.5 away from the centre)."""

    def __init__(self, columns: list, u_map, y_map, weight: np.ndarray | None = None, degree: int = 3):
        """U = u_map·[columns; 1] and Y = y_map·[columns; 1]: `columns` a list of 1-D arrays of the
        same length, the maps' last column a constant (U and Y are formed chunk by chunk, never
        whole)."""
        u_map, y_map = np.asarray(u_map, float), np.asarray(y_map, float)
        n, d, n_cols = len(columns[0]), len(u_map), len(columns)
        self.d, self.degree, self.q = d, degree, len(y_map)
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
        m = b = np.empty((0, 0))
        for sl in chunks(n, n_mono + self.q + n_cols):
            width = sl.stop - sl.start
            if m.shape[1] != width:
                m, b = np.empty((n_mono, width)), np.ones((n_cols + 1, width))
            for i, col in enumerate(columns):
                b[i] = col[sl]
            u, y = u_map @ b, y_map @ b
            m[0] = 1.0
            for i in range(1, n_mono):
                np.multiply(m[parent[i]], u[var[i]], out=m[i])
            wy = y if weight is None else y * weight[sl]
            uu += m @ (np.ones(width) if weight is None else weight[sl])
            uy += m[:n_low] @ wy.T
            yy += wy @ y.T
        self.uu, self.uy, self.yy = uu, uy, yy
        self.n = uu[0]
        # constants of basis_gram (it runs hundreds of times per estimate: few numpy calls)
        p, top = degree + 1, 2 * degree
        self._by_degree = (self.deg[:, None] == np.arange(top + 1)[None, :]).astype(float)
        self._low_t = np.ascontiguousarray(self._by_degree[:n_low, :p].T)
        self._hankel = np.arange(p)[:, None] + np.arange(p)[None, :]
        self._rect = np.arange(p)[:, None] + np.arange(degree)[None, :]
        self._square = np.arange(degree)[:, None] + np.arange(degree)[None, :]
        self._powers = np.arange(top + 1.0)
        self._vars = np.arange(d)
        low5, low3, low4 = self.deg < top, self.deg < degree, self.deg <= top - 2
        self._extra = [(low5, self.uu[self.up[low5, j]], self._by_degree[low5, :top],
                        low3, self.uy[self.up[low3, j]], np.ascontiguousarray(self._by_degree[low3, :degree].T),
                        [(low4, self.uu[self.up[self.up[low4, j], j2]], self._by_degree[low4, :top - 1])
                         for j2 in range(d)]) for j in range(d)]

    def basis_gram(self, c, extra=()) -> tuple[np.ndarray, float]:
        """(G, σ): the weighted Gram matrix of the functions [Y columns; (v/σ)^i, i ≤ degree;
        U_j·(v/σ)^m, m < degree, for each j in `extra`], v = U·c, σ v's standard deviation; an
        estimator's fits, residuals and derivatives are combinations of them, so their sums of
        squares and cross-products are quadratic forms in G."""
        c = np.asarray(c, float)
        deg, p, q = self.degree, self.degree + 1, self.q
        # mult·c^α, the powers of each c_j taken from a table
        coef = self.mult * np.prod(np.power.outer(c, self._powers)[self._vars, self.expo], axis=1)
        s = (coef * self.uu) @ self._by_degree              # Σ w v^n, n ≤ 2·degree
        mean = s[1] / s[0]
        sd = float(np.sqrt(max(s[2] / s[0] - mean * mean, 0.0))) or 1.0
        sc = sd ** -self._powers
        n_b = q + p + deg * len(extra)
        g = np.empty((n_b, n_b))
        g[:q, :q] = self.yy
        g[q:q + p, q:q + p] = (s * sc)[self._hankel]
        yv = (self._low_t @ (coef[:self.n_low, None] * self.uy)).T * sc[:p]
        g[:q, q:q + p], g[q:q + p, :q] = yv, yv.T
        for a, j in enumerate(extra):
            o = q + p + deg * a
            low5, uu5, bd5, low3, uy3, bd3, pairs = self._extra[j]
            vu = (((coef[low5] * uu5) @ bd5) * sc[:2 * deg])[self._rect]
            yu = (bd3 @ (coef[low3, None] * uy3)).T * sc[:deg]
            g[q:q + p, o:o + deg], g[o:o + deg, q:q + p] = vu, vu.T
            g[:q, o:o + deg], g[o:o + deg, :q] = yu, yu.T
            for b, j2 in enumerate(extra[:a + 1]):
                o2 = q + p + deg * b
                low4, uu4, bd4 = pairs[j2]
                uu = (((coef[low4] * uu4) @ bd4) * sc[:2 * deg - 1])[self._square]
                g[o:o + deg, o2:o2 + deg], g[o2:o2 + deg, o:o + deg] = uu, uu.T
        return g, sd
