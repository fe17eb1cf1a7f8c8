"""A browserless Streamlit client for benchmarks: the frontend's side of Streamlit 1.67's websocket protocol.

What a browser tab does, as far as the server can tell:

* HTTP: GET the page (index.html; a proxy in front may set its stickiness cookie there), then
  ``/_stcore/health`` and ``/_stcore/host-config`` (the health endpoint is what sets the ``_streamlit_xsrf``
  cookie); every cookie is kept in the session's jar and sent on later requests and on the websocket.
* Websocket ``/_stcore/stream`` with subprotocols ``["streamlit", <xsrf cookie value>]``, the cookies and an
  Origin header. Messages are ``BackMsg`` (sent) and ``ForwardMsg`` (received) protobufs.
* A run is a ``rerun_script`` BackMsg with a ``ClientState``: the query string, the current page's script hash
  (or, on the first run, the URL path as ``page_name``), the states of every widget the session has drawn
  (the frontend registers each widget's default, or the server's value when the element has ``set_value``,
  and keeps the user's last value), ``cached_message_hashes`` and the browser's ``context_info``.
* ForwardMsg caching: deltas with ``metadata.cacheable`` (``new_element`` ≥ ``global.minCachedMessageSize``,
  10 kB) are kept by hash and their hashes sent with every rerun; the server then sends a ``ref_hash`` message
  instead of the element, which is resolved from the cache. Entries expire like the frontend's: after
  ``config.max_cached_message_age`` (from ``new_session``) finished runs without use.
* Fragments: a ``st.fragment(run_every=…)`` sends an ``auto_rerun`` ForwardMsg (interval, fragment id); the
  frontend then sends ``rerun_script`` with that ``fragment_id`` and ``is_auto_rerun`` on a fixed timer (not
  waiting for the previous run), until a full run starts (``new_session`` without fragment ids in its
  ``metadata.run``), the page changes, or ``stop_auto_rerun`` names the fragment.
* A control inside a fragment reruns only that fragment: ``rerun_script`` with the widget's ``fragment_id``
  (from its delta) and every widget state, as the frontend's batched flush sends it.
* Runs are matched by ``metadata.run.script_run_id`` of ``new_session`` and ``script_finished``. A run that ends
  FINISHED_EARLY_FOR_RERUN (``st.rerun()``, ``st.switch_page``, or a newer request) is carried on by the next run
  of its scope; a fragment's, by the next run whatever its scope (a click in a fragment whose code calls
  ``st.rerun(scope="app")`` ends with that full run).
* Runs the server starts by itself (``st.rerun()`` in an auto-rerun fragment's run, ``st.switch_page``) come as
  a ``new_session`` and a ``script_finished`` no request waits for; ``on_message`` and ``on_finished`` let a
  caller observe them (and every other message) as they arrive.

Messages are parsed lazily: only the wire-format tags down to the element's type are read; an element is
decoded only when it is a widget or an exception (charts and images are only counted, never decoded).
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import DecodeError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg, ForwardMsgMetadata
from streamlit.proto.Navigation_pb2 import Navigation
from streamlit.proto.NewSession_pb2 import NewSession
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

# ForwardMsg field numbers (streamlit/proto/ForwardMsg.proto) and the Delta/Element ones we read.
_F = {f.name: f.number for f in ForwardMsg.DESCRIPTOR.fields}
_TYPE_NAMES = {f.number: f.name for f in ForwardMsg.DESCRIPTOR.oneofs_by_name["type"].fields}
_ELEMENT_TYPES = {f.number: f.name for f in Element.DESCRIPTOR.oneofs_by_name["type"].fields}
_DELTA_NEW_ELEMENT, _DELTA_FRAGMENT_ID = 3, 8
_META_CACHEABLE = 1
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
FRAGMENT_FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
# Widgets whose state the frontend keeps (and we model); "button"-like ones only send a trigger when clicked.
STATEFUL = {"slider", "number_input", "button_group", "checkbox", "selectbox", "radio", "multiselect",
            "text_input", "text_area"}  # fmt: skip
TRIGGERS = {"button"}
_DECODED = STATEFUL | TRIGGERS | {"exception"}
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False, "color_scheme": "light"}


class SessionError(Exception):
    """A failure of one session; ``kind``: "connect", "timeout", "disconnect", or "client" (a message this
    client could not handle)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


# ------------------------------------------------------------------------------------------------ wire format


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes, start: int = 0, end: int | None = None) -> dict[int, Any]:
    """Top-level fields of one protobuf message in ``buf[start:end]``: number → varint value, or (start, end)
    of a length-delimited payload (the last occurrence wins; we only read non-repeated fields)."""
    end = len(buf) if end is None else end
    out: dict[int, Any] = {}
    i = start
    while i < end:
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            out[number], i = _varint(buf, i)
        elif wire == 2:
            size, i = _varint(buf, i)
            out[number] = (i, i + size)
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def _text(buf: bytes, span: tuple[int, int]) -> str:
    return buf[span[0] : span[1]].decode()


# ---------------------------------------------------------------------------------------------------- widgets


@dataclass
class Widget:
    """A widget the session has drawn: its element type (``slider``, ``button_group``…), its proto, the
    script that drew it (``active_script_hash``), where (``delta_path``) and in which fragment."""

    kind: str
    proto: Any
    script_hash: str
    path: tuple[int, ...]
    fragment_id: str

    @property
    def id(self) -> str:
        return self.proto.id

    @property
    def key(self) -> str:
        """The user key of a keyed widget (ids look like ``$$ID-<hash>-<key>``), else ""."""
        parts = self.id.split("-", 2)
        return parts[2] if len(parts) == 3 else ""

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "")

    @property
    def is_select_slider(self) -> bool:
        return self.kind == "slider" and len(self.proto.options) > 0

    def initial_state(self) -> WidgetState | None:
        """What the frontend registers when it draws the widget: the server's value if ``set_value``, else the
        default (None for a trigger widget, which has no state until clicked)."""
        p, ws = self.proto, WidgetState(id=self.proto.id)
        if self.kind == "slider" and self.is_select_slider:
            ws.string_array_value.data[:] = list(p.raw_value) if p.set_value else [p.options[int(i)] for i in p.default]
        elif self.kind == "slider":
            ws.double_array_value.data[:] = list(p.value if p.set_value else p.default)
        elif self.kind == "number_input":
            value = (p.value if p.HasField("value") else None) if p.set_value else (
                p.default if p.HasField("default") else None)  # fmt: skip
            if value is not None:
                self.set_number(ws, value)
        elif self.kind == "button_group":
            ws.string_array_value.data[:] = (
                list(p.raw_values) if p.set_value else [p.options[i].content for i in p.default])  # fmt: skip
        elif self.kind == "checkbox":
            ws.bool_value = p.value if p.set_value else p.default
        elif self.kind in ("selectbox", "radio"):
            if p.set_value and p.HasField("raw_value"):
                ws.string_value = p.raw_value
            elif not p.set_value and p.HasField("default"):
                ws.string_value = p.options[p.default]
        elif self.kind == "multiselect":
            ws.string_array_value.data[:] = list(p.raw_values) if p.set_value else [p.options[i] for i in p.default]
        elif self.kind in ("text_input", "text_area"):
            name = "value" if p.set_value else "default"
            if p.HasField(name):
                ws.string_value = getattr(p, name)
        else:
            return None
        return ws

    def set_number(self, ws: WidgetState, value: float) -> WidgetState:
        """A number input's value as the frontend sends it: ``int_value`` for INT inputs, else ``double_value``."""
        if self.proto.data_type == 0:  # NumberInput.DataType.INT
            ws.int_value = round(value)
        else:
            ws.double_value = float(value)
        return ws

    def state(self, value: Any) -> WidgetState:
        """A new state of this widget holding ``value`` (a number, bool, str, or a list for array widgets);
        ``True`` for a trigger widget is a click."""
        ws = WidgetState(id=self.id)
        if self.kind in TRIGGERS:
            ws.trigger_value = bool(value)
        elif self.kind == "number_input":
            self.set_number(ws, value)
        elif self.kind == "slider" and not self.is_select_slider:
            ws.double_array_value.data[:] = [float(v) for v in value]
        elif self.kind in ("slider", "button_group", "multiselect"):
            ws.string_array_value.data[:] = [str(v) for v in value]
        elif self.kind == "checkbox":
            ws.bool_value = bool(value)
        else:
            ws.string_value = str(value)
        return ws


def state_value(ws: WidgetState | None) -> Any:
    """The value held by a widget state (a list for array values), or None."""
    which = ws.WhichOneof("value") if ws is not None else None
    if which is None:
        return None
    value = getattr(ws, which)
    return list(value.data) if which.endswith("array_value") else value


# ---------------------------------------------------------------------------------------------------- session


@dataclass
class Run:
    """One script run this session asked for: seconds from sending its BackMsg to its ``script_finished``;
    ``status``, a ``ForwardMsg.ScriptFinishedStatus``, is FRAGMENT_FINISHED for a fragment's run."""

    seconds: float
    status: int


@dataclass
class _Waiter:
    fragment: str | None  # None: a full run
    sent: float
    future: asyncio.Future[Run]
    run_id: str | None = None
    continued: bool = False  # a fragment's run ended early for a rerun: the next run, of any scope, carries it on


@dataclass
class _Cached:
    data: bytes
    run_count: int
    fragment_id: str


@dataclass
class Page:
    """A page of the app, from the ``navigation`` ForwardMsg."""

    title: str
    url_pathname: str
    script_hash: str


@dataclass
class Session:
    """One simulated browser tab on ``base_url`` (``http://127.0.0.1:P``). Counters are cumulative."""

    base_url: str
    timeout: float = 30.0
    token_pattern: re.Pattern[bytes] | None = None  # every match in every received message is counted
    max_lifetime: float = 3600.0  # bound of the reader loop and of every auto-rerun timer
    # Observers, called in the reader: every message received (bytes, a ref_hash resolved to its cached message),
    # and every script_finished (its ScriptFinishedStatus), after the session's own bookkeeping of it.
    on_message: Callable[[bytes], None] | None = None
    on_finished: Callable[[int], None] | None = None

    cookies: dict[str, str] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)  # url_pathname → page
    widgets: dict[str, Widget] = field(default_factory=dict)
    states: dict[str, WidgetState] = field(default_factory=dict)
    query: str = ""
    path: str = ""
    page_hash: str = ""
    main_hash: str = ""
    tokens: Counter[bytes] = field(default_factory=Counter)
    exceptions: list[str] = field(default_factory=list)
    full_runs: int = 0
    fragment_runs: int = 0
    bytes_received: int = 0
    ref_hits: int = 0
    cache_misses: int = 0
    live_seconds: float = 0.0  # time with at least one auto-rerun timer running

    def __post_init__(self) -> None:
        parsed = urllib.parse.urlsplit(self.base_url)
        if parsed.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError(f"only loopback servers are allowed, not {self.base_url}")
        self._host, self._port = parsed.hostname, parsed.port or 80
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiters: list[_Waiter] = []
        self._cache: dict[str, _Cached] = {}
        self._run_count = 0
        self._max_age = 2
        self._timers: dict[str, tuple[float, asyncio.Task[None]]] = {}
        self._live_since: float | None = None
        self._seen: set[str] = set()  # widget ids drawn in the current run
        self._run_fragments: list[str] = []
        self._closed: str | None = None

    # --------------------------------------------------------------------------------------- connection

    async def _get(self, target: str) -> int:
        """One HTTP/1.1 GET on a fresh connection with the session's cookies; keeps Set-Cookie; the status."""
        reader, writer = await asyncio.open_connection(self._host, self._port)
        try:
            cookie = f"Cookie: {self._cookie_header()}\r\n" if self.cookies else ""
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\nUser-Agent: bench_class\r\n"
                         f"Accept: */*\r\n{cookie}Connection: close\r\n\r\n".encode())  # fmt: skip
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "set-cookie":
                    key, _, val = value.strip().split(";", 1)[0].partition("=")
                    self.cookies[key.strip()] = val.strip()
            while await reader.read(1 << 16):  # the body, to EOF (Connection: close)
                pass
            return int(head[0].split()[1])
        finally:
            writer.close()

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def connect(self, path: str = "", query: str = "") -> float:
        """The page GET, the health and host-config GETs, then the websocket; seconds taken. The first run is
        not started: call `load`."""
        self.path, self.query = path, query
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                status = await self._get(f"/{path}" + (f"?{query}" if query else ""))
                if status != 200:
                    raise SessionError("connect", f"GET /{path}: HTTP {status}")
                statuses = await asyncio.gather(self._get("/_stcore/health"), self._get("/_stcore/host-config"))
                if any(s != 200 for s in statuses):
                    raise SessionError("connect", f"health / host-config: HTTP {statuses}")
                xsrf = self.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")  # the frontend's fallback
                self._ws = await connect(
                    f"ws://{self._host}:{self._port}/_stcore/stream", subprotocols=[Subprotocol("streamlit"),
                    Subprotocol(xsrf)], additional_headers={"Cookie": self._cookie_header()},
                    origin=Origin(self.base_url), proxy=None, max_size=256 << 20, open_timeout=self.timeout,
                    close_timeout=2,
                )  # fmt: skip
        except SessionError:
            raise
        except Exception as e:  # OSError, a timeout, a malformed response, websockets' handshake errors
            raise SessionError("connect", repr(e)) from e
        self._reader = asyncio.create_task(self._read())
        return time.perf_counter() - started

    async def close(self) -> None:
        """Close the websocket (the server then ends the session) and stop the timers."""
        if self._closed is None:
            self._closed = "closed"
        self._stop_timers()
        if self._ws is not None:
            try:
                await asyncio.wait_for(self._ws.close(), 5)
            except (TimeoutError, ConnectionClosed, OSError):
                pass
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        self._fail_waiters("disconnect", "session closed")

    # ----------------------------------------------------------------------------------------- requests

    async def load(self) -> Run:
        """The first run, of the page in the URL path (what the frontend sends once connected)."""
        return await self._request(None, page_name=self.path, page_hash="", states=self.states.values())

    async def goto(self, url_pathname: str, query: str = "") -> Run:
        """Open another page (as the navigation does): the page's script hash, and only the states of the
        main script's widgets (the sidebar's), which survive a page change."""
        page = self.pages[url_pathname]
        self._stop_timers()
        self.path, self.query = url_pathname, query
        keep = [s for wid, s in self.states.items() if wid in self.widgets and
                self.widgets[wid].script_hash == self.main_hash]  # fmt: skip
        return await self._request(None, page_hash=page.script_hash, states=keep)

    async def rerun(self, changes: Sequence[WidgetState] = ()) -> Run:
        """The rerun after the user changed ``changes`` (a click is a trigger state, sent only this once): of
        the fragment the first changed widget belongs to, as the frontend's batched flush does, else of the
        whole page."""
        for ws in changes:
            if ws.WhichOneof("value") != "trigger_value":
                self.states[ws.id] = ws
        triggers = [ws for ws in changes if ws.WhichOneof("value") == "trigger_value"]
        drawn = [self.widgets[ws.id] for ws in changes if ws.id in self.widgets]
        fragment = next((w.fragment_id for w in drawn if w.fragment_id), None)
        return await self._request(fragment, states=[*self.states.values(), *triggers])

    def page_widgets(self) -> list[Widget]:
        """The current page's widgets (not the sidebar's), in the order they are drawn."""
        return sorted((w for w in self.widgets.values() if w.script_hash == self.page_hash), key=lambda w: w.path)

    def _backmsg(self, fragment_id: str | None, page_name: str, page_hash: str | None,
                 states: Iterable[WidgetState], auto: bool) -> bytes:  # fmt: skip
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash if page_hash is None else page_hash
        cs.page_name = page_name
        if fragment_id:
            cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        cs.widget_states.widgets.extend(states)
        cs.cached_message_hashes.extend(self._cache)
        for name, value in CONTEXT.items():
            setattr(cs.context_info, name, value)
        cs.context_info.url = f"{self.base_url}/{self.path}" + (f"?{self.query}" if self.query else "")
        return msg.SerializeToString()

    async def _send(self, data: bytes) -> None:
        if self._closed is not None or self._ws is None:
            raise SessionError("disconnect", self._closed or "not connected")
        try:
            await asyncio.wait_for(self._ws.send(data), self.timeout)
        except TimeoutError as e:
            raise SessionError("timeout", "send") from e
        except (ConnectionClosed, OSError) as e:
            raise SessionError("disconnect", repr(e)) from e

    async def _request(self, fragment_id: str | None, *, page_name: str = "", page_hash: str | None = None,
                       states: Iterable[WidgetState]) -> Run:  # fmt: skip
        data = self._backmsg(fragment_id, page_name, page_hash, states, auto=False)
        waiter = _Waiter(fragment_id, time.perf_counter(), asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            await self._send(data)
            return await asyncio.wait_for(waiter.future, self.timeout)
        except TimeoutError as e:
            raise SessionError("timeout", f"no script_finished within {self.timeout} s") from e
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    # --------------------------------------------------------------------------------------- fragments

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if fragment_id in self._timers and self._timers[fragment_id][0] == interval:
            return  # the frontend keeps a timer with the same interval
        self._stop_timer(fragment_id)
        if not self._timers:
            self._live_since = time.monotonic()
        self._timers[fragment_id] = (interval, asyncio.create_task(self._tick(fragment_id, interval)))

    async def _tick(self, fragment_id: str, interval: float) -> None:
        """The frontend's setInterval: a fragment rerun every ``interval`` s, whether or not the last finished."""
        ticks = int(self.max_lifetime / max(interval, 0.01))
        for _ in range(ticks):
            await asyncio.sleep(interval)
            if self._closed is not None:
                return
            data = self._backmsg(fragment_id, "", None, self.states.values(), auto=True)
            try:
                await self._send(data)
            except SessionError:
                return

    def _stop_timer(self, fragment_id: str) -> None:
        entry = self._timers.pop(fragment_id, None)
        if entry is not None:
            entry[1].cancel()
        if entry is not None and not self._timers and self._live_since is not None:
            self.live_seconds += time.monotonic() - self._live_since
            self._live_since = None

    def _stop_timers(self) -> None:
        for fragment_id in list(self._timers):
            self._stop_timer(fragment_id)

    @property
    def closed(self) -> str | None:
        """Why the websocket is closed (by `close`, by the server, or after an error), or None while it is open."""
        return self._closed

    @property
    def live(self) -> bool:
        """Whether an auto-rerun fragment timer is running (a live view is polling)."""
        return bool(self._timers)

    def live_time(self) -> float:
        """Seconds so far with an auto-rerun timer running."""
        running = time.monotonic() - self._live_since if self._live_since is not None else 0.0
        return self.live_seconds + running

    # ----------------------------------------------------------------------------------------- receiving

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async with asyncio.timeout(self.max_lifetime):
                async for data in self._ws:
                    if isinstance(data, bytes):
                        self._on_frame(data)
        except (ConnectionClosed, OSError, TimeoutError) as e:
            kind, reason = "disconnect", repr(e)
        except (DecodeError, ValueError, IndexError, KeyError, TypeError, AttributeError) as e:
            kind, reason = "client", repr(e)  # a message this client cannot handle: a bug here, not the server's
        else:
            kind, reason = "disconnect", "server closed the websocket"
        if self._closed is None:
            self._closed = reason
        self._stop_timers()
        self._fail_waiters(kind, reason)

    def _fail_waiters(self, kind: str, detail: str) -> None:
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.set_exception(SessionError(kind, detail))

    def _on_frame(self, data: bytes) -> None:
        self.bytes_received += len(data)
        if self.token_pattern is not None:
            self.tokens.update(self.token_pattern.findall(data))
        top = _fields(data)
        meta = (data, top[_F["metadata"]]) if _F["metadata"] in top else None
        if _F["ref_hash"] in top:
            cached = self._cache.get(_text(data, top[_F["ref_hash"]]))
            if cached is None:
                self.cache_misses += 1
                return
            self.ref_hits += 1
            cached.run_count = self._run_count
            data, top = cached.data, _fields(cached.data)
        elif meta is not None and _fields(data, *meta[1]).get(_META_CACHEABLE) and _F["hash"] in top:
            digest = _text(data, top[_F["hash"]])
            if digest in self._cache:
                self._cache[digest].run_count = self._run_count
            else:
                delta = _fields(data, *top[_F["delta"]]) if _F["delta"] in top else {}
                fragment = _text(data, delta[_DELTA_FRAGMENT_ID]) if _DELTA_FRAGMENT_ID in delta else ""
                self._cache[digest] = _Cached(data, self._run_count, fragment)
        if self.on_message is not None:
            self.on_message(data)
        kind = next((_TYPE_NAMES[n] for n in top if n in _TYPE_NAMES), None)
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(data, top[_F[kind]], meta)

    @staticmethod
    def _metadata(meta: tuple[bytes, tuple[int, int]] | None) -> ForwardMsgMetadata:
        if meta is None:
            return ForwardMsgMetadata()
        buf, (start, end) = meta
        return ForwardMsgMetadata.FromString(buf[start:end])

    def _on_new_session(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        msg = NewSession.FromString(data[span[0] : span[1]])
        run = self._metadata(meta).run
        self.main_hash = msg.main_script_hash
        self._max_age = msg.config.max_cached_message_age or self._max_age
        fragments = list(run.fragment_ids)
        self._run_fragments = fragments
        self._seen = set()
        if not fragments:
            self._stop_timers()  # the frontend's cleanupAutoReruns on a full run
        for waiter in self._waiters:
            matches = waiter.fragment in fragments if waiter.fragment else not fragments
            if waiter.run_id is None and (matches or waiter.continued):
                waiter.run_id = run.script_run_id

    def _on_navigation(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        nav = Navigation.FromString(data[span[0] : span[1]])
        self.pages = {p.url_pathname: Page(p.page_name, p.url_pathname, p.page_script_hash) for p in nav.app_pages}
        self.page_hash = nav.page_script_hash
        self.path = next((p.url_pathname for p in self.pages.values() if p.script_hash == self.page_hash), self.path)

    def _on_page_info_changed(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        info = _fields(data, *span)
        self.query = _text(data, info[1]) if 1 in info else ""

    def _on_auto_rerun(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        msg = ForwardMsg.FromString(data).auto_rerun
        if msg.fragment_id:
            self._start_timer(msg.fragment_id, msg.interval)

    def _on_stop_auto_rerun(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        for fragment_id in ForwardMsg.FromString(data).stop_auto_rerun.fragment_ids:
            self._stop_timer(fragment_id)

    def _on_session_event(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        event = ForwardMsg.FromString(data).session_event
        if event.WhichOneof("type") == "script_compilation_exception":
            self.exceptions.append(f"compile error: {event.script_compilation_exception.message}")

    def _on_page_not_found(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        self.exceptions.append("page not found")

    def _on_delta(self, data: bytes, span: tuple[int, int], meta: Any) -> None:
        delta = _fields(data, *span)
        if _DELTA_NEW_ELEMENT not in delta:
            return
        start, end = delta[_DELTA_NEW_ELEMENT]
        kind = next((_ELEMENT_TYPES[n] for n in _fields(data, start, end) if n in _ELEMENT_TYPES), None)
        if kind not in _DECODED:
            return
        proto = getattr(Element.FromString(data[start:end]), kind)
        if kind == "exception":
            if not proto.is_warning:
                self.exceptions.append(f"{proto.type}: {proto.message}")
            return
        md = self._metadata(meta)
        fragment = _text(data, delta[_DELTA_FRAGMENT_ID]) if _DELTA_FRAGMENT_ID in delta else ""
        widget = Widget(kind, proto, md.active_script_hash, tuple(md.delta_path), fragment)
        self.widgets[widget.id] = widget
        self._seen.add(widget.id)
        if kind in STATEFUL and (widget.id not in self.states or proto.set_value):
            initial = widget.initial_state()
            if initial is not None:
                self.states[widget.id] = initial

    def _on_script_finished(self, data: bytes, status: int, meta: Any) -> None:
        run_id = self._metadata(meta).run.script_run_id
        if status != EARLY_FOR_RERUN:
            self._forget_stale(fragment=status == FRAGMENT_FINISHED)
            self._age_cache()
            if status == FRAGMENT_FINISHED:
                self.fragment_runs += 1
            else:
                self.full_runs += 1
        now = time.perf_counter()
        for waiter in self._waiters:
            if waiter.run_id != run_id or waiter.future.done():
                continue
            if status == EARLY_FOR_RERUN:
                waiter.run_id = None  # the coalesced rerun comes next, with a new_session of its own
                waiter.continued = bool(waiter.fragment)  # a fragment's: also by a full run (st.rerun(scope="app"))
            else:
                waiter.future.set_result(Run(now - waiter.sent, status))
        if self.on_finished is not None:
            self.on_finished(status)

    def _forget_stale(self, fragment: bool) -> None:
        """The frontend's removeInactive: widgets not drawn by the finished run (by its fragments, for a
        fragment run) are gone, and so are their states."""
        stale = [wid for wid, w in self.widgets.items() if wid not in self._seen and
                 (not fragment or w.fragment_id in self._run_fragments)]  # fmt: skip
        for wid in stale:
            del self.widgets[wid]
            self.states.pop(wid, None)

    def _age_cache(self) -> None:
        """The frontend's incrementRunCount: drop cached messages unused for more than max_cached_message_age
        runs (a fragment run ages only its own fragments' messages)."""
        self._run_count += 1
        for digest, entry in list(self._cache.items()):
            if self._run_fragments and entry.fragment_id not in self._run_fragments:
                continue
            if self._run_count - entry.run_count > self._max_age:
                del self._cache[digest]
