r"""LoRA on SmolLM2 for a small instruction task: data, completion-only masks, training, figures.

The notebooks ``02-datasets-collation`` and ``03-lora-smollm2`` import this module; it also
runs as a script, so the same code path gives the GPU figures of the chapter::

    python notebooks/04-llms/scripts/lora_smollm2.py --device cpu --steps 12     # smoke
    python notebooks/04-llms/scripts/lora_smollm2.py --device cuda --steps 200   # a real GPU
    python notebooks/04-llms/scripts/lora_smollm2.py --device cuda \\
        --random-weights --tokenizer /path/to/tokenizer   # SmolLM2-shaped, no weights needed

It needs torch, transformers and peft only (no ``datasets``, ``trl`` or ``bitsandbytes``).
``--random-weights`` builds a model of SmolLM2-135M's exact shape with random weights: its
memory and throughput figures are real, its loss and answers are meaningless.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    DataCollatorForSeq2Seq,
    LlamaConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

CATEGORIES = ("billing", "bug", "account")
INSTRUCTION = "Classify this support message as billing, bug or account. Message: "
_SUBJECTS = {
    "billing": [
        "my invoice",
        "the refund",
        "my card charge",
        "the monthly fee",
        "a double payment",
    ],
    "bug": ["the export button", "the app on iOS", "the search page", "the upload", "the sync"],
    "account": ["my password", "the login email", "two-factor setup", "my username", "my profile"],
}
_COMPLAINTS = {
    "billing": ["looks wrong", "was charged twice", "has not arrived", "is too high"],
    "bug": ["crashes", "shows an error 500", "freezes", "does nothing when clicked"],
    "account": ["cannot be reset", "is locked", "needs changing", "was not accepted"],
}
IGNORE_INDEX = -100
"""The label PyTorch's cross-entropy skips: prompt and padding tokens carry it."""


def support_examples(seed: int = 0) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Build the task, split into (train, test) lists of ``{"prompt", "answer"}``.

    Every message is built from templates, so the data is deterministic and needs no files;
    the test split holds subjects that never appear in training.
    """
    train: list[dict[str, str]] = []
    test: list[dict[str, str]] = []
    for category in CATEGORIES:
        for position, subject in enumerate(_SUBJECTS[category]):
            for complaint in _COMPLAINTS[category]:
                example = {
                    "prompt": f"{INSTRUCTION}{subject.capitalize()} {complaint}.",
                    "answer": f"Category: {category}",
                }
                (test if position == len(_SUBJECTS[category]) - 1 else train).append(example)
    rng = random.Random(seed)
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def encode(tokenizer: PreTrainedTokenizerBase, prompt: str, answer: str) -> dict[str, list[int]]:
    """Tokenise one example through the chat template, with a completion-only loss mask.

    The labels copy the input ids, except that every prompt token gets ``IGNORE_INDEX``: the
    loss then teaches the answer only, not how to write the question.
    """
    user = [{"role": "user", "content": prompt}]
    prompt_ids = _template_ids(tokenizer, user, add_generation_prompt=True)
    full_ids = _template_ids(tokenizer, [*user, {"role": "assistant", "content": answer}])
    if full_ids[: len(prompt_ids)] != prompt_ids:
        raise ValueError("the chat template renders the prompt differently with an answer")
    labels = [IGNORE_INDEX] * len(prompt_ids) + full_ids[len(prompt_ids) :]
    return {"input_ids": full_ids, "attention_mask": [1] * len(full_ids), "labels": labels}


def _template_ids(
    tokenizer: PreTrainedTokenizerBase,
    chat: list[dict[str, str]],
    *,
    add_generation_prompt: bool = False,
) -> list[int]:
    encoded: Any = tokenizer.apply_chat_template(
        chat, add_generation_prompt=add_generation_prompt, tokenize=True, return_dict=True
    )
    return list(encoded["input_ids"])


def collator(tokenizer: PreTrainedTokenizerBase) -> DataCollatorForSeq2Seq:
    """Pad a batch: input ids with the pad token, labels with ``IGNORE_INDEX``."""
    return DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE_INDEX, return_tensors="pt")


def vram_estimate_gib(
    n_params: int,
    n_trainable: int,
    *,
    weight_bytes: float = 4.0,
    batch_size: int = 8,
    seq_len: int = 64,
    hidden: int = 576,
    layers: int = 30,
) -> dict[str, float]:
    """Estimate training memory in GiB before training, to pick a GPU or a batch size.

    Weights at ``weight_bytes`` each (4 fp32, 2 bf16, about 0.55 for 4-bit with its scales),
    fp32 gradients and two AdamW moments for the trainable parameters only, and activations
    at about 34 bytes per token, per hidden unit, per layer (the usual rule of thumb for a
    transformer block without activation checkpointing). It is an estimate: the allocator,
    the CUDA context (~0.5 GiB) and the logits of a large vocabulary add to it.
    """
    gib = 1024**3
    parts = {
        "weights": n_params * weight_bytes / gib,
        "gradients": n_trainable * 4 / gib,
        "optimizer (AdamW)": n_trainable * 8 / gib,
        "activations": batch_size * seq_len * hidden * layers * 34 / gib,
    }
    parts["total"] = sum(parts.values())
    return parts


def load_model(
    device: str, *, random_weights: bool = False, tokenizer_path: str | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load SmolLM2-135M-Instruct (via labkit), or a model of its shape with random weights."""
    if random_weights:
        if tokenizer_path is None:
            raise ValueError("--random-weights needs --tokenizer <folder with tokenizer.json>")
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_path, local_files_only=True)
        config = LlamaConfig(
            vocab_size=49152,
            hidden_size=576,
            intermediate_size=1536,
            num_hidden_layers=30,
            num_attention_heads=9,
            num_key_value_heads=3,
            max_position_embeddings=8192,
            tie_word_embeddings=True,
            pad_token_id=tokenizer.pad_token_id,
        )
        torch.manual_seed(0)
        model: PreTrainedModel = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    else:
        from labkit.models import smollm2_checkpoint
        from labkit.settings import get_settings

        folder = tokenizer_path or str(smollm2_checkpoint(get_settings().cache_dir))
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    if tokenizer.pad_token is None:  # a tokenizer rebuilt from the GGUF may have none
        tokenizer.pad_token = tokenizer.eos_token
    moved: PreTrainedModel = model.to(device)  # type: ignore[arg-type]
    return moved, tokenizer


def add_lora(model: PreTrainedModel, rank: int = 8) -> Any:
    """Wrap ``model`` with LoRA adapters on the attention projections; the base stays frozen."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=rank,
        lora_alpha=2 * rank,
        lora_dropout=0.0,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


def train(
    model: Any,
    tokenizer: PreTrainedTokenizerBase,
    examples: Sequence[dict[str, str]],
    *,
    steps: int,
    batch_size: int = 8,
    learning_rate: float = 2e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Train the trainable (LoRA) parameters for ``steps`` batches; return the loss per step."""
    encoded = [encode(tokenizer, ex["prompt"], ex["answer"]) for ex in examples]
    pad = collator(tokenizer)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate)
    rng = random.Random(seed)
    device = next(model.parameters()).device
    losses: list[float] = []
    model.train()
    iterator: Any = range(steps)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, desc="LoRA steps")
    for _ in iterator:
        batch = pad(rng.sample(encoded, min(batch_size, len(encoded))))
        output = model(**{key: value.to(device) for key, value in batch.items()})
        output.loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(float(output.loss.detach()))
    model.eval()
    return losses


@torch.inference_mode()
def answer(
    model: Any, tokenizer: PreTrainedTokenizerBase, prompt: str, max_new_tokens: int = 6
) -> str:
    """Answer ``prompt`` greedily (deterministic), through the chat template."""
    encoded: Any = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    device = next(model.parameters()).device
    inputs = {key: value.to(device) for key, value in encoded.items()}
    output = model.generate(
        **inputs,
        max_new_tokens=max_new_tokens,
        do_sample=False,
        pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
    )
    new_tokens = output[0, inputs["input_ids"].shape[1] :]
    return str(tokenizer.decode(new_tokens, skip_special_tokens=True)).strip()


def accuracy(
    model: Any, tokenizer: PreTrainedTokenizerBase, examples: Sequence[dict[str, str]]
) -> float:
    """Share of examples whose greedy answer is exactly the expected ``Category: <name>``."""
    hits = sum(answer(model, tokenizer, ex["prompt"]) == ex["answer"] for ex in examples)
    return hits / len(examples)


@dataclass
class Figures:
    """What one training run measured, as the chapter's table reports it."""

    device: str
    model: str
    steps: int
    batch_size: int
    rank: int
    trainable_params: int
    total_params: int
    estimated_gib: float
    peak_gib: float | None
    seconds: float
    tokens_per_second: float
    first_loss: float
    last_loss: float
    accuracy_before: float | None
    accuracy_after: float | None


def main(argv: Sequence[str] | None = None) -> Figures:
    """Run LoRA training end to end and print (and optionally save) its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or mps")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--random-weights", action="store_true")
    parser.add_argument("--tokenizer", default=None, help="a folder with tokenizer.json")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda, but torch sees no CUDA GPU; use --device cpu")
    torch.manual_seed(0)
    model, tokenizer = load_model(
        args.device, random_weights=args.random_weights, tokenizer_path=args.tokenizer
    )
    train_set, test_set = support_examples()
    before = None if args.random_weights else accuracy(model, tokenizer, test_set)
    lora = add_lora(model, args.rank)
    n_trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    n_params = sum(p.numel() for p in lora.parameters())
    estimate = vram_estimate_gib(n_params, n_trainable, batch_size=args.batch_size)
    print("estimated training memory (GiB):", {k: round(v, 3) for k, v in estimate.items()})
    if args.device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    losses = train(lora, tokenizer, train_set, steps=args.steps, batch_size=args.batch_size)
    if args.device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 1024**3 if args.device == "cuda" else None
    tokens = sum(len(encode(tokenizer, e["prompt"], e["answer"])["input_ids"]) for e in train_set)
    tokens_per_step = tokens / len(train_set) * args.batch_size
    after = None if args.random_weights else accuracy(lora, tokenizer, test_set)
    figures = Figures(
        device=torch.cuda.get_device_name() if args.device == "cuda" else args.device,
        model="SmolLM2-135M shape, random weights" if args.random_weights else "SmolLM2-135M",
        steps=args.steps,
        batch_size=args.batch_size,
        rank=args.rank,
        trainable_params=n_trainable,
        total_params=n_params,
        estimated_gib=round(estimate["total"], 3),
        peak_gib=None if peak is None else round(peak, 3),
        seconds=round(seconds, 2),
        tokens_per_second=round(tokens_per_step * args.steps / seconds, 1),
        first_loss=round(losses[0], 4),
        last_loss=round(losses[-1], 4),
        accuracy_before=before,
        accuracy_after=after,
    )
    print(json.dumps(asdict(figures), indent=2))
    if args.out:
        args.out.write_text(json.dumps(asdict(figures), indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
