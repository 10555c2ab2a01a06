"""labkit: the small shared package behind the AI Engineer course."""

from labkit.settings import Settings, get_settings

__version__ = "0.1.0"

__all__ = ["Settings", "__version__", "get_settings"]
