"""Illustrative TFP data ("Dữ liệu minh họa"): a provincial series, one run and four published years.
Loaded after the programme's demo (it needs its officer) and removed before it."""
import random

import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction

from nscl.audit.api import acting_as
from nscl.programme.demo import DEMO_OFFICER

from . import services as tfp
from .models import TfpPublication, TfpRun, TfpSeries


@transaction.atomic
def load() -> dict:
    """An illustrative provincial series (GRDP 2010-2014: statistical yearbook 2022, table 39; the rest
    invented), one GSO run, and its figures for 2021-2024 published (they count toward target MT6)."""
    if TfpSeries.objects.filter(is_demo=True).exists():
        return {"skipped": "already loaded"}
    user = get_user_model().objects.get(username=DEMO_OFFICER)
    rng = random.Random(6)
    years = list(range(2010, 2025))
    output = [27_065_153, 29_604_453, 31_871_009, 33_927_875, 36_190_549]
    while len(output) < len(years):
        output.append(round(output[-1] * (1 + rng.uniform(0.065, 0.105))))
    investment = [round(9_500_000 * 1.09 ** i * rng.uniform(0.95, 1.05)) for i in range(len(years))]
    price = [100 * 1.025 ** i for i in range(len(years))]
    labour = [round(650_000 * 1.012 ** i) for i in range(len(years))]
    with acting_as(user):
        series = TfpSeries.objects.create(name="Hưng Yên (cũ) 2010-2024 — minh họa", territory=TfpSeries.Territory.HY_OLD,
                                          is_demo=True, created_by=user,
                                          note="Dữ liệu minh họa: chỉ GRDP 2010-2014 là số liệu thật.")
        tfp.replace_observations(series, pd.DataFrame({"year": years, "output": output, "investment": investment,
                                                       "investment_price_index": price, "labour": labour}),
                                 {"output": "Niên giám thống kê Hưng Yên 2022, bảng 39 (2010-2014); các năm sau: minh họa",
                                  "investment": "minh họa", "labour": "minh họa"})
        run = tfp.run(series, user, "gso", 0.38, 0.06, None, "2011-2015,2016-2020,2021-2024")
        for year in (2021, 2022, 2023, 2024):
            tfp.publish(run, year, user)
    return {"series": 1, "published": 4}


@transaction.atomic
def remove() -> dict:
    """Delete exactly the illustrative TFP series, runs and publications (the programme's demo
    records they published are removed with the programme's demo)."""
    pubs = TfpPublication.objects.filter(run__is_demo=True).delete()[0]
    TfpRun.objects.filter(is_demo=True).delete()
    series = TfpSeries.objects.filter(is_demo=True).delete()[0]
    return {"tfp_series": series, "tfp_publications": pubs}
