"""A mermaid data-flow diagram generated from a system description, one subgraph per zone."""

from __future__ import annotations

from compliance_pack.system import System

_SHAPES = {
    "actor": ("([", "])"),
    "service": ("[", "]"),
    "store": ("[(", ")]"),
    "external": ("[[", "]]"),
}


def _label(text: str) -> str:
    return text.replace('"', "'")


def data_flow_diagram(system: System) -> str:
    """Return mermaid ``flowchart`` source: zones are trust boundaries, edges carry the data.

    Special-category data on an edge is marked with a ``⚠``; unencrypted flows are dotted.
    """
    lines = ["flowchart LR"]
    zones: dict[str, list[str]] = {}
    for component in system.components:
        left, right = _SHAPES[component.kind]
        node = f'{component.id}{left}"{_label(component.name)}<br/>{component.country}"{right}'
        zones.setdefault(component.zone, []).append(node)
    for zone, nodes in zones.items():
        lines.append(f'  subgraph zone_{zone.replace("-", "_")}["{_label(zone)}"]')
        lines.extend(f"    {node}" for node in nodes)
        lines.append("  end")
    special = system.special_categories()
    for flow in system.flows:
        marks = ["⚠ " + name if name in special else name for name in flow.data]
        arrow = "-->" if flow.encrypted else "-.->"
        lines.append(f'  {flow.source} {arrow}|"{_label(", ".join(marks))}"| {flow.target}')
    return "\n".join(lines) + "\n"
