"""The illustrative registry (issue 12, item 5): labelled, valid tax codes, support only before the
2021-2025 plan, removed exactly; and the impact page recovers its known effect (+8% labour
productivity from the year of acceptance) within the 95% interval, with flat pre-trends."""
import math

import pytest
from stdnum.vn import mst

from nscl.analysis import demo_support_impact
from nscl.analysis import support_impact as ri
from nscl.enterprises.dossiers import Dossier
from nscl.enterprises.models import Enterprise, YearlyFigures
from nscl.enterprises.reference import load_reference
from nscl.productivity import interpret
from nscl.stats.deflators import DeflatorSeries

pytestmark = pytest.mark.django_db


def test_the_demo_effect_is_recovered_within_its_interval():
    load_reference()
    out = demo_support_impact.load()
    assert out == {"registry_enterprises": 400, "registry_figures": 4000, "registry_dossiers": out["registry_dossiers"],
                   "registry_treated": out["registry_treated"]} and 200 < out["registry_treated"] < 250
    panel = ri.build_panel()
    d = panel.describe()
    assert (d["years"], d["n_firms"], d["n_treated"] + d["n_never"]) == ([2016, 2025], 400, 400)
    assert [c["year"] for c in d["cohorts"]] == [2017, 2018, 2019, 2020] and all(c["used"] for c in d["cohorts"])
    for control, estimator in (("never", "dr"), ("notyet", "reg")):
        r = ri.estimate(panel, control, estimator).to_dict()
        simple = r["aggregations"]["simple"]
        assert simple["lower"] < demo_support_impact.EFFECT < simple["upper"], (control, simple)
        assert simple["lower"] > 0  # an effect the page shows as significant
        pre = [e for e in r["aggregations"]["dynamic"]["by"] if e["e"] < 0]
        assert len(pre) == 3 and all(e["lower"] < 0 < e["upper"] for e in pre)
    notes = " ".join(n["text"] for n in interpret.impact_notes(r, "log_labour_productivity"))
    assert "phù hợp với giả định xu hướng song song" in notes and "có ý nghĩa thống kê" in notes


def test_the_demo_is_labelled_before_the_plan_and_removed_exactly():
    load_reference()
    real = Enterprise.objects.create(tax_code=demo_support_impact.demo_tax_codes(1)[0], name="Doanh nghiệp thật")
    demo_support_impact.load(n_firms=30)
    demo = Enterprise.objects.filter(is_demo=True)
    assert demo.count() == 30 and real.pk not in set(demo.values_list("pk", flat=True))  # its code was skipped
    assert all(mst.is_valid(c) and c.startswith("0991") for c in demo.values_list("tax_code", flat=True))
    assert all(name.endswith("(minh họa)") for name in demo.values_list("name", flat=True))
    years = {d.accepted_on.year for d in Dossier.objects.all()}
    assert years <= {2017, 2018, 2019, 2020} and Dossier.objects.filter(is_demo=False).count() == 0
    assert YearlyFigures.objects.filter(enterprise__is_demo=True).count() == 300
    assert DeflatorSeries.objects.get().is_demo
    assert demo_support_impact.load(n_firms=30) == {"registry_skipped": "already loaded"}
    n_dossiers = Dossier.objects.count()
    assert demo_support_impact.remove() == {"registry_enterprises": 30, "registry_dossiers": n_dossiers}
    assert list(Enterprise.objects.all()) == [real]
    assert not YearlyFigures.objects.exists() and not Dossier.objects.exists() and not DeflatorSeries.objects.exists()


def test_the_simulation_is_what_the_docstring_says():
    firms, figures = demo_support_impact.simulate(50, 3)
    assert len(figures) == 500 and {y for _i, y in figures} == set(demo_support_impact.YEARS)
    f = figures[(0, 2020)]
    assert f["intermediate_costs"] + f["value_added"] == f["revenue"]
    assert math.isclose(demo_support_impact.EFFECT, math.log(1.08))
