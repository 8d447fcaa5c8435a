"""NSCL: Hưng Yên productivity and quality programme system."""
__version__ = "0.1.0"
