"""The GSO labour option through the TFP run form, the saved run (reproduced by rerun) and the TFP note.
(Kept with the analysis tests by ownership; it belongs with tests/stats.)"""
import pandas as pd
import pytest

from nscl.accounts.models import Role
from nscl.stats import note, services
from nscl.stats.models import TfpRun, TfpSeries

pytestmark = pytest.mark.django_db


def frame():
    return pd.DataFrame({"year": range(2019, 2023), "output": [100, 103, 106, 113], "capital": [300, 310, 322, 335],
                         "labour": [600, 601, 603, 606], "hours": [2000, 2010, 1990, 2020],
                         "human_capital": [2.0, 2.05, 2.1, 2.12]})


def test_the_run_form_checkbox_asks_for_adjusted_labour(client, make_user, units):
    series = TfpSeries.objects.create(name="Thử", territory=TfpSeries.Territory.HY_NEW)
    services.replace_observations(series, frame())
    client.force_login(make_user(Role.PARTNER, unit=units["ctk"]))
    base = {"method": "gso", "alpha": "0.4", "depreciation": "0.05", "periods": ""}
    client.post(f"/tfp/series/{series.pk}/", base)
    client.post(f"/tfp/series/{series.pk}/", {**base, "adjusted_labour": "on"})
    persons, adjusted = TfpRun.objects.order_by("id")
    assert persons.results["parameters"]["labour_input"] == "persons"
    assert persons.year_result(2020)["labour_growth"] == pytest.approx(601 / 600 - 1)
    assert adjusted.results["parameters"]["labour_input"] == "adjusted"
    assert adjusted.year_result(2020)["labour_growth"] == pytest.approx(601 * 2010 * 2.05 / (600 * 2000 * 2.0) - 1)
    assert services.rerun(persons)["years"] == persons.results["years"]
    assert services.rerun(adjusted)["years"] == adjusted.results["years"]
    text = lambda run: " ".join(s[1] for s in note.document(run).sections if s[0] == "p")  # noqa: E731
    assert "Lao động: số người có việc làm." in text(persons)
    assert "Lao động: số người có việc làm, điều chỉnh theo giờ làm việc và chất lượng lao động." in text(adjusted)
    assert "persons" not in text(persons)
