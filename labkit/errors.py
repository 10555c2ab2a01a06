"""The labkit exception tree.

::

    LabkitError                      anything labkit raises on purpose
    ├── ConfigurationError           a setting is wrong or missing; the message names it
    ├── OfflineError                 something needs the network while offline
    ├── ServiceUnavailable           a throwaway server could not start; says what to install
    ├── DatasetError                 a shipped file is missing or fails its sha256
    ├── NotebookError                a notebook is unreadable, malformed or of another lab
    ├── GradingError                 grading itself cannot run (unknown lab, no input)
    └── LLMError                     a chat model call failed
        ├── LLMTimeout
        ├── LLMRateLimited
        ├── LLMAuthError
        ├── LLMBadRequest
        └── LLMProviderDown
"""

from __future__ import annotations


class LabkitError(Exception):
    """Base class for every error labkit raises on purpose."""


class ConfigurationError(LabkitError):
    """A setting is wrong or missing; the message names the setting to change."""


class OfflineError(LabkitError):
    """Something needs the network, but the course runs offline by default."""


class ServiceUnavailable(LabkitError):
    """A throwaway real service could not start; the message says what to install."""


class DatasetError(LabkitError):
    """A shipped dataset is missing or does not match its sha256."""


class NotebookError(LabkitError):
    """A notebook is unreadable, malformed, or belongs to another lab."""


class GradingError(LabkitError):
    """Grading itself cannot run: an unknown lab or no readable input."""


class LLMError(LabkitError):
    """A chat model call failed."""


class LLMTimeout(LLMError):
    """The provider did not answer within the timeout."""


class LLMRateLimited(LLMError):
    """The provider asked us to slow down (HTTP 429)."""


class LLMAuthError(LLMError):
    """The key is missing, wrong or lacks permission (HTTP 401/403)."""


class LLMBadRequest(LLMError):
    """The request itself is invalid (HTTP 400/404/422); retrying will not help."""


class LLMProviderDown(LLMError):
    """The provider failed on its side (HTTP 5xx or a broken connection)."""
