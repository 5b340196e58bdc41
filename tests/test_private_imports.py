"""No module imports another module's private name (mend13).

A name with a leading underscore is its module's own: it may change with no caller to warn.
A helper two modules need is public in its home module, with a docstring (session/table_labels.py
imported report._img; out of core imported a dozen of io.chunked_sql's privates).  Read by `ast`,
no imports.  Allowed: a package importing its own private modules (`from somdesk.core import
_kdtree_numba`, `from somdesk.gui import _compat`), and the compiled kernels (private modules,
somdesk/core/_*_numba.py) sharing their private helpers among themselves -- one unit, split in files
for numba's ahead-of-time build.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def private_imports(source: str, module: str) -> list[str]:
    """'module imports pkg.mod._name' for each private name `module` (dotted) imports from
    another somdesk module, but the allowed kinds above."""
    out = []
    package, own = module.rsplit(".", 1)
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("somdesk"):
            continue
        for alias in node.names:
            name = alias.name
            if not name.startswith("_") or name.startswith("__"):
                continue
            target = Path(ROOT, *node.module.split("."), name + ".py")
            if target.exists() and node.module == package:
                continue                    # the package's own private module
            src_package, src_own = node.module.rsplit(".", 1)
            if src_package == package and src_own.startswith("_") and own.startswith("_"):
                continue                    # private modules of one package sharing their helpers
            out.append(f"{module} imports {node.module}.{name}")
    return out


def test_no_module_imports_another_modules_private_name():
    found = []
    for path in sorted((ROOT / "somdesk").rglob("*.py")):
        found += private_imports(path.read_text(encoding="utf-8"), _module_of(path))
    assert not found, "\n".join(found)


def test_the_scan_sees_a_private_import():
    assert private_imports("from somdesk.session.report import _img, map_picture\n", "somdesk.session.table_labels") \
        == ["somdesk.session.table_labels imports somdesk.session.report._img"]
    assert private_imports("def f():\n    from somdesk.io.chunked_sql import _quote\n", "somdesk.cli_scale") \
        == ["somdesk.cli_scale imports somdesk.io.chunked_sql._quote"]
    assert private_imports("from somdesk.core import _kdtree_numba\nfrom somdesk.core import cancel as _c\n",
                           "somdesk.core.kernels") == []
