"""The package's layout as the README draws it: every module is in the README's tree.

The import layers and the absence of cycles are checked by `make lint` (import-linter, the
contracts in pyproject.toml); this file keeps the documentation of the tree true.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"


def _tree() -> dict[str, str]:
    """The README's package tree: entry ('render/' or 'build.py') -> its text."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Architecture", 1)[1]
    block = section.split("```", 2)[1]
    entries: dict[str, str] = {}
    current = ""
    for line in block.splitlines():
        m = re.match(r"^  (\S+)\s", line + " ")
        if m:
            current = m.group(1)
            entries[current] = line
        elif current and line.startswith("    "):
            entries[current] += " " + line.strip()
    return entries


def _modules() -> list[Path]:
    return sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py")
                  if p.name != "__init__.py" and "__pycache__" not in p.parts)


def test_the_readme_tree_names_every_module_in_its_folder():
    tree = _tree()
    missing = []
    for rel in _modules():
        if len(rel.parts) == 1:
            if rel.name not in tree:
                missing.append(rel.as_posix())
        else:
            folder = f"{rel.parts[0]}/"
            if not re.search(rf"\b{re.escape(rel.name)}\b", tree.get(folder, "")):
                missing.append(rel.as_posix())
    assert missing == []


def test_the_readme_tree_names_no_module_that_is_gone():
    tree = _tree()
    listed = {name for name in tree if name.endswith(".py")}
    for folder, text in tree.items():
        if folder.endswith("/"):
            listed |= {f"{folder}{m}" for m in re.findall(r"\b([a-z_]+\.py)\b", text)}
    actual = {rel.as_posix() for rel in _modules()}
    assert sorted(listed - actual) == []


# A module's tests are in tests/test_<module>.py, or tests/test_<folder>_<module>.py where two
# folders hold a module of the same name (read/workbook.py, validate/workbook.py) or the short
# name says little (render/tables.py). The catalogue's loader is tested as "the catalogue".
TEST_FILE_OF = {"catalogue/load.py": "test_catalogue.py"}


def test_every_module_has_a_test_file_of_its_own():
    tests = ROOT / "tests"
    missing = []
    for rel in _modules():
        key = rel.as_posix()
        names = [TEST_FILE_OF.get(key, f"test_{rel.stem}.py")]
        if len(rel.parts) > 1:
            names.append(f"test_{rel.parts[0]}_{rel.stem}.py")
        if not any((tests / name).is_file() for name in names):
            missing.append(key)
    assert missing == []
