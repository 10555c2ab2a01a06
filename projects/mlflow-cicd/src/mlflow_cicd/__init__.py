"""Train, register, gate, promote and serve a support-ticket router with MLflow."""

__all__ = ["__version__"]
__version__ = "0.1.0"
