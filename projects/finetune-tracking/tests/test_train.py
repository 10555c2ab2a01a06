"""Does training learn, does LoRA train far fewer weights, and does the CLI print its figures?"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from finetune_tracking.__main__ import main
from finetune_tracking.data import load_tickets
from finetune_tracking.model import build_model, count_parameters
from finetune_tracking.tracking import write_outputs
from finetune_tracking.train import TrainConfig, resolve_device, train_and_evaluate


def test_does_lora_freeze_the_encoder_but_train_the_head(tiny_model: Path) -> None:
    lora_trainable, lora_total = count_parameters(build_model(tiny_model, 3, "lora"))
    full_trainable, full_total = count_parameters(build_model(tiny_model, 3, "full"))
    assert full_trainable == full_total
    assert 0 < lora_trainable < full_trainable / 5
    assert lora_total > full_total  # the adapters are extra weights


def test_does_an_unknown_mode_fail_clearly(tiny_model: Path) -> None:
    with pytest.raises(ValueError, match="'lora' or 'full'"):
        build_model(tiny_model, 3, "half")  # type: ignore[arg-type]


def test_does_full_fine_tuning_learn_an_easy_task(tiny_model: Path, tickets_csv: Path) -> None:
    split = load_tickets(tickets_csv)
    config = TrainConfig(
        model_path=tiny_model, mode="full", epochs=6, batch_size=8, learning_rate=2e-3
    )
    result = train_and_evaluate(config, split)
    assert all(math.isfinite(loss) for loss in result.losses)
    steps = len(result.losses) // config.epochs
    first, last = result.losses[:steps], result.losses[-steps:]
    assert sum(last) < sum(first) / 2, (first, last)
    assert result.accuracy > 0.6
    assert result.peak_memory_mb > 0
    assert result.memory_kind == "process peak RSS"


def test_do_the_outputs_hold_metrics_and_a_model_card(
    tiny_model: Path, tickets_csv: Path, tmp_path: Path
) -> None:
    split = load_tickets(tickets_csv)
    config = TrainConfig(model_path=tiny_model, mode="lora", epochs=1, batch_size=16)
    result = train_and_evaluate(config, split)
    files = write_outputs(result, config, tmp_path)
    assert [path.name for path in files] == ["metrics.json", "model_card.md", "losses.json"]
    assert json.loads(files[0].read_text())["trainable_params"] == result.trainable_params
    assert f"{result.accuracy:.3f}" in files[1].read_text()


def test_does_the_cli_print_one_json_line_of_figures(
    tiny_model: Path, tickets_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--model-path",
        str(tiny_model),
        "--data",
        str(tickets_csv),
        "--mode",
        "lora",
        "--epochs",
        "1",
        "--device",
        "cpu",
        "--no-mlflow",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["mode"] == "lora"
    assert figures["run_id"] is None
    assert {"device_name", "seconds_per_epoch", "peak_memory_mb", "accuracy"} <= set(figures)


def test_does_limit_shrink_the_tickets_the_cli_trains_on(
    tiny_model: Path, tickets_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--model-path", str(tiny_model), "--data", str(tickets_csv), "--mode", "full"]
    argv += ["--limit", "30", "--epochs", "1", "--device", "cpu", "--no-mlflow"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["train_size"] + figures["test_size"] == 30


def test_does_a_limit_below_one_stop_with_a_usage_error(tiny_model: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--model-path", str(tiny_model), "--limit", "0", "--no-mlflow"])
    assert stopped.value.code == 2


def test_does_a_wrong_model_path_stop_with_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--model-path", str(tmp_path), "--no-mlflow"])
    assert stopped.value.code == 2


def test_does_cuda_on_a_cpu_machine_fail_clearly() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="no CUDA device"):
        resolve_device("cuda")
