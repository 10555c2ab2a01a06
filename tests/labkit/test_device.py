"""labkit.device: choosing cuda, mps or cpu; describing the machine; skipping GPU-only steps."""

from __future__ import annotations

import os
from typing import Any

import pytest
import torch

from labkit.device import describe, gpu_or_skip, pick_device
from labkit.errors import ConfigurationError
from labkit.settings import Settings


def settings(**fields: Any) -> Settings:
    return Settings(_env_file=None, **fields)


def test_does_auto_pick_the_best_device_present() -> None:
    """Does auto pick cuda when torch sees it, else mps, else cpu?"""
    expected = (
        "cuda"
        if torch.cuda.is_available()
        else "mps"
        if torch.backends.mps.is_available()
        else "cpu"
    )
    assert pick_device(settings(device="auto")) == expected


def test_is_cpu_always_honoured() -> None:
    """Does LABKIT_DEVICE=cpu give cpu on any machine?"""
    assert pick_device(settings(device="CPU")) == "cpu"


def test_is_an_unknown_device_explained() -> None:
    """Does an unknown LABKIT_DEVICE fail, naming the setting and its choices?"""
    with pytest.raises(ConfigurationError, match=r"LABKIT_DEVICE='tpu'.*auto, cpu, cuda, mps"):
        pick_device(settings(device="tpu"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_is_a_missing_gpu_explained() -> None:
    """Does asking for cuda on a machine without it fail, saying what to set instead?"""
    with pytest.raises(ConfigurationError, match="LABKIT_DEVICE=auto"):
        pick_device(settings(device="cuda"))


def test_does_describe_report_the_machine() -> None:
    """Does describe() report Python, torch, CPUs and the chosen device?"""
    machine = describe(settings(device="cpu"))
    assert machine["torch"] == torch.__version__
    assert machine["cpu_count"] == os.cpu_count()
    assert machine["device"] == "cpu"
    assert machine["vram_gb"] is None
    assert set(machine) == {
        "python",
        "torch",
        "platform",
        "cpu_count",
        "torch_threads",
        "device",
        "device_name",
        "vram_gb",
        "cuda",
    }


def test_does_gpu_or_skip_explain_itself_on_a_cpu(capsys: pytest.CaptureFixture[str]) -> None:
    """On a CPU run, does gpu_or_skip return False and print what was skipped and why?"""
    assert gpu_or_skip("QLoRA fine-tuning", settings(device="cpu")) is False
    printed = capsys.readouterr().out
    assert "QLoRA fine-tuning needs a CUDA GPU" in printed
    assert "Colab" in printed


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_does_a_gpu_machine_report_its_card(capsys: pytest.CaptureFixture[str]) -> None:
    """On a CUDA machine, does describe() name the card and gpu_or_skip say go?"""
    machine = describe(settings(device="auto"))
    assert machine["device"] == "cuda"
    assert isinstance(machine["vram_gb"], float) and machine["vram_gb"] > 1
    assert gpu_or_skip("QLoRA fine-tuning", settings(device="auto")) is True
    assert capsys.readouterr().out == ""
