"""The ``nscl firm-tfp`` command: its options and what it prints (no database needed). Plain
argparse and the registry (building the command line stays cheap; the estimators are imported when
the command runs). The wiring (``nscl.cli``) reads the file through its own reader, which words file
errors, and words the library's errors (``FirmDataError``) with the option to use."""
from __future__ import annotations

import json

from . import methods

KEYS = ("method", "coefficients", "std_errors", "n_obs", "n_firms", "criterion", "bootstrap")


def add_arguments(f) -> None:
    """The options of the ``firm-tfp`` subcommand, on its parser `f`."""
    f.add_argument("--input", required=True, help="CSV, Excel hoặc Parquet")
    f.add_argument("--id", required=True)
    f.add_argument("--time", required=True)
    f.add_argument("--output", required=True)
    f.add_argument("--free", required=True, help="một hoặc nhiều cột, phân cách bằng dấu phẩy")
    f.add_argument("--state", required=True)
    f.add_argument("--proxy")
    f.add_argument("--method", required=True, choices=methods.codes(methods.FIRM_METHODS),
                   help="; ".join(f"{m.code}: {m.label_vi}" for m in methods.FIRM_METHODS))
    f.add_argument("--controls")
    f.add_argument("--log", action="store_true", help="lấy logarit các cột (giá trị phải dương)")
    f.add_argument("--by", help="ước lượng riêng cho từng giá trị của cột này (ví dụ ngành VSIC 2 chữ số)")
    f.add_argument("--min-group", type=int, default=methods.FIRM_MIN_GROUP,
                   help=f"số doanh nghiệp-năm tối thiểu của một nhóm (mặc định {methods.FIRM_MIN_GROUP}); "
                        "nhóm nhỏ hơn được báo, không ước lượng")
    f.add_argument("--bootstrap", type=int, default=0)
    f.add_argument("--seed", type=int)
    f.add_argument("--jobs", type=int, default=1, help="tiến trình song song (bootstrap; với --by: các nhóm)")
    f.add_argument("--format", choices=["table", "json"], default="table")


def _compact(d: dict) -> dict:
    out = {k: d[k] for k in KEYS}
    out["converged"] = d["converged"]
    if "local_minima" in d["optimizer"]:
        out["local_minima"] = d["optimizer"]["local_minima"]
    return out


def run(args, read) -> str:
    """What the command prints for the parsed `args`; `read(path, reader)` reads the input file
    with `reader` (the caller's handling of file errors). Raises ``firm.FirmDataError``."""
    from .firm import FirmDataError, estimate, fit_by_group, read_panel

    roles = dict(id=args.id, time=args.time, output=args.output, free=args.free, state=args.state,
                 proxy=args.proxy, controls=args.controls)
    data = read(args.input, lambda path: read_panel(path, by=args.by, **roles))
    fit = dict(bootstrap=args.bootstrap, seed=args.seed, jobs=args.jobs)
    if args.by:
        if args.min_group < 1:
            raise FirmDataError("Số doanh nghiệp-năm tối thiểu của một nhóm phải ≥ 1.", field="min_group")
        res = fit_by_group(data, args.method, args.by, min_group=args.min_group, log_inputs=args.log, **roles, **fit)
        if args.format == "json":
            d = res.to_dict()
            return json.dumps({"groups": {k: _compact(r) for k, r in d["groups"].items()}, "skipped": d["skipped"]},
                              ensure_ascii=False)
        return res.summary()
    res = estimate(data, args.method, log_inputs=args.log, **roles).fit(**fit)
    if args.format == "json":
        return json.dumps(_compact(res.to_dict()), ensure_ascii=False)
    return res.summary()
