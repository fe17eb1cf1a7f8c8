"""Every page has the same shape, as Streamlit's own demo pages do: a docstring, then `main()`, whose first act
is `layout.header(title, intro)`, called once at the bottom, with nothing else run at import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ui.navigation import all_pages

ROOT = Path(__file__).resolve().parents[2]
PAGES = [p.path for p in all_pages()]


def test_every_page_file_is_in_the_navigation() -> None:
    assert sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py")) == sorted(PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_page_is_docstring_then_main_then_a_call_of_main(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{path} has no module docstring"
    mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    assert len(mains) == 1, f"{path} defines no main()"
    first = next(s for s in mains[0].body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)))
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call), f"{path}: main() must start with header"
    assert ast.unparse(first.value.func) == "layout.header", f"{path}: main() starts with {ast.unparse(first)}"
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and ast.unparse(last) == "main()", f"{path} does not end with main()"
    # Nothing else runs at import: only imports, constants, functions, classes and the final main().
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    stray = [ast.unparse(n)[:60] for n in tree.body[1:-1] if not isinstance(n, allowed)]
    assert not stray, f"{path} runs code at import: {stray}"
