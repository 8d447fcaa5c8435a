"""Pure productivity library (no Django, no other nscl package): growth accounting (``growth``,
``pwt``), firm production functions and TFP (``firm``), the impact of support by staggered DiD
(``impact``), the list of methods (``methods``), the results contract (``results``) and the
tables users bring (``tables``).

Dependencies: numpy, pandas, scipy (optimisers, normal quantiles), moderndid (Callaway & Sant'Anna),
threadpoolctl (one BLAS thread per bootstrap worker), pyarrow (Parquet input) and openpyxl (Excel
input, through pandas)."""
