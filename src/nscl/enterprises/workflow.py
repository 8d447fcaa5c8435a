"""The support dossier's moves: from which statuses each is allowed, which fields it records and the
rules they follow (`field_rules`, shown on the move's form before it is sent), and `perform`, the one
place a dossier changes status (permission-checked by roles, recorded as a step, audited through the
app's `audited` flag, approval locks the amounts). Withdrawal and rejection are confirmed first (their
`confirm` text) and an officer can undo them with a reason (`reopen`, audited as a reopening).
`submit` files an application once per form, however often the form is posted."""
from __future__ import annotations

import datetime
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from nscl.accounts import roles
from nscl.audit.api import Action, recording
from nscl.common.fields import EARLIEST_DATE, LATEST_DATE
from nscl.common.formatting import fmt_date, fmt_num, fmt_vnd
from nscl.notifications import services as notifications

from . import duties, services
from .dossiers import Dossier, DossierStep, Status
from .models import SupportRule



class WorkflowError(ValueError):
    """A move refused: the message is for the user (Vietnamese)."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str | None  # None: back to the status the dossier had before (reopen)
    required: tuple = ()
    optional: tuple = ()
    notes_required: bool = False
    done: str = ""  # what the page says once the move is made
    # an irreversible move is confirmed on its own page first: its question, warning and button
    ask: str = ""
    confirm: str = ""
    confirm_button: str = ""


TRANSITIONS = {t.name: t for t in [
    Transition("appraise", _l("Thẩm định"), frozenset({Status.APPLIED}), Status.APPRAISED, required=("proposed_amount",),
               done=_l("Đã thẩm định hồ sơ.")),
    Transition("approve", _l("Phê duyệt"), frozenset({Status.APPRAISED}), Status.APPROVED,
               required=("decision_number", "decision_date", "decision_body", "approved_amount"),
               done=_l("Đã phê duyệt hồ sơ.")),
    Transition("reject", _l("Không phê duyệt"), frozenset({Status.APPLIED, Status.APPRAISED}), Status.REJECTED,
               notes_required=True, done=_l("Đã ghi nhận không phê duyệt hồ sơ."),
               ask=_l("Không phê duyệt hồ sơ này?"), confirm_button=_l("Xác nhận không phê duyệt"),
               confirm=_l("Hồ sơ sẽ chuyển sang “Không phê duyệt” và không xử lý tiếp được; doanh nghiệp nhận được "
                          "thông báo kèm lý do. Chỉ cán bộ chương trình mở lại được, với lý do ghi vào nhật ký.")),
    Transition("withdraw", _l("Rút hồ sơ"), frozenset({Status.APPLIED, Status.APPRAISED, Status.APPROVED}),
               Status.WITHDRAWN, done=_l("Đã rút hồ sơ."),
               ask=_l("Rút hồ sơ này?"), confirm_button=_l("Xác nhận rút hồ sơ"),
               confirm=_l("Hồ sơ sẽ dừng xử lý; doanh nghiệp không tự mở lại được. Nếu rút nhầm, đề nghị cán bộ "
                          "chương trình mở lại (có lý do, ghi vào nhật ký).")),
    Transition("implement", _l("Ghi nhận thực hiện"), frozenset({Status.APPROVED}), Status.IMPLEMENTING,
               required=("provider", "contract_number", "contract_date"), done=_l("Đã ghi nhận thực hiện hồ sơ.")),
    Transition("accept", _l("Nghiệm thu"), frozenset({Status.IMPLEMENTING}), Status.ACCEPTED, required=("accepted_on",),
               done=_l("Đã nghiệm thu hồ sơ.")),
    Transition("close", _l("Kết thúc"), frozenset({Status.ACCEPTED}), Status.CLOSED, required=("closed_on",),
               optional=("paid_amount",), done=_l("Đã kết thúc hồ sơ.")),
    Transition("reopen", _l("Mở lại hồ sơ"), frozenset({Status.WITHDRAWN, Status.REJECTED}), None,
               notes_required=True, done=_l("Đã mở lại hồ sơ.")),
]}
FIELD_LABELS = {"proposed_amount": _l("mức đề xuất"), "decision_number": _l("số quyết định"),
                "decision_date": _l("ngày quyết định"), "decision_body": _l("cơ quan ban hành"),
                "approved_amount": _l("mức hỗ trợ được duyệt"), "provider": _l("tổ chức tư vấn / chứng nhận"),
                "contract_number": _l("số hợp đồng"), "contract_date": _l("ngày hợp đồng"),
                "accepted_on": _l("ngày nghiệm thu"), "closed_on": _l("ngày kết thúc"),
                "paid_amount": _l("kinh phí đã thanh toán")}


def _label(name) -> str:
    return str(FIELD_LABELS[name]).capitalize()


def _vnd(value) -> str:
    return fmt_vnd(value, get_language())


def allowed(dossier, user):
    """The moves this user may make on this dossier now (for the page's buttons)."""
    return [t for t in TRANSITIONS.values()
            if dossier.status in t.sources and roles.can_transition_dossier(user, dossier, t.name)]


def target_of(dossier, t: Transition) -> str:
    """Where a move takes the dossier: its target, or for a reopening the status it was withdrawn or
    rejected from (applied when no step says)."""
    if t.target is not None:
        return t.target
    last = dossier.steps.filter(to_status=dossier.status).exclude(from_status="").order_by("-pk").first()
    return last.from_status if last else Status.APPLIED


def already_done(dossier, name: str, from_status: str, user) -> bool:
    """Whether the dossier's latest step is this move, from this status, by this user: the same form
    posted again (a double click, a reload), which is answered as done rather than refused."""
    last = dossier.steps.order_by("-pk").first()
    return bool(last and last.transition == name and last.from_status == from_status
                and last.by_id == getattr(user, "pk", None))


def submit(dossier: Dossier, user, key) -> tuple[Dossier, bool]:
    """File an application once per form: the form's `key` is unique in the database, so a double
    click or twenty parallel posts of one form make one dossier. (the dossier, whether it was made
    now); WorkflowError when the key is another enterprise's (a form replayed elsewhere)."""
    existing = Dossier.objects.filter(submission_key=key).first()
    if existing is None:
        dossier.submission_key = key
        try:
            with transaction.atomic():
                services.submit_dossier(dossier, user)
            return dossier, True
        except IntegrityError:
            dossier.pk = None
            existing = Dossier.objects.filter(submission_key=key).first()
            if existing is None:
                raise
    if existing.enterprise_id != dossier.enterprise_id:
        raise WorkflowError(_("Biểu mẫu không còn hợp lệ: hãy tải lại trang và nộp lại."))
    return existing, False


def _ceiling(d, rule):
    return min(rule.max_amount(d.total_cost), d.requested_amount)


def field_rules(d: Dossier, t: Transition) -> dict:
    """What each field of a move must be, in words, for its form (the checks `perform` makes)."""
    day = _("ngày dạng dd/mm/yyyy, từ %(lo)s đến %(hi)s") % {"lo": fmt_date(EARLIEST_DATE), "hi": fmt_date(LATEST_DATE)}
    rules = {f: [day] if f.endswith(("_date", "_on")) else [_("số đồng nguyên, ví dụ 20.000.000")]
             if f.endswith("_amount") else [] for f in t.required + t.optional}
    if t.name == "appraise":
        rules["proposed_amount"].append(_("không vượt kinh phí đề nghị (%(requested)s)") % {
            "requested": _vnd(d.requested_amount)})
        rule = applicable_rule(d.content, datetime.date.today())
        if rule:
            rules["proposed_amount"].append(_("không vượt mức tối đa %(max)s theo %(basis)s") % {
                "max": _vnd(rule.max_amount(d.total_cost)), "basis": rule.legal_basis})
    elif t.name == "approve":
        rules["decision_date"].append(_("không trước ngày nộp (%(day)s)") % {"day": fmt_date(d.applied_on)})
        rule = applicable_rule(d.content, datetime.date.today())
        if rule:
            rules["approved_amount"].append(_("tối đa %(ceiling)s (%(share)s%% chi phí, không quá %(cap)s, theo "
                                              "%(basis)s; không quá kinh phí đề nghị), theo quy định áp dụng hôm nay")
                                            % {"ceiling": _vnd(_ceiling(d, rule)), "share": fmt_num(rule.share_pct, get_language()),
                                               "cap": _vnd(rule.cap), "basis": rule.legal_basis})
        else:
            rules["approved_amount"].append(_("cần có quy định mức hỗ trợ áp dụng vào ngày quyết định"))
    elif t.name == "implement" and d.decision_date:
        rules["contract_date"].append(_("không trước ngày quyết định phê duyệt (%(day)s)") % {
            "day": fmt_date(d.decision_date)})
    elif t.name == "accept" and d.contract_date:
        rules["accepted_on"].append(_("không trước ngày hợp đồng (%(day)s)") % {"day": fmt_date(d.contract_date)})
    elif t.name == "close":
        if d.accepted_on:
            rules["closed_on"].append(_("không trước ngày nghiệm thu (%(day)s)") % {"day": fmt_date(d.accepted_on)})
        rules["paid_amount"].append(_("không vượt mức được duyệt (%(approved)s)") % {
            "approved": _vnd(d.approved_amount or 0)})
    return {f: "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] + "." for f, parts in rules.items() if parts}


def applicable_rule(content, day):
    """The amount rule for a content in force on `day` (the latest start), or None."""
    return (SupportRule.objects.filter(content=content, valid_from__lte=day)
            .exclude(valid_to__lt=day).order_by("-valid_from").first())


def _date(name, value):
    if not isinstance(value, datetime.date) or not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise WorkflowError(_("%(field)s phải là một ngày từ %(lo)s đến %(hi)s.") % {
            "field": _label(name), "lo": fmt_date(EARLIEST_DATE), "hi": fmt_date(LATEST_DATE)})
    return value


def _amount(name, value):
    try:
        d = Decimal(value)
    except Exception:  # noqa: BLE001
        raise WorkflowError(_("%(field)s không phải là số.") % {"field": _label(name)}) from None
    if not d.is_finite() or d < 0 or d != d.to_integral_value():
        raise WorkflowError(_("%(field)s phải là số đồng nguyên không âm.") % {"field": _label(name)})
    return d


def _not_before(later_name, later, earlier_name, earlier):
    if earlier and later < earlier:
        raise WorkflowError(_("%(field)s (%(day)s) không được trước %(earlier)s (%(earlier_day)s).") % {
            "field": _label(later_name), "day": fmt_date(later), "earlier": earlier_name, "earlier_day": fmt_date(earlier)})


def _check(d: Dossier, t: Transition, v: dict):
    for name in v:
        if name.endswith(("_date", "_on")):
            v[name] = _date(name, v[name])
        elif name.endswith("_amount"):
            v[name] = _amount(name, v[name])
        else:
            v[name] = str(v[name]).strip()
            if not v[name]:
                raise WorkflowError(_("Cần %(field)s.") % {"field": FIELD_LABELS[name]})
    if t.name == "appraise":
        rule = applicable_rule(d.content, datetime.date.today())
        if v["proposed_amount"] > d.requested_amount:
            raise WorkflowError(_("Mức đề xuất (%(proposed)s) vượt kinh phí đề nghị (%(requested)s).") % {
                "proposed": _vnd(v["proposed_amount"]), "requested": _vnd(d.requested_amount)})
        if rule and v["proposed_amount"] > rule.max_amount(d.total_cost):
            raise WorkflowError(_("Mức đề xuất vượt mức tối đa %(max)s theo %(basis)s.") % {
                "max": _vnd(rule.max_amount(d.total_cost)), "basis": rule.legal_basis})
    elif t.name == "approve":
        _not_before("decision_date", v["decision_date"], _("ngày nộp"), d.applied_on)
        rule = applicable_rule(d.content, v["decision_date"])
        if rule is None:
            raise WorkflowError(_("Chưa có quy định mức hỗ trợ cho “%(content)s” áp dụng ngày %(day)s: cần khai "
                                  "báo trước khi phê duyệt.") % {"content": d.content, "day": fmt_date(v["decision_date"])})
        ceiling = _ceiling(d, rule)
        if v["approved_amount"] > ceiling:
            raise WorkflowError(_("Mức duyệt (%(approved)s) vượt mức tối đa %(ceiling)s (%(share)s%% chi phí, không quá "
                                  "%(cap)s, theo %(basis)s; không quá kinh phí đề nghị).") % {
                "approved": _vnd(v["approved_amount"]), "ceiling": _vnd(ceiling),
                "share": fmt_num(rule.share_pct, get_language()), "cap": _vnd(rule.cap), "basis": rule.legal_basis})
        v["rule"] = rule
    elif t.name == "implement":
        _not_before("contract_date", v["contract_date"], _("ngày quyết định phê duyệt"), d.decision_date)
    elif t.name == "accept":
        _not_before("accepted_on", v["accepted_on"], _("ngày hợp đồng"), d.contract_date)
    elif t.name == "close":
        _not_before("closed_on", v["closed_on"], _("ngày nghiệm thu"), d.accepted_on)
        if v.get("paid_amount") is not None and v["paid_amount"] > (d.approved_amount or 0):
            raise WorkflowError(_("Kinh phí thanh toán (%(paid)s) vượt mức được duyệt (%(approved)s).") % {
                "paid": _vnd(v["paid_amount"]), "approved": _vnd(d.approved_amount)})


def perform(dossier: Dossier, name: str, user, notes: str = "", **values) -> DossierStep:
    """Move a dossier; WorkflowError (nothing saved) when the move is unknown, out of order, not this
    user's to make, or its values are missing or wrong."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise WorkflowError(_("Bước xử lý không hợp lệ."))
    if not roles.can_transition_dossier(user, dossier, name):
        raise WorkflowError(_("Bạn không có quyền “%(move)s” hồ sơ này.") % {"move": str(t.label).lower()})
    with transaction.atomic():
        d = Dossier.objects.select_for_update().select_related("content", "enterprise").get(pk=dossier.pk)
        if d.status not in t.sources:
            raise WorkflowError(_("Không thể “%(move)s” hồ sơ đang ở trạng thái “%(status)s”.") % {
                "move": str(t.label).lower(), "status": d.get_status_display()})
        missing = [str(FIELD_LABELS[f]) for f in t.required if values.get(f) in (None, "")]
        if missing:
            raise WorkflowError(_("Cần nhập: %(fields)s.") % {"fields": ", ".join(missing)})
        if t.notes_required and not (notes or "").strip():
            raise WorkflowError(_("Cần ghi rõ lý do."))
        v = {f: values[f] for f in t.required + t.optional if values.get(f) not in (None, "")}
        _check(d, t, v)
        for field, value in v.items():
            setattr(d, field, value)
        before, target = d.status, target_of(d, t)
        d.status = target
        try:
            with recording(Action.REOPEN) if t.target is None else nullcontext():
                d.save()
        except ValidationError as e:
            raise WorkflowError(" ".join(e.messages)) from None
        step = DossierStep.objects.create(dossier=d, transition=name, from_status=before, to_status=target,
                                          by=user if getattr(user, "is_authenticated", False) else None,
                                          notes=(notes or "").strip())
        if name == "accept":  # the support is done: the enterprise now owes its yearly figures
            duties.create_for(d)
        _notify_moved(d, t, step, user)
    dossier.refresh_from_db()
    return step


def _notify_moved(d: Dossier, t: Transition, step: DossierStep, user):
    """The enterprise's users and the officers learn of the move (not whoever made it), once per step;
    in the move's transaction, so a refused or rolled-back move tells no one."""
    who = (notifications.enterprise_users([d.enterprise]) | notifications.officers()).distinct()
    if getattr(user, "pk", None):
        who = who.exclude(pk=user.pk)
    notifications.notify(who, notifications.DOSSIER_MOVED, {
        "title": d.title, "enterprise": notifications.both(d.enterprise.name, d.enterprise.name_en),
        "move": t.label, "status": Status(step.to_status).label},
        reverse("dossier_detail", args=[d.pk]), dedupe_key=f"dossier-step:{step.pk}")
