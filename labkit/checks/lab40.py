"""Checks for lab40: token counts and cost, schema-first extraction with bounded repair, prompts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal
from labkit.llm import ChatRequest, FakeChatModel, Price

lab = Lab("lab40")
q1 = lab.question("q1", "count_tokens, request_cost_usd")
q2 = lab.question("q2", "Contact, extract", time_limit=20.0)
q3 = lab.question("q3", "PromptRegistry, golden_failures")
summary = lab.summary

TEXTS = ["Hi", "Ana Ruiz, ana@example.com, 31 years old.", "naïve café déjà-vu ✓"]
HELD_OUT = {
    "Write to Ben Okafor (ben.okafor@example.org); he is 45.": (
        "Ben Okafor",
        "ben.okafor@example.org",
        45,
    ),
    "Contact: Chen Wei <chen@example.cn>, age 29": ("Chen Wei", "chen@example.cn", 29),
    "Dr. Lena Fischer, 52, lena.fischer@example.de": (
        "Lena Fischer",
        "lena.fischer@example.de",
        52,
    ),
    "ping maria.lopez@example.es (Maria Lopez, 38 y/o)": (
        "Maria Lopez",
        "maria.lopez@example.es",
        38,
    ),
    "Sam Taylor - sam@example.com - 23": ("Sam Taylor", "sam@example.com", 23),
}


def _reference_counts(tokenizer: Any, texts: list[str]) -> list[int]:
    return [len(tokenizer.encode(text).ids) for text in texts]


@q1.case(
    "counts tokens with the tokenizer, special tokens included",
    hint="len(tokenizer.encode(text).ids) counts [CLS] and [SEP] too; words are not tokens",
)
def _counts(count: Callable[..., list[int]], cost: Callable[..., float], tokenizer: Any) -> None:
    expect_equal(count(tokenizer, TEXTS), _reference_counts(tokenizer, TEXTS), f"count({TEXTS!r})")


@q1.case("prices a request per million tokens", hint="tokens * price_per_mtok / 1_000_000")
def _prices(count: Callable[..., list[int]], cost: Callable[..., float], tokenizer: Any) -> None:
    got = cost(2_000, 500, Price(0.15, 0.60))
    expect(abs(got - 0.0006) < 1e-12, "0.0006 for 2,000 in + 500 out at $0.15/$0.60", got)


@q1.case("rejects negative token counts with ValueError", hint="validate before computing")
def _negative(count: Callable[..., list[int]], cost: Callable[..., float], tokenizer: Any) -> None:
    try:
        cost(-1, 10, Price(1.0, 1.0))
    except ValueError:
        return
    expect(False, "ValueError for input_tokens=-1", Text("no error"))


@q1.case("counts an empty list and long, rare-word texts exactly", grading_only=True)
def _long(count: Callable[..., list[int]], cost: Callable[..., float], tokenizer: Any) -> None:
    texts = ["pneumonoultramicroscopicsilicovolcanoconiosis " * 3, "Zürich 東京 🚀"]
    expect_equal(count(tokenizer, []), [], "count([])")
    expect_equal(
        count(tokenizer, texts), _reference_counts(tokenizer, texts), "count(<rare words>)"
    )


def extractor(broken_first: int = 1, *, broken: str = "trailing-comma") -> FakeChatModel:
    """Build a scripted fake extractor: ``broken_first`` bad answers per input, then good JSON.

    It finds the truth for a text in ``HELD_OUT`` (or the built-in examples); the broken
    answers are JSON with a trailing comma, a wrong type, or prose around the object.
    """
    seen: dict[str, int] = {}

    def handler(request: ChatRequest) -> str:
        text = next(m.content for m in request.messages if m.role == "user")
        name, email, age = _truth(text)
        seen[text] = seen.get(text, 0) + 1
        if seen[text] <= broken_first:
            if broken == "wrong-type":
                return json.dumps({"name": name, "email": email, "age": f"{age} years"})
            if broken == "prose":
                return f'Sure! Here is the JSON: {{"name": "{name}", "email": "{email}"}}'
            return f'{{"name": "{name}", "email": "{email}", "age": {age},}}'
        return json.dumps({"name": name, "email": email, "age": age})

    return FakeChatModel(handler, model="fake-extractor")


def _truth(text: str) -> tuple[str, str, int]:
    for source, truth in {**HELD_OUT, **EXAMPLES}.items():
        if source in text:
            return truth
    return ("", "", 0)


EXAMPLES = {
    "Ana Ruiz, ana@example.com, 31 years old.": ("Ana Ruiz", "ana@example.com", 31),
    "Reach Tom Becker at tom.becker@example.net; age 64.": (
        "Tom Becker",
        "tom.becker@example.net",
        64,
    ),
    "Priya Nair (27) - priya@example.in": ("Priya Nair", "priya@example.in", 27),
}
"""Public inputs and their true fields, for the notebook's own measurements."""
ANA = "Ana Ruiz, ana@example.com, 31 years old."


def _fields(result: Any) -> tuple[Any, Any, Any]:
    return tuple(getattr(result, field, None) for field in ("name", "email", "age"))  # type: ignore[return-value]


@q2.case(
    "Contact rejects a wrong type, a missing field and a malformed email",
    hint="age: int with ge=0, le=130; email with a pattern such as r'^[^@\\s]+@[^@\\s]+\\.\\w+$'",
)
def _contract(contact: type, extract: Callable[..., Any]) -> None:
    bad = [
        {"name": "A", "email": "a@b.co", "age": "old"},
        {"name": "A", "age": 3},
        {"name": "A", "email": "not-an-email", "age": 3},
        {"name": "A", "email": "a@b.co", "age": -4},
    ]
    for payload in bad:
        try:
            contact.model_validate(payload)  # type: ignore[attr-defined]
        except ValueError:
            continue
        expect(False, f"a ValidationError for {payload}", Text("it was accepted"))


@q2.case("one call when the first answer is valid")
def _first_valid(contact: type, extract: Callable[..., Any]) -> None:
    llm = extractor(broken_first=0)
    got = extract(llm, ANA, max_attempts=3)
    expect_equal(_fields(got), ("Ana Ruiz", "ana@example.com", 31), "the fields")
    expect_equal(len(llm.requests), 1, "model calls")


@q2.case(
    "repairs broken JSON by sending the validation error back",
    hint="append the bad answer as an assistant turn and the error as a user turn, then retry",
)
def _repairs(contact: type, extract: Callable[..., Any]) -> None:
    llm = extractor(broken_first=1)
    got = extract(llm, ANA, max_attempts=3)
    expect_equal(_fields(got), ("Ana Ruiz", "ana@example.com", 31), "the fields after a repair")
    expect_equal(len(llm.requests), 2, "model calls")
    last_turn = llm.requests[1].messages[-1].content.lower()
    expect(
        "json" in last_turn or "valid" in last_turn,
        "the repair turn to quote the error",
        llm.requests[1].messages[-1].content,
    )


@q2.case(
    "stops after max_attempts calls and returns None", hint="a bounded loop: for _ in range(...)"
)
def _bounded(contact: type, extract: Callable[..., Any]) -> None:
    llm = extractor(broken_first=99)
    got = extract(llm, ANA, max_attempts=3)
    expect_equal(got, None, "extract(<always broken>, max_attempts=3)")
    expect_equal(len(llm.requests), 3, "model calls")


@q2.case(
    "asks for the Contact JSON Schema as response_format",
    hint="response_format=Contact.model_json_schema()",
)
def _schema(contact: type, extract: Callable[..., Any]) -> None:
    llm = extractor(broken_first=0)
    extract(llm, ANA, max_attempts=2)
    sent = llm.requests[0].response_format
    expect(
        isinstance(sent, dict) and "email" in sent.get("properties", {}),
        "a JSON Schema with an 'email' property",
        sent,
    )


@q2.case(
    "held-out inputs: valid rate 100% and every field right, in at most 2 calls each",
    points=2,
    grading_only=True,
)
def _held_out(contact: type, extract: Callable[..., Any]) -> None:
    for broken in ("trailing-comma", "wrong-type", "prose"):
        llm = extractor(broken_first=1, broken=broken)
        results = [extract(llm, text, max_attempts=2) for text in HELD_OUT]
        valid = sum(result is not None for result in results) / len(HELD_OUT)
        right = sum(
            _fields(r) == truth for r, truth in zip(results, HELD_OUT.values(), strict=True)
        )
        expect(valid == 1.0, f"valid rate 1.0 ({broken} first)", valid)
        expect_equal(right, len(HELD_OUT), f"inputs with every field right ({broken} first)")


def _registry(registry_class: type) -> Any:
    registry = registry_class()
    registry.register("classify", "1.0.0", "Label this: {text}", "first version")
    registry.register("classify", "1.10.0", "Label as billing or bug: {text}", "name the labels")
    registry.register("classify", "1.9.0", "Label (billing/bug): {text}", "shorter")
    return registry


@q3.case(
    "render picks the latest version by semantic version, not by string order",
    hint="compare tuple(int(part) for part in version.split('.'))",
)
def _latest(registry_class: type, golden_failures: Callable[..., Any]) -> None:
    registry = _registry(registry_class)
    expect_equal(
        registry.render("classify", text="x"), "Label as billing or bug: x", "render latest"
    )
    expect_equal(registry.render("classify", "1.0.0", text="x"), "Label this: x", "render 1.0.0")


@q3.case(
    "changelog lists 'version: note' oldest first; re-registering a version is refused",
    hint="raise ValueError: a published version is immutable",
)
def _changelog(registry_class: type, golden_failures: Callable[..., Any]) -> None:
    registry = _registry(registry_class)
    expected = ["1.0.0: first version", "1.9.0: shorter", "1.10.0: name the labels"]
    expect_equal(registry.changelog("classify"), expected, "changelog('classify')")
    try:
        registry.register("classify", "1.0.0", "changed!", "sneaky edit")
    except ValueError:
        return
    expect(False, "ValueError when 1.0.0 is registered twice", Text("accepted"))


def _labeller(request: ChatRequest) -> str:
    prompt = request.messages[-1].content
    if "billing or bug" not in prompt:
        return "I think it is about money."  # an older prompt: no label word
    return "bug" if "crash" in prompt else "billing"


@q3.case(
    "golden_failures runs each golden case and names the failing ones",
    hint="for each case: render, complete, and compare with case['expected'] (case-insensitive)",
)
def _goldens(registry_class: type, golden_failures: Callable[..., Any]) -> None:
    registry = _registry(registry_class)
    goldens = [
        {"id": "invoice", "values": {"text": "my invoice"}, "expected": "billing"},
        {"id": "crash", "values": {"text": "app crash"}, "expected": "bug"},
    ]
    llm = FakeChatModel(_labeller)
    expect_equal(golden_failures(llm, registry, "classify", "1.10.0", goldens), [], "on 1.10.0")
    failing = golden_failures(llm, registry, "classify", "1.0.0", goldens)
    expect_equal(failing, ["invoice", "crash"], "on 1.0.0 (a regression)")


@q3.case("render with a missing value raises KeyError naming it", grading_only=True)
def _missing(registry_class: type, golden_failures: Callable[..., Any]) -> None:
    registry = _registry(registry_class)
    try:
        registry.render("classify")
    except KeyError as error:
        expect("text" in str(error), "the KeyError to name 'text'", str(error))
        return
    expect(False, "KeyError for a missing value", Text("no error"))
