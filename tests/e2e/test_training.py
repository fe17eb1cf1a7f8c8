"""The live training page in Chromium: a run started in the browser updates its curves and W by itself; divergence is
explained; a click on a confusion-matrix cell opens its images."""

from __future__ import annotations

import base64
import re

from playwright.sync_api import expect

from tests.e2e.conftest import AppPage

PROGRESS = '[data-testid="stProgress"]'
STEP_JS = r"""() => Number((document.querySelector('[data-testid="stProgress"]').innerText
                               .match(/step (\d+)\//) || [0, -1])[1])"""


def _live_svgs(app: AppPage) -> list[str]:
    """The SVG drawings the live view shows while a run trains (curves and W), decoded from their images."""
    expect(app.page.locator('[data-testid="stImage"] img[src^="data:image/svg+xml"]').first).to_be_attached(
        timeout=60_000
    )
    sources = app.page.eval_on_selector_all(
        '[data-testid="stImage"] img[src^="data:image/svg+xml;base64,"]', "imgs => imgs.map(i => i.src)"
    )
    return [base64.b64decode(src.split(",", 1)[1]).decode() for src in sources]


def _template_signature(app: AppPage) -> str:
    """The ten templates W_k as drawn: the PNG embedded in the live W drawing."""
    (weights,) = [svg for svg in _live_svgs(app) if "<image href=" in svg]
    return re.search(r'<image href="([^"]+)"', weights).group(1)


def _curve_points(app: AppPage) -> int:
    """How many points the live curves' polylines hold."""
    (curves,) = [svg for svg in _live_svgs(app) if "<polyline" in svg]
    return sum(len(points.split()) for points in re.findall(r'points="([^"]*)"', curves))


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
    first_points = _curve_points(app)
    # No click from here on: only the fragment's timer can move the numbers and redraw W.
    app.page.wait_for_function(f"() => ({STEP_JS})() > {first_step + 20}", timeout=60_000)
    assert _step(app) > first_step + 20
    assert _template_signature(app) != first_weights
    assert _curve_points(app) > first_points
    app.page.get_by_role("button", name="Pause").click()
    expect(app.page.locator(PROGRESS).first).to_contain_text("paused", timeout=30_000)
    expect(app.page.locator(".js-plotly-plot").first).to_be_visible()  # interactive charts once it stops
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


# Where the centre of cell (true i, predicted j) of the confusion matrix is on the screen, from the plot's own
# axes: l2p maps a category's index to a pixel of the plot area, _offset places that area in the chart's div.
CELL_JS = """([i, j]) => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.data && g.data[0].type === 'heatmap'
                                                                      && g.data.length > 1);
  const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  return {x: box.left + xa._offset + xa.l2p(j), y: box.top + ya._offset + ya.l2p(i), count: gd._fullData[0].text[i][j]};
}"""


def test_a_click_on_a_confusion_matrix_cell_opens_its_images(app: AppPage, fashion_dir) -> None:
    app.open("training", "train_fast=true&train_epochs=1", wait_for='button:has-text("Start new run")')
    app.page.get_by_role("button", name="Start new run").click()
    expect(app.page.locator(PROGRESS).first).to_contain_text("finished", timeout=120_000)
    app.wait()
    heading = app.page.get_by_text("Confusion matrix on the 10 000 test images")
    expect(heading).to_be_visible(timeout=60_000)
    heading.scroll_into_view_if_needed()
    caption = app.page.locator('[data-testid="stMarkdownContainer"]', has_text="images misclassified as").first
    expect(caption).to_contain_text("Shirt images misclassified as T-shirt/top")  # the default cell
    app.page.locator(".js-plotly-plot .nsewdrag").first.wait_for(timeout=30_000)
    cell = app.page.evaluate(CELL_JS, [2, 4])  # true Pullover, predicted Coat: not the default cell
    app.page.mouse.click(cell["x"], cell["y"])
    expect(caption).to_contain_text(f"{cell['count']} Pullover images misclassified as Coat", timeout=30_000)
    app.wait()
    assert "train_true=Pullover" in app.page.url and "train_pred=Coat" in app.page.url
    expect(app.page.get_by_text("most confident, with f(Coat)")).to_be_visible()
    assert app.exceptions() == []
    assert app.errors() == []
