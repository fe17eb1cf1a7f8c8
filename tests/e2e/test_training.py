"""The live training page in Chromium: a run started in the browser updates its curves and W by itself."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import AppPage

PROGRESS = '[data-testid="stProgress"]'
STEP_JS = r"""() => Number((document.querySelector('[data-testid="stProgress"]').innerText
                               .match(/step (\d+)\//) || [0, -1])[1])"""


TEMPLATES_SUM = """() => { const plots = [...document.querySelectorAll('.js-plotly-plot')]
                             .filter(p => p.data && p.data.length === 1 && p.data[0].type === 'heatmap'
                                          && String(p.data[0].hovertemplate).startsWith('w ='));
                           if (!plots.length) return null;
                           const z = plots[0].data[0].z;  // Plotly keeps a typed array in _inputArray
                           let total = 0;
                           for (const row of Array.from(z._inputArray || z))
                             for (const v of (typeof row === 'number' ? [row] : Array.from(row)))
                               if (Number.isFinite(v)) total += Math.abs(v);
                           return total; }"""


def _template_signature(app: AppPage) -> float:
    """Σ|w| over the first template drawn in the W chart (read from the Plotly figure in the page)."""
    return app.page.wait_for_function(TEMPLATES_SUM, timeout=60_000).json_value()


def _step(app: AppPage) -> int:
    text = app.page.locator(PROGRESS).first.inner_text()
    match = re.search(r"step (\d+)/", text)
    assert match, text
    return int(match.group(1))


def test_training_runs_live_in_the_browser(app: AppPage, fashion_dir) -> None:
    app.open("training", "train_epochs=2", wait_for='button:has-text("Start new run")')
    app.page.get_by_role("button", name="Start new run").click()
    expect(app.page.locator(PROGRESS).first).to_contain_text("running", timeout=60_000)
    first_step = _step(app)
    first_weights = _template_signature(app)
    # No click from here on: only the fragment's timer can move the numbers and redraw W.
    app.page.wait_for_function(f"() => ({STEP_JS})() > {first_step + 20}", timeout=60_000)
    assert _step(app) > first_step + 20
    assert _template_signature(app) != first_weights
    app.page.get_by_role("button", name="Pause").click()
    expect(app.page.locator(PROGRESS).first).to_contain_text("paused", timeout=30_000)
    paused = _step(app)
    app.page.wait_for_timeout(1500)
    assert _step(app) == paused
    app.page.get_by_role("button", name="Step +1").click()
    app.wait()
    expect(app.page.locator(PROGRESS).first).to_contain_text(f"step {paused + 1}/")
    assert app.exceptions() == []
    assert app.errors() == []


def test_divergence_is_explained_not_drawn(app: AppPage, fashion_dir) -> None:
    app.open("training", wait_for='button:has-text("Start new run")')
    app.page.get_by_role("button", name="Too large η: divergence").click()
    app.wait()
    assert "train_lr=100" in app.page.url  # the preset's settings are in the URL, shareable
    app.page.get_by_role("button", name="Start new run").click()
    alert = app.page.locator('[data-testid="stAlert"]', has_text="diverged")
    expect(alert).to_be_visible(timeout=60_000)
    expect(alert).to_contain_text("Lower the learning rate")
    assert app.exceptions() == []
