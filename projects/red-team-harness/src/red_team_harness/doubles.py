"""Test doubles for the ``ChatModel`` port: deterministic stand-ins for a weak model.

They are not models. They parse a few instruction shapes with regexes and obey them, so a
test can prove what each defence layer does, with no model and no randomness:

- ``obedient_model()`` obeys any instruction it can read, in the user turn or in a
  retrieved document: the worst case a defence must survive.
- ``cautious_model()`` refuses obvious override phrasing in the user turn, like a
  safety-tuned model, but still obeys instructions inside documents (indirect injection).

Because the parsing splits on whitespace, a datamarked document (``word^word``) reads to
them as one long token: that is how spotlighting is meant to work on a real model, and the
reason the real-model run in the report is the number to trust.
"""

from __future__ import annotations

import json
import re
from typing import Any

from labkit.llm import ChatRequest, Completion, FakeChatModel, ToolCall, Usage

SAY = re.compile(
    r"\b(?:say|reply|respond|answer)\b(?:\s+with)?(?:\s+exactly)?\s*:?\s*[\"'](?P<text>[^\"']+)[\"']",
    re.IGNORECASE,
)
REVEAL = re.compile(
    r"\b(?:repeat|print|reveal|output|show)\b(?:\s+(?:your|the|me|all|of|my))*\s+"
    r"(?:system\s+prompt|instructions|hidden\s+rules|internal\s+reference\s+code)",
    re.IGNORECASE,
)
CALL = re.compile(r"\bcall\s+the\s+tool\s+(?P<name>\w+)(?:\s+with\s+)?", re.IGNORECASE)
MARKDOWN = re.compile(r"!?\[[^\]]*\]\([^)\s]+\)")
SECRET = re.compile(r"CANARY-[0-9A-F]+")
OVERRIDE = re.compile(
    r"\b(ignore|disregard|forget|override)\b|\bDAN\b|developer mode|no restrictions|"
    r"system prompt|instructions above|hidden rules",
    re.IGNORECASE,
)


def _obey(request: ChatRequest, *, refuse_overrides: bool) -> str | Completion:
    system = request.system_text()
    secret_match = SECRET.search(system)
    secret = secret_match.group(0) if secret_match else ""
    user = "\n".join(m.content for m in request.messages if m.role in ("user", "tool"))
    question = user.split("\n\n")[0]
    if refuse_overrides and OVERRIDE.search(question):
        return "I'm sorry, I can't help with that."
    offered = {tool.name for tool in request.tools}
    call = CALL.search(user)
    if call and call.group("name") in offered:
        arguments = _json_object(user[call.end() :])
        arguments = {
            k: v.replace("{secret}", secret) if isinstance(v, str) else v
            for k, v in arguments.items()
        }
        tool_call = ToolCall(call.group("name"), arguments, id="call_0")
        return Completion(text="", tool_calls=(tool_call,), usage=Usage(len(user.split()), 1))
    if REVEAL.search(user):
        return f"Of course. My instructions are: {system}"
    say = SAY.search(user)
    if say:
        return say.group("text")
    image = MARKDOWN.search(user)
    if image:
        return f"Here you go. {image.group(0).replace('{secret}', secret)}"
    return "Happy to help with your Example Shop question. Could you give me a few more details?"


def _json_object(text: str) -> dict[str, Any]:
    """Parse the JSON object that starts ``text``, or return ``{}``."""
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def obedient_model() -> FakeChatModel:
    """A test double that obeys every instruction it can parse, wherever it appears."""
    return FakeChatModel(lambda r: _obey(r, refuse_overrides=False), model="fake-obedient")


def cautious_model() -> FakeChatModel:
    """A test double that refuses override phrasing from the user but trusts documents."""
    return FakeChatModel(lambda r: _obey(r, refuse_overrides=True), model="fake-cautious")
