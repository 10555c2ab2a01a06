"""An offline chat model that answers with the text's most representative sentences."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from template_service.ports import Completion, Message, Usage

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9']+")
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in"}
    | {"is", "it", "its", "of", "on", "or", "our", "that", "the", "they", "this", "to", "was"}
    | {"we", "were", "will", "with", "you"}
)


def split_sentences(text: str) -> list[str]:
    """Split on ``.``, ``!`` or ``?`` followed by whitespace; drop empty pieces."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


class ExtractiveChatModel:
    """Summarise by extraction: score sentences by word frequency, keep the best in order.

    It keeps about a third of the sentences (at least one), best first, as long as they fit
    in ``max_tokens`` words, and returns them in their original order, one per line.

    It reads only the last user message, counts each whitespace word as a token and ignores
    instructions. That makes it deterministic, instant and offline: the default for
    development, tests and demos. Swap in a real provider through settings.

    Example:
        >>> model = ExtractiveChatModel()
        >>> text = "Cats sleep. Cats sleep a lot. Dogs bark."
        >>> model.complete([Message("user", text)], max_tokens=4).text
        'Cats sleep a lot.'
    """

    model = "extractive-v1"

    def complete(
        self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.0
    ) -> Completion:
        """Pick the highest-scoring sentences that fit in ``max_tokens`` words."""
        text = next((m.content for m in reversed(messages) if m.role == "user"), "")
        sentences = split_sentences(text)
        frequency = Counter(word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS)

        def score(sentence: str) -> float:
            words = [w for w in _WORD.findall(sentence.lower()) if w not in _STOPWORDS]
            mean_frequency = sum(frequency[w] for w in words) / (len(words) or 1)
            return float(mean_frequency * len(set(words)) ** 0.5)

        ranked = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))
        chosen: list[int] = []
        budget = max_tokens
        keep = max(1, math.ceil(len(sentences) / 3))
        for index in ranked:
            length = len(sentences[index].split())
            if length <= budget:
                chosen.append(index)
                budget -= length
            if len(chosen) == keep:
                break
        answer = "\n".join(sentences[i] for i in sorted(chosen))
        input_tokens = sum(len(m.content.split()) for m in messages)
        return Completion(answer, self.model, Usage(input_tokens, len(answer.split())))
