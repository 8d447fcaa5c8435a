"""The ``nscl impact`` command: staggered difference-in-differences (Callaway & Sant'Anna) on a panel
file (no database needed; ``--from-registry`` is nscl.analysis.cli). Plain argparse and the list of
methods: building the command line stays cheap."""
from __future__ import annotations

from . import methods


def add_arguments(i) -> None:
    """The options of the ``impact`` subcommand, on its parser `i`."""
    i.add_argument("--input", required=True)
    i.add_argument("--id", required=True)
    i.add_argument("--time", required=True)
    i.add_argument("--outcome", required=True)
    i.add_argument("--first-treated", required=True)
    i.add_argument("--control", choices=methods.codes(methods.CONTROL_GROUPS), default="never",
                   help="; ".join(f"{o.code}: {o.label_vi}" for o in methods.CONTROL_GROUPS))
    i.add_argument("--estimator", choices=methods.codes(methods.IMPACT_ESTIMATORS), default="dr",
                   help="; ".join(f"{o.code}: {o.label_vi}" for o in methods.IMPACT_ESTIMATORS))
    i.add_argument("--covariates")
    i.add_argument("--bootstrap", type=int, default=0,
                   help="số lần lấy mẫu lại (multiplier bootstrap, dải tin cậy đồng thời); 0: sai số giải tích")
    i.add_argument("--seed", type=int, help="hạt giống của bootstrap (ghi trong kết quả; không có thì tự chọn và ghi lại)")
    i.add_argument("--cluster", help="cột nhóm để tính sai số chuẩn (cần --bootstrap), ví dụ xã/phường")
    i.add_argument("--anticipation", type=int, default=0, help="số năm tác động xuất hiện trước khi được hỗ trợ")
    i.add_argument("--base-period", choices=["varying", "universal"], default="varying",
                   help="năm gốc so sánh: varying (năm liền trước) hoặc universal (năm trước hỗ trợ)")
    i.add_argument("--from-registry", action="store_true",
                   help="bảng số liệu từ sổ doanh nghiệp thay cho --input (nscl impact --from-registry --help)")
    i.add_argument("--format", choices=["table", "json"], default="table")


def run(args, read, fail) -> None:
    """Print the estimate; `read(path)` reads the input file and `fail(error)` exits with the
    library's message (the wiring words both, as for ``firm-tfp``)."""
    import json

    from . import impact

    data = read(args.input)
    try:
        model = impact.CallawaySantAnna(data, id=args.id, time=args.time, outcome=args.outcome,
                                        first_treated=args.first_treated, control=args.control,
                                        estimator=args.estimator, covariates=(args.covariates or "").split(","),
                                        bootstrap=args.bootstrap, seed=args.seed, cluster=args.cluster,
                                        anticipation=args.anticipation, base_period=args.base_period)
        res = model.fit()
    except impact.ImpactDataError as e:
        fail(e)
    if args.format == "json":
        print(json.dumps({"att_gt": res.att_gt, "aggregations": res.aggregations, "sample": res.sample,
                          "messages": res.messages, "inference": res.inference},
                         ensure_ascii=False))
    else:
        print(res.summary())
