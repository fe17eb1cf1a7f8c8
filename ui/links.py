"""Links into the app that students open: the exact URL of a view or a class's join link, as text and as a QR code
(drawn offline)."""

from __future__ import annotations

import io
import os
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

PUBLIC_URL_ENV = "EXPLORER_PUBLIC_URL"  # e.g. http://192.168.1.20:8501: the address students can reach


def app_url(params: list[tuple[str, str]] | None = None, home: bool = False) -> tuple[str, bool]:
    """The exact URL of this view (page and every control), or with ``params`` as its query instead (and the app's
    home page with ``home``, e.g. a class's join link); and whether students can reach it.

    The address is the one the browser used (`st.context.url`); ``EXPLORER_PUBLIC_URL`` (or Streamlit's
    ``browser.serverAddress`` when it is set) replaces its scheme, host and port, e.g. when the lecturer's
    browser says localhost."""
    base = urlsplit(st.context.url or "http://localhost:8501/")
    public = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if not public and st.get_option("browser.serverAddress") not in ("", "localhost", None):
        public = f"http://{st.get_option('browser.serverAddress')}:{st.get_option('browser.serverPort')}"
    if public:
        override = urlsplit(public if "://" in public else f"http://{public}")
        base = base._replace(scheme=override.scheme, netloc=override.netloc)
    if params is None:
        params = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
    path = "/" + (st.get_option("server.baseUrlPath") or "").strip("/") if home else base.path
    host = (base.hostname or "").lower()
    reachable = host not in ("localhost", "127.0.0.1", "::1", "0.0.0.0") and not host.startswith("127.")
    return urlunsplit((base.scheme, base.netloc, path, urlencode(params), "")), reachable


def qr_png(url: str, scale: int = 16) -> bytes:
    """The QR code of `url` as a PNG (error correction M, dark on white), drawn offline by segno."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=4, dark="#000", light="#fff")
    return out.getvalue()


