"""Public docstrings of core, render, io/palettes and the picture io modules name what they raise.

The standard (STYLE.md, review of the ninth session): public functions' docstrings give array
shapes, units, the errors raised and, for algorithms, the source.  Shapes, units and sources
need a reader; two parts can be checked mechanically, by reading the source with `ast` (no
imports, so no numba, no Qt, well under a second):

* every public function, class and method (no leading underscore, in a module without one)
  has a docstring;
* every exception class a function raises in its own body (``raise SomeError(...)``, not in
  a nested function) is named in its docstring -- for ``__init__`` the class docstring, for a
  property setter the getter's.  ``raise ctx.error(...)`` and ``raise x_error(...)`` build a
  PaletteError (io.palettes.context), so they count as PaletteError.  Private exception
  classes (``_Bad``) are caught inside the module and bare ``raise`` re-raises: not counted.

Exceptions raised by callees are not checked (the docstrings name the ones a caller meets,
but following calls by name would guess).
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "somdesk"
PICTURE_MODULES = ("image_input.py", "images.py", "quantized_png.py", "colour_profile.py")


def _modules() -> list[Path]:
    paths = sorted(ROOT.glob("core/*.py")) + sorted(ROOT.glob("render/*.py"))
    paths += sorted(ROOT.glob("io/palettes/*.py")) + [ROOT / "io" / name for name in PICTURE_MODULES]
    return [p for p in paths if p.name == "__init__.py" or not p.name.startswith("_")]


def _raised(fn: ast.AST) -> set[str]:
    """Exception class names raised in `fn`'s own body (nested functions and classes skipped)."""
    out: set[str] = set()

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(child, ast.Raise) and child.exc is not None:
                exc = child.exc.func if isinstance(child.exc, ast.Call) else child.exc
                name = exc.attr if isinstance(exc, ast.Attribute) else getattr(exc, "id", "")
                if isinstance(child.exc, ast.Call) and (name == "error" or name.endswith("_error")):
                    out.add("PaletteError")          # ReadContext.error / aseprite_error build one
                elif name[:1].isupper():             # a class; lower case is a caught variable
                    out.add(name)
            walk(child)

    walk(fn)
    return out


def _is_setter(fn: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Attribute) and d.attr == "setter" for d in fn.decorator_list)


def problems(source: str, where: str = "<source>") -> list[str]:
    """One line per public function, class or method that breaks the two rules above."""
    tree = ast.parse(source)
    found = []

    def check(fn, name: str, doc: str | None, need_doc: bool = True) -> None:
        if need_doc and not doc:
            found.append(f"{where}:{fn.lineno} {name}: no docstring")
            return
        missing = sorted(e for e in _raised(fn) if e not in (doc or ""))
        if missing:
            found.append(f"{where}:{fn.lineno} {name}: raises {', '.join(missing)} "
                         "but its docstring does not say so")

    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            check(node, node.name, ast.get_docstring(node))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            class_doc = ast.get_docstring(node)
            if not class_doc:
                found.append(f"{where}:{node.lineno} {node.name}: no docstring")
            getters = {}
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                label = f"{node.name}.{item.name}"
                if item.name == "__init__":
                    check(item, label, class_doc, need_doc=False)
                elif _is_setter(item):
                    check(item, label, getters.get(item.name))
                elif not item.name.startswith("_"):
                    getters[item.name] = ast.get_docstring(item)
                    check(item, label, getters[item.name])
    return found


def test_public_docstrings_exist_and_name_what_is_raised():
    found = []
    for path in _modules():
        found += problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT.parent)))
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_should():
    # The rules themselves, on made-up code: a sweep that finds nothing must be able to fail.
    source = '''
def quiet(x):
    return x

def silent(x):
    """Doubles x."""
    if x is None:
        raise ValueError("x")
    return 2 * x

def told(data, ctx):
    """Raises PaletteError and ValueError."""
    if not data:
        raise ctx.error("empty")
    raise ValueError("bad")

def nested():
    """Nothing of its own."""
    def inner():
        raise KeyError("k")
    try:
        inner()
    except KeyError as exc:
        raise

class Box:
    """Raises TypeError for a bad size."""
    def __init__(self, size):
        if size < 0:
            raise TypeError("size")
    @property
    def size(self):
        """The size."""
        return 1
    @size.setter
    def size(self, v):
        raise OverflowError("v")
    def _private(self):
        raise RuntimeError("not checked")
'''
    found = problems(source)
    assert len(found) == 3, found
    assert "quiet: no docstring" in found[0]
    assert "silent: raises ValueError" in found[1]
    assert "Box.size: raises OverflowError" in found[2]


def test_the_sweep_covers_the_packages():
    names = {p.relative_to(ROOT).as_posix() for p in _modules()}
    assert {"core/som.py", "core/metrics.py", "render/views.py", "io/palettes/gpl.py",
            "io/palettes/__init__.py", "io/image_input.py", "io/quantized_png.py"} <= names
    assert not any(n.split("/")[-1].startswith("_") and not n.endswith("__init__.py") for n in names)
