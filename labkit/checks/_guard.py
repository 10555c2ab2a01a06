"""What graded answer code may not touch: a static scan that protects checks from tampering."""

from __future__ import annotations

import ast

FORBIDDEN_MODULES = frozenset(
    [
        "labkit",
        "builtins",
        "ctypes",
        "gc",
        "inspect",
        "importlib",
        "signal",
        "_thread",
        "IPython",
        "ipykernel",
        "jupyter_client",
        "zmq",
        "pytest",
        "nbval",
        "_posixsubprocess",
    ]
)
"""Modules an answer may not import: they reach checks, the kernel or the interpreter."""
FORBIDDEN_NAMES = frozenset(
    [
        "labkit",
        "check",
        "AssertionError",
        "SystemExit",
        "exit",
        "quit",
        "exec",
        "eval",
        "compile",
        "globals",
        "locals",
        "vars",
        "setattr",
        "delattr",
        "get_ipython",
        "__import__",
        "__builtins__",
        "attrgetter",
        "methodcaller",
    ]
)
"""Names an answer may not use: the checks, the exception they raise, exits, reflection."""
FORBIDDEN_ATTRIBUTES = frozenset(
    [
        "exit",
        "_exit",
        "kill",
        "killpg",
        "modules",
        "_getframe",
        "_posixsubprocess",
        "_fork_exec",
        "fork_exec",
        "settrace",
        "setprofile",
        "excepthook",
        "displayhook",
        "f_globals",
        "f_locals",
        "f_back",
        "f_builtins",
        "tb_frame",
        "gi_frame",
        "cr_frame",
        "ag_frame",
    ]
)
"""Attributes an answer may not use, e.g. ``sys.exit``, ``os._exit``, ``sys.modules``."""
SAFE_DUNDERS = frozenset(
    [
        "__init__",
        "__name__",
        "__doc__",
        "__len__",
        "__iter__",
        "__next__",
        "__contains__",
        "__getitem__",
        "__setitem__",
        "__delitem__",
        "__repr__",
        "__str__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__eq__",
        "__hash__",
    ]
)
"""The only ``__dunder__`` attributes an answer may use, e.g. ``super().__init__()``."""


def _is_forbidden(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        bad = [alias.name for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_MODULES]
        return ", ".join(bad) or None
    if isinstance(node, ast.ImportFrom):
        if (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
            return node.module
        names = FORBIDDEN_NAMES | FORBIDDEN_ATTRIBUTES
        return ", ".join(alias.name for alias in node.names if alias.name in names) or None
    if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
        return node.id
    if isinstance(node, ast.Attribute) and (
        node.attr in FORBIDDEN_ATTRIBUTES
        or (node.attr.startswith("__") and node.attr not in SAFE_DUNDERS)
    ):
        return f".{node.attr}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        name = node.args[1] if len(node.args) > 1 else None
        if not (isinstance(name, ast.Constant) and not str(name.value).startswith("__")):
            return "getattr with a computed or dunder name"
    return None


def forbidden_uses(source: str) -> list[str]:
    """List what an answer cell uses that could tamper with checks or the kernel.

    The scan is static and deny-list based. It stops monkeypatching labkit, the ``check``
    module or ``AssertionError``, exiting the kernel, and the reflection that reaches them;
    it cannot rule out every trick, which is why it is one layer of several.

    Args:
        source: The cell's code; IPython syntax (``%magic``, ``!shell``) is allowed.

    Returns:
        Readable findings such as ``"sys.exit … (line 3)"``, in source order; empty if clean.

    """
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        transformed = TransformerManager().transform_cell(source)  # type: ignore[no-untyped-call]
        tree = ast.parse(transformed)
    except SyntaxError:
        return []  # it fails in the kernel too, and is reported from there
    found = []
    for node in ast.walk(tree):
        what = _is_forbidden(node)
        if what and (finding := f"{what} (line {getattr(node, 'lineno', 0)})") not in found:
            found.append(finding)
    return sorted(found, key=lambda finding: int(finding.rsplit("line ", 1)[1][:-1]))
