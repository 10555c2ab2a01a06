"""Which accelerator this machine has: pick cuda, mps or cpu; describe it; skip GPU-only steps."""

from __future__ import annotations

import os
import platform

import torch

from labkit.errors import ConfigurationError
from labkit.settings import Settings, get_settings

_DEVICES = ("auto", "cpu", "cuda", "mps")


def _available(device: str) -> bool:
    if device == "cuda":
        return torch.cuda.is_available()
    if device == "mps":
        return torch.backends.mps.is_available()
    return device == "cpu"


def pick_device(settings: Settings | None = None) -> str:
    """Return the torch device to use: ``settings.device``, or the best one when ``auto``.

    ``auto`` prefers cuda, then mps, then cpu.

    Raises:
        ConfigurationError: ``LABKIT_DEVICE`` is unknown, or names a device this machine lacks.

    Example:
        >>> pick_device()  # on a laptop without a GPU
        'cpu'

    """
    wanted = (settings or get_settings()).device.lower()
    if wanted not in _DEVICES:
        raise ConfigurationError(
            f"LABKIT_DEVICE={wanted!r} is not one of {', '.join(_DEVICES)}; set it to auto."
        )
    if wanted == "auto":
        return next(device for device in ("cuda", "mps", "cpu") if _available(device))
    if not _available(wanted):
        raise ConfigurationError(
            f"LABKIT_DEVICE={wanted} but this machine has no {wanted} device that torch "
            f"{torch.__version__} can use; set LABKIT_DEVICE=auto (or cpu)."
        )
    return wanted


def describe(settings: Settings | None = None) -> dict[str, str | int | float | None]:
    """Describe this machine, for a notebook's first cell or ``labkit doctor``.

    Returns:
        ``python``, ``torch``, ``platform``, ``cpu_count`` and ``torch_threads``; ``device``
        (what ``pick_device`` chose) and ``device_name``; ``vram_gb`` and ``cuda`` (the CUDA
        version torch was built with) on a CUDA machine, else None.

    Example:
        >>> import pandas as pd
        >>> pd.Series(describe())  # doctest: +SKIP

    """
    device = pick_device(settings)
    name, vram_gb = platform.processor() or platform.machine(), None
    if device == "cuda":
        properties = torch.cuda.get_device_properties(torch.cuda.current_device())
        name, vram_gb = properties.name, round(properties.total_memory / 2**30, 1)
    elif device == "mps":
        name = f"Apple {platform.machine()} (mps)"
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(terse=True),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": device,
        "device_name": name,
        "vram_gb": vram_gb,
        "cuda": torch.version.cuda if device == "cuda" else None,
    }


def gpu_or_skip(reason: str, settings: Settings | None = None) -> bool:
    """Whether a CUDA-only step can run here; if not, print why it is skipped.

    It never raises, not even under pytest: a notebook graded by nbval runs in a kernel where
    a pytest skip would count as a failed cell. Guard the GPU-only cell with it, keep a CPU
    path beside it, and mark GPU-only tests with ``@pytest.mark.gpu`` instead.

    Args:
        reason: What the step does, e.g. ``"QLoRA fine-tuning of Qwen2.5-0.5B"``.
        settings: Where ``LABKIT_DEVICE`` comes from; read when None.

    Example:
        >>> if gpu_or_skip("QLoRA fine-tuning"):  # doctest: +SKIP
        ...     train_on_gpu()

    """
    device = pick_device(settings)
    if device == "cuda":
        return True
    print(
        f"Skipped on this machine: {reason} needs a CUDA GPU, and this run uses {device}. "
        "To run this step, open the notebook on Colab (Runtime > Change runtime type > "
        "T4 GPU) or on a machine with CUDA."
    )
    return False
