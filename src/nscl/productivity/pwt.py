"""Reproduce the Penn World Table 10.01 TFP index (rtfpna) from PWT's own columns.

Y = rgdpna, K = rkna (capital services), L = emp × avh × hc, s = labsh; Törnqvist, chained and
set to 1 in 2017. Source: Feenstra, Inklaar & Timmer (2015), AER 105(10), www.ggdc.net/pwt (CC BY 4.0);
the file ships in nscl/data/pwt with its README.
"""
from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

BASE_YEAR = 2017
INPUTS = ["rgdpna", "rkna", "emp", "avh", "hc", "labsh"]


def load_pwt(path=None) -> pd.DataFrame:
    src = path or resources.files("nscl.data.pwt").joinpath("pwt1001.csv")
    with (open(src, "rb") if path else src.open("rb")) as f:
        return pd.read_csv(f, encoding="utf-8-sig")


def reproduce_rtfpna(pwt: pd.DataFrame, countries=None) -> pd.DataFrame:
    """Rows (country, year, tfp_index, rtfpna_published) for every row where PWT publishes rtfpna;
    tfp_index is null where an input is missing (PWT then used inputs it does not publish)."""
    df = pwt[["countrycode", "year", "rtfpna", *INPUTS]]
    if countries:
        df = df[df["countrycode"].isin(countries)]
    df = df.sort_values(["countrycode", "year"]).reset_index(drop=True)
    complete = df[INPUTS].notna().all(axis=1).to_numpy()
    cc = df["countrycode"].to_numpy()
    year = df["year"].to_numpy()
    lab = np.log(df["emp"].to_numpy() * df["avh"].to_numpy() * df["hc"].to_numpy())
    lny, lnk, s = np.log(df["rgdpna"].to_numpy()), np.log(df["rkna"].to_numpy()), df["labsh"].to_numpy()
    prev_ok = np.zeros(len(df), bool)
    prev_ok[1:] = complete[1:] & complete[:-1] & (cc[1:] == cc[:-1]) & (year[1:] == year[:-1] + 1)
    dln = np.full(len(df), np.nan)
    sb = (s[1:] + s[:-1]) / 2
    dln[1:] = (lny[1:] - lny[:-1]) - sb * (lab[1:] - lab[:-1]) - (1 - sb) * (lnk[1:] - lnk[:-1])
    dln[~prev_ok] = np.nan
    # chains: runs of complete consecutive years within a country
    run_start = complete & ~prev_ok
    run_id = np.cumsum(run_start)
    run_id[~complete] = 0
    steps = np.where(prev_ok, dln, 0.0)
    cum = pd.Series(steps).groupby(run_id).cumsum().to_numpy()
    base = pd.Series(np.where((year == BASE_YEAR) & complete, cum, np.nan)).groupby(run_id).transform("max").to_numpy()
    index = np.exp(cum - base)
    # A run that does not reach 2017 (JAM, TTO, VEN: hours stop before 2017) links to 2017 through
    # inputs PWT does not publish; it is anchored to the published value at its last year instead,
    # so its rows test the growth rates, not the level.
    published = df["rtfpna"].to_numpy()
    last = pd.Series(np.arange(len(df))).groupby(run_id).transform("max").to_numpy()
    anchored = np.exp(cum - cum[last]) * published[last]
    index = np.where(np.isnan(base), anchored, index)
    index[run_id == 0] = np.nan
    out = pd.DataFrame({"country": cc, "year": year, "tfp_index": index, "rtfpna_published": df["rtfpna"].to_numpy()})
    return out[out["rtfpna_published"].notna()].reset_index(drop=True)


def reproduction_errors(rows: pd.DataFrame) -> dict:
    err = (rows["tfp_index"] - rows["rtfpna_published"]).abs().dropna()
    return {"compared": int(len(err)), "countries": int(rows.loc[err.index, "country"].nunique()),
            "median_abs_error": float(err.median()) if len(err) else None,
            "max_abs_error": float(err.max()) if len(err) else None}


def country_series(pwt: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """A country's national series in the growth-accounting input layout (capital = rnna)."""
    d = pwt[pwt["countrycode"] == iso3].dropna(subset=["rgdpna", "rnna", "emp"])
    out = pd.DataFrame({"year": d["year"], "output": d["rgdpna"], "capital": d["rnna"], "labour": d["emp"]})
    if d["avh"].notna().all():
        out["hours"] = d["avh"]
    if d["hc"].notna().all():
        out["human_capital"] = d["hc"]
    return out.reset_index(drop=True)
