"""Forms of the registry impact page: the estimate's options, and a deflator series typed or uploaded."""
from __future__ import annotations

import re

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from nscl.productivity import methods
from nscl.stats.deflators import DeflatorSeries

from .support_impact import DEFAULT_OUTCOME, MIN_PER_COHORT, OUTCOMES, content_groups

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _options(options):
    return methods.choices(options, translation.get_language() or "vi")


class SupportImpactForm(forms.Form):
    outcome = forms.ChoiceField(label=_l("Chỉ tiêu kết quả"), initial=DEFAULT_OUTCOME,
                                help_text=_l("Năng suất lao động = giá trị tăng thêm (hoặc doanh thu − chi phí trung "
                                             "gian) / lao động bình quân, lấy logarit: tác động 0,08 ≈ 8%."))
    control = forms.ChoiceField(label=_l("Nhóm đối chứng"), initial="never",
                                help_text=_l("Các doanh nghiệp dùng để so sánh với doanh nghiệp được hỗ trợ."))
    estimator = forms.ChoiceField(label=_l("Ước lượng"), initial="dr",
                                  help_text=_l("Kép vững (mặc định) an toàn nhất; không có biến kiểm soát thì ba cách "
                                               "cho cùng kết quả."))
    content = forms.ChoiceField(label=_l("Nội dung hỗ trợ"), required=False,
                                help_text=_l("Chỉ các doanh nghiệp được hỗ trợ đầu tiên với nội dung này, so với các "
                                             "doanh nghiệp chưa từng được hỗ trợ."))
    deflator = forms.ModelChoiceField(label=_l("Giá trị"), queryset=DeflatorSeries.objects.all(), required=False,
                                      empty_label=_l("Giá hiện hành (không giảm phát)"),
                                      help_text=_l("Chọn một chỉ số giảm phát để tính theo giá so sánh."))
    year_from = forms.IntegerField(label=_l("Từ năm"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    year_to = forms.IntegerField(label=_l("Đến năm"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR,
                                 help_text=_l("Để trống: các năm có đủ số liệu."))

    def __init__(self, data=None):
        super().__init__(data)
        f = self.fields
        f["outcome"].choices = [(code, label) for code, label in OUTCOMES.items()]
        f["control"].choices = _options(methods.CONTROL_GROUPS)
        f["estimator"].choices = _options(methods.IMPACT_ESTIMATORS)
        self.groups = content_groups()
        english = (translation.get_language() or "vi").startswith("en")
        f["content"].choices = [("", _("Mọi nội dung"))] + [
            (g["code"], _("%(name)s — %(n)d doanh nghiệp") % {"name": (english and g["name_en"]) or g["name"],
                                                              "n": g["n"]}
             + ("" if g["large_enough"] else " " + _("(chưa năm nào đủ %(min)d)") % {"min": MIN_PER_COHORT}))
            for g in self.groups]

    def clean(self):
        cd = super().clean()
        a, b = cd.get("year_from"), cd.get("year_to")
        if (a is None) != (b is None):
            raise forms.ValidationError(_("Nhập cả năm đầu và năm cuối, hoặc để trống cả hai."))
        if a is not None and b is not None and b <= a:
            raise forms.ValidationError(_("Năm cuối phải sau năm đầu."))
        return cd

    def options(self) -> dict:
        """Keyword arguments of support_impact.build_panel (the form is valid)."""
        from nscl.enterprises.models import SupportContent

        cd = self.cleaned_data
        content = SupportContent.objects.filter(code=cd["content"]).first() if cd.get("content") else None
        years = (cd["year_from"], cd["year_to"]) if cd.get("year_from") is not None else None
        return {"outcome": cd["outcome"], "content": content, "deflator": cd.get("deflator"), "years": years}


_LINE = re.compile(r"^\s*(\d{4})\s*[;\t ,]\s*([0-9]+(?:[.,][0-9]+)?)\s*$")


def parse_values(text: str) -> tuple[dict, list]:
    """Lines "year index" (separated by a space, tab, ';' or ','; decimal comma or point) → {year: index}
    and the errors, each naming its line."""
    values, errors = {}, []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        m = _LINE.match(line)
        if not m:
            errors.append(_("Dòng %(n)d: “%(line)s” không phải “năm chỉ số” (vd. 2020 100 hoặc 2021;102,9).")
                          % {"n": n, "line": line.strip()[:60]})
            continue
        year, index = int(m.group(1)), float(m.group(2).replace(",", "."))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            errors.append(_("Dòng %(n)d: năm %(y)d ngoài khoảng %(a)d-%(b)d.") % {"n": n, "y": year, "a": FIRST_YEAR,
                                                                              "b": LAST_YEAR})
        elif index <= 0:
            errors.append(_("Dòng %(n)d: chỉ số phải lớn hơn 0.") % {"n": n})
        elif year in values:
            errors.append(_("Dòng %(n)d: năm %(y)d đã có ở trên.") % {"n": n, "y": year})
        else:
            values[year] = index
    return values, errors


def table_text(data: bytes, filename: str) -> str:
    """A two-column table (year, index; an optional header row) as "year index" lines."""
    from nscl.enterprises.importer import ImportFileError, read_table

    try:
        rows = read_table(data, filename)
    except ImportFileError as e:
        raise forms.ValidationError(str(e)) from None
    def cell(v):
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    lines = [f"{cell(cells[0])} {cell(cells[1])}" for cells in ([c for c in r if c not in (None, "")] for r in rows)
             if len(cells) >= 2]
    if lines and not _LINE.match(lines[0]):
        lines = lines[1:]  # the header
    return "\n".join(lines)


class DeflatorValuesForm(forms.Form):
    values = forms.CharField(label=_l("Chỉ số theo năm"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=_l("Mỗi dòng một năm: năm và chỉ số (năm gốc = 100), vd. “2020 100” rồi "
                                          "“2021 102,9”."))
    file = forms.FileField(label=_l("Hoặc tải bảng (.xlsx, .csv: cột năm, cột chỉ số)"), required=False)

    def __init__(self, *args, base_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_year = base_year

    def clean(self):
        cd = super().clean()
        f = cd.get("file")
        text = cd.get("values") or ""
        if f:
            if f.size > 1024 * 1024:
                raise forms.ValidationError(_("Tệp quá lớn (tối đa 1 MB)."))
            text = table_text(f.read(), f.name)
        values, errors = parse_values(text)
        if errors:
            raise forms.ValidationError(errors)
        if len(values) < 2:
            raise forms.ValidationError(_("Cần chỉ số của ít nhất hai năm."))
        base = self.base_year if self.base_year is not None else cd.get("base_year")
        if base in values and abs(values[base] - 100) > 0.05:
            raise forms.ValidationError(_("Chỉ số của năm gốc %(y)d phải là 100 (đang là %(v)s).")
                                        % {"y": base, "v": f"{values[base]:g}"})
        cd["parsed"] = values
        return cd


class DeflatorSeriesForm(DeflatorValuesForm):
    name = forms.CharField(label=_l("Tên chỉ số giảm phát"), max_length=200)
    base_year = forms.IntegerField(label=_l("Năm gốc (chỉ số = 100)"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    source = forms.CharField(label=_l("Nguồn"), max_length=300,
                             help_text=_l("Ví dụ: Niên giám thống kê tỉnh, bảng chỉ số giá sản xuất công nghiệp."))
    note = forms.CharField(label=_l("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["name", "base_year", "source", "note", "values", "file"]
