from pathlib import Path

import pytest

from compliance_pack.cli import main
from compliance_pack.dfd import data_flow_diagram
from compliance_pack.dpia import ai_act_tier, dpia_criteria, dpia_markdown, findings
from compliance_pack.system import SystemDescriptionError, load_system

EXAMPLE = Path(__file__).parents[1] / "examples" / "support-assistant.yaml"


def test_is_the_example_free_of_high_findings() -> None:
    system = load_system(EXAMPLE)
    assert [f for f in findings(system) if f.severity == "high"] == []
    assert ai_act_tier(system) == "limited"
    assert len(dpia_criteria(system)) >= 2


def test_does_removing_the_redactor_raise_a_high_finding() -> None:
    text = EXAMPLE.read_text().replace("redacts_pii: true", "redacts_pii: false")
    issues = [f.issue for f in findings(load_system(text)) if f.severity == "high"]
    assert any("unredacted" in issue for issue in issues)


def test_is_a_transfer_without_safeguard_flagged() -> None:
    text = EXAMPLE.read_text().split("safeguards:")[0] + "ai: {}\n"
    high = [f for f in findings(load_system(text)) if f.severity == "high"]
    assert [f.article for f in high] == ["GDPR Art. 44-46; nFADP Art. 16"]


def test_does_the_diagram_show_zones_and_mark_special_data() -> None:
    diagram = data_flow_diagram(load_system(EXAMPLE))
    assert diagram.startswith("flowchart LR")
    assert 'subgraph zone_third_party["third-party"]' in diagram
    assert "⚠ health details in free text" in diagram


def test_does_the_markdown_hold_the_diagram_and_the_disclaimer() -> None:
    markdown = dpia_markdown(load_system(EXAMPLE))
    assert "```mermaid\nflowchart LR" in markdown
    assert "Not legal advice" in markdown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list", "must be a YAML mapping"),
        ("name: [unclosed", "not valid YAML"),
        (EXAMPLE.read_text().replace("source: redactor", "source: redactr"), "unknown component"),
        (
            EXAMPLE.read_text().replace("lawful_basis: contract", "lawful_basis: vibes"),
            "lawful_basis",
        ),
    ],
)
def test_does_a_bad_description_get_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(SystemDescriptionError, match=message):
        load_system(text)


def test_does_the_cli_write_both_files_and_fail_on_high(tmp_path: Path) -> None:
    assert main(["dpia", str(EXAMPLE), "--out", str(tmp_path), "--fail-on-high"]) == 0
    assert (tmp_path / "dpia.md").exists()
    assert (tmp_path / "dfd.mmd").read_text().startswith("flowchart")
    risky = tmp_path / "risky.yaml"
    risky.write_text(EXAMPLE.read_text().replace("art9_condition: explicit consent", ""))
    assert main(["dpia", str(risky), "--out", str(tmp_path), "--fail-on-high"]) == 2
    assert main(["dpia", str(tmp_path / "missing.yaml")]) == 1
