"""AppTest: the classify page — uploads good and hostile, camera, test images, T, class pickers, models, URL.

Also the default model's disk cache in ui/model.py (`load_or_train`), on a small synthetic dataset.
"""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.data import CLASS_NAMES
from core.explain import explain
from core.imaging import STEP_NAMES, render_shop_photo, to_fashion_mnist
from core.model import SoftmaxRegression
from core.numbers import fmt
from core.softmax import softmax
from core.trainer import TrainingData
from tests.app.primer_app import figures, open_page, texts
from ui import model as models

PAGE = "classify"


@pytest.fixture()
def at(test_set) -> AppTest:
    return open_page(PAGE)


def default_model() -> SoftmaxRegression:
    """The default model as the page saved it (the page must have run once)."""
    return SoftmaxRegression.load(models.default_model_path())


def scores(at: AppTest) -> tuple[list[float], list[float], list[str]]:
    """(f, z, class labels) from the answer's chart."""
    f_bars, z_bars = figures(at)["cls_scores"]["data"]
    return f_bars["x"], z_bars["x"], f_bars["y"]


def photo(index: int, test_set, seed: int = 0) -> bytes:
    """Test image ``index`` photographed like a shop photo: dark item on off-white, JPEG."""
    return render_shop_photo(test_set[0][index], np.random.default_rng(seed))


def png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return out.getvalue()


def array(value: object) -> np.ndarray:
    """A figure's array from its JSON: a list, or Plotly's base64 typed array {"dtype", "bdata", "shape"}."""
    if isinstance(value, dict):
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.asarray(value)


def accuracy(model: SoftmaxRegression, test_set) -> float:
    return float(np.mean(model.predict(test_set[0]) == test_set[1]))


def test_first_use_trains_and_saves_the_default_model(at: AppTest, test_set, isolated_cache: Path) -> None:
    path = models.default_model_path()
    assert path.is_relative_to(isolated_cache) and path.is_file()
    model = default_model()
    assert at.radio(key="cls_model").value == "default"
    assert at.radio(key="cls_model").options == ["Default model", "Uploaded .npz"]  # nothing trained yet
    expected = accuracy(model, test_set)
    assert expected >= 0.842
    assert at.metric[0].label == "Test accuracy" and at.metric[0].value == f"{fmt(100 * expected)}%"
    assert ("Default model: adam, cross-entropy, η = 0.003 (linear schedule), B = 256, θ₀ from seed 0, finished: all 5 "
            "epochs.") in texts(at.caption)
    assert at.title[0].value == "Classify an upload"


def test_test_image_zero_by_default(at: AppTest, test_set) -> None:
    model = default_model()
    image, label = test_set[0][0], int(test_set[1][0])
    f, z, labels = scores(at)
    np.testing.assert_allclose(f, model.predict_proba(image), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(z, model.logits(image), rtol=1e-4, atol=1e-4)
    assert math.isclose(sum(f), 1.0, rel_tol=1e-9)
    assert labels[label] == f"<b>{CLASS_NAMES[label]} ✓</b>"  # the true class is marked
    assert f"Test image #0: true class **{CLASS_NAMES[label]}**" in texts(at.markdown)
    top = int(np.argmax(f))
    assert figures(at)["cls_scores"]["data"][0]["marker"]["color"][top] == "#F0E442"  # the top class highlighted
    assert f"The model says **{CLASS_NAMES[top]}** with probability **{fmt(f[top])}**." in texts(at.markdown)
    assert f"= {fmt(f[top], tex=True)}" in "\n".join(el.value for el in at.latex)
    verdict = texts(at.success) if top == label else texts(at.error)
    assert ("Right" if top == label else "Wrong") in verdict
    steps = figures(at)["cls_steps"]["layout"]["annotations"]
    assert [a["text"].replace("<br>", " ") for a in steps] == ["image (28×28)", "x"]


def test_index_random_and_mistake_buttons(at: AppTest, test_set) -> None:
    model = default_model()
    at.number_input(key="cls_index").set_value(42).run()
    label = int(test_set[1][42])
    assert f"Test image #42: true class **{CLASS_NAMES[label]}**" in texts(at.markdown)
    np.testing.assert_allclose(scores(at)[0], model.predict_proba(test_set[0][42]), rtol=1e-4, atol=1e-6)
    at.button(key="cls_random").click().run()
    assert not at.exception
    index = int(at.number_input(key="cls_index").value)
    np.testing.assert_allclose(scores(at)[0], model.predict_proba(test_set[0][index]), rtol=1e-4, atol=1e-6)
    for _ in range(3):
        at.button(key="cls_mistake").click().run()
        index = int(at.number_input(key="cls_index").value)
        assert model.predict(test_set[0][index]) != test_set[1][index]
        assert f"Wrong: test image #{index} is a {CLASS_NAMES[int(test_set[1][index])]}" in texts(at.error)


def test_good_upload_is_classified(at: AppTest, test_set) -> None:
    data = photo(1, test_set)
    at.file_uploader(key="cls_upload").set_value(("pullover.jpg", data, "image/jpeg")).run()
    assert not at.exception
    assert at.segmented_control(key="cls_src").value == "upload"  # uploading switches to the photo
    expected = default_model().predict_proba(to_fashion_mnist(data).image)
    f, _, labels = scores(at)
    np.testing.assert_allclose(f, expected, rtol=1e-4, atol=1e-6)
    assert math.isclose(sum(f), 1.0, rel_tol=1e-9)
    assert labels == list(CLASS_NAMES)  # no true class for an upload
    titles = [a["text"].replace("<br>", " ") for a in figures(at)["cls_steps"]["layout"]["annotations"]]
    assert titles == [*STEP_NAMES, "x"]
    assert "pullover.jpg: JPEG" in texts(at.caption)
    at.segmented_control(key="cls_src").set_value("test").run()  # back to the test image, upload kept
    assert "Test image #0" in texts(at.markdown) and not at.exception


def test_hostile_uploads_show_an_error_and_the_page_keeps_working(at: AppTest) -> None:
    hostile = {
        "notes.png": (b"these are my lecture notes\n", "This is a text file, not a photo"),
        "cut.png": (png(np.full((40, 40), 200, np.uint8))[:60], "The PNG file is damaged or incomplete"),
        "blank.png": (png(np.full((40, 40), 200, np.uint8)), "No object found"),
        "empty.jpg": (b"", "The file is empty"),
    }
    for name, (data, message) in hostile.items():
        at.file_uploader(key="cls_upload").set_value((name, data, "image/png")).run()
        assert not at.exception
        assert f"{name} cannot be classified: {message}" in texts(at.error)
        assert "cls_scores" not in figures(at)
    at.number_input(key="cls_index").set_value(7).run()  # the test images still work
    assert not at.exception and "cls_scores" in figures(at)


def test_photo_unlike_the_dataset_gets_a_calm_note(at: AppTest, test_set) -> None:
    yy, xx = np.mgrid[-100:100, -100:100]
    diamond = np.where(np.abs(xx) + np.abs(yy) <= 100, 40, 240).astype(np.uint8)
    at.file_uploader(key="cls_upload").set_value(("diamond.png", png(diamond), "image/png")).run()
    note = texts(at.info)
    assert "may look quite unlike Fashion-MNIST" in note and "reaches all four edges" in note
    at.file_uploader(key="cls_upload").set_value(("shop.jpg", photo(1, test_set), "image/jpeg")).run()
    assert "unlike Fashion-MNIST" not in texts(at.info)


def test_camera_behind_a_toggle(at: AppTest, test_set) -> None:
    assert not at.camera_input  # the browser is not asked for the camera until wanted
    at.toggle(key="cls_camera").set_value(True).run()
    data = photo(3, test_set, seed=1)
    at.camera_input(key="cls_shot").set_value(("shot.jpg", data, "image/jpeg")).run()
    assert not at.exception
    assert at.segmented_control(key="cls_src").value == "upload"
    expected = default_model().predict_proba(to_fashion_mnist(data).image)
    np.testing.assert_allclose(scores(at)[0], expected, rtol=1e-4, atol=1e-6)


def test_temperature(at: AppTest, test_set) -> None:
    z = default_model().logits(test_set[0][0]).astype(np.float64)
    for temperature in (0.05, 2.5, 10.0):
        at.slider(key="cls_T").set_value(temperature).run()
        f, shown_z, _ = scores(at)
        np.testing.assert_allclose(f, softmax(z / temperature), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(shown_z, z, rtol=1e-4, atol=1e-4)  # T changes f, never z
        assert math.isclose(sum(f), 1.0, rel_tol=1e-9)
    assert "/10}" in "\n".join(el.value for el in at.latex)


def test_class_pickers_and_the_gap_identity(at: AppTest, test_set) -> None:
    model = default_model()
    image = test_set[0][0]
    z = model.logits(image).astype(np.float64)
    W = model.W.astype(np.float64)
    x = model.preprocess(image).astype(np.float64)
    order = np.argsort(-z)
    table = at.table[0].value
    assert list(table.index) == [f"k = {CLASS_NAMES[order[0]]}", f"j = {CLASS_NAMES[order[1]]}", "k − j"]
    k, j = CLASS_NAMES.index("Shirt"), CLASS_NAMES.index("T-shirt/top")
    at.selectbox(key="cls_k").set_value("Shirt").run()
    at.selectbox(key="cls_j").set_value("T-shirt/top").run()
    assert not at.exception
    table = at.table[0].value
    # What the page computed (core.explain, float64), written by core.numbers.fmt …
    gap = explain(model, image).gap(k, j)
    assert list(table.loc["k − j"]) == [fmt(gap.pixels), fmt(gap.bias), fmt(gap.total)]
    identity = next(el.value for el in at.latex if "b_k - b_j" in el.value)
    assert f"= {fmt(gap.total)}" in identity and f"{fmt(gap.z_k)} - {fmt(gap.z_j, paren=True)}" in identity
    # … agrees with an independent float64 product (another summation order: equal to rounding, never bit for bit)
    # to the 4 significant digits shown.
    pixels = float((W[k] - W[j]) @ x)
    bias = float(model.b[k]) - float(model.b[j])
    shown = [float(v) for v in table.loc["k − j"]]
    np.testing.assert_allclose(shown, [pixels, bias, z[k] - z[j]], rtol=5e-4, atol=1e-4)
    shown = [float(v) for v in table.loc["k = Shirt"]]
    np.testing.assert_allclose(shown, [W[k] @ x, model.b[k], z[k]], rtol=5e-4, atol=1e-4)
    maps = figures(at)["cls_maps"]
    titles = [a["text"] for a in maps["layout"]["annotations"]]
    assert titles[0] == "template Wₖ<br>Shirt" and titles[3] == "template Wⱼ<br>T-shirt/top"
    np.testing.assert_allclose(array(maps["data"][5]["z"]), ((W[k] - W[j]) * x).reshape(28, 28), atol=1e-5)
    at.selectbox(key="cls_j").set_value("Shirt").run()  # the same class twice: zero, and a hint
    assert "pick two different classes" in texts(at.info)


def test_uploaded_model_is_used(at: AppTest, test_set) -> None:
    rng = np.random.default_rng(0)
    mine = SoftmaxRegression(rng.normal(0, 0.05, (10, 784)), rng.normal(0, 1, 10), 0.3, 0.35)
    buffer = io.BytesIO()
    mine.save(buffer)
    at.radio(key="cls_model").set_value("upload").run()
    assert "default model is used meanwhile" in texts(at.info)
    at.file_uploader(key="cls_model_file").set_value(("mine.npz", buffer.getvalue(), "application/zip")).run()
    assert not at.exception
    np.testing.assert_allclose(scores(at)[0], mine.predict_proba(test_set[0][0]), rtol=1e-4, atol=1e-6)
    assert at.metric[0].value == f"{fmt(100 * accuracy(mine, test_set))}%"
    at.radio(key="cls_model").set_value("default").run()
    at.radio(key="cls_model").set_value("upload").run()  # the uploader is empty again, the model is kept
    np.testing.assert_allclose(scores(at)[0], mine.predict_proba(test_set[0][0]), rtol=1e-4, atol=1e-6)
    at.file_uploader(key="cls_model_file").set_value(("mine.npz", buffer.getvalue(), "application/zip")).run()
    at.file_uploader(key="cls_model_file").set_value(None).run()  # removing the file forgets the model
    assert "default model is used meanwhile" in texts(at.info)
    np.testing.assert_allclose(scores(at)[0], default_model().predict_proba(test_set[0][0]), rtol=1e-4, atol=1e-6)


def test_hostile_model_files_are_refused(at: AppTest, test_set) -> None:
    at.radio(key="cls_model").set_value("upload").run()
    pickled = io.BytesIO()
    np.savez(pickled, W=np.array([object()] * 3, dtype=object), b=np.zeros(10), mean=0.3, std=0.35)
    for name, data in {"pickle.npz": pickled.getvalue(), "junk.npz": b"PK\x03\x04 not really a zip"}.items():
        at.file_uploader(key="cls_model_file").set_value((name, data, "application/zip")).run()
        assert not at.exception
        assert "This model file was refused" in texts(at.error)
        np.testing.assert_allclose(scores(at)[0], default_model().predict_proba(test_set[0][0]), rtol=1e-4, atol=1e-6)


def test_a_model_trained_in_this_session_is_selected_and_described(at: AppTest, test_set) -> None:
    rng = np.random.default_rng(1)
    trained = SoftmaxRegression(rng.normal(0, 0.05, (10, 784)), rng.normal(0, 1, 10), 0.3, 0.35)
    about = "#2 sgd · cross-entropy · η=0.1, B=256 — paused after step 300 of 705 (in epoch 2 of 3)"
    at.session_state["trained_model"] = trained  # what ui.model.hand_over leaves (the training page calls it)
    at.session_state["trained_model_about"] = about
    at.run()
    assert at.radio(key="cls_model").value == "trained"
    assert at.radio(key="cls_model").options == ["From Live training", "Default model", "Uploaded .npz"]
    assert f"From Live training: {about}." in texts(at.caption)  # never just "your trained model"
    assert "newest run" in at.radio(key="cls_model").help and "finished, paused, or rolled back" in (
        at.radio(key="cls_model").help)
    np.testing.assert_allclose(scores(at)[0], trained.predict_proba(test_set[0][0]), rtol=1e-4, atol=1e-6)
    rolled_back = "#3 sgd · cross-entropy · η=10, B=256 — rolled back after divergence: θ after step 1 of 235"
    at.session_state["trained_model"] = SoftmaxRegression(trained.W * 2, trained.b, 0.3, 0.35)  # a new model …
    at.session_state["trained_model_about"] = rolled_back
    at.run()
    assert at.radio(key="cls_model").value == "trained"  # … is selected again, and says what it is
    assert f"From Live training: {rolled_back}." in texts(at.caption)
    at.radio(key="cls_model").set_value("default").run()  # the choice then stays the user's
    at.run()
    np.testing.assert_allclose(scores(at)[0], default_model().predict_proba(test_set[0][0]), rtol=1e-4, atol=1e-6)
    assert "From Live training:" not in texts(at.caption) and "Default model: adam" in texts(at.caption)


def test_lecture_mode(at: AppTest) -> None:
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    assert figures(at)["cls_scores"]["layout"]["font"]["size"] == 20
    assert at.expander  # prose folded


def test_query_params_open_the_same_view(test_set) -> None:
    at = open_page(PAGE, {"cls_index": "12", "cls_T": "3.0", "cls_k": "Bag", "cls_j": "Coat"})
    z = default_model().logits(test_set[0][12]).astype(np.float64)
    np.testing.assert_allclose(scores(at)[0], softmax(z / 3.0), rtol=1e-4, atol=1e-6)
    assert list(at.table[0].value.index) == ["k = Bag", "j = Coat", "k − j"]


def test_malformed_query_params_are_dropped(test_set) -> None:
    at = open_page(PAGE, {"cls_index": "garbage", "cls_T": "-3", "cls_k": "Nope", "cls_src": "zz",
                          "cls_model": "Your trained model", "cls_camera": "maybe"})  # fmt: skip
    assert not at.exception
    assert at.number_input(key="cls_index").value == 0
    assert at.radio(key="cls_model").value == "default"
    np.testing.assert_allclose(scores(at)[0], default_model().predict_proba(test_set[0][0]), rtol=1e-4, atol=1e-6)


def test_source_upload_without_a_photo_asks_for_one(test_set) -> None:
    at = open_page(PAGE, {"cls_src": "Your photo"})  # bound widgets keep their labels in the URL
    assert "Upload a photo" in texts(at.info)
    assert "cls_scores" not in figures(at) and not at.exception


# ---- ui.model: the default model's disk cache ------------------------------------------------------------


@pytest.fixture(scope="module")
def small_data() -> TrainingData:
    rng = np.random.default_rng(0)
    labels = np.arange(300) % 10
    images = np.clip(rng.normal(40, 20, (300, 28, 28)) + 20 * labels[:, None, None], 0, 255).astype(np.uint8)
    return TrainingData.from_images(images[:200], labels[:200], images[200:], labels[200:])


def test_load_or_train_trains_saves_then_loads(tmp_path: Path, small_data: TrainingData) -> None:
    path = tmp_path / "cache" / "default_model.npz"
    epochs = []
    model = models.load_or_train(path, lambda: small_data, lambda s: epochs.append(s.epoch))
    assert epochs == [1, 2, 3, 4, 5] and path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["default_model.npz"]  # no temporary file left
    again = models.load_or_train(path, lambda: pytest.fail("a saved model must not be retrained"))
    np.testing.assert_array_equal(again.W, model.W)
    assert (again.mean, again.std) == (model.mean, model.std)


def test_a_corrupt_saved_model_is_replaced(tmp_path: Path, small_data: TrainingData) -> None:
    path = tmp_path / "default_model.npz"
    path.write_bytes(b"PK\x03\x04 truncated")
    model = models.load_or_train(path, lambda: small_data)
    np.testing.assert_array_equal(SoftmaxRegression.load(path).W, model.W)


def test_no_saved_model_and_no_data(tmp_path: Path) -> None:
    assert models.load_or_train(tmp_path / "none.npz", lambda: None) is None
    assert not (tmp_path / "none.npz").exists()


def test_an_unwritable_cache_is_not_fatal(tmp_path: Path, small_data: TrainingData) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    assert models.load_or_train(blocker / "default_model.npz", lambda: small_data) is not None
    assert not models.save_atomically(SoftmaxRegression.initial(0.3, 0.35), blocker / "default_model.npz")
