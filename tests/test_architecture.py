"""The architecture, checked from the source: imports point downward only, no cycles, each
library stays in its layer, data folders are found in one place, threads are documented."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import coperformer

ROOT = Path(coperformer.__file__).parent
LAYERS = (  # bottom first; a package may import only its own modules and lower layers
    ("common",),
    ("music",),
    ("engine",),
    ("io",),
    ("midi", "synth", "model"),
    ("jam",),
    ("gui",),
    ("bench",),
    ("cli",),
)
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
LIBRARIES = {  # a library -> the only packages that may import it
    "PySide6": {"gui"},
    "torch": {"model"},
    "mido": {"io"},
    "rtmidi": {"midi"},
    "fluidsynth": {"synth"},
    "music21": {"model"},
    "tqdm": {"model", "cli"},
    "argparse": {"cli"},
}
THREAD_RULED = ("engine", "io", "midi", "synth", "model")
MAX_LINES = 400


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def package_of(module: str) -> str:
    """The layer package of a module ('coperformer.engine.session' -> 'engine')."""
    parts = module.split(".")
    if len(parts) == 1:
        return "common"  # coperformer/__init__.py: the version only
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported name, line) of every import in a module, function-level ones included."""
    found = []
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((full if full in known else base, node.lineno))
    return found


def graph() -> dict[str, list[tuple[str, int]]]:
    """Module -> the coperformer modules it imports (with the line)."""
    known = modules()
    return {name: [(target, line) for target, line in imports(name, path, known)
                   if target in known and target != "coperformer"]
            for name, path in known.items()}


def test_every_package_has_a_layer():
    assert {package_of(m) for m in modules()} <= set(RANK)


def test_imports_point_downward_only():
    wrong = []
    for source, targets in graph().items():
        for target, line in targets:
            mine, theirs = package_of(source), package_of(target)
            if mine != theirs and RANK[theirs] >= RANK[mine]:
                wrong.append(f"{source}:{line} imports {target} ({mine} -> {theirs})")
    assert not wrong, "upward or sideways imports:\n" + "\n".join(wrong)


def test_no_import_cycle():
    edges = {source: {t for t, _ in targets} for source, targets in graph().items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_libraries_stay_in_their_layer():
    known = modules()
    wrong = []
    for name, path in known.items():
        for target, line in imports(name, path, known):
            library = target.split(".")[0]
            allowed = LIBRARIES.get(library)
            if allowed is not None and package_of(name) not in allowed:
                wrong.append(f"{name}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_data_folders_are_found_in_one_place():
    for name, path in modules().items():
        text = path.read_text()
        assert "__file__" not in text and "parents[" not in text, name


def test_modules_stay_small():
    big = {name: n for name, path in modules().items()
           if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not big, big


def test_public_methods_of_engine_and_adapters_say_which_thread():
    missing = []
    for name, path in modules().items():
        if package_of(name) not in THREAD_RULED:
            continue
        tree = ast.parse(path.read_text())
        module_doc = ast.get_docstring(tree) or ""
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            class_doc = ast.get_docstring(cls) or ""
            for method in cls.body:
                if not isinstance(method, ast.FunctionDef) or method.name.startswith("_"):
                    continue
                docs = (ast.get_docstring(method) or "") + class_doc + module_doc
                if "thread" not in docs.lower():
                    missing.append(f"{name}.{cls.name}.{method.name}")
    assert not missing, "say which thread may call:\n" + "\n".join(missing)


def test_every_import_of_the_package_resolves():
    """Function-level imports run late: check now that each name still exists where it is
    imported from (a moved function would otherwise fail only when that code runs)."""
    known = modules()
    broken = []
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                    "coperformer") or node.level:
                continue
            target = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(target, alias.name) and f"{node.module}.{alias.name}" not in known:
                    broken.append(f"{name}:{node.lineno} {node.module}.{alias.name}")
    assert not broken, "\n".join(broken)
