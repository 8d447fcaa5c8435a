"""The ``nscl growth`` command: growth accounting from a file, or the Penn World Table reproduction
(no database needed). Plain argparse and the list of methods: building the command line stays cheap."""
from __future__ import annotations

import sys

from . import methods


def add_arguments(g) -> None:
    """The options of the ``growth`` subcommand, on its parser `g`."""
    g.add_argument("--input", help="CSV hoặc Excel: year, output, capital|investment, labour, ...")
    g.add_argument("--method", choices=methods.codes(methods.GROWTH_METHODS), default="gso",
                   help="; ".join(f"{m.code}: {m.label_vi}" for m in methods.GROWTH_METHODS))
    g.add_argument("--alpha", type=float, help="tỷ trọng vốn (GSO); mặc định growth.DEFAULT_ALPHA, ghi trong kết quả (parameters.alpha)")
    g.add_argument("--depreciation", type=float,
                   help="tỷ lệ khấu hao khi tính vốn từ đầu tư; mặc định growth.DEFAULT_DEPRECIATION")
    g.add_argument("--base-year", type=int)
    g.add_argument("--adjusted-labour", action="store_true",
                   help="GSO: lao động = số người × giờ làm việc × vốn nhân lực (cột hours, human_capital); "
                        "mặc định GSO dùng số người có việc làm như chỉ tiêu chính thức; Törnqvist luôn điều chỉnh")
    g.add_argument("--periods", help="ví dụ 2011-2015,2016-2020")
    g.add_argument("--format", choices=["table", "csv", "json"], default="table")
    g.add_argument("--pwt", action="store_true", help="tái lập rtfpna của Penn World Table 10.01")
    g.add_argument("--country", help="ISO3 (một hoặc nhiều, phân cách bằng dấu phẩy) hoặc all")


def run(args) -> None:
    """Growth accounting from a file, or the PWT reproduction, printed; exits with the library's
    message on bad input."""
    import json

    from . import growth, pwt

    try:
        if args.pwt:
            table = pwt.load_pwt()
            countries = None if args.country in (None, "all") else [c.strip().upper() for c in args.country.split(",")]
            if countries:
                unknown = sorted(set(countries) - set(table["countrycode"]))
                if unknown:
                    raise growth.GrowthInputError(f"Mã nước không có trong PWT: {', '.join(unknown)}.")
            rows = pwt.reproduce_rtfpna(table, countries)
            stats = pwt.reproduction_errors(rows)
            if args.format == "json":
                out = {"rows": [{"country": r.country, "year": int(r.year),
                                 "tfp_index": None if r.tfp_index != r.tfp_index else round(float(r.tfp_index), 6),
                                 "rtfpna_published": float(r.rtfpna_published)} for r in rows.itertuples()],
                       "median_abs_error": stats["median_abs_error"], "max_abs_error": stats["max_abs_error"],
                       "compared": stats["compared"], "countries": stats["countries"]}
                print(json.dumps(out, ensure_ascii=False))
            elif args.format == "csv":
                print(rows.to_csv(index=False), end="")
            else:
                print(rows.to_string(index=False))
                print(f"compared {stats['compared']} rows in {stats['countries']} countries: "
                      f"median |error| {stats['median_abs_error']:.5f}, max {stats['max_abs_error']:.5f}")
            return
        if not args.input:
            raise growth.GrowthInputError("Cần --input FILE.csv|FILE.xlsx (hoặc --pwt).")
        data = growth.read_series(args.input)
        alpha = growth.DEFAULT_ALPHA if args.alpha is None else args.alpha
        depreciation = growth.DEFAULT_DEPRECIATION if args.depreciation is None else args.depreciation
        model = growth.GrowthAccounting(data, method=args.method, alpha=alpha, depreciation=depreciation,
                                        base_year=args.base_year,
                                        labour_input="adjusted" if args.adjusted_labour else None)
        res = model.fit(growth.parse_periods(args.periods))
    except growth.GrowthInputError as e:
        sys.exit(f"Lỗi: {e}")
    if args.format == "json":
        print(res.to_json())
    elif args.format == "csv":
        print(res.years.to_csv(index=False), end="")
        if len(res.periods):
            print()
            print(res.periods.to_csv(index=False), end="")
    else:
        print(res.summary())
