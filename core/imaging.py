"""Any uploaded image → a 28×28 Fashion-MNIST-like array (bright object on black), with the steps.

Fashion-MNIST was made from shop thumbnails of products on white (Xiao, Rasul & Vollgraf, 2017): trim the
edges close to the corner colour (within 5 % of full intensity), resize the longest edge to 28, sharpen,
extend the shortest edge to 28 with the object centred, negate, 8-bit grey. `to_fashion_mnist` does the same
to a photo:

1. **decoded** — PNG, JPEG, WebP, GIF, BMP or TIFF; the first frame of an animation; EXIF orientation
   applied; reduced to at most `WORK_SIZE` pixels on the long side (large JPEGs are decoded at 1/2, 1/4 or
   1/8 scale directly). Transparency is composited on white, or on black when the opaque part is itself
   light, so a cut-out always ends up as a silhouette that contrasts with its backdrop.
2. **grayscale** — luma 0.299 R + 0.587 G + 0.114 B (ITU-R 601, as Pillow's "L").
3. **bright on black** — the background is the most common grey level along the border (robust even when
   the object covers much of it). If the object (the pixels that differ from it) is on average darker, the
   image is negated, as the dataset's were; then the background maps to 0 and full contrast to 255.
4. **cropped** — to the bounding box of the pixels more than 5 % of full intensity (or 3 σ of the border's
   noise, if more) from the background. Specks narrower than about 1/100 of the image are ignored. In a
   lossless image the box then grows over faint fringes just above the noise, so that a clean 28×28 image
   keeps its extent (in a JPEG such a fringe is ringing, not object).
5. **28×28** — the longest edge resized to 28 (and lightly sharpened if that reduced it), centred by its
   bounding box on a black 28×28 canvas (an odd gap puts the extra pixel before, as in the dataset), and
   stretched so that the brightest pixel is 255 (every Fashion-MNIST image peaks at 254 or 255).

Anything unusable raises `ImageError` (a ValueError) with a message a person can act on, and nothing else.
Limits: `MAX_UPLOAD_BYTES`, `MAX_PIXELS` (checked from the header, before any pixel is decoded) and
`MAX_ASPECT`. No global Pillow setting is changed, since other code in the process (Streamlit) uses Pillow
too: `MAX_PIXELS` is below Pillow's own bomb limit (``Image.MAX_IMAGE_PIXELS``, 89 MP), whose
DecompressionBombError (or Warning, when warnings are errors) becomes an `ImageError`; truncated files are
refused because ``ImageFile.LOAD_TRUNCATED_IMAGES`` stays False.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, UnidentifiedImageError

if TYPE_CHECKING:
    from core.model import SoftmaxRegression

MAX_UPLOAD_MB = 10
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_ASPECT = 20
WORK_SIZE = 384
SIDE = 28
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
FORMAT_NAMES = "PNG, JPEG, WebP, GIF, BMP or TIFF"
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff")  # for st.file_uploader(type=…)
LOSSY_FORMATS = frozenset({"JPEG", "MPO", "WEBP"})
STEP_NAMES = ("decoded", "grayscale", "bright on black", "cropped", "28×28")

TRIM_LEVEL = 0.05 * 255  # the dataset's "closeness": 5 % of the maximum intensity
NOISE_SIGMAS = 3.0
FRINGE_LEVEL = 0.5  # a fringe pixel differs from a noise-free background by at least this
SHARPEN = 0.5  # unsharp-mask amount on the 28×28, like the dataset's sharpening step
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_HIGH_DEPTH_MODES = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_EXIF_ORIENTATION = 0x0112
_TRANSPOSE = {  # EXIF orientation → the transposition that makes the picture upright
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageError(ValueError):
    """An upload that cannot be turned into a 28×28 image; the message says why and what to do."""


@dataclass(frozen=True, eq=False)
class Preprocessed:
    """The 28×28 result and how it was made; every array is read-only.

    ``image``: uint8 (28, 28), bright object on black. ``steps``: ``(name, array)`` pairs in `STEP_NAMES`
    order, each uint8 (h, w) or (h, w, 3). ``format`` and ``size`` (width, height) describe the upload;
    ``background`` is the background's grey level (0–255) before any negation, ``inverted`` whether the
    image was negated, ``box`` the crop (left, top, right, bottom) in the coordinates of the first steps.
    """

    image: np.ndarray
    steps: tuple[tuple[str, np.ndarray], ...]
    format: str
    size: tuple[int, int]
    background: float
    inverted: bool
    box: tuple[int, int, int, int]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _to_uint8(array: np.ndarray) -> np.ndarray:
    return _frozen(np.clip(np.rint(array), 0, 255).astype(np.uint8))


def _refuse_non_images(data: bytes) -> None:
    """Refuse by size or by signature what is plainly not a supported image, with a specific message."""
    if not data:
        raise ImageError(f"The file is empty (0 bytes). Upload a photo saved as {FORMAT_NAMES}.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(
            f"The file is {len(data) / 2**20:.1f} MB, larger than {MAX_UPLOAD_MB} MB. "
            "Upload a smaller photo (resize it or save it as JPEG first)."
        )
    head = data[:1024]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        kind = "a PDF document"
    elif text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        kind = "an SVG drawing (vector graphics)"
    elif head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kind = "a ZIP archive (or an Office document)"
    elif head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"):
        kind = "a HEIC/AVIF photo"
    elif b"\0" not in head and _is_text(head):
        kind = "a text file"
    else:
        return
    raise ImageError(
        f"This is {kind}, not a photo this page can read. Save or export it as {FORMAT_NAMES} "
        "(or take a screenshot) and upload that."
    )


def _is_text(head: bytes) -> bool:
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return False
        decoded = head[: exc.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\r\n\f" for c in decoded)


def _check_dimensions(width: int, height: int) -> None:
    """Refuse absurd sizes from the header alone, before decoding any pixel."""
    pixels = width * height
    if pixels == 0:
        raise ImageError(f"The image is {width} × {height} pixels: it has no pixels at all. Upload a photo.")
    if pixels > MAX_PIXELS:
        raise ImageError(
            f"The image is {width} × {height} pixels ({pixels / 1e6:.0f} megapixels), more than the "
            f"{MAX_PIXELS // 1_000_000} megapixels this page accepts. Resize it and upload it again."
        )
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ImageError(
            f"The image is {width} × {height} pixels: one side is more than {MAX_ASPECT} times the other, "
            "too thin to show a piece of clothing. Crop it closer to the object and upload it again."
        )


def _draft_size(width: int, height: int) -> tuple[int, int]:
    """The smallest size a JPEG may be decoded at and still have `WORK_SIZE` pixels on its long side."""
    scale = WORK_SIZE / max(width, height)
    return max(1, int(np.ceil(width * scale))), max(1, int(np.ceil(height * scale)))


def _signature_format(data: bytes) -> str | None:
    """The supported format whose signature ``data`` starts with, if any."""
    signatures = {
        "PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",), "GIF": (b"GIF87a", b"GIF89a"),
        "BMP": (b"BM",), "TIFF": (b"II*\0", b"MM\0*"),
    }
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((name for name, starts in signatures.items() if data.startswith(starts)), None)


def _damaged(format_: str, exc: BaseException | None) -> ImageError:
    detail = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    return ImageError(
        f"The {format_} file is damaged or incomplete{detail}. The upload may have been cut short: "
        "save the photo again and upload the new file."
    )


def _open(data: bytes) -> Image.Image:
    """Identify the format and check the declared size; no pixel is decoded yet."""
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            f"The image declares an enormous size (a 'decompression bomb'): far more than the "
            f"{MAX_PIXELS // 1_000_000} megapixels this page accepts. Upload an ordinary photo."
        ) from None
    except Exception as exc:  # noqa: BLE001 — UnidentifiedImageError, or whatever a parser raises on a malformed header
        format_ = _signature_format(data)
        if format_ is None:
            raise ImageError(
                f"This file is not an image this page can read: upload a photo saved as {FORMAT_NAMES}."
            ) from None
        raise _damaged(format_, None if isinstance(exc, UnidentifiedImageError) else exc) from None
    _check_dimensions(*image.size)
    return image


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1–8; 1 = upright, 5–8 swap width and height); missing or malformed: 1."""
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # noqa: BLE001 — a damaged EXIF block should not stop an otherwise readable photo
        return 1


def _working_image(image: Image.Image) -> tuple[Image.Image, int]:
    """Decode (at a reduced scale where the format allows), reduce to `WORK_SIZE`, convert, make upright.

    Returns the image, "RGB", "RGBA", "L" or "F" (high bit depth), and the EXIF orientation applied.
    Reducing first keeps the memory of a large upload to its decoded size: only palette and 1-bit images,
    which Pillow can only resize by nearest neighbour, are converted before. The orientation is read after
    decoding, as Pillow already turns TIFFs upright while loading them (and then drops the tag).
    """
    has_alpha = image.mode in _ALPHA_MODES or "transparency" in image.info
    if image.mode in _HIGH_DEPTH_MODES:
        target = "F"
    else:
        target = "RGBA" if has_alpha else "L" if image.mode in ("1", "L") else "RGB"
    image.draft(None, _draft_size(*image.size))
    image.load()
    orientation = _orientation(image)
    if image.mode in ("1", "P", "PA"):
        image = image.convert(target)
    image.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.BOX, reducing_gap=None)
    image = image.convert(target)  # always a new, small image: the caller closes the file's
    return (image.transpose(_TRANSPOSE[orientation]) if orientation in _TRANSPOSE else image), orientation


def _decode(data: bytes) -> tuple[Image.Image, str, tuple[int, int]]:
    """The working image, the upload's format and its upright (width, height); failures as `ImageError`."""
    image = _open(data)
    format_, (width, height) = image.format or "unknown", image.size
    try:
        working, orientation = _working_image(image)
    except MemoryError:
        raise ImageError("The image is too large to decode in the memory available. Upload a smaller one.") from None
    except Exception as exc:  # noqa: BLE001 — truncated or corrupt data: OSError, SyntaxError, zlib/struct errors, …
        raise _damaged(format_, exc) from None
    finally:
        image.close()
    return working, format_, ((height, width) if orientation >= 5 else (width, height))


def _high_depth_to_grey(values: np.ndarray) -> np.ndarray:
    """Map 16/32-bit or float intensities onto 0–255; the range is 0–1, 0–255, 0–65535 or the data's own."""
    values = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    low = min(float(values.min()), 0.0)
    high = float(values.max())
    high = next((top for top in (1.0, 255.0, 65535.0) if high <= top), high)
    return ((values - low) * (255.0 / max(high - low, 1e-12))).astype(np.float32)


def _composite(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Colour (h, w, 3) over a white backdrop, or a black one when the opaque part is itself light."""
    luma = colour @ _LUMA
    weight = float(alpha.sum())
    light = weight > 0 and float((luma * alpha).sum()) / weight > 127.5
    backdrop = 0.0 if light else 255.0
    return colour * alpha[..., None] + backdrop * (1.0 - alpha[..., None])


def _colour_and_grey(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """The decoded step (uint8, grey or RGB with any transparency composited) and the grey level, float32."""
    values = np.asarray(image, dtype=np.float32)
    if image.mode == "F":
        grey = _high_depth_to_grey(values)
        return _to_uint8(grey), grey
    if image.mode == "L":
        return _frozen(np.asarray(image)), values
    colour = values[..., :3]
    if image.mode == "RGBA":
        colour = _composite(colour, values[..., 3] / np.float32(255))
    return _to_uint8(colour), colour @ _LUMA


def _border(grey: np.ndarray) -> np.ndarray:
    """The pixels of a band along the four edges, about 2 % of the short side wide (at least 1)."""
    band = max(1, min(grey.shape) // 50)
    inner = grey[band:-band]
    edges = (grey[:band], grey[-band:], inner[:, :band], inner[:, -band:])
    return np.concatenate([edge.ravel() for edge in edges])


def _background(grey: np.ndarray) -> tuple[float, float]:
    """The background's grey level and noise σ, from the most common level along the border.

    The border's pixels are binned by 8 grey levels; those within ±24 of the fullest bin give the level
    (their median) and σ (1.4826 × their median absolute deviation). Unlike the plain median of the
    border, this holds even when the object covers more than half of the border.
    """
    border = np.clip(_border(grey), 0, 255)
    peak = 8 * int(np.argmax(np.bincount((border // 8).astype(np.intp), minlength=32))) + 4
    near = border[np.abs(border - peak) <= 24]
    level = float(np.median(near))
    return level, 1.4826 * float(np.median(np.abs(near - level)))


def _window(mask: np.ndarray, size: int, combine: np.ufunc) -> np.ndarray:
    """``combine`` (logical_and: erosion, logical_or: dilation) over size×size windows, edges replicated."""
    half = size // 2
    for axis in (0, 1):
        padding = [(0, 0), (0, 0)]
        padding[axis] = (half, half)
        padded = np.pad(mask, padding, mode="edge")
        length = mask.shape[axis]
        mask = padded[(slice(None),) * axis + (slice(0, length),)]
        for k in range(1, size):
            mask = combine(mask, padded[(slice(None),) * axis + (slice(k, k + length),)])
    return mask


def _opened(mask: np.ndarray, size: int) -> np.ndarray:
    """Morphological opening with a size×size square: erases specks narrower than ``size``."""
    return _window(_window(mask, size, np.logical_and), size, np.logical_or) if size > 1 else mask


def _grow(box: list[int], mask: np.ndarray, limit: int | None) -> None:
    """Extend ``box`` [top, bottom, left, right) while the line just outside it has a ``mask`` pixel.

    ``limit`` caps the growth on each side (None: no cap).
    """
    height, width = mask.shape
    grown = [0, 0, 0, 0]
    changed = True
    while changed:
        changed = False
        top, bottom, left, right = box
        lines = (
            (0, top > 0 and mask[top - 1, left:right].any(), -1),
            (1, bottom < height and mask[bottom, left:right].any(), 1),
            (2, left > 0 and mask[top:bottom, left - 1].any(), -1),
            (3, right < width and mask[top:bottom, right].any(), 1),
        )
        for side, touching, step in lines:
            if touching and (limit is None or grown[side] < limit):
                box[side] += step
                grown[side] += 1
                changed = True


def _levels(noise: float) -> tuple[float, float]:
    """(fringe, object): the smallest difference from the background that is not noise, and the smallest
    that counts as object (the trim level, or more on a noisy background)."""
    fringe = NOISE_SIGMAS * noise + FRINGE_LEVEL
    return fringe, max(fringe, TRIM_LEVEL)


def _bright_on_black(grey: np.ndarray) -> tuple[np.ndarray, float, float, bool]:
    """(oriented, background, noise, inverted): grey levels above the background, object side positive.

    Raises `ImageError` if nothing differs from the background.
    """
    background, noise = _background(grey)
    difference = grey - np.float32(background)
    differs = np.abs(difference) > _levels(noise)[1]
    if not differs.any():
        raise ImageError(
            "No object found: the image is blank (every pixel is close to its background colour). "
            "Upload a photo of one piece of clothing that stands out from a plain background."
        )
    inverted = float(difference[differs].mean()) < 0
    return (-difference if inverted else difference), background, noise, inverted


def _object_box(oriented: np.ndarray, noise: float, lossless: bool) -> tuple[int, int, int, int] | None:
    """The object's bounding box (left, top, right, bottom), or None if there is none.

    ``oriented``: grey levels above the background (object side positive); ``noise``: the background's σ.
    Pixels above the trim level (or the noise) make the object, specks narrower than about 1/100 of the
    long side are dropped, and the box then grows over what stays attached to it. In a lossless image it
    finally grows over a fringe of pixels just above the noise (by at most 2 % of the long side, at least
    3 pixels), so that a clean 28×28 keeps its faint edges; a lossy one has ringing there, not object.
    """
    fringe, level = _levels(noise)
    strong = oriented > level
    core = _opened(strong, 2 * (max(oriented.shape) // 200) + 1)
    rows, cols = np.flatnonzero(core.any(axis=1)), np.flatnonzero(core.any(axis=0))
    if not rows.size:
        return None
    box = [int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1]
    _grow(box, strong, None)
    if lossless:
        _grow(box, oriented > fringe, max(3, max(oriented.shape) // 50))
    top, bottom, left, right = box
    return left, top, right, bottom


def _sharpen(image: np.ndarray) -> np.ndarray:
    """Unsharp mask: image + SHARPEN·(image − 3×3 binomial blur), the blur with edge replication."""
    padded = np.pad(image, 1, mode="edge")
    rows = (padded[:-2] + 2 * padded[1:-1] + padded[2:]) / 4
    blurred = (rows[:, :-2] + 2 * rows[:, 1:-1] + rows[:, 2:]) / 4
    return np.maximum(image + SHARPEN * (image - blurred), 0)


def _fit(cropped: np.ndarray) -> np.ndarray:
    """Longest edge to 28 (sharpened if it was reduced), centred by its box on black, peak stretched to 255."""
    height, width = cropped.shape
    scale = SIDE / max(height, width)
    size = (max(1, min(SIDE, round(width * scale))), max(1, min(SIDE, round(height * scale))))
    if size == (width, height):
        resized = cropped
    else:
        resized = np.asarray(Image.fromarray(cropped).resize(size, Image.Resampling.LANCZOS), dtype=np.float32)
        resized = np.maximum(resized, 0)
        if scale < 1:
            resized = _sharpen(resized)
    canvas = np.zeros((SIDE, SIDE), dtype=np.float32)
    top, left = (SIDE + 1 - size[1]) // 2, (SIDE + 1 - size[0]) // 2
    canvas[top:top + size[1], left:left + size[0]] = resized
    peak = float(canvas.max())
    return canvas * np.float32(255.0 / peak) if peak > 0 else canvas


def to_fashion_mnist(data: bytes) -> Preprocessed:
    """Turn an uploaded image (its bytes) into a 28×28 uint8 image like Fashion-MNIST's, with the steps.

    Raises `ImageError` for anything that is not a usable image (see the module docstring), and TypeError
    if ``data`` is not bytes-like (a bug in the caller, not a bad upload).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"to_fashion_mnist takes the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    _refuse_non_images(data)
    working, format_, size = _decode(data)
    decoded, grey = _colour_and_grey(working)
    oriented, background, noise, inverted = _bright_on_black(grey)
    box = _object_box(oriented, noise, lossless=format_ not in LOSSY_FORMATS)
    if box is None:
        raise ImageError(
            "No object found: only specks differ from the background. "
            "Upload a photo where the piece of clothing fills a good part of the picture."
        )
    contrast = max(background if inverted else 255.0 - background, 1.0)
    signal = np.clip(oriented * np.float32(255.0 / contrast), 0, 255)
    left, top, right, bottom = box
    cropped = signal[top:bottom, left:right]
    image = _to_uint8(_fit(cropped))
    steps = (
        (STEP_NAMES[0], decoded),
        (STEP_NAMES[1], _to_uint8(grey)),
        (STEP_NAMES[2], _to_uint8(signal)),
        (STEP_NAMES[3], _to_uint8(cropped)),
        (STEP_NAMES[4], image),
    )
    return Preprocessed(image, steps, format_, size, background, inverted, box)


def render_shop_photo(image: np.ndarray, rng: np.random.Generator) -> bytes:
    """A Fashion-MNIST image (bright on black) photographed the way shops show clothes, as JPEG bytes.

    The item is dark (the image negated) on an off-white background, 10–20× larger (bilinear or bicubic),
    off-centre with random margins of 10–60 % of its size, sometimes colour-tinted, JPEG quality 75–90.
    For testing the pipeline against the images the model was trained on.
    """
    scale = rng.uniform(10, 20)
    size = round(SIDE * scale)
    resample = Image.Resampling.BICUBIC if rng.random() < 0.5 else Image.Resampling.BILINEAR
    darkness = Image.fromarray(np.asarray(image, dtype=np.uint8)).resize((size, size), resample)
    margins = np.rint(rng.uniform(0.1, 0.6, size=4) * size).astype(int)
    canvas_size = (size + int(margins[0] + margins[1]), size + int(margins[2] + margins[3]))
    paper = rng.uniform(228, 250) + rng.uniform(-6, 6, size=3)
    tinted = rng.random() < 0.5
    item = rng.uniform(0, 120, size=3) if tinted else np.full(3, rng.uniform(0, 70))
    left, top = int(margins[0]), int(margins[2])
    photo = Image.new("RGB", canvas_size, tuple(int(v) for v in np.clip(paper, 0, 255)))
    photo.paste(tuple(int(v) for v in item), (left, top, left + size, top + size), mask=darkness)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=int(rng.integers(75, 91)))
    return out.getvalue()


def shop_photo_accuracy(
    model: SoftmaxRegression, images: np.ndarray, labels: np.ndarray, seed: int = 0
) -> tuple[float, float]:
    """The model's accuracy on ``images`` as they are, and on them rendered by `render_shop_photo` and
    brought back by `to_fashion_mnist`: what the preprocessing costs (or saves) on shop-style photos.
    """
    rng = np.random.default_rng(seed)
    processed = np.stack([to_fashion_mnist(render_shop_photo(image, rng)).image for image in images])
    labels = np.asarray(labels)
    raw = float(np.mean(model.predict(images) == labels))
    return raw, float(np.mean(model.predict(processed) == labels))
