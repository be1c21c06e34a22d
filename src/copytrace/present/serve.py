"""``copytrace serve``: the report's views as a local web app, plus search, a compare page and a
JSON API (OpenAPI docs at ``/docs``, served from the bundled Swagger UI: no network needed).

Bind to 127.0.0.1 unless told otherwise: the app shows whole articles and has no login. Every
request passes :class:`Guard` first: a Host header that is not one of the server's own names is
refused (a page elsewhere cannot reach the app through DNS rebinding), requests too large get a
413 or 414 with the reason, and every response carries the security headers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import orjson

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from copytrace.jobs.compare import Comparison, compare_texts
from copytrace.explain.edits import KINDS
from copytrace.present.pages import ASSETS, Links, environment
from copytrace.present.search import MAX_QUERY_CHARS, Searcher
from copytrace.present.views import PAIRS_PER_PAGE, NotFound, Views, pair_view

#: Largest text the compare page takes, per side.
MAX_COMPARE_CHARS = 1_000_000
#: Longest request target (path and query) taken, in bytes: a search of the longest paragraph
#: accepted, written in a script of 2-byte characters and percent-encoded, fits.
MAX_URL_BYTES = 6 * MAX_QUERY_CHARS + 16_384
#: Largest request body taken: the compare form with two files of the largest size.
MAX_BODY_BYTES = 2 * 4 * MAX_COMPARE_CHARS + 65_536
#: The names a server bound to 127.0.0.1 answers to (more with ``--allow-host``).
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
#: Swagger UI starts itself with an inline script: only the API docs page allows one.
DOCS_CSP = _CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ResponseCache:
    """Responses of the views, by view and parameters, the most recently used kept up to
    ``max_bytes``. The app serves the workspace as it was when it started, so a view's response
    never changes: under load, most requests are a lookup (rendering a list page took 10 to 90
    ms; computing the same view for a hundred clients at once is what made them wait)."""

    def __init__(self, max_bytes: int = 256 << 20):
        self.max_bytes = max_bytes
        self.kept: OrderedDict[tuple, bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        with self.lock:
            body = self.kept.get(key)
            if body is not None:
                self.kept.move_to_end(key)
                return body
        body = make()  # (a view not found raises here, and nothing is kept)
        with self.lock:
            if key not in self.kept:
                self.kept[key] = body
                self.size += len(body)
            while self.size > self.max_bytes and len(self.kept) > 1:
                _, old = self.kept.popitem(last=False)
                self.size -= len(old)
        return body


class Guard:
    """ASGI middleware in front of the app: the Host header checked against ``hosts`` (400
    otherwise), request targets over :data:`MAX_URL_BYTES` answered 414 and bodies over
    :data:`MAX_BODY_BYTES` 413 (by Content-Length, or counted as they come), and
    :data:`SECURITY_HEADERS` added to every response. Answers are plain text with the reason."""

    def __init__(self, app, hosts: tuple[str, ...] = LOCAL_HOSTS):
        self.app = app
        self.hosts = {h.lower().strip("[]") for h in hosts}
        self.headers = _encoded(SECURITY_HEADERS)
        self.docs_headers = _encoded({**SECURITY_HEADERS, "Content-Security-Policy": DOCS_CSP})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        host = _host_name(headers.get(b"host", b"").decode("latin-1"))
        if host not in self.hosts:
            names = ", ".join(sorted(self.hosts))
            return await _plain(send, 400, f"this server answers only to {names}: start it with --allow-host NAME to use another name")
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > MAX_URL_BYTES:
            return await _plain(send, 414, f"the request address is over {MAX_URL_BYTES:,} bytes; search a shorter text, or POST it to /api/compare")
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return await _plain(send, 413, f"the request body is over {MAX_BODY_BYTES:,} bytes")
        extra = self.docs_headers if scope["path"] in ("/docs", "/docs/oauth2-redirect") else self.headers
        received = 0
        started = False

        async def counted_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise _TooLarge()
            return message

        async def secured_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                have = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []), *(h for h in extra if h[0] not in have)]}
            await send(message)

        try:
            await self.app(scope, counted_receive, secured_send)
        except _TooLarge:
            if not started:
                await _plain(send, 413, f"the request body is over {MAX_BODY_BYTES:,} bytes")


class _TooLarge(Exception):
    """A request body went past :data:`MAX_BODY_BYTES` while it was read."""


def _host_name(header: str) -> str:
    """The host name of a Host header, without its port (``[::1]:8000`` gives ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as ASGI wants them (lower-case names, bytes)."""
    return [(k.lower().encode(), v.encode()) for k, v in headers.items()]


async def _plain(send, status: int, reason: str) -> None:
    body = reason.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *_encoded(SECURITY_HEADERS)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class CompareRequest(BaseModel):
    text_a: str = Field(min_length=1, max_length=MAX_COMPARE_CHARS, description="The first text (plain text).")
    text_b: str = Field(min_length=1, max_length=MAX_COMPARE_CHARS, description="The second text.")


def comparison_view(result: Comparison) -> dict:
    """A :class:`Comparison` of two pasted texts as the pair page shows it (one page)."""

    def side(doc, name: str) -> dict:
        return {"doc_id": name, "key": None, "site": None, "title": doc.title, "url": None, "date": None, "chars": doc.chars, "in_corpus": False}

    first = result.direction.first
    summary = {
        "key": None, "a": side(result.a, "text A"), "b": side(result.b, "text B"), "verdict": result.verdict,
        "coverage_a": result.coverage_a, "coverage_b": result.coverage_b, "n_passages": len(result.passages),
        "credit": result.credit.status, "direction": {0: "a_to_b", 1: "b_to_a"}.get(first, "unknown"),
        "direction_evidence": result.direction.evidence, "direction_confidence": result.direction.confidence,
        "direction_detail": result.direction.detail, "delay_seconds": None, "cascade_id": None,
        "swapped": False, "roles": ("A", "B"),  # pasted texts keep the order they were given in
    }
    credit = {"status": result.credit.status, "side": None if result.credit.doc is None else "ab"[result.credit.doc],
              "start": result.credit.start, "end": result.credit.end, "evidence": result.credit.evidence}
    return pair_view(summary, result.a.text, result.b.text, [p.to_dict() for p in result.passages], [e.to_dict() for e in result.edits],
                     result.boilerplate, credit, 1, max(len(result.a.text), len(result.b.text), 1))


def create_app(workspace: str | Path, hosts: tuple[str, ...] = LOCAL_HOSTS) -> FastAPI:
    """The web app of one workspace, answering to the host names ``hosts`` (raises
    FileNotFoundError when it is not a workspace)."""
    views = Views(workspace)
    threading.Thread(target=views.warm, daemon=True, name="views-warm").start()
    searcher = Searcher(views)
    env = environment()
    links = Links(static=False)
    app = FastAPI(title=f"copytrace: {views.name}", docs_url=None, redoc_url=None,
                  description="The views of a copytrace workspace as JSON. Keys are the short ids in the web app's URLs.")
    app.mount("/assets", StaticFiles(directory=str(ASSETS)), name="assets")
    swagger = Path(__import__("swagger_ui_bundle").swagger_ui_path)
    app.mount("/swagger", StaticFiles(directory=str(swagger)), name="swagger")
    app.add_middleware(Guard, hosts=hosts)

    def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(links=links, workspace=views.name, kinds=KINDS, **context)
        return HTMLResponse(html, status_code=status)  # (Guard adds the security headers)

    cache = ResponseCache()

    def cached_page(key: tuple, template: str, context: Callable[[], dict]) -> Response:
        """A view's page, rendered once and then served from :class:`ResponseCache`."""
        def render() -> bytes:
            return env.get_template(template).render(links=links, workspace=views.name, kinds=KINDS, **context()).encode()

        return Response(cache.get(("html", *key), render), media_type="text/html; charset=utf-8")

    def cached_json(key: tuple, view: Callable[[], Any]) -> Response:
        """A view as JSON (orjson), encoded once and then served from :class:`ResponseCache`."""
        return Response(cache.get(("json", *key), lambda: orjson.dumps(view(), option=orjson.OPT_NON_STR_KEYS)), media_type="application/json")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound):
        if wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=404)
        return page("error.html", 404, title="Not found", message=str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        if wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        return page("error.html", 422, title="Bad request", message="; ".join(problems))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        if wants_json(request) or error.status_code == 405:
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        return page("error.html", error.status_code, title="Error" if error.status_code != 404 else "Not found", message=str(error.detail))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=app.title, swagger_js_url="/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/swagger/swagger-ui.css", swagger_favicon_url="/swagger/favicon-32x32.png")

    # --- HTML ------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview_page():
        return cached_page(("/",), "overview.html", lambda: {"view": views.overview()})

    @app.get("/sites", response_class=HTMLResponse, include_in_schema=False)
    def sites_page():
        return cached_page(("/sites",), "sites.html", lambda: {"view": views.site_list()})

    @app.get("/site/{key}", response_class=HTMLResponse, include_in_schema=False)
    def site_page(key: str):
        return cached_page(("/site", key), "site.html", lambda: {"view": views.site(key)})

    @app.get("/cascades", response_class=HTMLResponse, include_in_schema=False)
    def cascades_page():
        return cached_page(("/cascades",), "cascades.html", lambda: {"view": views.cascade_list()})

    @app.get("/cascade/{cascade_id}", response_class=HTMLResponse, include_in_schema=False)
    def cascade_page(cascade_id: int):
        return cached_page(("/cascade", cascade_id), "cascade.html", lambda: {"view": views.cascade(cascade_id)})

    @app.get("/pairs", response_class=HTMLResponse, include_in_schema=False)
    def pairs_page(page_number: Annotated[int, Query(alias="page", ge=1)] = 1):
        def context() -> dict:
            rows, pages = views.pair_list(page_number)
            return {"view": rows, "page": page_number, "pages": pages, "total": len(views.pairs)}

        return cached_page(("/pairs", page_number), "pairs.html", context)

    @app.get("/doc/{key}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(key: str):
        return cached_page(("/doc", key), "document.html", lambda: {"view": views.document(key)})

    @app.get("/pair/{key}", response_class=HTMLResponse, include_in_schema=False)
    def pair_page(key: str, page_number: Annotated[int, Query(alias="page", ge=1)] = 1):
        return cached_page(("/pair", key, page_number), "pair.html", lambda: {"view": views.pair(key, page_number)})

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
        url: Annotated[str, Query(max_length=4000)] = "",
        title: Annotated[str, Query(max_length=1000)] = "",
    ):
        return page("search.html", q=q, url=url, title=title, **run_search(q, url, title))

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_form():
        return page("compare.html", text_a="", text_b="", error=None)

    @app.post("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_page(
        text_a: Annotated[str, Form(max_length=MAX_COMPARE_CHARS)] = "",
        text_b: Annotated[str, Form(max_length=MAX_COMPARE_CHARS)] = "",
        file_a: Annotated[UploadFile | None, File()] = None,
        file_b: Annotated[UploadFile | None, File()] = None,
    ):
        texts, problems = [text_a, text_b], []
        for i, (upload, name) in enumerate(((file_a, "file A"), (file_b, "file B"))):
            try:
                texts[i] = await _uploaded_text(upload, name) or texts[i]
            except ValueError as error:
                problems.append(str(error))
        if not problems and not (texts[0].strip() and texts[1].strip()):
            problems.append("give two texts: paste them or upload two text files")
        if problems:  # the form comes back with what could be read, so only the bad part is redone
            return page("compare.html", 422, text_a=texts[0], text_b=texts[1], error="; ".join(problems))
        return page("pair.html", view=comparison_view(compare_texts(*texts)))

    # --- JSON API ----------------------------------------------------------------------------------
    @app.get("/api/overview", tags=["views"], summary="Counts, top sites, copies over time, biggest cascades, site network")
    def api_overview() -> dict:
        return cached_json(("overview",), views.overview)

    @app.get("/api/sites", tags=["views"], summary="Every site's statistics")
    def api_sites() -> list[dict]:
        return cached_json(("sites",), views.site_list)

    @app.get("/api/sites/{key}", tags=["views"], summary="One site: statistics, sources, copiers, articles")
    def api_site(key: str) -> dict:
        return cached_json(("site", key), lambda: views.site(key))

    @app.get("/api/cascades", tags=["views"], summary="Every cascade, biggest first")
    def api_cascades() -> list[dict]:
        return cached_json(("cascades",), views.cascade_list)

    @app.get("/api/cascades/{cascade_id}", tags=["views"], summary="One cascade: tree, timeline, edges")
    def api_cascade(cascade_id: int) -> dict:
        return cached_json(("cascade", cascade_id), lambda: views.cascade(cascade_id))

    @app.get("/api/pairs", tags=["views"], summary=f"Pairs, copies first, {PAIRS_PER_PAGE} per page")
    def api_pairs(page_number: Annotated[int, Query(alias="page", ge=1)] = 1) -> dict:
        def listed() -> dict:
            rows, pages = views.pair_list(page_number)
            return {"page": page_number, "pages": pages, "total": len(views.pairs), "pairs": rows}

        return cached_json(("pairs", page_number), listed)

    @app.get("/api/pairs/{key}", tags=["views"], summary="One pair: texts (one page of them), passages, edits, credit, direction")
    def api_pair(key: str, page_number: Annotated[int, Query(alias="page", ge=1)] = 1) -> dict:
        return cached_json(("pair", key, page_number), lambda: views.pair(key, page_number))

    @app.get("/api/documents/{key}", tags=["views"], summary="One document: metadata, cascade, pairs")
    def api_document(key: str) -> dict:
        return cached_json(("document", key), lambda: views.document(key))

    @app.get("/api/search", tags=["search"], summary="Documents by URL or title, or the documents that carry a text, earliest first")
    def api_search(
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="A pasted paragraph.")] = "",
        url: Annotated[str, Query(max_length=4000)] = "",
        title: Annotated[str, Query(max_length=1000)] = "",
    ) -> dict:
        if not (q.strip() or url.strip() or title.strip()):
            raise RequestValidationError([{"loc": ("query", "q"), "msg": "give q, url or title", "type": "value_error"}])
        return run_search(q, url, title)

    @app.post("/api/compare", tags=["search"], summary="Compare two texts: passages, edits, credit, direction")
    def api_compare(body: CompareRequest) -> dict:
        return compare_texts(body.text_a, body.text_b).to_dict()

    def run_search(q: str, url: str, title: str) -> dict:
        found: dict = {"by_url": None, "by_title": None, "by_text": None}
        if url.strip():
            found["by_url"] = searcher.by_url(url)
        if title.strip():
            found["by_title"] = searcher.by_title(title)
        if q.strip():
            found["by_text"] = searcher.by_text(q)
        return found

    return app


async def _uploaded_text(upload: UploadFile | None, name: str) -> str:
    """An uploaded file as text; ValueError when it is not UTF-8 text."""
    if upload is None or not upload.filename:
        return ""
    data = await upload.read(MAX_COMPARE_CHARS * 4 + 1)
    if len(data) > MAX_COMPARE_CHARS * 4:
        raise ValueError(f"{name} ({upload.filename}) is larger than {MAX_COMPARE_CHARS * 4:,} bytes")
    if b"\x00" in data[:8192]:
        raise ValueError(f"{name} ({upload.filename}) is not a text file (it holds binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name} ({upload.filename}) is not UTF-8 text: byte {error.start} cannot be decoded") from None


def serve(workspace: str | Path, host: str = "127.0.0.1", port: int = 8000, allow_hosts: tuple[str, ...] = ()) -> None:
    """Run the app with uvicorn until interrupted; it answers to the local names, ``host`` and
    ``allow_hosts``."""
    import uvicorn

    uvicorn.Server(server_config(workspace, host, port, allow_hosts)).run()


def server_config(workspace: str | Path, host: str = "127.0.0.1", port: int = 8000, allow_hosts: tuple[str, ...] = ()):
    """The uvicorn configuration of :func:`serve`."""
    import uvicorn

    app = create_app(workspace, server_names(host, allow_hosts))
    # h11 takes request heads up to this size (past it the connection is dropped, no answer):
    # room for the longest search, so that one longer still is answered by Guard with its reason.
    return uvicorn.Config(app, host=host, port=port, log_level="warning", h11_max_incomplete_event_size=MAX_URL_BYTES + 65_536)


def server_names(host: str, allow_hosts: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The host names a server listening on ``host`` answers to: the local ones, ``host`` itself
    (unless it is every address, 0.0.0.0 or ::, which names no host) and ``allow_hosts``."""
    own = () if host in ("0.0.0.0", "::", "") else (host,)
    return tuple(dict.fromkeys([*LOCAL_HOSTS, *own, *allow_hosts]))

