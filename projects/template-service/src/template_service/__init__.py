"""A production-ready FastAPI template service: typed settings, JSON logs and real patterns."""

__version__ = "0.1.0"
__all__ = ["__version__"]
