"""Panel preparation: checked numeric arrays sorted by firm and year, each row's previous year, and the
rows (with multiplicity weights) an estimate uses."""
from __future__ import annotations

from dataclasses import dataclass, field

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
    cache: dict = field(default_factory=dict, repr=False)   # arrays derived from the panel, computed once

    @property
    def n(self):
        return len(self.y)

    @property
    def n_firms(self) -> int:
        return int(self.ids[-1]) + 1 if self.n else 0

    def lag(self, values: np.ndarray) -> np.ndarray:
        out = np.full(values.shape, np.nan)
        has = self.prev >= 0
        out[has] = values[self.prev[has]]
        return out

    def scales(self) -> dict:
        """Mean and standard deviation of each block of inputs (free, state, proxy, controls), to
        centre and scale regressors before their cross-products are summed."""
        if "scales" not in self.cache:
            out = {}
            for block in ("free", "state", "proxy", "controls"):
                a = getattr(self, block)
                if a is not None:
                    sd = a.std(axis=0)
                    out[block] = (a.mean(axis=0), np.where(sd > 0, sd, 1.0))
            self.cache["scales"] = out
        return self.cache["scales"]


class Sample:
    """The rows an estimate uses: all of a panel's, or, for a bootstrap draw, the rows of the firms
    drawn with each firm's multiplicity (how many times it was drawn) as weight. Lags stay within a
    firm of the original panel, as in a panel of copied firms where each copy is a firm of its own."""

    def __init__(self, panel: Panel, firm_weight: np.ndarray | None = None):
        self.panel, self.firm_weight = panel, firm_weight
        if firm_weight is None:
            self.rows, self.weight, self.prev = None, None, panel.prev
            return
        w = firm_weight[panel.ids]
        rows = np.flatnonzero(w > 0)
        pos = np.full(panel.n + 1, -1, dtype=np.int64)     # pos[-1] = -1 for rows without a lag
        pos[rows] = np.arange(len(rows))
        self.rows, self.weight, self.prev = rows, w[rows].astype(float), pos[panel.prev[rows]]

    @property
    def n(self) -> int:
        return self.panel.n if self.rows is None else len(self.rows)

    def take(self, a):
        return a if a is None or self.rows is None else a[self.rows]

    def count(self, mask=None) -> float:
        """Rows (where `mask` holds), counted with their weights (the rows of the copied panel)."""
        if mask is None:
            return float(self.n) if self.weight is None else float(self.weight.sum())
        return float(np.count_nonzero(mask)) if self.weight is None else float(self.weight.sum(where=mask))


def _previous_index(ids: np.ndarray, time: np.ndarray) -> np.ndarray:
    prev = np.full(len(ids), -1, dtype=np.int64)
    same = (ids[1:] == ids[:-1]) & (time[1:] == time[:-1] + 1)
    prev[1:][same] = np.flatnonzero(same)
    return prev


def prepare(data: pd.DataFrame, id: str, time: str, output: str, free, state, proxy=None, controls=None,
            log_inputs: bool = False) -> Panel:
    """Checked arrays sorted by firm and year. `data.attrs["source_columns"]`, when a reader set it,
    lists every column of the file (`data` may hold only the columns needed)."""
    free, state = _as_list(free), _as_list(state)
    controls = _as_list(controls)
    needed = needed_columns(id, time, output, free, state, proxy, controls)
    check_columns(data, needed)
    if not free or not state:
        raise FirmDataError("Cần ít nhất một cột biến tự do (lao động) và một cột biến trạng thái (vốn).",
                            field="state" if free else "free")
    firm = data[id]
    if firm.isna().any():
        raise FirmDataError(f"Cột {id}: {int(firm.isna().sum())} dòng không có mã doanh nghiệp.")
    values = {}
    for col in dict.fromkeys(needed[1:]):
        v = pd.to_numeric(data[col], errors="coerce")
        bad = v.isna()
        if bad.any():
            raise FirmDataError(f"Cột {col}: {int(bad.sum())} giá trị trống hoặc không phải số "
                                f"(doanh nghiệp {unit_list(firm[bad])}).")
        if log_inputs and col not in (time, *controls):
            nonpos = v <= 0
            if nonpos.any():
                raise FirmDataError(f"Cột {col}: {int(nonpos.sum())} giá trị ≤ 0, không lấy logarit được "
                                    f"(doanh nghiệp {unit_list(firm[nonpos])}).")
        values[col] = v.to_numpy(dtype=float)
    codes, labels = _firm_codes(firm)
    t = values[time]
    if (t % 1 != 0).any():
        raise FirmDataError(f"Cột {time}: năm phải là số nguyên.")
    t = t.astype(np.int64)
    # sorted by firm and year (a stable sort: the order of sorting the table by firm, then year)
    order = None
    if not (np.all(codes[1:] >= codes[:-1]) and np.all((codes[1:] > codes[:-1]) | (t[1:] >= t[:-1]))):
        order = np.lexsort((t, codes))
        codes, t = codes[order], t[order]
    ids = codes.astype(np.int64)
    dup = (ids[1:] == ids[:-1]) & (t[1:] == t[:-1])
    if dup.any():
        row = np.flatnonzero(dup)[0] + 1
        raise FirmDataError(f"Doanh nghiệp {unit_list(pd.Series(labels[ids[[row]]]))} có hai dòng cho năm {t[row]}.")

    def arr(cols, log=log_inputs):
        if not cols:
            return None
        a = values[cols[0]][:, None] if len(cols) == 1 else np.column_stack([values[c] for c in cols])
        if order is not None:
            a = a[order]
        return np.log(a) if log else a

    y = arr([output])[:, 0]
    return Panel(ids=ids, time=t, y=y, free=arr(free), state=arr(state), proxy=arr([proxy]) if proxy else None,
                 controls=arr(controls, log=False), prev=_previous_index(ids, t),
                 names={"free": free, "state": state, "proxy": proxy, "controls": controls, "output": output},
                 labels=np.asarray(labels))


def _firm_codes(firm: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's firm as 0, 1, … in the sorted order of the identifiers, and the identifiers: a
    survey file sorted by numeric identifier needs no factorising (the same codes)."""
    if pd.api.types.is_numeric_dtype(firm) and firm.is_monotonic_increasing:
        v = firm.to_numpy()
        change = np.r_[True, v[1:] != v[:-1]]
        return np.cumsum(change) - 1, v[change]
    return pd.factorize(firm, sort=True)


# no logarithm of a firm's output, input or headcount comes near this (e^50 ≈ 5·10^21)
LOG_CEILING = 50.0


def value_scale(values) -> tuple[str | None, float | None]:
    """How a column of a firm's output or an input is written, from (a sample of) its values, with
    the value that shows it: ("level", the largest) when one is above LOG_CEILING, so it cannot be
    a logarithm and needs `log_inputs`; ("log", the smallest) when one is ≤ 0, of which no logarithm
    can be taken (levels of output and inputs are positive; logarithms need not be); (None, None)
    when the values could be either."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return None, None
    if v.max() > LOG_CEILING:
        return "level", float(v.max())
    if v.min() <= 0:
        return "log", float(v.min())
    return None, None


def needed_columns(id=None, time=None, output=None, free=None, state=None, proxy=None, controls=None) -> list:
    """The columns the roles name, each once, in role order (the columns a reader needs)."""
    cols = [id, time, output, *_as_list(free), *_as_list(state), proxy, *_as_list(controls)]
    return list(dict.fromkeys(c for c in cols if c))


def read_panel(source, name: str | None = None, by: str | None = None, **roles) -> pd.DataFrame:
    """The columns the roles (``id=``, ``time=``, ``output=``, ``free=``…) and `by` name, read once
    from a file (path or open binary file, `name` its format): compact types for what is not
    arithmetic — the group column and text firm identifiers as categories — and float64 for the
    rest (the estimates keep every digit)."""
    from ..tables import read_table

    columns = needed_columns(**roles) + ([by] if by else [])
    data = read_table(source, name, columns=columns, categories=[by] if by else ())
    firm = roles.get("id")
    if firm in data.columns and not pd.api.types.is_numeric_dtype(data[firm]) \
            and not isinstance(data[firm].dtype, pd.CategoricalDtype):
        data[firm] = data[firm].astype("category")
    return data


def check_columns(data: pd.DataFrame, needed, field: str | None = None) -> None:
    """Stop with the missing columns named, and those there are (`data.attrs["source_columns"]`,
    set by :func:`nscl.productivity.tables.read_table` when it read only some of a file's)."""
    missing = [c for c in needed if c not in data.columns]
    if missing:
        have = list(data.attrs.get("source_columns") or data.columns)
        raise FirmDataError(f"Thiếu cột: {', '.join(missing)}. Các cột có: {', '.join(map(str, have[:30]))}.",
                            field=field)


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

