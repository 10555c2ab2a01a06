"""PII detection and redaction with presidio, offline: a blank spaCy pipeline and pattern rules.

No NER model is downloaded, so names are not found by a model; the recognisers are patterns
with checksums (Luhn for cards, mod-97 for IBANs, EAN-13 for Swiss AHV numbers).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import spacy
import tldextract
from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
)

_OFFLINE_TLDS = tldextract.TLDExtract(suffix_list_urls=())


def ahv_checksum_ok(text: str) -> bool:
    """Whether a Swiss AHV/AVS number (756.XXXX.XXXX.XC) has a valid EAN-13 check digit."""
    digits = [int(char) for char in text if char.isdigit()]
    if len(digits) != 13 or digits[:3] != [7, 5, 6]:
        return False
    total = sum(digit * (3 if index % 2 else 1) for index, digit in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == digits[12]


class AhvRecognizer(PatternRecognizer):
    """Swiss social security numbers (AHV/AVS), kept only when their check digit is right."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CH_AHV",
            patterns=[Pattern("ahv", r"\b756[.\s]?\d{4}[.\s]?\d{4}[.\s]?\d{2}\b", 0.5)],
            context=["ahv", "avs", "social", "security"],
        )

    def validate_result(self, pattern_text: str) -> bool:
        """Keep a match only when its EAN-13 check digit is right."""
        return ahv_checksum_ok(pattern_text)


class OfflineEmailRecognizer(EmailRecognizer):
    """presidio's email recogniser, with the public-suffix list read from its bundled snapshot."""

    def validate_result(self, pattern_text: str) -> bool:
        """Keep an address whose domain ends in a known public suffix."""
        return bool(_OFFLINE_TLDS(pattern_text).suffix)


@cache
def build_analyzer() -> AnalyzerEngine:
    """Return a presidio analyzer that runs offline (built once per process)."""
    model_dir = tempfile.mkdtemp(prefix="blank-spacy-")
    spacy.blank("en").to_disk(model_dir)
    nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model_dir}])
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        CreditCardRecognizer(),
        OfflineEmailRecognizer(),
        IbanRecognizer(),
        IpRecognizer(),
        PhoneRecognizer(supported_regions=("CH", "DE", "FR", "GB", "US")),
        AhvRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])


@dataclass(frozen=True)
class Span:
    """A piece of PII found in a text."""

    start: int
    end: int
    entity: str
    score: float


def find_pii(text: str, *, threshold: float = 0.35) -> list[Span]:
    """Return the PII spans in ``text``, left to right, without overlaps (the best one wins)."""
    results = build_analyzer().analyze(text=text, language="en", score_threshold=threshold)
    best_first = sorted(results, key=lambda r: (-r.score, r.start))
    kept: list[Span] = []
    for result in best_first:
        if all(result.end <= span.start or result.start >= span.end for span in kept):
            kept.append(Span(result.start, result.end, result.entity_type, result.score))
    return sorted(kept, key=lambda span: span.start)


def mask(text: str, spans: list[Span]) -> str:
    """Replace each span by ``<ENTITY>``."""
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        text = text[: span.start] + f"<{span.entity}>" + text[span.end :]
    return text


@dataclass
class Pseudonymiser:
    """Reversible pseudonymisation: each value becomes a keyed token; the vault maps it back.

    The same value always gets the same token (joins and counts still work), the token reveals
    nothing without the key, and only holders of the vault can re-identify (GDPR Art. 4(5)).
    """

    key: bytes
    vault: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.key) < 16:
            raise ValueError("the pseudonymisation key must be at least 16 bytes")

    def token(self, entity: str, value: str) -> str:
        """Return the stable token for a value, e.g. ``<EMAIL_ADDRESS_3f2a9c1b>``."""
        digest = hmac.new(self.key, f"{entity}:{value}".encode(), hashlib.sha256).hexdigest()
        token = f"<{entity}_{digest[:8]}>"
        self.vault[token] = value
        return token

    def pseudonymise(self, text: str, spans: list[Span]) -> str:
        """Replace each span by its token."""
        for span in sorted(spans, key=lambda s: s.start, reverse=True):
            replacement = self.token(span.entity, text[span.start : span.end])
            text = text[: span.start] + replacement + text[span.end :]
        return text

    def reidentify(self, text: str) -> str:
        """Put the original values back for every token the vault knows."""
        return re.sub(
            r"<[A-Z_]+_[0-9a-f]{8}>", lambda m: self.vault.get(m.group(), m.group()), text
        )


def redact(text: str, *, pseudonymiser: Pseudonymiser | None = None) -> dict[str, Any]:
    """Find and replace the PII in ``text``; return the new text and what was found."""
    spans = find_pii(text)
    out = pseudonymiser.pseudonymise(text, spans) if pseudonymiser else mask(text, spans)
    return {"text": out, "entities": [span.entity for span in spans]}
