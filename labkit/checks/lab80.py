"""Checks for lab80, PII redaction: checksums, precision and recall on held text, no leaks."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from labkit.checks._core import Lab, Text, expect

lab = Lab("lab80")
q1 = lab.question("q1", "ahv_is_valid")
q2 = lab.question("q2", "find_pii", time_limit=60.0)
q3 = lab.question("q3", "redact", time_limit=60.0)
summary = lab.summary

Labelled = tuple[str, list[tuple[int, int, str]]]
ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "CH_AHV")


def _ean13_digit(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def _value(entity: str, rng: random.Random) -> str:

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    if entity == "EMAIL_ADDRESS":
        user = rng.choice(["anna", "luca", "mia", "noah"])
        domain = rng.choice(["example.ch", "mail.de", "corp.com"])
        return f"{user}.{digits(2)}@{domain}"
    if entity == "PHONE_NUMBER":
        return f"+41 {rng.choice(['44', '79', '31'])} {digits(3)} {digits(2)} {digits(2)}".replace(
            " 0", " 5"
        )
    if entity == "CREDIT_CARD":
        body = "4" + digits(14)
        number = body + _luhn_digit(body)
        return " ".join(number[i : i + 4] for i in range(0, 16, 4))
    if entity == "IBAN_CODE":
        bban = digits(5) + digits(12)
        check = 98 - int("".join(str(int(c, 36)) for c in bban + "CH00")) % 97
        iban = f"CH{check:02d}{bban}"
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    body = "756" + digits(9)
    number = body + _ean13_digit(body)
    return f"{number[:3]}.{number[3:7]}.{number[7:11]}.{number[11:]}"


_TEMPLATES = [
    ("Please reach me at {} about order 4471.", None),
    ("Ticket 2024-03-18: customer wrote from {} and asked for a refund.", None),
    ("Payment failed for {}; retry on Monday.", None),
    ("Update the record with {} before the renewal.", None),
]
_DECOYS = [
    "Order 8812-3321-0044 shipped on 2024-05-01 to the Zurich depot.",
    "Invoice 4111 1111 1111 1112 was rejected (not a card: bad checksum).",
    "AHV 756.1234.5678.98 is a typo with a wrong check digit.",
    "Version 3.11.9 of the model was deployed at 10:45.",
]


def labelled_set(seed: int, size: int) -> list[Labelled]:
    """Return ``size`` synthetic texts with their gold PII spans, plus decoys without PII."""
    rng = random.Random(seed)
    texts: list[Labelled] = []
    for index in range(size):
        entity = ENTITIES[index % len(ENTITIES)]
        value = _value(entity, rng)
        template = _TEMPLATES[rng.randrange(len(_TEMPLATES))][0]
        text = template.format(value)
        start = text.index(value)
        texts.append((text, [(start, start + len(value), entity)]))
    texts.extend((decoy, []) for decoy in _DECOYS)
    return texts


def precision_recall(find_pii: Callable[[str], Any], data: list[Labelled]) -> tuple[float, float]:
    """Span-level precision and recall: a hit has the right entity and overlaps a gold span."""
    hits = predicted = gold = 0
    for text, spans in data:
        found = [(int(s), int(e), str(t)) for s, e, t in find_pii(text)]
        predicted += len(found)
        gold += len(spans)
        unmatched = list(spans)
        for start, end, entity in found:
            match = next(
                (g for g in unmatched if g[2] == entity and start < g[1] and end > g[0]), None
            )
            if match:
                unmatched.remove(match)
                hits += 1
    return hits / max(predicted, 1), hits / max(gold, 1)


@q1.case(
    "accepts valid AHV numbers, dotted or not",
    hint="EAN-13: weights 1,3,1,3... on the first 12 digits",
)
def _valid(ahv_is_valid: Callable[[str], bool]) -> None:
    for number in ("756.1234.5678.97", "7561234567897", "756.9217.0769.85"):
        expect(
            ahv_is_valid(number) is True,
            f"ahv_is_valid({number!r}) to be True",
            ahv_is_valid(number),
        )


@q1.case(
    "rejects a wrong check digit, a wrong prefix and a wrong length",
    hint="digits[:3] must be 756, 13 digits",
)
def _invalid(ahv_is_valid: Callable[[str], bool]) -> None:
    for number in ("756.1234.5678.98", "123.1234.5678.97", "756.1234.5678"):
        expect(
            ahv_is_valid(number) is False,
            f"ahv_is_valid({number!r}) to be False",
            ahv_is_valid(number),
        )


@q2.case(
    "precision >= 0.9 on held text", points=2, hint="validate checksums so decoys are not flagged"
)
def _precision(find_pii: Callable[[str], Any]) -> None:
    precision, _ = precision_recall(find_pii, labelled_set(80, 25))
    expect(precision >= 0.9, "precision >= 0.90", Text(f"{precision:.2f}"))


@q2.case(
    "recall >= 0.9 on held text",
    points=2,
    hint="one recogniser per entity type; +41 phones need region CH",
)
def _recall(find_pii: Callable[[str], Any]) -> None:
    _, recall = precision_recall(find_pii, labelled_set(80, 25))
    expect(recall >= 0.9, "recall >= 0.90", Text(f"{recall:.2f}"))


@q2.case("precision and recall >= 0.9 on a second held set", points=2, grading_only=True)
def _held(find_pii: Callable[[str], Any]) -> None:
    precision, recall = precision_recall(find_pii, labelled_set(8080, 40))
    expect(min(precision, recall) >= 0.9, "both >= 0.90", Text(f"P={precision:.2f} R={recall:.2f}"))


def _leaks(redact: Callable[[str], str], data: list[Labelled]) -> list[str]:
    leaks = []
    for text, spans in data:
        out = redact(text)
        squashed = re.sub(r"[\s.]", "", out)
        for start, end, entity in spans:
            value = text[start:end]
            if value in out or re.sub(r"[\s.]", "", value) in squashed:
                leaks.append(f"{entity} {value}")
    return leaks


@q3.case(
    "leaks nothing from the must-redact set",
    points=2,
    hint="replace spans right to left so offsets stay valid",
)
def _no_leaks(redact: Callable[[str], str]) -> None:
    leaks = _leaks(redact, labelled_set(81, 15))
    expect(not leaks, "no PII value in the output", Text("; ".join(leaks[:3])))


@q3.case("keeps the text that is not PII", hint="replace only the spans, e.g. with <ENTITY>")
def _keeps(redact: Callable[[str], str]) -> None:
    for text, _ in labelled_set(81, 5)[-4:]:
        expect(redact(text) == text, f"{text!r} unchanged (no PII in it)", redact(text))
    out = redact("Please reach me at anna.11@example.ch about order 4471.")
    expect(
        out.startswith("Please reach me at ") and out.endswith(" about order 4471."),
        "the words around the email kept",
        out,
    )


@q3.case("leaks nothing from a second must-redact set", points=2, grading_only=True)
def _no_leaks_held(redact: Callable[[str], str]) -> None:
    leaks = _leaks(redact, labelled_set(8181, 30))
    expect(not leaks, "no PII value in the output", Text("; ".join(leaks[:3])))
