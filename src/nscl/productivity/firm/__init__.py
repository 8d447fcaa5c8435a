"""Firm-level production functions and TFP, following R's prodest 1.0.1 (Rovigatti).

Value-added specification in logs: y = β_f·free + β_s·state + ω + ε, panel `id` × `time`. A lag
exists only for the previous calendar year of the same firm (a gap gives no lag).

Estimators (each a model class whose ``fit()`` returns :class:`ProductivityResults`, the results
contract of :mod:`nscl.productivity.results`; their codes and labels are in
:mod:`nscl.productivity.methods`):

- ``OLS``, ``FixedEffects`` (within firm): no proxy.
- ``OlleyPakes`` (proxy: investment), ``LevinsohnPetrin`` (proxy: materials): first stage OLS of y
  on the free inputs, controls and a full second-degree polynomial in (state, proxy); productivity
  follows a cubic polynomial in its lag; the state coefficients minimise the sum of squared
  innovations (prodest's ``gOPLP``).
- ``ACF`` (Ackerberg-Caves-Frazer): first stage on a full second-degree polynomial in (free,
  state, proxy); exactly identified GMM with instruments (lagged free, current state) and weight
  (Z'Z)⁻¹/N (prodest's ``gACF``).
- ``Wooldridge`` (IV): prodest 1.0.1's ``prodestWRDG`` — the level equation stacked over the
  lagged-productivity equation (productivity a random walk), free inputs instrumented by their
  lags; regressors projected on the instruments without a constant, then OLS of y on the fitted
  regressors and a constant, with OLS standard errors. (Stata's ``prodest, method(wrdg)`` differs:
  a constant and an equation-2 intercept in both regressors and instruments, u'u/N variance.)
- ``WooldridgeGMM``: the two-equation system of Wooldridge (2009) estimated by two-step GMM exactly
  as prodest's ``prodestWRDG_GMM`` (diagonal first-step weight, then σ̂²·Z'Z), with its analytic
  standard errors.

Deliberate differences from prodest, and why:

- prodest starts its optimiser at the first-stage coefficients plus N(0, 0.01) noise and uses BFGS
  with finite-difference gradients, which stops early on these flat criteria (OP/LP) and, for ACF,
  in whichever local minimum is nearest. Here the criteria are minimised to tight tolerance from
  deterministic starts: OP/LP's sum of squared innovations by Levenberg-Marquardt with the analytic
  Jacobian, finished by Newton steps on its gradient (Nelder-Mead if it fails); ACF's GMM criterion from several starts (first stage, 0.5, seeded random points) by
  Levenberg-Marquardt on the weighted moments, finished by Nelder-Mead unless it reached an exact
  root (and then by Newton steps on its gradient), keeping the lowest criterion and reporting every
  local minimum found. When several minima
  tie (an exactly identified criterion can have more than one exact root), the one with every
  elasticity in (0, 1) is kept, then the one from the earliest start (never the rounding of the
  criteria), and the tie is reported. ACF's bootstrap draws start at the full sample's estimate and
  at the draw's own first stage; OP/LP's at the full sample's estimate (a warm start).
- The cubic productivity process is fitted on the standardised lagged productivity (the same span,
  well-conditioned normal equations); results equal prodest's up to rounding.
- Linear steps are solved from weighted Gram matrices (normal equations) of centred and scaled
  columns — the first stages' polynomial of the *standardised* inputs, which spans the same space
  as prodest's polynomial of the raw inputs (the coefficients prodest reads from it are converted
  back) — rather than by QR; the second stages from moments of polynomials (``sums``), so an
  evaluation of a criterion touches no row. Estimates agree with the row-by-row computation to
  about 1e-8 or better (OP/LP's finite-difference minimum was itself only good to about 1e-8).
- Bootstrap over firms by multiplicity weights (``bootstrap``): a draw is the panel with each firm
  weighted by how many times it was drawn, not a panel of copied rows; it equals the copied-rows
  bootstrap (same draws for the same seed, estimates within 1e-8, failures counted alike; held by
  the tests) because lags stay within each firm of the original panel, as within each copy.
- Bootstrap draws that fail are counted and reported (prodest drops them with ``na.rm``).
- Estimation by group (``groups.fit_by_group``, ``--by``): each group is a separate run on its
  rows (same options and bootstrap seed), groups in parallel processes; groups smaller than
  ``MIN_GROUP`` firm-years, without a value or failing are reported, not fatal.
- Controls (``controls``): OP/LP as prodest (linear in the first stage, their coefficients taken
  from it); ACF as prodest 1.0.2, which fixed 1.0.1's failure with controls (linear in the first
  stage, in the second stage with their lags, lagged controls as instruments); Wooldridge IV and
  GMM treat them as exogenous regressors and instruments in both equations (prodest 1.0.1 leaves
  them out of its matrices).

Modules: ``panel`` (reading only the needed columns, checking and preparing the panel, the rows
and weights an estimate uses), ``results`` (what a fit returns, firm TFP), ``estimators`` (the base
class, OLS, FE), ``proxy`` (OP, LP, ACF), ``wooldridge`` (IV, GMM), ``sums`` (Gram matrices per
row or firm, polynomial moments), ``optimise`` (the minimisers), ``bootstrap`` (over firms),
``groups`` (by group).
"""
from __future__ import annotations

from .. import methods
from .bootstrap import bootstrap_draws, draw_estimates, firm_weights, resample_firms
from .estimators import OLS, FixedEffects, ProductionFunction, estimate
from .groups import MIN_GROUP, GroupResults, fit_by_group, group_key, grouped_summary, skip_reason
from .panel import FirmDataError, Panel, Sample, check_columns, needed_columns, poly2, prepare, read_panel
from .proxy import ACF, LevinsohnPetrin, OlleyPakes
from .wooldridge import Wooldridge, WooldridgeGMM
from .results import ProductivityResults, firm_tfp

# the registry's lists under their old names
METHODS = methods.codes(methods.FIRM_METHODS)
LABELS = {m.code: m.label_en for m in methods.FIRM_METHODS}
ESTIMATORS = {m.code: m.model() for m in methods.FIRM_METHODS}

__all__ = ["ACF", "ESTIMATORS", "MIN_GROUP", "FixedEffects", "FirmDataError", "GroupResults", "LABELS",
           "LevinsohnPetrin", "METHODS", "OLS", "OlleyPakes", "Panel", "ProductionFunction", "ProductivityResults",
           "Sample", "Wooldridge", "WooldridgeGMM", "bootstrap_draws", "check_columns", "draw_estimates", "estimate",
           "firm_tfp", "firm_weights", "fit_by_group", "group_key", "grouped_summary", "needed_columns", "poly2",
           "prepare", "read_panel", "resample_firms", "skip_reason"]
