"""Pure productivity library (numpy/pandas only, no Django): growth accounting, firm TFP, impact."""
