"""Simulated firm panels with known production-function parameters (tests and benchmarks).

A design in the spirit of Ackerberg, Caves & Frazer (2015): value added y = β_l·l + β_k·k + ω + ε;
productivity is AR(1) (ρ = 0.7) realised in two steps so that labour, chosen at t−b, sees only part
of this year's shock; capital is chosen a year ahead; materials respond to ω_t, k_t and l_t (and so
invert to ω); firm wages follow an AR(1) that moves labour independently of productivity.
Investment (the Olley-Pakes proxy) rises with ω and falls with k.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_panel(firms: int = 1000, years: int = 10, beta_l: float = 0.6, beta_k: float = 0.4, seed: int = 0,
                   rho: float = 0.7, burn: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t_all = years + burn
    a = np.sqrt(rho)                      # ω_{t-b} = a·ω_{t-1} + η ;  ω_t = a·ω_{t-b} + ν
    omega = rng.normal(0, 0.3, firms)
    k = rng.normal(3, 0.5, firms)
    wage = rng.normal(0, 0.2, firms)
    rows = []
    for t in range(t_all):
        omega_b = a * omega + rng.normal(0, 0.15, firms)
        wage = 0.8 * wage + rng.normal(0, 0.1, firms)
        l = 0.5 + 1.2 * omega_b + 0.4 * k - 1.0 * wage
        omega_new = a * omega_b + rng.normal(0, 0.15, firms)
        m = 0.3 + omega_new + 0.3 * k + 0.5 * l
        y = beta_l * l + beta_k * k + omega_new + rng.normal(0, 0.1, firms)
        inv = 1.0 + 0.8 * omega_new - 0.1 * k + rng.normal(0, 0.05, firms)
        if t >= burn:
            rows.append(pd.DataFrame({"firm": np.arange(firms), "year": 2000 + t - burn, "y": y, "l": l, "k": k,
                                      "m": m, "inv": inv, "omega": omega_new}))
        k = 0.85 * k + 0.15 * (3 + 2 * omega_new) + rng.normal(0, 0.15, firms)   # chosen at t for t+1
        omega = omega_new
    return pd.concat(rows, ignore_index=True)
