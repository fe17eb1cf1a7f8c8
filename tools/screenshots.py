"""Full-page screenshots of app pages, normal, lecture mode at 1280 px, 800 px and a 390 px phone, for looking at what we build.

Usage: python tools/screenshots.py OUT_DIR [PAGE[?QUERY] ...]   (default: every page)
Starts its own server on a free loopback port and uses Debian's Chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui.navigation import all_pages

VARIANTS = [("normal", 1280, ""), ("lecture", 1280, "lecture=true"), ("narrow", 800, ""), ("phone", 390, "")]


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots")
    targets = sys.argv[2:] or [p.url_path for p in all_pages()]
    out.mkdir(parents=True, exist_ok=True)
    test_file = out / "_shoot_test.py"
    test_file.write_text(
        "import pytest\n"
        f"TARGETS = {targets!r}\nVARIANTS = {VARIANTS!r}\nOUT = {str(out)!r}\n"
        "@pytest.mark.parametrize('target', TARGETS)\n"
        "@pytest.mark.parametrize('variant', VARIANTS, ids=[v[0] for v in VARIANTS])\n"
        "def test_shoot(app, target, variant):\n"
        "    name, width, query = variant\n"
        "    path, _, q = target.partition('?')\n"
        "    app.page.set_viewport_size({'width': width, 'height': 1000})\n"
        "    app.open(path, '&'.join(x for x in (q, query) if x))\n"
        "    app.page.wait_for_timeout(800)\n"
        "    stem = (path or 'home') + ('_' + q.replace('=', '-').replace('&', '_') if q else '')\n"
        "    app.full_page_screenshot(f'{OUT}/{stem}_{name}.png')\n"
        "    print(stem, name, 'exceptions:', app.exceptions(), 'console:', app.errors())\n"
    )
    return pytest.main(
        [str(test_file), "-q", "-s", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
         "--confcutdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"),
         "-p", "tests.e2e.conftest"]
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
