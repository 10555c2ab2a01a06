"""Are the shipped datasets intact, documented, reproducible and loadable offline?"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labkit import datasets
from labkit.errors import DatasetError, OfflineError
from labkit.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def copied_data(tmp_path: Path) -> Settings:
    """Settings whose data folder is a private copy of data/, safe to tamper with."""
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("generators"))
    return Settings(data_dir=tmp_path / "data")


def test_does_every_registered_file_match_its_pinned_sha256() -> None:
    """Does every file in the registry exist under data/ with the pinned sha256?"""
    paths = datasets.verify_all(Settings(data_dir=DATA))
    assert len(paths) == len(datasets.REGISTRY) == 36
    for path in paths:
        name = path.relative_to(DATA).as_posix()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == datasets.REGISTRY[name]


def test_is_every_shipped_file_registered() -> None:
    """Is every data file (not the README or generators) pinned in the registry?"""
    shipped = {
        path.relative_to(DATA).as_posix()
        for path in DATA.rglob("*")
        if path.is_file()
        and path.name not in {"README.md", ".gitattributes"}
        and "generators" not in path.parts
    }
    assert shipped == set(datasets.REGISTRY)


def test_does_the_readme_list_every_file_with_its_sha256_and_licence() -> None:
    """Does data/README.md give each registered file's sha256, its generator and a licence?"""
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "CC0-1.0" in readme
    for name, digest in datasets.REGISTRY.items():
        generator = next(s for p, s in datasets._GENERATORS.items() if name.startswith(p))
        assert f"| `{name}` | `generators/{generator}` | `{digest}` |" in readme


def test_does_a_tampered_file_raise_a_dataset_error_saying_how_to_fix_it(
    copied_data: Settings,
) -> None:
    """Does one changed byte give a DatasetError naming the file and how to restore it?"""
    assert copied_data.data_dir is not None
    path = copied_data.data_dir / "support_tickets.csv"
    path.write_bytes(path.read_bytes().replace(b"technical", b"billing", 1))
    with pytest.raises(DatasetError) as caught:
        datasets.load_support_tickets(copied_data)
    message = str(caught.value)
    assert "data/support_tickets.csv fails its sha256 check" in message
    assert "git checkout -- data/support_tickets.csv" in message
    assert "python data/generators/support_tickets.py" in message


def test_does_a_missing_file_raise_a_dataset_error(copied_data: Settings) -> None:
    """Does a deleted handbook page stop load_handbook with a clear DatasetError?"""
    assert copied_data.data_dir is not None
    (copied_data.data_dir / "handbook" / "09-travel.md").unlink()
    with pytest.raises(DatasetError, match=r"data/handbook/09-travel.md is missing.*handbook.py"):
        datasets.load_handbook(copied_data)


def test_does_a_missing_data_folder_say_to_set_labkit_data_dir(tmp_path: Path) -> None:
    """Without a data folder, does the error name LABKIT_DATA_DIR?"""
    with pytest.raises(DatasetError, match="LABKIT_DATA_DIR"):
        datasets.data_dir(Settings(data_dir=tmp_path / "nowhere"))


def test_does_the_default_data_dir_find_the_repository_data_folder() -> None:
    """With LABKIT_DATA_DIR unset, is the data/ next to the labkit package used?"""
    assert datasets.data_dir(Settings(data_dir=None)) == DATA


@pytest.mark.parametrize(
    "script", ["support_tickets.py", "handbook.py", "loans.py", "enterprise_corpus.py"]
)
def test_do_the_generators_reproduce_the_shipped_bytes(script: str, tmp_path: Path) -> None:
    """Does running each generator again write byte-identical files?"""
    subprocess.run(
        [sys.executable, str(DATA / "generators" / script), "--out", str(tmp_path)], check=True
    )
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert written
    for name in written:
        digest = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert digest == datasets.REGISTRY[name], f"{script} no longer reproduces {name}"


def test_do_the_tickets_load_with_their_types_and_lessons() -> None:
    """Do the tickets load typed, with all segments and the firmware 3.0 spike in place?"""
    tickets = datasets.load_support_tickets(Settings(data_dir=DATA, smoke=False))
    assert len(tickets) == 2000
    assert str(tickets["created_at"].dtype).startswith("datetime64")
    assert set(tickets["customer_segment"]) == {"consumer", "small_business", "enterprise"}
    technical = tickets[tickets["category"] == "technical"]
    by_month = technical.groupby(technical["created_at"].dt.month).size()
    assert by_month[10] > 1.5 * by_month[[1, 2, 3, 4, 5, 6]].mean()


def test_does_smoke_mode_return_the_same_small_subset_each_time() -> None:
    """In smoke mode, is the ticket sample small, fixed, and the QA set cut to 8?"""
    smoke = Settings(data_dir=DATA, smoke=True)
    first = datasets.load_support_tickets(smoke)
    assert len(first) == 300
    assert first["ticket_id"].tolist() == datasets.load_support_tickets(smoke)["ticket_id"].tolist()
    assert len(datasets.load_handbook_qa(smoke)) == 8


def test_does_every_qa_pair_point_at_handbook_pages_that_exist() -> None:
    """Does each QA pair name relevant docs that the handbook has?"""
    settings = Settings(data_dir=DATA, smoke=False)
    doc_ids = {doc["doc_id"] for doc in datasets.load_handbook(settings)}
    pairs = datasets.load_handbook_qa(settings)
    assert len(doc_ids) == 28 and len(pairs) == 32
    for pair in pairs:
        assert pair["question"].endswith("?") and pair["answer"]
        assert set(pair["relevant_doc_ids"]) <= doc_ids
    travel = next(d for d in datasets.load_handbook(settings) if d["doc_id"] == "travel")
    assert travel["text"].startswith("# Business travel\n") and "EUR 250" in travel["text"]


def test_does_a_hub_dataset_while_offline_name_labkit_offline() -> None:
    """Does asking for a hub dataset offline give an OfflineError naming LABKIT_OFFLINE?"""
    with pytest.raises(OfflineError, match="LABKIT_OFFLINE=0"):
        datasets.load_hub_dataset("imdb", settings=Settings(offline=True))


def test_does_a_hub_dataset_online_go_to_the_datasets_library(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Online, is the request passed to datasets.load_dataset with labkit's cache folder?"""
    datasets_library = pytest.importorskip("datasets")
    calls: list[tuple[str, str, str]] = []

    def load_dataset(name: str, split: str, cache_dir: str) -> str:
        calls.append((name, split, cache_dir))
        return "loaded"

    monkeypatch.setattr(datasets_library, "load_dataset", load_dataset)
    settings = Settings(offline=False, cache_dir=tmp_path)
    assert datasets.load_hub_dataset("imdb", split="test", settings=settings) == "loaded"
    assert calls == [("imdb", "test", str(tmp_path / "datasets"))]


def test_do_the_loans_load_with_their_lessons_and_smoke_keep_whole_applicants() -> None:
    """Do loans parse dates, hide p_default unless asked, and keep every loan of an applicant?"""
    full = datasets.load_loans(Settings(data_dir=DATA, smoke=False))
    assert len(full) == 3000
    assert "p_default" not in full.columns
    assert str(full["application_date"].dtype).startswith("datetime64")
    assert (
        "p_default" in datasets.load_loans(Settings(data_dir=DATA, smoke=False), truth=True).columns
    )
    smoke = datasets.load_loans(Settings(data_dir=DATA, smoke=True))
    assert smoke["applicant_id"].nunique() == 600
    smoke_counts = smoke.groupby("applicant_id").size()
    full_counts = full.groupby("applicant_id").size()
    assert smoke_counts.equals(full_counts.loc[smoke_counts.index])


def test_does_every_enterprise_question_quote_evidence_from_its_relevant_doc() -> None:
    """Is each answerable question's evidence an exact quote of one of its relevant docs?"""
    settings = Settings(data_dir=DATA)
    texts = {doc["doc_id"]: doc["text"] for doc in datasets.load_enterprise_corpus(settings)}
    questions = datasets.load_rag_eval(settings)
    assert len(questions) >= 150
    assert len({doc_id.split("-repost")[0].split("-draft")[0] for doc_id in texts}) >= 150
    unanswerable = [q for q in questions if not q["answerable"]]
    assert len(unanswerable) >= 10
    assert all(not q["relevant_doc_ids"] for q in unanswerable)
    for question in questions:
        for doc_id in question["relevant_doc_ids"]:
            if not doc_id.startswith("pdf-"):
                assert question["evidence"] in texts[doc_id], question["qa_id"]
    splits = {q["split"] for q in questions}
    assert splits == {"train", "test"}


def test_does_load_rag_eval_refuse_an_unknown_split() -> None:
    """Does a typo in split give a clear DatasetError instead of an empty list?"""
    with pytest.raises(DatasetError, match="split must be 'train', 'test' or None"):
        datasets.load_rag_eval(Settings(data_dir=DATA), split="tset")


def test_do_the_enterprise_pdfs_hold_their_tables_and_a_scanned_page() -> None:
    """Does pdfplumber find the price table, and does page 2 of the guide hold only an image?"""
    import pdfplumber

    paths = {p.stem: p for p in datasets.enterprise_pdf_paths(Settings(data_dir=DATA))}
    with pdfplumber.open(paths["prices-2025"]) as pdf:
        table = pdf.pages[0].extract_tables()[0]
    assert table[0] == ["Code", "Product", "EUR", "USD", "Launched"]
    assert len(table) == 13
    with pdfplumber.open(paths["chime-guide"]) as pdf:
        scanned = pdf.pages[1]
        assert len(scanned.images) == 1
        assert "0800" not in (scanned.extract_text() or "")


def test_do_the_enterprise_sections_carry_the_eval_sets_section_ids() -> None:
    """Does every labelled section id exist, and does smoke mode keep every asked-about doc?"""
    for smoke in (False, True):
        settings = Settings(data_dir=DATA, smoke=smoke)
        sections = datasets.load_enterprise_sections(settings)
        ids = {section["section_id"] for section in sections}
        assert len(ids) == len(sections)
        for question in datasets.load_rag_eval(settings):
            for section_id in question["relevant_section_ids"]:
                assert section_id.startswith("pdf-") or section_id in ids, section_id
    assert len(sections) < len(
        datasets.load_enterprise_sections(Settings(data_dir=DATA, smoke=False))
    )
    assert not any(s["doc_id"].endswith(("-repost", "-draft")) for s in sections)
