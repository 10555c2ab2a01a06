"""The local adapter: any transformers causal LM on this machine (SmolLM2 by default)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)

from labkit.llm._errors import timeout_error
from labkit.llm.adapter import ChatModelBase, json_instruction
from labkit.llm.base import ChatRequest, Completion, StreamDelta, Tool, ToolCall, Usage


class LocalChatModel(ChatModelBase):
    """A ``ChatModel`` that runs a transformers model in this process, on CPU or GPU.

    Decoding is greedy (deterministic) when ``temperature`` is 0 or None; with a positive
    temperature it samples, seeded with ``seed`` so a rerun gives the same text.

    Tool calls follow a JSON convention, since small local models have no native tool
    format. The tools are described in the system prompt, and the model is asked to answer
    with only ``{"tool": "<name>", "arguments": {...}}`` to call one. An answer holding such an
    object, naming a known tool, becomes a ``ToolCall`` with id ``call_0``. A
    tool result goes back to the model as a user turn ``Result of <name>: <content>``. With
    tools, ``stream`` yields the answer in one piece, because a tool call can only be told
    from text once its JSON is complete. ``stop`` strings end the answer and are cut from it;
    ``timeout`` bounds generation and raises ``LLMTimeout`` when it runs out.

    Example:
        >>> llm = LocalChatModel.from_pretrained("HuggingFaceTB/SmolLM2-135M-Instruct",
        ...                                      local_files_only=False)  # doctest: +SKIP
        >>> llm.complete([{"role": "user", "content": "Capital of France?"}]).text  # doctest: +SKIP
        'The capital of France is Paris.'

    """

    def __init__(
        self,
        network: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        name: str,
        seed: int = 0,
    ) -> None:
        """Wrap a loaded model and its tokenizer.

        Args:
            network: The causal LM, already on its device and in eval mode.
            tokenizer: Its tokenizer; it must have a chat template.
            name: The name reported in ``Completion.model``.
            seed: Seeds sampling when ``temperature`` is positive.

        """
        self.network = network
        self.tokenizer = tokenizer
        self.model = name
        self.seed = seed

    @classmethod
    def from_pretrained(
        cls,
        path_or_repo: str | Path,
        *,
        name: str | None = None,
        device: str = "cpu",
        local_files_only: bool = True,
        seed: int = 0,
    ) -> LocalChatModel:
        """Load a model folder (or, with ``local_files_only=False``, a hub repo).

        Args:
            path_or_repo: A folder with ``config.json`` and safetensors, or a hub repo id.
            name: The name reported in ``Completion.model``; defaults to ``path_or_repo``.
            device: ``cpu``, ``cuda`` or ``mps``.
            local_files_only: Never reach the hub; keep True offline.
            seed: Seeds sampling when ``temperature`` is positive.

        """
        dtype = torch.float32 if device == "cpu" else "auto"
        tokenizer = AutoTokenizer.from_pretrained(path_or_repo, local_files_only=local_files_only)
        network = AutoModelForCausalLM.from_pretrained(
            path_or_repo, local_files_only=local_files_only, dtype=dtype
        )
        network = cast(Any, network).to(device).eval()  # transformers types .to() oddly
        return cls(network, tokenizer, name=name or str(path_or_repo), seed=seed)

    def _complete(self, request: ChatRequest) -> Completion:
        inputs = self._inputs(request)
        with torch.inference_mode(), _seeded(self.seed if request.temperature else None):
            output = self._generate(**inputs, **self._generation(request))
        prompt_length = inputs["input_ids"].shape[1]
        new_tokens = output[0, prompt_length:].tolist()
        text = cast(str, self.tokenizer.decode(new_tokens, skip_special_tokens=True))
        text, finish = self._finish(text, new_tokens, request)
        call = _parse_tool_call(text, request.tools)
        return Completion(
            text="" if call else text,
            tool_calls=(call,) if call else (),
            usage=Usage(prompt_length, len(new_tokens)),
            model=self.model,
            finish_reason="tool_calls" if call else finish,
        )

    def _stream(self, request: ChatRequest) -> Iterator[StreamDelta]:
        if request.tools:
            completion = self._complete(request)
            if completion.text:
                yield StreamDelta(text=completion.text)
            yield from (StreamDelta(tool_call=call) for call in completion.tool_calls)
            yield StreamDelta(usage=completion.usage, finish_reason=completion.finish_reason)
            return
        inputs = self._inputs(request)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        cancelled = threading.Event()
        outcome: dict[str, Any] = {}

        def generate() -> None:
            try:
                with torch.inference_mode(), _seeded(self.seed if request.temperature else None):
                    outcome["output"] = self._generate(
                        **inputs,
                        **self._generation(request),
                        streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([_Cancelled(cancelled)]),
                    )
            except Exception as error:  # surfaced in the caller's thread below
                outcome["error"] = error
                streamer.end()  # type: ignore[no-untyped-call]

        worker = threading.Thread(target=generate, name="labkit-generate", daemon=True)
        worker.start()
        text, sent = "", 0
        try:
            for piece in streamer:
                text += piece
                safe, hit = _releasable(text, request.stop, final=False)
                if safe > sent:
                    yield StreamDelta(text=text[sent:safe])
                    sent = safe
                if hit:
                    break
        finally:
            cancelled.set()
            worker.join()
        if "error" in outcome:
            raise outcome["error"]
        new_tokens = outcome["output"][0, inputs["input_ids"].shape[1] :].tolist()
        text, finish = self._finish(text, new_tokens, request)
        if len(text) > sent:
            yield StreamDelta(text=text[sent:])
        usage = Usage(inputs["input_ids"].shape[1], len(new_tokens))
        yield StreamDelta(usage=usage, finish_reason=finish)

    def _inputs(self, request: ChatRequest) -> dict[str, torch.Tensor]:
        system = request.system_text(
            _tool_instruction(request.tools), json_instruction(request.response_format)
        )
        chat = [{"role": "system", "content": system}] if system else []
        for message in request.messages:
            if message.role == "tool":
                chat.append(
                    {
                        "role": "user",
                        "content": f"Result of {message.name or 'the tool'}: {message.content}",
                    }
                )
            elif message.role != "system":
                calls = [
                    {"tool": c.name, "arguments": dict(c.arguments)} for c in message.tool_calls
                ]
                content = "\n".join([message.content, *map(json.dumps, calls)]).strip()
                chat.append({"role": message.role, "content": content})
        encoded = self.tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        tensors = cast(dict[str, torch.Tensor], encoded)
        return {key: value.to(self.network.device) for key, value in tensors.items()}

    def _generate(self, **kwargs: Any) -> torch.Tensor:
        output: torch.Tensor = cast(Any, self.network).generate(**kwargs)
        return output

    def _generation(self, request: ChatRequest) -> dict[str, Any]:
        sample = bool(request.temperature)
        config = GenerationConfig(  # type: ignore[no-untyped-call]
            max_new_tokens=request.max_tokens,
            do_sample=sample,
            temperature=request.temperature if sample else None,
            eos_token_id=self.network.generation_config.eos_token_id,
            pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            max_time=request.timeout,
            stop_strings=list(request.stop) or None,
        )
        extra = {"tokenizer": self.tokenizer} if request.stop else {}  # stop_strings need it
        return {"generation_config": config, **extra}

    def _finish(self, text: str, new_tokens: list[int], request: ChatRequest) -> tuple[str, str]:
        """Cut ``text`` at a stop string and say why generation ended, or raise on timeout."""
        cut, hit = _releasable(text, request.stop, final=True)
        eos = self.network.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        if hit or (new_tokens and new_tokens[-1] in eos_ids):
            return text[:cut], "stop"
        if len(new_tokens) >= request.max_tokens:
            return text, "length"
        raise timeout_error(self.model)


class _Cancelled(StoppingCriteria):
    """Stops generation once the streaming caller has gone away."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        done = torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)
        return done.to(input_ids.device)  # type: ignore[return-value]


@contextlib.contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """Seed torch's RNG for one sampled generation, restoring it afterwards; None: no-op."""
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _releasable(text: str, stops: tuple[str, ...], *, final: bool) -> tuple[int, bool]:
    """Count how much of ``text`` may be shown, and tell whether it holds a stop string.

    While streaming, the tail that could be the start of a stop string is held back.
    """
    found = [text.find(stop) for stop in stops if stop in text]
    if found:
        return min(found), True
    if final or not stops:
        return len(text), False
    return max(len(text) - max(map(len, stops)) + 1, 0), False


def _tool_instruction(tools: tuple[Tool, ...]) -> str | None:
    if not tools:
        return None
    lines = [
        f"- {tool.name}: {tool.description} Arguments (JSON Schema): {json.dumps(tool.parameters)}"
        for tool in tools
    ]
    return (
        "You can call these tools:\n" + "\n".join(lines) + "\nTo call a tool, answer with only "
        'this JSON and nothing else: {"tool": "<name>", "arguments": {...}}. '
        "Otherwise, answer normally."
    )


def _parse_tool_call(text: str, tools: tuple[Tool, ...]) -> ToolCall | None:
    """Find a ``{"tool": ..., "arguments": ...}`` object in ``text`` naming a known tool."""
    start, end = text.find("{"), text.rfind("}")
    if not tools or start < 0 or end < start:
        return None
    try:
        answer = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        return None
    if not isinstance(answer, dict) or answer.get("tool") not in {t.name for t in tools}:
        return None
    arguments = answer.get("arguments")
    return ToolCall(answer["tool"], arguments if isinstance(arguments, dict) else {}, "call_0")
