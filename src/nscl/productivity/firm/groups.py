"""The production function estimated for each value of a column (an industry, say), in parallel
worker processes: each group's estimate is exactly a separate run on that group's rows (same method,
options and bootstrap seed). Groups with fewer rows than the minimum, or whose estimate fails, are
reported with the reason instead of stopping the others."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import methods
from .bootstrap import setup_pool_worker
from .estimators import estimate, method_spec
from .panel import FirmDataError, check_columns, needed_columns
from .results import ProductivityResults, summary_text

MIN_GROUP = methods.FIRM_MIN_GROUP   # firm-years: fewer are too few to estimate a production function


def group_key(value) -> str:
    """A group's name: '10', not '10.0'; '' when the value is missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def skip_reason(info: dict, language: str = "vi") -> str:
    """Why a group was not estimated, in words of `language` ("vi" or "en")."""
    en = language.lower().startswith("en")
    if info["reason"] == "too_small":
        return (f"group too small: {info['n_obs']} firm-years, at least {info['min_group']} needed" if en else
                f"nhóm quá nhỏ: {info['n_obs']} doanh nghiệp-năm, cần ít nhất {info['min_group']}")
    if info["reason"] == "missing":
        return (f"{info['n_obs']} rows have no value in this column" if en else
                f"{info['n_obs']} dòng không có giá trị ở cột này")
    return (f"not estimated: {info['message']}" if en else f"không ước lượng được: {info['message']}")


@dataclass
class GroupResults:
    """One :class:`ProductivityResults` per group value (in the column's sort order) and the groups
    skipped with why (``{"reason": "too_small" | "missing" | "error", ...}``, see :func:`skip_reason`)."""

    by: str
    groups: dict
    skipped: dict = field(default_factory=dict)
    min_group: int = MIN_GROUP

    @property
    def log_tfp(self) -> pd.DataFrame:
        """The firm-year TFP of every group, the group first (each group's index is relative to
        its own mean, as in a separate run)."""
        frames = [r.log_tfp.assign(**{self.by: key})[[self.by, *r.log_tfp.columns]]
                  for key, r in self.groups.items() if r.log_tfp is not None]
        if not frames:
            return pd.DataFrame(columns=[self.by, "firm", "time", "log_tfp", "tfp_index"])
        return pd.concat(frames, ignore_index=True)

    def skipped_reasons(self, language: str = "vi") -> dict:
        return {key: skip_reason(info, language) for key, info in self.skipped.items()}

    def to_dict(self) -> dict:
        return {"by": self.by, "min_group": self.min_group,
                "groups": {key: r.to_dict() for key, r in self.groups.items()},
                "skipped": self.skipped_reasons("vi"), "skipped_detail": self.skipped}

    def summary(self, language: str = "en") -> str:
        return grouped_summary(self.to_dict(), language)


def grouped_summary(d: dict, language: str = "en") -> str:
    """One block per group, then the groups skipped, from a :meth:`GroupResults.to_dict`."""
    vi = language.lower().startswith("vi")
    blocks = [f"== {d['by']} = {key} ==\n{summary_text(r, language)}" for key, r in d["groups"].items()]
    if d["skipped_detail"]:
        head = "Nhóm không ước lượng:" if vi else "Groups not estimated:"
        blocks.append(head + "\n" + "\n".join(f"  {d['by']} = {key or '—'}: {skip_reason(info, language)}"
                                              for key, info in d["skipped_detail"].items()))
    return "\n\n".join(blocks)


_JOB: dict = {}


def _start_worker(data, codes, method, options, fit_options):
    setup_pool_worker()
    _JOB.update(data=data, codes=codes, method=method, options=options, fit_options=fit_options)


def _fit_group(code: int):
    """(code, results or None, error message)."""
    rows = np.flatnonzero(_JOB["codes"] == code)
    try:
        model = estimate(_JOB["data"].iloc[rows], _JOB["method"], **_JOB["options"])
        return code, model.fit(**_JOB["fit_options"]), None
    except (FirmDataError, np.linalg.LinAlgError, ValueError, FloatingPointError) as e:
        return code, None, str(e)


def fit_by_group(data: pd.DataFrame, method: str, by: str, min_group: int = MIN_GROUP, bootstrap: int = 0,
                 seed: int | None = None, jobs: int = 1, progress=None, **options) -> GroupResults:
    """The estimate of `method` (keyword `options` as :func:`estimate`'s) on the rows of each value
    of the column `by`, with `jobs` processes over the groups (each group's bootstrap in one of
    them). `progress(done, total)` is called as groups finish; raising from it stops the fit."""
    roles = {k: options.get(k) for k in ("id", "time", "output", "free", "state", "proxy", "controls")}
    used = needed_columns(**roles)
    check_columns(data, [by], field="by")
    check_columns(data, used)
    if by in used:
        raise FirmDataError(f"Cột {by} đang dùng cho vai trò khác; chọn cột nhóm khác (ví dụ ngành).", field="by")
    method_spec(method)
    codes, values = pd.factorize(data[by], sort=True)
    codes = np.asarray(codes)
    skipped, todo = {}, []
    missing = int((codes < 0).sum())
    if missing:
        skipped[""] = {"reason": "missing", "n_obs": missing}
    counts = np.bincount(codes[codes >= 0], minlength=len(values))
    keys = [group_key(v) for v in values]
    for code, (key, n) in enumerate(zip(keys, counts)):
        if n < min_group:
            skipped[key] = {"reason": "too_small", "n_obs": int(n), "min_group": int(min_group)}
        else:
            todo.append(code)
    todo.sort(key=lambda c: -counts[c])         # the largest first: the processes finish together
    fit_options = {"bootstrap": bootstrap, "seed": seed, "jobs": 1}
    found: dict = {}
    jobs = max(1, min(jobs or 1, len(todo), os.cpu_count() or 1))
    if jobs == 1:
        _start = dict(data=data, codes=codes, method=method, options=options, fit_options=fit_options)
        _JOB.update(_start)
        try:
            for i, code in enumerate(todo):
                found[code] = _fit_group(code)
                if progress is not None:
                    progress(i + 1, len(todo))
        finally:
            _JOB.clear()
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                                 initargs=(data, codes, method, options, fit_options)) as pool:
            futures = [pool.submit(_fit_group, code) for code in todo]
            try:
                for i, f in enumerate(as_completed(futures)):
                    code, res, error = f.result()
                    found[code] = (code, res, error)
                    if progress is not None:
                        progress(i + 1, len(todo))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    groups = {}
    for code in sorted(found):
        _, res, error = found[code]
        if res is None:
            skipped[keys[code]] = {"reason": "error", "message": error}
        else:
            groups[keys[code]] = res
    order = {k: i for i, k in enumerate([""] + keys)}
    skipped = dict(sorted(skipped.items(), key=lambda kv: order.get(kv[0], 0)))
    return GroupResults(by, groups, skipped, int(min_group))


__all__ = ["MIN_GROUP", "GroupResults", "ProductivityResults", "fit_by_group", "group_key", "grouped_summary",
           "skip_reason"]
