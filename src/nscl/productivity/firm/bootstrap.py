"""Bootstrap over firms: resampled panels and their estimates, in parallel worker processes."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from .panel import FirmDataError, Panel, _previous_index


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


def bootstrap_draws(model, reps: int, seed: int | None, jobs: int = 1, progress=None,
                    batch: int | None = None, estimate: np.ndarray | None = None):
    """Estimates of `model` (a ProductionFunction) on `reps` firm-resampled panels; the same seed gives the same draws whatever `jobs`
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


