"""core.imaging: every decode mode and format, hostile uploads, polarity, cropping, fitting and the steps.

Every input is generated here: a small asymmetric "Γ" shape drawn in each mode and format, and byte strings
built by hand for the hostile cases.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from core.imaging import (
    MAX_UPLOAD_BYTES,
    STEP_NAMES,
    WORK_SIZE,
    ImageError,
    Preprocessed,
    to_fashion_mnist,
)

INK, PAPER = 30, 245


def shape_mask(width: int = 120, height: int = 90) -> np.ndarray:
    """A "Γ": a vertical bar with a bar along its top to the right; no symmetry, taller than wide."""
    mask = np.zeros((height, width), dtype=bool)
    mask[int(0.15 * height):int(0.85 * height), int(0.35 * width):int(0.45 * width)] = True
    mask[int(0.15 * height):int(0.30 * height), int(0.35 * width):int(0.60 * width)] = True
    return mask


def grey_scene(mask: np.ndarray, ink: float = INK, paper: float = PAPER) -> np.ndarray:
    return np.where(mask, ink, paper).astype(np.float64)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def rgb_png(mask: np.ndarray, ink: float = INK, paper: float = PAPER) -> bytes:
    grey = grey_scene(mask, ink, paper).astype(np.uint8)
    return encode(Image.fromarray(np.dstack([grey] * 3)), "PNG")


def mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(float) - b.astype(float)).mean())


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """The 28×28 of the Γ drawn dark on light in an RGB PNG: what every other encoding should give."""
    return to_fashion_mnist(rgb_png(shape_mask())).image


# --- every mode and format -------------------------------------------------------------------------

def _alpha_cutout(mode: str) -> bytes:
    """The Γ opaque, the rest fully transparent with a black colour that must not show."""
    mask = shape_mask()
    alpha = np.where(mask, 255, 0).astype(np.uint8)
    grey = np.where(mask, INK, 0).astype(np.uint8)
    if mode == "LA":
        return encode(Image.fromarray(np.dstack([grey, alpha])), "PNG")
    return encode(Image.fromarray(np.dstack([grey, grey, grey, alpha])), "PNG")


def _palette(fmt: str, transparent: bool) -> bytes:
    mask = shape_mask()
    image = Image.fromarray(mask.astype(np.uint8), "P")
    image.putpalette([PAPER] * 3 + [INK] * 3)
    if not transparent:
        return encode(image, fmt)
    image.putpalette([0, 0, 0] + [INK] * 3)
    return encode(image, fmt, transparency=0)


def _pa_tiff() -> bytes:
    mask = shape_mask()
    image = Image.fromarray(mask.astype(np.uint8), "P")
    image.putpalette([0, 0, 0] + [INK] * 3)
    return encode(image.convert("PA"), "TIFF")


def _one_bit() -> bytes:
    return encode(Image.fromarray(~shape_mask()).convert("1"), "PNG")


def _high_depth(kind: str) -> bytes:
    if kind == "F":
        values = (grey_scene(shape_mask()) / 255).astype(np.float32)
        return encode(Image.fromarray(values, "F"), "TIFF")
    values = grey_scene(shape_mask()) * 257
    if kind == "I;16":
        return encode(Image.fromarray(values.astype(np.uint16)), "PNG")
    return encode(Image.fromarray(values.astype(np.int32), "I"), "TIFF")


def _cmyk_jpeg() -> bytes:
    black = np.where(shape_mask(), 255 - INK, 255 - PAPER).astype(np.uint8)
    zero = np.zeros_like(black)
    return encode(Image.fromarray(np.dstack([zero, zero, zero, black]), "CMYK"), "JPEG", quality=95)


def _rgb(fmt: str, **options: object) -> bytes:
    grey = grey_scene(shape_mask()).astype(np.uint8)
    return encode(Image.fromarray(np.dstack([grey] * 3)), fmt, **options)


def _two_frames(fmt: str, mode: str) -> bytes:
    """The Γ, then a wide bar that must not be the one used."""
    first = Image.fromarray(grey_scene(shape_mask()).astype(np.uint8)).convert(mode)
    wide = np.zeros((90, 120), dtype=bool)
    wide[40:50, 5:115] = True
    second = Image.fromarray(grey_scene(wide).astype(np.uint8)).convert(mode)
    return encode(first, fmt, save_all=True, append_images=[second])


ENCODINGS = {
    "RGB PNG": lambda: _rgb("PNG"),
    "RGBA PNG cut-out": lambda: _alpha_cutout("RGBA"),
    "LA PNG cut-out": lambda: _alpha_cutout("LA"),
    "P PNG": lambda: _palette("PNG", transparent=False),
    "P PNG with transparency": lambda: _palette("PNG", transparent=True),
    "PA TIFF": _pa_tiff,
    "1-bit PNG": _one_bit,
    "L PNG": lambda: encode(Image.fromarray(grey_scene(shape_mask()).astype(np.uint8)), "PNG"),
    "I;16 PNG": lambda: _high_depth("I;16"),
    "I TIFF": lambda: _high_depth("I"),
    "F TIFF": lambda: _high_depth("F"),
    "RGB JPEG": lambda: _rgb("JPEG", quality=90),
    "CMYK JPEG": _cmyk_jpeg,
    "GIF": lambda: _palette("GIF", transparent=False),
    "animated GIF (first frame)": lambda: _two_frames("GIF", "P"),
    "MPO, a camera's multi-picture JPEG (first image)": lambda: _two_frames("MPO", "RGB"),
    "WebP lossless": lambda: _rgb("WEBP", lossless=True),
    "WebP lossy": lambda: _rgb("WEBP", quality=90),
    "BMP": lambda: _rgb("BMP"),
    "TIFF": lambda: _rgb("TIFF"),
}


@pytest.mark.parametrize("name", ENCODINGS)
def test_every_mode_and_format_gives_the_same_28x28(name: str, reference: np.ndarray) -> None:
    result = to_fashion_mnist(ENCODINGS[name]())
    lossy = "JPEG" in name or "lossy" in name
    assert mad(result.image, reference) < (8 if lossy else 3), name
    assert result.image.max() == 255 and result.image[0, 0] == 0


def test_the_upload_format_and_size_are_reported() -> None:
    result = to_fashion_mnist(_rgb("JPEG"))
    assert (result.format, result.size) == ("JPEG", (120, 90))


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
@pytest.mark.parametrize("orientation, stored_as", [(6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270)])
def test_exif_orientation_is_applied(
    fmt: str, orientation: int, stored_as: Image.Transpose, reference: np.ndarray
) -> None:
    """A camera stores the pixels rotated and says so in EXIF; the object must come out upright."""
    grey = grey_scene(shape_mask()).astype(np.uint8)
    stored = Image.fromarray(np.dstack([grey] * 3)).transpose(stored_as)
    exif = Image.Exif()
    exif[0x0112] = orientation
    result = to_fashion_mnist(encode(stored, fmt, quality=95, exif=exif.tobytes()))
    assert mad(result.image, reference) < 8
    assert result.size == (120, 90)  # upright
    assert mad(to_fashion_mnist(encode(stored, fmt, quality=95)).image, reference) > 20


def test_a_large_jpeg_is_decoded_reduced_and_matches(reference: np.ndarray) -> None:
    big = Image.fromarray(grey_scene(shape_mask()).astype(np.uint8)).resize((3200, 2400), Image.Resampling.NEAREST)
    result = to_fashion_mnist(encode(big.convert("RGB"), "JPEG", quality=85))
    assert result.size == (3200, 2400)
    assert max(result.steps[0][1].shape) <= WORK_SIZE
    assert mad(result.image, reference) < 8


# --- polarity, transparency backdrop, crop and fit --------------------------------------------------

def test_dark_on_light_is_inverted_and_light_on_dark_is_not(reference: np.ndarray) -> None:
    dark_on_light = to_fashion_mnist(rgb_png(shape_mask(), ink=20, paper=235))
    light_on_dark = to_fashion_mnist(rgb_png(shape_mask(), ink=235, paper=20))
    assert dark_on_light.inverted and not light_on_dark.inverted
    assert dark_on_light.background == pytest.approx(235, abs=1)
    assert light_on_dark.background == pytest.approx(20, abs=1)
    for result in (dark_on_light, light_on_dark):
        assert mad(result.image, reference) < 3


def test_a_light_cutout_on_transparency_still_ends_bright_on_black(reference: np.ndarray) -> None:
    mask = shape_mask()
    white = np.where(mask, 250, 255).astype(np.uint8)
    alpha = np.where(mask, 255, 0).astype(np.uint8)
    result = to_fashion_mnist(encode(Image.fromarray(np.dstack([white, white, white, alpha])), "PNG"))
    assert not result.inverted
    assert mad(result.image, reference) < 3


def test_an_off_centre_object_is_cropped_fitted_and_centred() -> None:
    mask = np.zeros((300, 400), dtype=bool)
    mask[20:140, 300:360] = True  # 120 tall, 60 wide, in the top-right corner
    result = to_fashion_mnist(rgb_png(mask))
    rows = np.flatnonzero(result.image.max(axis=1) > 0)
    cols = np.flatnonzero(result.image.max(axis=0) > 0)
    assert (rows[0], rows[-1]) == (0, 27)
    assert cols[-1] - cols[0] + 1 == 14 and cols[0] == 7
    left, top, right, bottom = result.box
    scale = max(result.steps[0][1].shape) / 400
    assert (left, top, right, bottom) == pytest.approx((300 * scale, 20 * scale, 360 * scale, 140 * scale), abs=1.5)


def test_specks_and_jpeg_noise_do_not_move_the_crop(reference: np.ndarray) -> None:
    grey = grey_scene(shape_mask(480, 360))
    rng = np.random.default_rng(0)
    grey += rng.normal(0, 3, grey.shape)
    for y, x in rng.integers((0, 0), (360, 480), size=(12, 2)):
        grey[y:y + 2, x:x + 2] = INK  # dust
    image = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")
    assert mad(to_fashion_mnist(encode(image, "JPEG", quality=75)).image, reference) < 8


def test_a_tiny_object_is_enlarged_to_28() -> None:
    mask = np.zeros((40, 40), dtype=bool)
    mask[15:25, 18:23] = True
    image = to_fashion_mnist(rgb_png(mask)).image
    assert np.count_nonzero(image.max(axis=1)) == 28


# --- the result object ------------------------------------------------------------------------------

def test_output_and_steps_have_the_promised_shape(reference: np.ndarray) -> None:
    result = to_fashion_mnist(_rgb("PNG"))
    assert isinstance(result, Preprocessed)
    assert result.image.shape == (28, 28) and result.image.dtype == np.uint8
    assert [name for name, _ in result.steps] == list(STEP_NAMES)
    for _, array in result.steps:
        assert array.dtype == np.uint8 and (array.ndim == 2 or array.shape[2] == 3)
        assert not array.flags.writeable
    decoded, grey, bright, cropped, final = (array for _, array in result.steps)
    assert decoded.shape == (90, 120, 3) and grey.shape == bright.shape == (90, 120)
    left, top, right, bottom = result.box
    assert cropped.shape == (bottom - top, right - left)
    assert final is result.image
    assert bright[0, 0] == 0  # bright on black: the background maps to 0, black ink would map to 255
    assert bright.max() == round((PAPER - INK) / PAPER * 255)
    with pytest.raises(ValueError):
        result.image[0, 0] = 1


def test_accepts_bytearray_and_memoryview(reference: np.ndarray) -> None:
    data = rgb_png(shape_mask())
    for view in (bytearray(data), memoryview(data)):
        assert np.array_equal(to_fashion_mnist(view).image, reference)


def test_pillow_globals_are_left_alone() -> None:
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
    to_fashion_mnist(_rgb("JPEG"))
    with pytest.raises(ImageError):
        to_fashion_mnist(_rgb("JPEG")[:500])
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES) == before


# --- hostile uploads ----------------------------------------------------------------------------------

def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_declaring(width: int, height: int, *, with_data: bool = True) -> bytes:
    """A PNG header declaring width × height 8-bit grey pixels, with (or without) a tiny IDAT and IEND."""
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    if with_data:
        data += _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b"")
    return data


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.png", rgb_png(shape_mask()))
    return out.getvalue()


def _blank(mode: str) -> bytes:
    if mode == "RGBA":
        return encode(Image.new("RGBA", (200, 150), (0, 0, 0, 0)), "PNG")
    return encode(Image.new("RGB", (200, 150), (240, 240, 240)), "JPEG")


def _speck() -> bytes:
    grey = np.full((400, 400), PAPER, dtype=np.uint8)
    grey[200, 200] = 0
    return encode(Image.fromarray(grey), "PNG")


HOSTILE = {
    "empty": (lambda: b"", "empty"),
    "over 10 MB": (lambda: b"\xff\xd8\xff" + bytes(MAX_UPLOAD_BYTES), "larger than 10 MB"),
    "SVG": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "SVG"),
    "SVG with XML prolog": (lambda: b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="x"></svg>', "SVG"),
    "PDF": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    "ZIP": (_zip, "ZIP"),
    "text": (lambda: "A photo of my shoe, honest. Größe 42\n".encode() * 40, "text file"),
    "HEIC": (lambda: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(100), "HEIC"),
    "unknown binary": (lambda: bytes(range(256)) * 4, "not an image"),
    "truncated PNG": (lambda: rgb_png(shape_mask())[: len(rgb_png(shape_mask())) // 2], "damaged or incomplete"),
    "truncated JPEG": (lambda: _rgb("JPEG")[:-400], "damaged or incomplete"),
    "header-only PNG": (lambda: png_declaring(120, 90, with_data=False), "damaged or incomplete"),
    "header-only JPEG": (lambda: _rgb("JPEG")[:200], "damaged or incomplete"),
    "PNG bomb 20 000 × 20 000": (lambda: png_declaring(20_000, 20_000), "megapixels"),
    "PNG of 50 megapixels": (lambda: png_declaring(10_000, 5_000), "50 megapixels"),
    "absurd 1 × 20 000": (lambda: encode(Image.new("L", (1, 20_000)), "PNG"), "too thin"),
    "blank photo": (lambda: _blank("RGB"), "No object found"),
    "fully transparent": (lambda: _blank("RGBA"), "No object found"),
    "a single speck": (_speck, "No object found"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_uploads_raise_a_helpful_image_error(name: str) -> None:
    make, expected = HOSTILE[name]
    with pytest.raises(ImageError, match=expected) as caught:
        to_fashion_mnist(make())
    assert isinstance(caught.value, ValueError)
    assert "Traceback" not in str(caught.value) and len(str(caught.value)) < 400


def test_a_bomb_between_pillows_limits_is_refused_with_warnings_as_errors_too() -> None:
    """100 MP: Pillow only warns (89–179 MP); we refuse it by our own cap, or translate the warning."""
    data = png_declaring(10_000, 10_000)
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ImageError, match="megapixels"):
        to_fashion_mnist(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageError, match="megapixels"):
            to_fashion_mnist(data)


def test_a_non_bytes_argument_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="bytes"):
        to_fashion_mnist("photo.png")  # type: ignore[arg-type]


def _outcome(data: bytes) -> None:
    """Success with a valid 28×28, or ImageError; any other exception fails the test."""
    try:
        result = to_fashion_mnist(data)
    except ImageError:
        return
    assert result.image.shape == (28, 28) and result.image.dtype == np.uint8


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise_anything_but_image_error(data: bytes) -> None:
    _outcome(data)


@FUZZ
@given(st.binary(max_size=16).map(lambda tail: b"\x89PNG\r\n\x1a\n" + tail) | st.binary(max_size=16).map(
    lambda tail: b"\xff\xd8\xff" + tail))
def test_bare_signatures_never_raise_anything_but_image_error(data: bytes) -> None:
    _outcome(data)


VALID = {"PNG": rgb_png(shape_mask(64, 48)), "JPEG": _rgb("JPEG", quality=80), "GIF": _palette("GIF", False)}


@FUZZ
@given(
    st.sampled_from(sorted(VALID)),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
    st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_corrupted_images_never_raise_anything_but_image_error(
    fmt: str, flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(VALID[fmt])
    for position, value in flips:
        data[position % len(data)] = value
    _outcome(bytes(data[:cut]) if cut is not None else bytes(data))
