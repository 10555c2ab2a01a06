"""Offline loaders for the course's shipped datasets, each checked against a pinned sha256."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from labkit.errors import DatasetError, OfflineError
from labkit.settings import Settings, get_settings

if TYPE_CHECKING:
    import pandas as pd

_SHA256SUMS = """\
32a32e6e15b4757a122b238752dfb13d75d2ff7d121a8bd8c1e90e73dc86eb96  handbook_qa.jsonl
03c434462cd2e072c1e6f637807e1ffff19f4d4d33c22549ac17806022a5afe3  loans.csv
5aca675f7632dc589b5832e1f9a18ae6ada1d16e6dd65657a094cfb0b8243b12  support_tickets.csv
ae0b9172e75e32cf24e9960a1ff5e5b3162550961b9480691e631dbb31a1f2e4  enterprise/corpus.jsonl
da7461bfe1f47c8dae3fb38f658ede806368860f065704eaa626c126316e1ef4  enterprise/rag_eval.jsonl
2c4bb49483f50c014f112d994ab2647735c60c96a67389a6e5077a5d0484a75c  enterprise/pdfs/chime-guide.pdf
c26898952fb3959e66c211857f9932f62f63f0ac8533cba8020562b3a4c6a283  enterprise/pdfs/prices-2025.pdf
aac62b70f251ecb31603c3d0a04feca353056972f64a3315f407307f7981e680  enterprise/pdfs/warranty-2024.pdf
"""
_HANDBOOK_SHA256SUMS = """\
97ee2eae196a0dba848c17498ea628314446777d0c45185ace18107e534c7195  01-welcome.md
75ccb34d975c02875dfadade5cb84a995c1cb7679069515405accb564ace261b  02-working-hours.md
51bb0da077811a2b188adf0bb6f3a9b536b05abb6815d2c26463dfc61deeafba  03-remote-work.md
3e442a0876da9bdc66571891c9e6ec44d78c36660c773210528baf0e8f4be098  04-offices.md
2e6a327305f4a3cb889e47ae9b3d6043fd6424d9ad4a255a3ff46d7693f9db8d  05-vacation.md
1ff49480370b2d2e19d9c0dd6e215990d3b839254e07319c6e731d4df623cc25  06-sick-leave.md
4369ae70c97717c00ab43f3cf105f0f87a0da320eb6d3a19844c70e995cb8cc1  07-parental-leave.md
1dbd5a0d8f56b41eb405c7154cf22569b73b3cda1f5d4795375178fd1781c79e  08-expenses.md
39b592d4b63c74bbfdc693b7aff914cb8291c0e1d998bfde8713667a818bb00b  09-travel.md
95c469d04b65b4e4b02f2c24571bf644a2456a18779d01c27aab9f27b306f8a3  10-equipment.md
0a55bbc8b4b474ca52edac9834a7cd6fe3d9a6f47eb6637077d07fb8a3722c46  11-learning-budget.md
520fcd134602b3358de6d2dfa6061546c1bcaeaddef5c8a79ab69f3ddad51944  12-security-basics.md
4da6765878d4102ff2f97e9a0447e3ab61092380b7fb6411427bf3350fbb10bf  13-data-classification.md
b2b9f1cdf00931f45fbed3d3e73d30e1ea40aba084d47ce6418f31c8e1ec53b0  14-ai-tools.md
869c5934443c4b5f543da9f3d13efef04aca0fcefc5d5f8a9961ccb3e9bc916e  15-onboarding.md
df5dbf4c58aefc021566c59e76286357c8a3620ea8b2a7e78760353a36a2131d  16-code-review.md
6ed979845bf120c03d4747041ae66095676fece64932a21a57767e1464bb9e98  17-release-process.md
b2e0f5c6dfebb11db95960e19a60e87e65425abae991444ff95d8f4e464d066f  18-on-call.md
f27983d00f042b16f7bd33638a4d99fae586875229c434e271b5b222130da63f  19-incident-response.md
580bc61b52d94a2e219711ad52e1495a0e5cb75b95396311ad470c1f939e4d29  20-support-tiers.md
031956ad91d590a8b26ece811f744822cb8a1419e4d76076b9d055f5692021e8  21-refunds.md
a893465a41461ab7ed3509793360c0c01ef41f99037976dd95ccc7ba8a9ba54a  22-shipping.md
2392d33d9e06efc60d2648ca4d0c5c63c49ee3d2f6c9b7ad189129ead74e42f1  23-data-retention.md
b23be6a49727e851109fc9a89a39d38da7da036f61ac7c7526e7bb4f1dedeb67  24-performance-reviews.md
de7da01d3cc7dd9172ce80b8161527d2d0dfd8d4d504c2153341131ee0532828  25-compensation.md
370abbbbd40481059895ec18ad9c7110a21fa96e43eede896a050166f8951149  26-communication.md
a42b1564eb927a0408b514d54c88abfaee3269b0dca73cc08ba1ecc83acf5aed  27-hiring.md
0def165887d268350b3f05552032db4f369cffee92acafe6b580c2d853bc4e68  28-offboarding.md
"""
REGISTRY: dict[str, str] = {
    prefix + name: digest
    for prefix, block in (("", _SHA256SUMS), ("handbook/", _HANDBOOK_SHA256SUMS))
    for digest, name in (line.split() for line in block.splitlines())
}
"""Every shipped file, relative to the data folder, and its sha256. ``data/README.md`` lists
the same files with their provenance and licence."""

_GENERATORS = {
    "support_tickets": "support_tickets.py",
    "handbook": "handbook.py",
    "enterprise/": "enterprise_corpus.py",
    "loans": "loans.py",
}
"""The script under ``data/generators/`` that writes each file, by file-name prefix."""


class HandbookDoc(TypedDict):
    """One page of the Northbeam handbook: its front matter and its markdown text."""

    doc_id: str
    title: str
    owner: str
    updated: str
    path: str
    text: str


class QAPair(TypedDict):
    """One RAG eval question, its reference answer and the docs that hold the answer."""

    qa_id: str
    question: str
    answer: str
    relevant_doc_ids: list[str]


class EnterpriseDoc(TypedDict, total=False):
    """One document of the Northbeam enterprise corpus: raw ``source`` and clean ``text``.

    ``format`` is ``markdown`` or ``html``; ``source`` is the file as a crawler would fetch it
    (HTML with navigation and scripts), ``text`` the clean markdown a good parser recovers.
    ``product``, ``region`` and ``status`` are present only where they apply.
    """

    doc_id: str
    kind: str
    format: str
    title: str
    updated: str
    source: str
    text: str
    product: str
    region: str
    status: str


class RagQuestion(TypedDict):
    """One labelled question of the enterprise RAG eval set.

    ``relevant_section_ids`` are ``doc_id#heading-slug`` (``doc_id#pN`` for a PDF page);
    ``evidence`` is an exact quote of the text that answers it; unanswerable questions have
    ``answerable=False`` and no relevant ids. ``split`` is ``train`` or ``test`` (held out).
    """

    qa_id: str
    question: str
    answer: str
    relevant_doc_ids: list[str]
    relevant_section_ids: list[str]
    evidence: str
    answerable: bool
    kind: str
    split: str


def data_dir(settings: Settings | None = None) -> Path:
    """Return the data folder: ``LABKIT_DATA_DIR`` if set, else the repository's ``data/``.

    With an editable install (``pip install -e .``, what ``make setup`` does) the repository's
    ``data/`` sits next to the ``labkit`` package, so nothing needs setting.

    Raises:
        DatasetError: The folder does not exist.

    """
    settings = settings or get_settings()
    folder = settings.data_dir or Path(__file__).resolve().parent.parent / "data"
    if not folder.is_dir():
        raise DatasetError(
            f"No data folder at {folder}. labkit looks for the course repository's data/ next "
            "to the package; clone the course and run `pip install -e .`, or set "
            "LABKIT_DATA_DIR=/path/to/course/data."
        )
    return folder


def verified_path(name: str, settings: Settings | None = None) -> Path:
    """Return the path of a shipped file after checking it against its pinned sha256.

    Args:
        name: The file, relative to the data folder, e.g. ``"support_tickets.csv"``.
        settings: Where to find the data folder; read with ``get_settings()`` when omitted.

    Raises:
        DatasetError: The name is not registered, or the file is missing or changed.

    """
    if name not in REGISTRY:
        raise DatasetError(f"{name!r} is not a shipped dataset; known files: {sorted(REGISTRY)}")
    path = data_dir(settings) / name
    generator = next(script for prefix, script in _GENERATORS.items() if name.startswith(prefix))
    fix = (
        f"Restore it with `git checkout -- data/{name}`, or regenerate it with "
        f"`python data/generators/{generator}`."
    )
    if not path.is_file():
        raise DatasetError(f"data/{name} is missing. {fix}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != REGISTRY[name]:
        raise DatasetError(
            f"data/{name} fails its sha256 check (expected {REGISTRY[name][:12]}…, got "
            f"{digest[:12]}…): it was edited or corrupted. {fix} If you changed the generator on "
            "purpose, update REGISTRY in labkit/datasets.py and data/README.md."
        )
    return path


def verify_all(settings: Settings | None = None) -> list[Path]:
    """Check every shipped file against its sha256 and return their paths.

    Raises:
        DatasetError: For the first file that is missing or changed.

    """
    return [verified_path(name, settings) for name in REGISTRY]


def load_support_tickets(settings: Settings | None = None) -> pd.DataFrame:
    """Load the synthetic support tickets: 2,000 rows, or a fixed sample of 300 in smoke mode.

    Columns: ``ticket_id``, ``created_at`` (datetime), ``customer_id``, ``customer_segment``,
    ``channel``, ``text``, ``category``, ``priority``, ``assigned_team``, ``resolution_hours``.
    The last two are only known after triage and closing: features that leak the labels.

    Example:
        >>> tickets = load_support_tickets(settings)
        >>> tickets.groupby("customer_segment").size()

    """
    import pandas as pd

    settings = settings or get_settings()
    tickets = pd.read_csv(
        verified_path("support_tickets.csv", settings), parse_dates=["created_at"]
    )
    size = settings.smoke_size(full=len(tickets), smoke=300)
    if size < len(tickets):
        tickets = tickets.sample(n=size, random_state=settings.seed).sort_index()
    return tickets.reset_index(drop=True)


def load_loans(settings: Settings | None = None, *, truth: bool = False) -> pd.DataFrame:
    """Load the synthetic loan applications: 3,000 rows, or the loans of 600 applicants in smoke.

    Smoke mode keeps whole applicants (all their loans), so group splits still mean something.
    ``days_past_due_max`` is only known after the loan ran: a column that leaks ``defaulted``.

    Args:
        settings: Read with ``get_settings()`` when omitted.
        truth: Keep ``p_default``, the true default probability; never use it as a feature.

    Example:
        >>> loans = load_loans(settings)
        >>> loans.groupby("region")["defaulted"].mean()

    """
    import pandas as pd

    settings = settings or get_settings()
    loans = pd.read_csv(verified_path("loans.csv", settings), parse_dates=["application_date"])
    applicants = loans["applicant_id"].drop_duplicates()
    size = settings.smoke_size(full=len(applicants), smoke=600)
    if size < len(applicants):
        keep = applicants.sample(n=size, random_state=settings.seed)
        loans = loans[loans["applicant_id"].isin(keep)]
    return loans.drop(columns=[] if truth else ["p_default"]).reset_index(drop=True)


def load_handbook(settings: Settings | None = None) -> list[HandbookDoc]:
    """Load the 28 markdown pages of the fictional Northbeam company handbook, in order.

    Example:
        >>> docs = load_handbook(settings)
        >>> docs[0]["doc_id"], docs[0]["title"]
        ('welcome', 'Welcome to Northbeam')

    """
    docs = []
    for name in sorted(n for n in REGISTRY if n.startswith("handbook/")):
        raw = verified_path(name, settings).read_text(encoding="utf-8")
        _, header, text = raw.split("---\n", 2)
        meta = dict(line.split(": ", 1) for line in header.splitlines())
        docs.append(
            HandbookDoc(
                doc_id=meta["doc_id"],
                title=meta["title"],
                owner=meta["owner"],
                updated=meta["updated"],
                path=name,
                text=text.strip() + "\n",
            )
        )
    return docs


def load_handbook_qa(settings: Settings | None = None) -> list[QAPair]:
    """Load the handbook's RAG eval set: 32 questions, or the first 8 in smoke mode.

    Example:
        >>> qa = load_handbook_qa(settings)
        >>> qa[0]["question"], qa[0]["relevant_doc_ids"]

    """
    settings = settings or get_settings()
    lines = verified_path("handbook_qa.jsonl", settings).read_text(encoding="utf-8").splitlines()
    pairs: list[QAPair] = [json.loads(line) for line in lines]
    return pairs[: settings.smoke_size(full=len(pairs), smoke=8)]


def load_enterprise_corpus(settings: Settings | None = None) -> list[EnterpriseDoc]:
    """Load the 160 documents of the Northbeam enterprise corpus (manuals, policies, tickets …).

    The corpus holds deliberate exact and near duplicates (``…-repost``, ``…-draft``) for the
    deduplication lesson; the PDFs are separate, see ``enterprise_pdf_paths()``.

    Example:
        >>> docs = load_enterprise_corpus(settings)
        >>> docs[0]["doc_id"], docs[0]["format"]
        ('manual-beacon-hub', 'markdown')

    """
    lines = verified_path("enterprise/corpus.jsonl", settings).read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines()]


class CorpusSection(TypedDict):
    """One ``## `` section of an enterprise document: the unit the eval set's ids point at."""

    section_id: str
    doc_id: str
    kind: str
    title: str
    heading: str
    text: str


def load_enterprise_sections(
    settings: Settings | None = None, *, include_duplicates: bool = False
) -> list[CorpusSection]:
    """Split each enterprise document at its ``## `` headings, the corpus's structural chunks.

    ``section_id`` is ``doc_id#heading-slug``, the ids ``RagQuestion.relevant_section_ids``
    uses; ``text`` starts with ``"<title> > <heading>"`` so a section keeps its context.
    Unless ``include_duplicates``, exact duplicates (same ``text``, first one kept) and
    ``status: draft`` documents are dropped, as the ingestion notebook teaches. In smoke mode
    the tickets no question asks about are left out too (about 300 sections instead of 434).

    Example:
        >>> sections = load_enterprise_sections(settings)
        >>> sections[1]["section_id"]
        'manual-beacon-hub#specifications'

    """
    settings = settings or get_settings()
    asked = {doc_id for q in load_rag_eval(settings) for doc_id in q["relevant_doc_ids"]}
    seen: set[str] = set()
    sections: list[CorpusSection] = []
    for doc in load_enterprise_corpus(settings):
        digest = hashlib.sha256(doc["text"].encode()).hexdigest()
        duplicate = digest in seen or doc.get("status") == "draft"
        if settings.smoke and doc["kind"] == "ticket" and doc["doc_id"] not in asked:
            continue
        seen.add(digest)
        if duplicate and not include_duplicates:
            continue
        for part in doc["text"].split("\n## ")[1:]:
            heading, _, body = part.partition("\n")
            slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
            sections.append(
                CorpusSection(
                    section_id=f"{doc['doc_id']}#{slug}",
                    doc_id=doc["doc_id"],
                    kind=doc["kind"],
                    title=doc["title"],
                    heading=heading,
                    text=f"{doc['title']} > {heading}\n{body.strip()}",
                )
            )
    return sections


def enterprise_pdf_paths(settings: Settings | None = None) -> list[Path]:
    """Return the verified paths of the corpus's three PDFs (tables, a chart, a scanned page)."""
    names = sorted(name for name in REGISTRY if name.startswith("enterprise/pdfs/"))
    return [verified_path(name, settings) for name in names]


def load_rag_eval(
    settings: Settings | None = None, *, split: str | None = None
) -> list[RagQuestion]:
    """Load the 172 labelled questions over the enterprise corpus, 16 of them unanswerable.

    Args:
        settings: Read with ``get_settings()`` when omitted.
        split: ``"train"`` or ``"test"`` to keep one split; ``None`` keeps both.

    Raises:
        DatasetError: ``split`` is not ``train``, ``test`` or ``None``.

    Example:
        >>> held = load_rag_eval(settings, split="test")

    """
    if split not in (None, "train", "test"):
        raise DatasetError(f"split must be 'train', 'test' or None, not {split!r}.")
    text = verified_path("enterprise/rag_eval.jsonl", settings).read_text(encoding="utf-8")
    questions: list[RagQuestion] = [json.loads(line) for line in text.splitlines()]
    return [q for q in questions if split is None or q["split"] == split]


def load_hub_dataset(name: str, *, split: str = "train", settings: Settings | None = None) -> Any:
    """Load a dataset from the Hugging Face hub; only when ``LABKIT_OFFLINE=0``.

    Args:
        name: The hub id, e.g. ``"imdb"``.
        split: Which split to load.
        settings: Read with ``get_settings()`` when omitted; its ``cache_dir`` holds the files.

    Raises:
        OfflineError: The course runs offline (the default).
        DatasetError: The ``datasets`` package is missing.

    """
    settings = settings or get_settings()
    if settings.offline:
        raise OfflineError(
            f"load_hub_dataset({name!r}) needs the network, and the course runs offline. "
            "Set LABKIT_OFFLINE=0 to allow hub downloads, or use a shipped dataset "
            "(load_support_tickets, load_handbook, load_handbook_qa, load_loans)."
        )
    try:
        import datasets
    except ImportError as error:
        raise DatasetError("load_hub_dataset needs `pip install datasets`.") from error
    return datasets.load_dataset(name, split=split, cache_dir=str(settings.cache_dir / "datasets"))
