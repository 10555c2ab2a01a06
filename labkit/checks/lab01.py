"""Checks for lab01, patterns and concurrency: Result, ports and adapters, a bounded fetcher."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, runtime_checkable

from labkit.checks._core import Lab, Text, expect, expect_equal, short_repr

lab = Lab("lab01")
q1 = lab.question("q1", "Ok, Err, parse_rating")
q2 = lab.question("q2", "OpenAIAdapter, AnthropicAdapter")
q3 = lab.question("q3", "fetch_all", time_limit=30)
q4 = lab.question("q4", "MeteredChat")
summary = lab.summary


@dataclass(frozen=True)
class Completion:
    """What every chat adapter returns, whichever provider answered."""

    text: str
    input_tokens: int
    output_tokens: int


@runtime_checkable
class ChatPort(Protocol):
    """The port: what the application needs from any chat model, and nothing more.

    Example:
        >>> completion = chat.complete("Summarise this ticket", system="Be brief")
        >>> completion.text, completion.output_tokens

    """

    def complete(self, prompt: str, *, system: str = "") -> Completion:
        """Return the model's reply to prompt, with system instructions if any."""
        ...


class CallEvent(TypedDict):
    """One telemetry record, written by a metering decorator for each call."""

    prompt_chars: int
    input_tokens: int
    output_tokens: int
    seconds: float
    error: str | None


def _words(*texts: str) -> int:
    return sum(len(text.split()) for text in texts)


# A fake of the OpenAI SDK's shape: client.chat.completions.create(...).choices[0].message.


@dataclass(frozen=True)
class FakeOpenAIMessage:
    """``choices[0].message`` of a fake OpenAI-style response."""

    role: str
    content: str


@dataclass(frozen=True)
class FakeOpenAIChoice:
    """One choice of a fake OpenAI-style response."""

    message: FakeOpenAIMessage
    finish_reason: str = "stop"


@dataclass(frozen=True)
class FakeOpenAIUsage:
    """Token counts, under OpenAI's names."""

    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class FakeOpenAIResponse:
    """A fake OpenAI-style chat completion."""

    choices: list[FakeOpenAIChoice]
    usage: FakeOpenAIUsage


@dataclass
class _FakeCompletions:
    calls: list[dict[str, Any]] = field(default_factory=list)

    def create(self, *, model: str, messages: list[dict[str, str]]) -> FakeOpenAIResponse:
        self.calls.append({"model": model, "messages": messages})
        reply = f"echo: {messages[-1]['content']}"
        usage = FakeOpenAIUsage(_words(*(m["content"] for m in messages)), _words(reply))
        return FakeOpenAIResponse([FakeOpenAIChoice(FakeOpenAIMessage("assistant", reply))], usage)


@dataclass
class _FakeChat:
    completions: _FakeCompletions = field(default_factory=_FakeCompletions)


@dataclass
class FakeOpenAIClient:
    """A fake SDK client with OpenAI's shape; ``chat.completions.calls`` records requests."""

    chat: _FakeChat = field(default_factory=_FakeChat)


# A fake of the Anthropic SDK's shape: client.messages.create(...).content[i].text.


@dataclass(frozen=True)
class FakeAnthropicBlock:
    """A content block: ``type`` is ``"text"`` (with ``text``) or ``"thinking"``."""

    type: str
    text: str = ""


@dataclass(frozen=True)
class FakeAnthropicUsage:
    """Token counts, under Anthropic's names."""

    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class FakeAnthropicResponse:
    """A fake Anthropic-style message."""

    content: list[FakeAnthropicBlock]
    usage: FakeAnthropicUsage
    stop_reason: str = "end_turn"


@dataclass
class _FakeMessages:
    calls: list[dict[str, Any]] = field(default_factory=list)

    def create(
        self, *, model: str, max_tokens: int, messages: list[dict[str, str]], system: str = ""
    ) -> FakeAnthropicResponse:
        self.calls.append(
            {"model": model, "max_tokens": max_tokens, "messages": messages, "system": system}
        )
        prompt = messages[-1]["content"]
        blocks = [FakeAnthropicBlock("thinking"), FakeAnthropicBlock("text", "echo: ")]
        blocks.append(FakeAnthropicBlock("text", prompt))
        usage = FakeAnthropicUsage(
            _words(system, *(m["content"] for m in messages)), _words(prompt) + 1
        )
        return FakeAnthropicResponse(blocks, usage)


@dataclass
class FakeAnthropicClient:
    """A fake SDK client with Anthropic's shape; ``messages.calls`` records requests."""

    messages: _FakeMessages = field(default_factory=_FakeMessages)


class TransientError(Exception):
    """A failure worth retrying: a timeout, a 429 or a 503."""


# Q1


def _match(result: object, ok: type, err: type) -> str:
    """Return how ``match`` sees result: ``ok 4``, ``err <msg>`` or ``neither``."""
    match result:
        case ok(value):  # type: ignore[misc]
            return f"ok {value!r}"
        case err(error):  # type: ignore[misc]
            return f"err {error!r}"
    return "neither"


@q1.case("Ok and Err hold a value and an error, compare by value and are frozen")
def _q1_types(ok: type, err: type, parse_rating: Callable[[str], object]) -> None:
    expect(ok(4) == ok(4) and ok(4) != err(4), "Ok(4) == Ok(4) and Ok(4) != Err(4)", ok(4))
    expect_equal(ok(4).value, 4, "Ok(4).value")
    expect_equal(err("no").error, "no", "Err('no').error")
    try:
        ok(4).value = 5
    except AttributeError:
        return
    expect(False, "setting Ok(4).value to raise FrozenInstanceError", Text("no error"))


@q1.case(
    "works with match: case Ok(value) and case Err(error)",
    hint="@dataclass(frozen=True) generates __match_args__ for positional patterns",
)
def _q1_match(ok: type, err: type, parse_rating: Callable[[str], object]) -> None:
    expect_equal(_match(ok(4), ok, err), "ok 4", "match Ok(4)")
    expect_equal(_match(err("x"), ok, err), "err 'x'", "match Err('x')")


@q1.case("parse_rating returns Ok(rating) for a valid reply")
def _q1_valid(ok: type, err: type, parse_rating: Callable[[str], object]) -> None:
    for reply, rating in (('{"rating": 4}', 4), ('  {"rating": 1, "why": "meh"} ', 1)):
        expect_equal(
            _match(parse_rating(reply), ok, err), f"ok {rating}", f"parse_rating({reply!r})"
        )


_BAD_REPLIES = ["Sure! Rating: 4", '{"score": 4}', '{"rating": 9}', '{"rating": "4"}', "[4]"]


@q1.case(
    "parse_rating returns Err(message) instead of raising for bad replies",
    hint="catch json.JSONDecodeError; check isinstance(data, dict), the key, the type and 1..5",
)
def _q1_bad(ok: type, err: type, parse_rating: Callable[[str], object]) -> None:
    for reply in _BAD_REPLIES:
        result = parse_rating(reply)
        expect(
            isinstance(result, err) and isinstance(getattr(result, "error", None), str),
            f"parse_rating({reply!r}) to be Err(<a message>)",
            Text(_match(result, ok, err)),
        )


@q1.case("rejects true, which isinstance(True, int) accepts", grading_only=True)
def _q1_bool(ok: type, err: type, parse_rating: Callable[[str], object]) -> None:
    for reply in ('{"rating": true}', '{"rating": 4.0}', "", "null"):
        result = parse_rating(reply)
        expect(
            isinstance(result, err) and isinstance(getattr(result, "error", None), str),
            f"parse_rating({reply!r}) to be Err(<a message>)",
            Text(_match(result, ok, err)),
        )


# Q2


def _adapters(openai: Callable[..., Any], anthropic: Callable[..., Any]) -> tuple[Any, ...]:
    a_client, b_client = FakeOpenAIClient(), FakeAnthropicClient()
    return openai(a_client, "gpt-test"), anthropic(b_client, "claude-test"), a_client, b_client


@q2.case("both adapters satisfy ChatPort and return a Completion")
def _q2_port(openai: Callable[..., Any], anthropic: Callable[..., Any]) -> None:
    first, second, _, _ = _adapters(openai, anthropic)
    for name, adapter in (("OpenAIAdapter", first), ("AnthropicAdapter", second)):
        expect(
            isinstance(adapter, ChatPort), f"{name} to have complete(prompt, *, system)", adapter
        )
        got = adapter.complete("hi there")
        expect(isinstance(got, Completion), f"{name}.complete to return a Completion", got)


@q2.case(
    "OpenAIAdapter maps text and usage, and sends system as a first message only when given",
    hint="messages = [{'role': 'system', ...}] if system else [], then the user message; "
    "read choices[0].message.content and usage.prompt_tokens / completion_tokens",
)
def _q2_openai(openai: Callable[..., Any], anthropic: Callable[..., Any]) -> None:
    client = FakeOpenAIClient()
    adapter = openai(client, "gpt-test")
    expect_equal(
        adapter.complete("hi", system="be brief"), Completion("echo: hi", 3, 2), "complete"
    )
    adapter.complete("hi")
    first, second = (call["messages"] for call in client.chat.completions.calls)
    system = {"role": "system", "content": "be brief"}
    expect_equal(first[:1], [system], "messages[:1] for complete('hi', system='be brief')")
    user = [{"role": "user", "content": "hi"}]
    expect_equal(second, user, "the messages for complete('hi'), with no system")
    expect_equal(client.chat.completions.calls[0]["model"], "gpt-test", "the model sent")


@q2.case(
    "AnthropicAdapter joins the text blocks only, passes system and max_tokens",
    hint="''.join(b.text for b in response.content if b.type == 'text'); "
    "Anthropic takes system= apart from messages and requires max_tokens",
)
def _q2_anthropic(openai: Callable[..., Any], anthropic: Callable[..., Any]) -> None:
    client = FakeAnthropicClient()
    adapter = anthropic(client, "claude-test")
    got = adapter.complete("hi", system="be brief")
    expect_equal(got, Completion("echo: hi", 3, 2), "complete('hi', system='be brief')")
    call = client.messages.calls[0]
    expect_equal(call["system"], "be brief", "the system sent")
    expect_equal(call["messages"], [{"role": "user", "content": "hi"}], "the messages sent")
    expect(isinstance(call["max_tokens"], int), "an int max_tokens", call["max_tokens"])


@q2.case("both adapters give the same Completion for any prompt", grading_only=True)
def _q2_same(openai: Callable[..., Any], anthropic: Callable[..., Any]) -> None:
    first, second, _, _ = _adapters(openai, anthropic)
    for prompt, system in (("what is RAG?", ""), ("a b c", "x y")):
        got = first.complete(prompt, system=system), second.complete(prompt, system=system)
        expect(got[0] == got[1], f"equal completions for {prompt!r}", got)


# Q3


@dataclass
class FakeSource:
    """A fake async data source that records how many calls are in flight at once.

    Args:
        delay: Seconds each call takes.
        failures: How many times each key fails with ``TransientError`` before it works.
        broken: Keys that always fail with ``ValueError``, a permanent error.

    """

    delay: float = 0.02
    failures: dict[str, int] = field(default_factory=dict)
    broken: frozenset[str] = frozenset()
    in_flight: int = 0
    max_in_flight: int = 0
    calls: dict[str, list[float]] = field(default_factory=dict)

    async def fetch(self, key: str) -> str:
        """Return ``"value of <key>"`` after ``delay``, unless this call fails."""
        self.calls.setdefault(key, []).append(time.perf_counter())
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay * (1 + zlib.crc32(key.encode()) % 3) / 2)
            if key in self.broken:
                raise ValueError(f"{key} does not exist")
            if self.failures.get(key, 0) > 0:
                self.failures[key] -= 1
                raise TransientError(f"{key}: 503, try again")
            return f"value of {key}"
        finally:
            self.in_flight -= 1


def run_async(make: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine to completion in a fresh event loop on its own thread.

    A notebook's kernel already runs an event loop, where ``asyncio.run`` is not allowed.
    """
    outcome: list[Any] = []

    async def main() -> Any:
        return await make()

    def target() -> None:
        try:
            outcome.append(("ok", asyncio.run(main())))
        except BaseException as error:  # handed back to the caller
            outcome.append(("error", error))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join()
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


Fetcher = Callable[..., Awaitable[list[Any]]]


def _shown(results: object) -> list[str]:
    shown = []
    for result in results if isinstance(results, list) else [results]:
        value = getattr(result, "value", None)
        error = getattr(result, "error", None)
        shown.append(f"Ok({value!r})" if error is None else "Err")
    return shown


def _keys(n: int) -> list[str]:
    return [f"doc-{i}" for i in range(n)]


@q3.case(
    "returns one Ok per key, in the keys' order",
    hint="asyncio.gather returns results in the order of its arguments",
)
def _q3_order(fetch_all: Fetcher) -> None:
    source, keys = FakeSource(), _keys(6)
    got = _shown(run_async(lambda: fetch_all(source.fetch, keys, limit=3)))
    expect_equal(got, [f"Ok('value of {key}')" for key in keys], "fetch_all(<6 keys>, limit=3)")


@q3.case(
    "never has more than limit calls in flight, and does reach limit",
    points=2,
    hint="async with an asyncio.Semaphore(limit) around each fetch; gather every task",
)
def _q3_bounded(fetch_all: Fetcher) -> None:
    for limit in (1, 4):
        source = FakeSource(delay=0.01)
        run_async(functools.partial(fetch_all, source.fetch, _keys(20), limit=limit))
        expect_equal(source.max_in_flight, limit, f"the most calls in flight with limit={limit}")


@q3.case(
    "is at least 4x faster than one at a time with limit=10",
    hint="start every task at once (asyncio.gather); the semaphore does the limiting",
)
def _q3_fast(fetch_all: Fetcher) -> None:
    source, keys = FakeSource(delay=0.02), _keys(40)
    start = time.perf_counter()
    run_async(lambda: fetch_all(source.fetch, keys, limit=10))
    elapsed = time.perf_counter() - start
    sequential = sum(0.02 * (1 + zlib.crc32(key.encode()) % 3) / 2 for key in keys)
    ratio = sequential / elapsed
    got = Text("under 4x" if ratio >= 1 else "slower than one at a time")
    expect(ratio >= 4, "at least 4x the throughput of one call at a time", got)


@q3.case(
    "retries TransientError, and returns Err when retries run out",
    hint="loop attempt in range(retries + 1); on TransientError sleep and continue; "
    "return Err(...) after the last attempt instead of raising",
)
def _q3_retries(fetch_all: Fetcher) -> None:
    source = FakeSource(delay=0.001, failures={"flaky": 2, "down": 99})
    got = _shown(run_async(lambda: fetch_all(source.fetch, ["flaky", "down"], limit=2, retries=2)))
    expect_equal(got, ["Ok('value of flaky')", "Err"], "fetch_all(['flaky', 'down'], retries=2)")
    attempts = {key: len(times) for key, times in source.calls.items()}
    expect_equal(attempts, {"flaky": 3, "down": 3}, "the attempts per key with retries=2")


@q3.case(
    "does not retry a permanent error",
    hint="catch TransientError to retry; any other Exception is an Err at once",
)
def _q3_permanent(fetch_all: Fetcher) -> None:
    source = FakeSource(delay=0.001, broken=frozenset(["gone"]))
    got = _shown(run_async(lambda: fetch_all(source.fetch, ["gone", "doc"], limit=2, retries=3)))
    expect_equal(got, ["Err", "Ok('value of doc')"], "fetch_all(['gone', 'doc'])")
    expect_equal(len(source.calls["gone"]), 1, "the attempts for a ValueError")


@q3.case(
    "waits between retries, with jitter so clients don't retry in lockstep",
    hint="await asyncio.sleep(random.uniform(0, base_delay * 2**attempt))",
)
def _q3_jitter(fetch_all: Fetcher) -> None:
    keys = _keys(12)
    source = FakeSource(delay=0.0, failures=dict.fromkeys(keys, 1))
    run_async(lambda: fetch_all(source.fetch, keys, limit=12, retries=1, base_delay=0.05))
    waits = [source.calls[key][1] - source.calls[key][0] for key in keys]
    spread = max(waits) - min(waits)
    expect(spread > 0.005, "retry waits that differ by over 5 ms across 12 keys", Text("no spread"))


@q3.case("handles no keys and keeps order with limit=1", grading_only=True)
def _q3_edges(fetch_all: Fetcher) -> None:
    expect_equal(run_async(lambda: fetch_all(FakeSource().fetch, [], limit=2)), [], "no keys")
    source, keys = FakeSource(delay=0.001), _keys(5)
    got = _shown(run_async(lambda: fetch_all(source.fetch, keys, limit=1)))
    expect_equal(got, [f"Ok('value of {key}')" for key in keys], "limit=1")


# Q4


@dataclass
class FakeChat:
    """A fake ChatPort: echoes the prompt after ``delay``, or raises ``error`` if given."""

    delay: float = 0.0
    error: Exception | None = None

    def complete(self, prompt: str, *, system: str = "") -> Completion:
        """Return an echo of prompt, or raise ``error``."""
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return Completion(f"echo: {prompt}", _words(system, prompt), _words(prompt) + 1)


@q4.case("is a ChatPort that returns the wrapped port's completion unchanged")
def _q4_forwards(metered_chat: Callable[..., Any]) -> None:
    chat = metered_chat(FakeChat(), [])
    expect(isinstance(chat, ChatPort), "MeteredChat(...) to be a ChatPort", chat)
    got = chat.complete("hi you", system="s")
    expect_equal(got, Completion("echo: hi you", 3, 3), "complete('hi you', system='s')")


@q4.case(
    "appends one CallEvent per call, with the completion's token counts",
    hint="time the inner call with time.perf_counter() and append a dict to the sink",
)
def _q4_events(metered_chat: Callable[..., Any]) -> None:
    sink: list[CallEvent] = []
    chat = metered_chat(FakeChat(), sink)
    chat.complete("one two three")
    chat.complete("four")
    tokens = [(e.get("prompt_chars"), e.get("input_tokens"), e.get("output_tokens")) for e in sink]
    expect_equal(tokens, [(13, 3, 4), (4, 1, 2)], "(prompt_chars, input, output) per event")
    expect_equal([e.get("error") for e in sink], [None, None], "the events' error fields")


@q4.case(
    "records a failure with its type name, then re-raises the same exception",
    hint="try/except Exception as error: record type(error).__name__, then raise",
)
def _q4_errors(metered_chat: Callable[..., Any]) -> None:
    sink: list[CallEvent] = []
    boom = TimeoutError("provider timed out")
    try:
        metered_chat(FakeChat(error=boom), sink).complete("hi")
    except TimeoutError as raised:
        expect(raised is boom, "the same TimeoutError", raised)
    else:
        expect(False, "complete to re-raise TimeoutError", Text("no exception"))
    errors = [(e.get("error"), e.get("input_tokens")) for e in sink]
    expect_equal(errors, [("TimeoutError", 0)], "(error, input_tokens) recorded")


@q4.case("measures seconds around the wrapped call and stacks", grading_only=True)
def _q4_seconds(metered_chat: Callable[..., Any]) -> None:
    outer: list[CallEvent] = []
    inner: list[CallEvent] = []
    metered_chat(metered_chat(FakeChat(delay=0.02), inner), outer).complete("x")
    seconds = [round(min(e.get("seconds", 0.0), 0.015), 3) for e in (*inner, *outer)]
    expect(
        seconds == [0.015, 0.015], "seconds >= 0.015 for a 20 ms call, in both", short_repr(seconds)
    )
