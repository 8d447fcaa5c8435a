"""The production-function estimators: each a model class whose ``fit()`` returns
:class:`~nscl.productivity.firm.results.ProductivityResults` (conventions in the package docstring).

Every estimator computes on a :class:`~nscl.productivity.firm.panel.Sample`: the panel's rows, or a
bootstrap draw's firms with their multiplicity as weights. Linear steps are solved from weighted
Gram matrices of centred and scaled columns (:mod:`.sums`); for a draw they come from each firm's
sums, computed once (:meth:`ProductionFunction.firm_sums`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import methods
from .bootstrap import bootstrap_draws
from .panel import FirmDataError, Panel, Sample, poly2, prepare
from .results import ProductivityResults, firm_tfp
from .sums import firm_gram, gram, solve_normal, unpack, well_posed

PROXY_KIND = {"investment": "đầu tư", "materials": "nguyên vật liệu (đầu vào trung gian)"}


def singular(what: str) -> FirmDataError:
    return FirmDataError(f"Ma trận suy biến ở {what}: các biến phụ thuộc tuyến tính hoặc quá ít quan sát.")


class ProductionFunction:
    method = ""

    def __init__(self, data: pd.DataFrame | Panel, id="id", time="time", output="y", free=None, state=None,
                 proxy=None, controls=None, log_inputs=False):
        self.panel = data if isinstance(data, Panel) else prepare(
            data, id, time, output, free, state, proxy, controls, log_inputs)
        self._firm_sums: dict = {}
        spec = methods.firm_method(self.method)
        if self.needs_proxy and self.panel.proxy is None:
            raise FirmDataError(f"{spec.label_vi} cần một biến đại diện: chưa chọn cột {PROXY_KIND[spec.proxy]}.",
                                field="proxy")
        if self.needs_proxy:
            p = self.panel.proxy[:, 0]
            if np.nanstd(p) == 0:
                raise FirmDataError(f"Biến đại diện {self.panel.names['proxy']} không thay đổi giữa các quan sát.")

    @property
    def needs_proxy(self) -> bool:
        return methods.firm_method(self.method).needs_proxy

    @property
    def names(self):
        n = self.panel.names
        return n["free"] + n["state"] + n["controls"]

    def _fit(self, s: Sample, start: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
        """(params, info) on the sample; `start` is the full sample's estimate when `s` is a
        bootstrap draw (a start for the optimisers), None for the estimate itself."""
        raise NotImplementedError

    def _designs(self, p: Panel) -> dict:
        """The column sets whose weighted Gram matrices the estimator needs, by name: (builds, width,
        rows) — functions of an index into `rows` (the panel's rows, or those with a lag) giving
        columns, summed over the functions (the equations of a stacked system)."""
        return {}

    def _gram(self, s: Sample, name: str) -> np.ndarray:
        """Σ w·x'x of the design `name` over the sample: from the firms' sums for a weighted draw."""
        builds, width, rows = self._designs(s.panel)[name]
        if s.firm_weight is not None:
            return unpack(s.firm_weight @ self.firm_sums(name), width)
        n = s.panel.n if rows is None else len(rows)
        return sum(gram(b, n, width) for b in builds)

    def firm_sums(self, name: str) -> np.ndarray:
        """Each firm's Σ x'x of the design `name` (upper triangles, one row per firm), computed once."""
        if name not in self._firm_sums:
            p = self.panel
            builds, width, rows = self._designs(p)[name]
            ids = p.ids if rows is None else p.ids[rows]
            self._firm_sums[name] = sum(firm_gram(b, len(ids), width, ids, p.n_firms) for b in builds)
        return self._firm_sums[name]

    def prepare_draws(self) -> None:
        """Compute the firms' sums the draws need (once, before the worker processes start)."""
        for name in self._designs(self.panel):
            self.firm_sums(name)

    def _estimate_draw(self, panel: Panel, estimate: np.ndarray) -> np.ndarray:
        """A bootstrap draw's estimate from its copied rows (`panel` from ``resample_firms``)."""
        return self._fit(Sample(panel), start=np.asarray(estimate, float))[0]

    def _estimate_weighted(self, firm_weight: np.ndarray, estimate: np.ndarray) -> np.ndarray:
        """A bootstrap draw's estimate from the firms' multiplicity weights: the same as from the copied rows."""
        return self._fit(Sample(self.panel, np.asarray(firm_weight, float)), start=np.asarray(estimate, float))[0]

    def fit(self, bootstrap: int = 0, seed: int | None = None, jobs: int = 1, progress=None) -> ProductivityResults:
        """`progress(done, total)` is called as bootstrap draws finish; raising from it stops the fit.
        Runs with one BLAS thread: the products here are skinny (N × a dozen), and a second thread
        made point estimates 1.5-2 times and draws 3-5 times slower on the two-core machine."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return self._fit_and_draw(bootstrap, seed, jobs, progress)

    def _fit_and_draw(self, bootstrap, seed, jobs, progress) -> ProductivityResults:
        params, info = self._fit(Sample(self.panel))
        se = info.pop("std_errors", None)
        boot = {"reps": 0, "failed": 0}
        if bootstrap:
            draws, failed = bootstrap_draws(self, bootstrap, seed, jobs, progress=progress, estimate=params)
            boot = {"reps": int(bootstrap), "failed": int(failed)}
            ok = draws[np.isfinite(draws).all(axis=1)]
            se = ok.std(axis=0, ddof=1) if len(ok) > 1 else np.full(len(params), np.nan)
        res = ProductivityResults(self.method, self.names, np.asarray(params, float), se, info.pop("n_obs"),
                                  self.panel.n_firms, info.pop("criterion", None),
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
            model = cls.__new__(cls)
            model.panel = p
            b, info = model._fit(Sample(p))
            out[code] = {"params": [float(v) for v in b], "std_errors": [float(v) for v in info["std_errors"]]}
        except (FirmDataError, np.linalg.LinAlgError, ValueError):
            pass
    if methods.firm_method(method).needs_proxy and p.proxy is not None:
        sc = p.scales()
        nf = p.free.shape[1]

        def build(sl):
            sp = np.column_stack([(p.state[sl] - sc["state"][0]) / sc["state"][1],
                                  (p.proxy[sl] - sc["proxy"][0]) / sc["proxy"][1]])
            return np.column_stack([np.ones(len(sp)), poly2(sp), p.free[sl] - sc["free"][0]])
        k = 1 + poly2(np.zeros((1, p.state.shape[1] + 1))).shape[1]
        g = gram(build, p.n, k + nf)
        r2 = []
        for j in range(nf):
            f = k + j
            tss = g[f, f] - g[0, f] ** 2 / g[0, 0]
            try:
                b = solve_normal(g[:k, :k], g[:k, f])
                sse = g[f, f] - b @ g[:k, f]
            except np.linalg.LinAlgError:
                sse = 0.0
            r2.append(1.0 - max(sse, 0.0) / tss if tss > 0 else 1.0)
        out["free_r2_on_proxy"] = r2
    return out


def _linear(gm: np.ndarray, k: int, what: str) -> np.ndarray:
    """Coefficients of the last column of a Gram matrix on the first k columns."""
    if not well_posed(gm[:k, :k]):
        raise singular(what)
    return solve_normal(gm[:k, :k], gm[:k, k])


class OLS(ProductionFunction):
    method = "ols"
    within = False     # FixedEffects: each firm's means taken out

    def _designs(self, p):
        """The inputs (centred; FE: within firm) scaled by their standard deviation, then the
        output; OLS has a constant first."""
        sc = p.scales()
        blocks = [b for b in ("free", "state", "controls") if getattr(p, b) is not None]
        mean = np.concatenate([sc[b][0] for b in blocks] + [[p.y.mean()]])
        sd = np.concatenate([sc[b][1] for b in blocks] + [[1.0]])
        if self.within:
            if "firm_means" not in p.cache:
                counts = np.bincount(p.ids)
                p.cache["firm_means"] = np.column_stack(
                    [np.bincount(p.ids, getattr(p, b)[:, j]) / counts for b in blocks
                     for j in range(getattr(p, b).shape[1])] + [np.bincount(p.ids, p.y) / counts])

            def build(rows):
                xy = np.column_stack([getattr(p, b)[rows] for b in blocks] + [p.y[rows]])
                return (xy - p.cache["firm_means"][p.ids[rows]]) / sd
            return {"fe": ([build], len(sd), None)}

        def build(rows):
            xy = np.column_stack([getattr(p, b)[rows] for b in blocks] + [p.y[rows]])
            return np.column_stack([np.ones(len(xy)), (xy - mean) / sd])
        return {"ols": ([build], 1 + len(sd), None)}

    def _scale(self, p):
        sc = p.scales()
        sd = np.concatenate([sc[b][1] for b in ("free", "state", "controls") if getattr(p, b) is not None])
        return sd if self.within else np.r_[1.0, sd]

    def _fit(self, s, start=None):
        p = s.panel
        (name, (_, width, _)), = self._designs(p).items()
        sd = self._scale(p)
        g = self._gram(s, name)
        k = width - 1
        n = s.count()
        if n <= k or not well_posed(g[:k, :k]):
            raise FirmDataError("Ma trận hồi quy suy biến sau khi khử trung bình theo doanh nghiệp "
                                "(có biến không đổi theo thời gian trong từng doanh nghiệp?)." if self.within else
                                "Ma trận hồi quy suy biến: các biến đầu vào phụ thuộc tuyến tính.")
        b = solve_normal(g[:k, :k], g[:k, k]) / sd
        first = 0 if self.within else 1
        if start is not None:   # a bootstrap draw: no standard errors
            return b[first:], {}
        dof = n - k - (p.n_firms if self.within else 0)
        if dof <= 0:
            raise FirmDataError("Quá ít quan sát so với số tham số.")
        sse = max(g[k, k] - (b * sd) @ g[:k, k], 0.0)
        cov = sse / dof * np.linalg.inv(g[:k, :k]) / np.outer(sd, sd)
        return b[first:], {"n_obs": int(n), "std_errors": np.sqrt(np.diag(cov))[first:]}


class FixedEffects(OLS):
    method = "fe"
    within = True


def method_spec(method: str) -> methods.Method:
    """The registry's firm method `method`, or a message listing the methods."""
    try:
        return methods.firm_method(method)
    except KeyError:
        raise FirmDataError(f"Phương pháp “{method}” không có; chọn một trong: "
                            f"{', '.join(methods.codes(methods.FIRM_METHODS))}.", field="method") from None


def estimate(data: pd.DataFrame, method: str, **kwargs) -> ProductionFunction:
    """The model of the registry's method `method` on `data` (keyword arguments as the classes')."""
    return method_spec(method).model()(data, **kwargs)
