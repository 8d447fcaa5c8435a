"""Bootstrap over firms: each draw resamples the firms with replacement, in parallel worker processes.

A draw is computed from each firm's multiplicity weight (how many times it was drawn), not from
copied rows: the estimators' sums are weighted sums over the original rows, and their linear steps
come from each firm's sums computed once. It equals the estimate on the panel of copied firms
(:func:`resample_firms`, each copy a firm of its own, lags within it), which the tests check.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from .panel import FirmDataError, Panel, _previous_index


def firm_weights(n_firms: int, rng: np.random.Generator) -> np.ndarray:
    """How many times each firm is drawn when `n_firms` firms are drawn with replacement."""
    return np.bincount(rng.integers(0, n_firms, n_firms), minlength=n_firms).astype(float)


def resample_firms(panel: Panel, rng: np.random.Generator) -> Panel:
    """A bootstrap panel: firms drawn with replacement, each draw a new firm (lags stay inside it);
    the same draw as :func:`firm_weights` from the same generator state."""
    n_firms = panel.n_firms
    starts = np.flatnonzero(np.r_[True, panel.ids[1:] != panel.ids[:-1]])
    lengths = np.diff(np.r_[starts, panel.n])
    pick = rng.integers(0, n_firms, n_firms)
    rows = np.concatenate([np.arange(starts[f], starts[f] + lengths[f]) for f in pick])
    new_ids = np.repeat(np.arange(n_firms), lengths[pick])
    take = (lambda a: None if a is None else a[rows])  # noqa: E731
    return Panel(ids=new_ids, time=panel.time[rows], y=panel.y[rows], free=panel.free[rows], state=panel.state[rows],
                 proxy=take(panel.proxy), controls=take(panel.controls),
                 prev=_previous_index(new_ids, panel.time[rows]), names=panel.names)


def draw_estimates(model, estimate, seeds, copied_rows: bool = False):
    """(estimates, failed) of the draws with these seeds; a failed draw is a row of NaN.
    `copied_rows`: from the panel of copied firms (the reference the weighted draws equal)."""
    out, failed = [], 0
    n_firms = model.panel.n_firms
    for seq in seeds:
        rng = np.random.default_rng(seq)
        try:
            if copied_rows:
                params = model._estimate_draw(resample_firms(model.panel, rng), estimate)
            else:
                params = model._estimate_weighted(firm_weights(n_firms, rng), estimate)
            params = np.asarray(params, float)
            if not np.isfinite(params).all():
                raise FloatingPointError
            out.append(params)
        except (FirmDataError, np.linalg.LinAlgError, FloatingPointError, ValueError):
            out.append(np.full(len(model.names), np.nan))
            failed += 1
    return np.array(out).reshape(len(seeds), len(model.names)), failed


_WORKER: dict = {}


def setup_pool_worker():
    """Each pool process: one BLAS thread (several workers each running a multi-threaded BLAS on the
    same cores are slower than one process), and on Linux it ends when the process that started it
    dies, even by SIGKILL: an analysis worker killed mid-bootstrap leaves no orphans computing on."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() == 1:  # the parent died before prctl: nobody will read the results
            os._exit(1)


def _start_worker(model, estimate):
    setup_pool_worker()
    _WORKER.update(model=model, estimate=estimate)


def _worker_chunk(seeds):
    return draw_estimates(_WORKER["model"], _WORKER["estimate"], seeds)


def bootstrap_draws(model, reps: int, seed: int | None, jobs: int = 1, progress=None,
                    batch: int | None = None, estimate: np.ndarray | None = None):
    """Estimates of `model` (a ProductionFunction) on `reps` firm-resampled panels; the same seed
    gives the same draws whatever `jobs` (draw i always uses the i-th child of the seed). The firms'
    sums are computed once, before the worker processes start (which receive the model once). Work
    goes in batches so `progress` can report."""
    seeds = np.random.SeedSequence(seed).spawn(reps)
    jobs = max(1, min(jobs or 1, reps, os.cpu_count() or 1))
    batch = batch or max(jobs, min(reps, 10 * jobs))
    draws = np.full((reps, len(model.names)), np.nan)
    failed = 0
    model.prepare_draws()
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                               initargs=(model, estimate)) if jobs > 1 else None
    try:
        for start in range(0, reps, batch):
            part = seeds[start:start + batch]
            chunks = [part[i::jobs] for i in range(jobs) if part[i::jobs]]
            if pool is None:
                results = [draw_estimates(model, estimate, chunks[0])]
            else:
                results = list(pool.map(_worker_chunk, chunks))
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
