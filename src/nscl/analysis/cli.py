"""`nscl impact --from-registry ...`: the impact of support on the registry's own panel (nscl/cli.py
hands the arguments over; see support_impact for the panel). With --format json it prints exactly
what `nscl impact --format json` prints on the same panel as a CSV."""
from __future__ import annotations

import argparse
import json
import sys

from nscl.productivity import methods


def _years(text):
    try:
        a, b = (int(x) for x in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError("dạng NĂM-NĂM, vd. 2016-2025") from None
    return a, b


def parser() -> argparse.ArgumentParser:
    from .support_impact import DEFAULT_OUTCOME, OUTCOMES

    p = argparse.ArgumentParser(prog="nscl impact --from-registry",
                                description="tác động của hỗ trợ tính từ sổ doanh nghiệp (số liệu năm, hồ sơ đã nghiệm thu)")
    p.add_argument("--from-registry", action="store_true", required=True)
    p.add_argument("--outcome", choices=list(OUTCOMES), default=DEFAULT_OUTCOME)
    p.add_argument("--control", choices=methods.codes(methods.CONTROL_GROUPS), default="never",
                   help="; ".join(f"{o.code}: {o.label_vi}" for o in methods.CONTROL_GROUPS))
    p.add_argument("--estimator", choices=methods.codes(methods.IMPACT_ESTIMATORS), default="dr",
                   help="; ".join(f"{o.code}: {o.label_vi}" for o in methods.IMPACT_ESTIMATORS))
    p.add_argument("--content", help="chỉ các doanh nghiệp được hỗ trợ đầu tiên với nội dung này (mã, vd. iso-9001)")
    p.add_argument("--deflator", type=int, help="số hiệu chuỗi chỉ số giảm phát (giá so sánh); mặc định giá hiện hành")
    p.add_argument("--years", type=_years, help="khoảng năm, vd. 2016-2025 (mặc định: các năm đủ số liệu)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    return p


def describe_lines(d: dict) -> list[str]:
    """The panel in words (Vietnamese, as the command's other output)."""
    cohorts = ", ".join(f"{c['year']}: {c['n']}" + ("" if c["used"] else f" (dưới {d['min_per_cohort']}: bỏ qua)")
                        for c in d["cohorts"]) or "không có"
    lines = [f"Bảng số liệu từ sổ doanh nghiệp: {d['outcome']}, {d['years'][0]}-{d['years'][1]}, "
             f"{d['n_firms']} doanh nghiệp, {d['n_obs']} quan sát; "
             + (f"giá so sánh (chỉ số giảm phát “{d['deflator']['name']}”, năm gốc {d['deflator']['base_year']})"
                if d["deflator"] else "giá hiện hành"),
             f"Được hỗ trợ theo năm hỗ trợ đầu tiên: {cohorts}; chưa từng được hỗ trợ: {d['n_never']}.",
             f"Cần ít nhất {d['min_per_cohort']} doanh nghiệp mỗi năm hỗ trợ và {d['min_controls']} doanh nghiệp "
             "đối chứng."]
    left = [(d["n_incomplete"], "thiếu số liệu một số năm"), (d["n_before"], "được hỗ trợ từ năm đầu trở về trước"),
            (d["n_other_content"], "được hỗ trợ đầu tiên với nội dung khác")]
    left = [f"{n} {why}" for n, why in left if n]
    if left:
        lines.append("Không đưa vào: " + "; ".join(left) + ".")
    if d["n_after"]:
        lines.append(f"{d['n_after']} doanh nghiệp được hỗ trợ sau {d['years'][1]}: coi là chưa được hỗ trợ trong các năm này.")
    return lines


def impact_from_registry(argv, out=None, err=None) -> int:
    from nscl.enterprises.models import SupportContent
    from nscl.productivity.impact import ImpactDataError
    from nscl.stats.deflators import DeflatorSeries

    from .support_impact import RegistryPanelError, build_panel, estimate

    out, err = out or sys.stdout, err or sys.stderr
    args = parser().parse_args(argv)
    content = deflator = None
    if args.content:
        content = SupportContent.objects.filter(code=args.content).first()
        if content is None:
            print(f"Lỗi: không có nội dung hỗ trợ “{args.content}” (tùy chọn --content).", file=err)
            return 1
    if args.deflator is not None:
        deflator = DeflatorSeries.objects.filter(pk=args.deflator).first()
        if deflator is None:
            print(f"Lỗi: không có chuỗi chỉ số giảm phát số {args.deflator} (tùy chọn --deflator).", file=err)
            return 1
    try:
        panel = build_panel(args.outcome, content=content, deflator=deflator, years=args.years)
        res = estimate(panel, args.control, args.estimator)
    except (RegistryPanelError, ImpactDataError) as e:
        print(f"Lỗi: {e}", file=err)
        return 1
    if args.format == "json":
        print(json.dumps({"att_gt": res.att_gt, "aggregations": res.aggregations, "sample": res.sample,
                          "messages": res.messages, "inference": res.inference}, ensure_ascii=False), file=out)
    else:
        print("\n".join(describe_lines(panel.describe())), file=out)
        print(res.summary(), file=out)
    return 0
