"""`nscl epcis validate|hash|capture|check-stored|query` and `nscl trace back|forward|import-prefixes`:
the parsers and handlers, hooked into nscl.cli by `add_parsers(sub)` and `run(args, setup)`. validate
and hash need no database; the others use the configured one (`setup` starts Django) with the web's rules."""
from __future__ import annotations

import json
import sys

COMMANDS = ("epcis", "trace")


def add_parsers(sub) -> None:
    e = sub.add_parser("epcis", help="sự kiện EPCIS 2.0: kiểm tra, mã băm, ghi, truy vấn")
    esub = e.add_subparsers(dest="epcis_command", required=True)
    v = esub.add_parser("validate", help="kiểm tra một tài liệu EPCIS 2.0 JSON/JSON-LD (mã thoát 0: hợp lệ, 1: không)")
    v.add_argument("file")
    v.add_argument("--format", choices=["text", "json"], default="text")
    h = esub.add_parser("hash", help="mã băm chuẩn (Event Hash ID) của từng sự kiện, theo thứ tự trong tài liệu")
    h.add_argument("file")
    c = esub.add_parser("capture", help="ghi một tài liệu vào cơ sở dữ liệu (tất cả hoặc không)")
    c.add_argument("file")
    c.add_argument("--enterprise", metavar="MST", help="ghi thay cho doanh nghiệp này (áp dụng quyền của doanh nghiệp)")
    k = esub.add_parser("check-stored", help="tìm sự kiện đã lưu mà nay sẽ bị từ chối (thời điểm ngoài khoảng năm, "
                                             "ký tự NUL, mã quá dài...): mã thoát 0 không có, 1 có")
    k.add_argument("--delete", action="store_true", help="xóa các sự kiện đó cùng dòng chỉ mục của chúng")
    k.add_argument("--format", choices=["text", "json"], default="text")
    q = esub.add_parser("query", help="truy vấn sự kiện (tham số như GET /epcis/events)")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    q.add_argument("--enterprise", metavar="MST", help="chỉ những sự kiện doanh nghiệp này được xem")
    q.add_argument("--format", choices=["json"], default="json")
    t = sub.add_parser("trace", help="truy ngược (back) hoặc truy xuôi (forward) từ một mã EPC, lô hoặc kiện hàng; "
                                     "nhập danh sách tiền tố mã doanh nghiệp GS1 (import-prefixes)")
    tsub = t.add_subparsers(dest="direction", required=True)
    for direction, words in (("back", "truy ngược: nguồn gốc"), ("forward", "truy xuôi: đã đi đâu")):
        d = tsub.add_parser(direction, help=words)
        d.add_argument("epc")
        d.add_argument("--enterprise", metavar="MST", help="chỉ những sự kiện doanh nghiệp này được xem")
        d.add_argument("--format", choices=["json", "text"], default="json")
    p = tsub.add_parser("import-prefixes", help="nhập danh sách thành viên của Trung tâm Mã số mã vạch Quốc gia (CSV: "
                                                "prefix, tax_code, name, certificate_number, valid_from, valid_to): "
                                                "xác minh tiền tố cho các doanh nghiệp có trong hệ thống, tất cả hoặc không")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    p.add_argument("--format", choices=["text", "json"], default="text")


def _read(path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        sys.exit(f"Lỗi: không đọc được tệp {path} ({e.strerror}).")


def _load(path):
    from nscl.traceability import epcis

    try:
        return epcis.parse_json(_read(path))
    except epcis.MalformedJSON as e:
        print(f"{path}: {e.message_vi}", file=sys.stderr)
        sys.exit(1)


def validate(path, fmt="text") -> int:
    from nscl.traceability import epcis

    doc = _load(path)
    problems = epcis.validate_document(doc)
    if fmt == "json":
        print(json.dumps({"valid": not problems, "events": len(list(epcis.iter_events(doc))) if not problems else None,
                          "problems": [{"eventIndex": p.event_index, "eventID": p.event_id, "path": p.path,
                                        "message": p.message, "message_vi": p.message_vi} for p in problems]},
                         ensure_ascii=False))
    elif problems:
        for p in problems:
            where = f"sự kiện #{p.event_index}" if p.event_index is not None else "tài liệu"
            print(f"{where} {p.path}: {p.message_vi or p.message}")
    else:
        print(f"Hợp lệ: {len(list(epcis.iter_events(doc)))} sự kiện.")
    return 1 if problems else 0


def hash_ids(path) -> int:
    from nscl.traceability import hashing

    for h in hashing.document_hash_ids(_load(path)):
        print(h)
    return 0


def _actor(tax_code):
    from .access import cli_actor

    try:
        return cli_actor(tax_code)
    except LookupError:
        sys.exit(f"Lỗi: không có doanh nghiệp mã số thuế {tax_code}.")


def capture(path, tax_code=None) -> int:
    from . import store

    try:
        job = store.capture(_read(path), _actor(tax_code), source="cli")
    except store.Refused as e:
        print(f"Không ghi: {e.detail or e.title}", file=sys.stderr)
        for p in e.problems:
            print(f"  sự kiện #{p['eventIndex']} ({p['eventID']}) {p['field']}: {p['message']}", file=sys.stderr)
        return 1
    print(f"Đã ghi {job.stored_count} sự kiện mới ({job.duplicate_count} đã có), lượt ghi {job.id}.")
    return 0


def check_stored(delete=False, fmt="text") -> int:
    """Report (and with `delete` remove) the stored events capture would refuse today."""
    from . import poison, store

    earliest, latest = store.years()
    found = poison.find(earliest, latest)
    removed = poison.delete(p.pk for p in found) if delete and found else 0
    if fmt == "json":
        print(json.dumps({"years": [earliest, latest], "problems": [p.to_dict() for p in found], "deleted": removed},
                         ensure_ascii=False))
    else:
        for p in found:
            d = p.to_dict()
            print(f"sự kiện id {d['id']} ({d['eventID']}), doanh nghiệp id {d['owner']}, {d['field']}: {d['message']}")
        events = len({p.pk for p in found})
        print(f"{events} sự kiện không hợp lệ (khoảng năm {earliest}–{latest})"
              + (f"; đã xóa {removed}." if delete else "." if not events else
                 "; xóa bằng: nscl epcis check-stored --delete"))
    return 1 if found and not delete else 0


class _Params(dict):
    """NAME=VALUE pairs with the QueryDict methods the query reads (repeated names allowed)."""

    def getlist(self, name):
        return self[name]

    def get(self, name, default=None):
        return self[name][-1] if name in self else default


def query(pairs, tax_code=None) -> int:
    from . import query as q

    params = _Params()
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            sys.exit(f"Lỗi: --param {pair} phải có dạng NAME=VALUE.")
        params.setdefault(name, []).append(value)
    actor = _actor(tax_code)
    one_page = "perPage" in params or "nextPageToken" in params  # else every page
    params.setdefault("perPage", [str(q.PER_PAGE_MAX)])
    events, token = [], None
    try:
        while True:
            if token:
                params["nextPageToken"] = [token]
            page, token = q.page(params, actor)
            events.extend(page)
            if not token or one_page:
                break
    except q.QueryError as e:
        sys.exit(f"Lỗi: {e.message}")
    print(json.dumps({"events": events}, ensure_ascii=False))
    return 0


def trace(direction, epc, tax_code=None, fmt="json") -> int:
    from nscl.traceability import keys

    from . import tracing

    try:
        traced = tracing.trace(epc, direction, _actor(tax_code))
    except keys.InvalidKey as e:
        sys.exit(f"Lỗi: {e.message_vi}")
    if fmt == "json":
        print(json.dumps(traced.to_dict(), ensure_ascii=False))
    else:
        for n in traced.result.nodes:
            print(f"{n['kind']:6s} {n['epc']}")
        print(f"{len(traced.result.events)} sự kiện")
    return 0


def import_prefixes(path, dry_run=False, fmt="text") -> int:
    """The National Barcode Centre's members list: every row checked, then all written or none."""
    import os

    from . import prefixes

    report = prefixes.import_members(_read(path), source=os.path.basename(path), dry_run=dry_run)
    if fmt == "json":
        print(json.dumps({"dry_run": dry_run, **report.to_dict()}, ensure_ascii=False))
    elif report.problems:
        print(f"Không ghi gì: {len(report.problems)} lỗi.", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
    else:
        print(("Kiểm tra xong (không ghi): " if dry_run else "Đã xác minh: ")
              + f"{report.created} tiền tố mới, {report.updated} cập nhật, {report.unchanged} không đổi; "
              f"{report.claims_rejected} khai báo của doanh nghiệp khác bị từ chối; "
              f"{len(report.skipped)} mã số thuế không có trong hệ thống (bỏ qua).")
    return 1 if report.problems else 0


def run(args, setup) -> int:
    """Dispatch a parsed `epcis`/`trace` command; `setup()` starts Django when a database is needed."""
    if args.command == "trace":
        setup()
        if args.direction == "import-prefixes":
            return import_prefixes(args.file, args.dry_run, args.format)
        return trace(args.direction, args.epc, args.enterprise, args.format)
    if args.epcis_command == "validate":
        return validate(args.file, args.format)
    if args.epcis_command == "hash":
        return hash_ids(args.file)
    setup()
    if args.epcis_command == "capture":
        return capture(args.file, args.enterprise)
    if args.epcis_command == "check-stored":
        return check_stored(args.delete, args.format)
    return query(args.param, args.enterprise)
