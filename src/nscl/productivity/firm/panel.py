"""Panel preparation: checked numeric arrays sorted by firm and year, and each row's previous year."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..tables import unit_list


class FirmDataError(ValueError):
    """Input that cannot be estimated; the message names the column (and firms), never a command-line
    option. `field` is the role of the column concerned (free, state, proxy...), when there is one,
    so a front end can add its own hint."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Panel:
    """Numeric arrays sorted by firm and year, with the index of each row's previous year."""

    ids: np.ndarray
    time: np.ndarray
    y: np.ndarray
    free: np.ndarray
    state: np.ndarray
    proxy: np.ndarray | None
    controls: np.ndarray | None
    prev: np.ndarray            # index of the same firm's previous calendar year, or -1
    names: dict
    labels: np.ndarray | None = None   # the firms' own identifiers, by code

    @property
    def n(self):
        return len(self.y)

    def lag(self, values: np.ndarray) -> np.ndarray:
        out = np.full(values.shape, np.nan)
        has = self.prev >= 0
        out[has] = values[self.prev[has]]
        return out


def _previous_index(ids: np.ndarray, time: np.ndarray) -> np.ndarray:
    prev = np.full(len(ids), -1, dtype=np.int64)
    same = (ids[1:] == ids[:-1]) & (time[1:] == time[:-1] + 1)
    prev[1:][same] = np.flatnonzero(same)
    return prev


def prepare(data: pd.DataFrame, id: str, time: str, output: str, free, state, proxy=None, controls=None,
            log_inputs: bool = False) -> Panel:
    free, state = _as_list(free), _as_list(state)
    controls = _as_list(controls)
    needed = [id, time, output, *free, *state, *([proxy] if proxy else []), *controls]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise FirmDataError(f"Thiếu cột: {', '.join(missing)}. Các cột có: {', '.join(map(str, data.columns[:30]))}.")
    if not free or not state:
        raise FirmDataError("Cần ít nhất một cột biến tự do (lao động) và một cột biến trạng thái (vốn).",
                            field="state" if free else "free")
    df = data[list(dict.fromkeys(needed))]
    for col in needed[1:]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna()
        if bad.any():
            raise FirmDataError(f"Cột {col}: {int(bad.sum())} giá trị trống hoặc không phải số "
                                f"(doanh nghiệp {unit_list(df.loc[bad, id])}).")
        if log_inputs and col not in (time, *controls):
            nonpos = values <= 0
            if nonpos.any():
                raise FirmDataError(f"Cột {col}: {int(nonpos.sum())} giá trị ≤ 0, không lấy logarit được "
                                    f"(doanh nghiệp {unit_list(df.loc[nonpos, id])}).")
    df = df.sort_values([id, time], kind="mergesort")
    ids, labels = pd.factorize(df[id])
    t = pd.to_numeric(df[time]).to_numpy()
    if (t % 1 != 0).any():
        raise FirmDataError(f"Cột {time}: năm phải là số nguyên.")
    t = t.astype(np.int64)
    dup = (ids[1:] == ids[:-1]) & (t[1:] == t[:-1])
    if dup.any():
        row = np.flatnonzero(dup)[0] + 1
        raise FirmDataError(f"Doanh nghiệp {unit_list(df[id].iloc[[row]])} có hai dòng cho năm {t[row]}.")

    def arr(cols):
        if not cols:
            return None
        a = df[cols].to_numpy(dtype=float)
        return np.log(a) if log_inputs else a

    y = df[output].to_numpy(dtype=float)
    y = np.log(y) if log_inputs else y
    panel = Panel(ids=ids, time=t, y=y, free=arr(free), state=arr(state), proxy=arr([proxy]) if proxy else None,
                  controls=df[controls].to_numpy(dtype=float) if controls else None, prev=_previous_index(ids, t),
                  names={"free": free, "state": state, "proxy": proxy, "controls": controls, "output": output},
                  labels=np.asarray(labels))
    return panel


def _as_list(v):
    if v is None:
        return []
    if isinstance(v, str):
        return [c.strip() for c in v.split(",") if c.strip()]
    return list(v)


def poly2(m: np.ndarray) -> np.ndarray:
    """Full second-degree polynomial without constant, in R's model.matrix(~.^2) order plus squares."""
    k = m.shape[1]
    cols = [m[:, i] for i in range(k)]
    cols += [m[:, i] * m[:, j] for i in range(k) for j in range(i + 1, k)]
    cols += [m[:, i] ** 2 for i in range(k)]
    return np.column_stack(cols)

