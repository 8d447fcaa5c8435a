"""Traceability as a pure library (no Django): GS1 keys, EPCIS 2.0 validation, the canonical event
hash and the trace graph. The web app `nscl.trace` stores and serves what this library checks."""
