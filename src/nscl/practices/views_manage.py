"""Management pages of the library: officers build cases from accepted dossiers, write them, add
measured indicators, photos and documents, publish; an enterprise user gives or revokes consent for
its own cases. A case a user may not see is 404; one they see but may not change is 403."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles

from . import services
from .forms import CaseFileForm, CaseForm, ConsentForm, IndicatorForm, NewCaseForm
from .models import CaseFile, PracticeCase
from .views import _detail_context


def _cases(request):
    return services.with_consent(roles.visible_practice_cases(request.user, PracticeCase.objects.all())
                                 .select_related("dossier", "dossier__enterprise", "dossier__content"))


def _case_or_404(request, pk) -> PracticeCase:
    return get_object_or_404(_cases(request), pk=pk)


def _curator_or_403(request):
    if not roles.can_curate_practices(request.user):
        raise PermissionDenied


def _errors(request, *forms):
    for form in forms:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)


@login_required
def manage_list(request):
    curator = roles.can_curate_practices(request.user)
    if not (curator or roles.own_tax_code(request.user)):
        raise PermissionDenied
    return render(request, "practices/manage_list.html", {
        "cases": _cases(request).order_by("-updated_at"), "curator": curator,
        "eligible": services.eligible_dossiers().count() if curator else 0})


@login_required
def case_new(request):
    _curator_or_403(request)
    form = NewCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            case = services.create_case(data.pop("dossier"), request.user, **data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Đã tạo điển hình (bản nháp)."))
            return redirect("practice_manage_case", pk=case.pk)
    return render(request, "practices/case_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def manage_case(request, pk, status=200, case_form=None, indicator_form=None, file_form=None):
    case = _case_or_404(request, pk)
    curator = roles.can_curate_practices(request.user)
    return render(request, "practices/manage_case.html", {
        **_detail_context(case, public_only=False), "curator": curator,
        "consent": services.active_consent(case), "consent_history": case.consents.select_related("given_by", "revoked_by"),
        "can_consent": roles.can_manage_practice_consent(request.user, case.dossier.enterprise.tax_code),
        "officer_records": roles.own_tax_code(request.user) is None,
        "case_form": case_form or CaseForm(instance=case), "indicator_form": indicator_form or IndicatorForm(),
        "file_form": file_form or CaseFileForm(), "consent_form": ConsentForm(),
        "public": services.public_cases().filter(pk=case.pk).exists(),
    }, status=status)


@login_required
@require_POST
def case_edit(request, pk):
    case = _case_or_404(request, pk)
    _curator_or_403(request)
    form = CaseForm(request.POST, instance=case)
    if not form.is_valid():
        _errors(request, form)
        return manage_case(request, pk, status=400, case_form=form)
    form.save()
    messages.success(request, _("Đã lưu."))
    return redirect("practice_manage_case", pk=pk)


@login_required
@require_POST
def indicator_add(request, pk):
    case = _case_or_404(request, pk)
    _curator_or_403(request)
    form = IndicatorForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return manage_case(request, pk, status=400, indicator_form=form)
    indicator = form.save(commit=False)
    indicator.case = case
    indicator.order = case.indicators.count()
    indicator.save()
    messages.success(request, _("Đã thêm chỉ số."))
    return redirect("practice_manage_case", pk=pk)


@login_required
@require_POST
def indicator_delete(request, pk, indicator_pk):
    case = _case_or_404(request, pk)
    _curator_or_403(request)
    get_object_or_404(case.indicators, pk=indicator_pk).delete()
    messages.success(request, _("Đã xóa chỉ số."))
    return redirect("practice_manage_case", pk=pk)


@login_required
@require_POST
def file_add(request, pk):
    case = _case_or_404(request, pk)
    _curator_or_403(request)
    form = CaseFileForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form)
        return manage_case(request, pk, status=400, file_form=form)
    services.add_file(case, request.user, **form.cleaned_data)
    messages.success(request, _("Đã tải lên."))
    return redirect("practice_manage_case", pk=pk)


@login_required
@require_POST
def file_change(request, pk, file_pk):
    """Mark a photo or document public or not, or delete it."""
    case = _case_or_404(request, pk)
    _curator_or_403(request)
    f = get_object_or_404(CaseFile.objects.filter(case=case), pk=file_pk)
    action = request.POST.get("action")
    if action == "delete":
        f.delete()
        messages.success(request, _("Đã xóa tệp."))
    elif action in ("public", "private"):
        f.is_public = action == "public"
        f.save()
        messages.success(request, _("Đã cập nhật."))
    else:
        messages.error(request, _("Thao tác không hợp lệ."))
        return manage_case(request, pk, status=400)
    return redirect("practice_manage_case", pk=pk)


@login_required
@require_POST
def case_publish(request, pk):
    case = _case_or_404(request, pk)
    _curator_or_403(request)
    try:
        if request.POST.get("action") == "unpublish":
            services.unpublish(case, request.user)
            messages.success(request, _("Đã thôi công bố."))
        else:
            services.publish(case, request.user)
            messages.success(request, _("Đã công bố điển hình."))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return manage_case(request, pk, status=400)
    return redirect("practice_manage_case", pk=pk)


@login_required
@require_POST
def case_consent(request, pk):
    """Give (or change the scope of) consent, or revoke it: the enterprise user for its own case, or
    an officer recording the enterprise's written decision."""
    case = _case_or_404(request, pk)
    if not roles.can_manage_practice_consent(request.user, case.dossier.enterprise.tax_code):
        raise PermissionDenied
    if request.POST.get("action") == "revoke":
        services.revoke_consent(case, request.user)
        messages.success(request, _("Đã rút sự đồng ý: điển hình không còn hiển thị công khai."))
        return redirect("practice_manage_case", pk=pk)
    form = ConsentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(e for errs in form.errors.values() for e in errs))
        services.give_consent(case, request.user, **form.cleaned_data)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return manage_case(request, pk, status=400)
    messages.success(request, _("Đã ghi nhận sự đồng ý công khai."))
    return redirect("practice_manage_case", pk=pk)
