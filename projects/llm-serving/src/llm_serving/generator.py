"""The model port: what the server needs from a text generator, a SmolLM2 adapter, a test double."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from labkit.settings import Settings


@dataclass(frozen=True)
class ChatMessage:
    """One chat turn: ``role`` is ``system``, ``user`` or ``assistant``."""

    role: str
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    """What one request asks the model for; frozen, so identical requests compare equal.

    Example:
        >>> ask = GenerationRequest((ChatMessage("user", "hi"),), max_new_tokens=4)
        >>> ask == GenerationRequest((ChatMessage("user", "hi"),), max_new_tokens=4)
        True

    """

    messages: tuple[ChatMessage, ...]
    max_new_tokens: int

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("a generation request needs at least one message")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1, got {self.max_new_tokens}")


@dataclass(frozen=True)
class Generation:
    """A finished answer: ``finish_reason`` is ``stop`` (end of turn) or ``length`` (cut)."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


class TextGenerator(Protocol):
    """The port the server calls; adapters wrap a real model or a test double.

    ``generate`` is the batched path (one forward pass per step for the whole batch);
    ``stream`` yields text pieces for one request and stops early once ``stop`` is set.

    Example:
        >>> model: TextGenerator = EchoGeneratorTestDouble()
        >>> ask = GenerationRequest((ChatMessage("user", "a b c"),), max_new_tokens=2)
        >>> model.generate([ask])[0].text
        'echo a'

    """

    name: str

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Answer every request, in order, as one batch."""
        ...

    def stream(self, request: GenerationRequest, stop: threading.Event) -> Iterator[str]:
        """Yield the answer's text piece by piece; stop generating when ``stop`` is set."""
        ...

    def count_tokens(self, text: str) -> int:
        """Count the tokens of ``text`` as this model's tokenizer does."""
        ...


@dataclass
class EchoGeneratorTestDouble:
    """A deterministic test double: answers ``echo`` plus the last message's words.

    Its cost is modelled like a real batched model's: a fixed ``per_call_s`` per call plus
    ``per_item_s`` per request in the batch, so batching pays off exactly as on a GPU.

    Args:
        per_call_s: Seconds every ``generate`` call sleeps (the fixed cost of a forward pass).
        per_item_s: Extra seconds per request in the batch.
        token_delay_s: Seconds between streamed pieces.

    """

    per_call_s: float = 0.0
    per_item_s: float = 0.0
    token_delay_s: float = 0.0
    name: str = "echo-test-double"
    batch_sizes: list[int] = field(default_factory=list)
    streamed_pieces: int = 0

    def _words(self, request: GenerationRequest) -> list[str]:
        return ["echo", *request.messages[-1].content.split()]

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Sleep like a batched forward pass, then echo each request's last message."""
        self.batch_sizes.append(len(requests))
        time.sleep(self.per_call_s + self.per_item_s * len(requests))
        answers = []
        for request in requests:
            words = self._words(request)
            kept = words[: request.max_new_tokens]
            finish = "stop" if len(kept) == len(words) else "length"
            prompt = sum(self.count_tokens(m.content) for m in request.messages)
            answers.append(Generation(" ".join(kept), prompt, len(kept), finish))
        return answers

    def stream(self, request: GenerationRequest, stop: threading.Event) -> Iterator[str]:
        """Yield the echo word by word, checking ``stop`` before each one."""
        for index, word in enumerate(self._words(request)[: request.max_new_tokens]):
            if stop.is_set():
                return
            time.sleep(self.token_delay_s)
            self.streamed_pieces += 1
            yield word if index == 0 else f" {word}"

    def count_tokens(self, text: str) -> int:
        """One token per whitespace-separated word."""
        return len(text.split())


class SmolLM2Generator:
    """The course's SmolLM2-135M-Instruct behind the port: batched greedy ``generate``.

    Batching needs **left** padding: a decoder-only model continues from the last position,
    so every prompt in the batch must end at the same column.
    """

    def __init__(self, model: Any, tokenizer: Any, name: str = "smollm2-135m-instruct") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.tokenizer.padding_side = "left"

    @classmethod
    def load(cls, settings: Settings | None = None, threads: int | None = None) -> SmolLM2Generator:
        """Load SmolLM2 from labkit's offline checkpoint (converted from the GGUF once).

        Args:
            settings: labkit settings (for ``cache_dir``); read from the environment if None.
            threads: torch CPU threads; on a shared 2-core machine, 1 is fastest.

        """
        import torch
        from labkit.models import smollm2_checkpoint
        from labkit.settings import get_settings
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads is not None:
            torch.set_num_threads(threads)
        folder = smollm2_checkpoint((settings or get_settings()).cache_dir)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        return cls(model, tokenizer)

    def _prompt(self, request: GenerationRequest) -> str:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        text = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return str(text)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Generate greedily for the whole batch; each answer is cut to its own token limit."""
        import torch

        if not requests:
            return []
        encoded = self.tokenizer(
            [self._prompt(request) for request in requests], return_tensors="pt", padding=True
        )
        longest = max(request.max_new_tokens for request in requests)
        with torch.inference_mode():
            output = self.model.generate(
                **encoded,
                max_new_tokens=longest,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new_tokens = output[:, encoded["input_ids"].shape[1] :].tolist()
        eos = self.tokenizer.eos_token_id
        answers = []
        for row, request, mask in zip(new_tokens, requests, encoded["attention_mask"], strict=True):
            ids = row[: request.max_new_tokens]
            finish = "length"
            if eos in ids:
                ids, finish = ids[: ids.index(eos)], "stop"
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            answers.append(Generation(text, int(mask.sum()), len(ids), finish))
        return answers

    def stream(self, request: GenerationRequest, stop: threading.Event) -> Iterator[str]:
        """Stream with ``TextIteratorStreamer``; ``stop`` ends generation at the next token."""
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        encoded = self.tokenizer([self._prompt(request)], return_tensors="pt")
        worker = threading.Thread(
            target=self.model.generate,
            kwargs={
                **encoded,
                "max_new_tokens": request.max_new_tokens,
                "do_sample": False,
                "pad_token_id": self.tokenizer.pad_token_id,
                "streamer": streamer,
                "stopping_criteria": StoppingCriteriaList([_stop_when_set(stop)]),
            },
            daemon=True,
        )
        worker.start()
        try:
            for piece in streamer:
                if piece:
                    yield piece
        finally:
            stop.set()  # a consumer that leaves early (client gone) stops the model too
            worker.join()

    def count_tokens(self, text: str) -> int:
        """Count tokens with SmolLM2's tokenizer."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


def _stop_when_set(stop: threading.Event) -> Any:
    """Build a transformers ``StoppingCriteria`` that ends generation once ``stop`` is set."""
    import torch
    from transformers import StoppingCriteria

    class StopWhenSet(StoppingCriteria):  # type: ignore[misc]  # transformers is not followed
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full((input_ids.shape[0],), stop.is_set(), dtype=torch.bool)

    return StopWhenSet()
