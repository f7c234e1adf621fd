"""The dashboard: a FastAPI app of server-rendered pages over one workspace's memory.

Pages are plain HTML from Jinja2 templates; the only script (``/live.js``) polls a small JSON
stamp while a session runs and swaps the page's live part when the stamp changes, so the pages
work without JavaScript too and need no network beyond this server. The app reads the SQLite
store through one connection (WAL lets it read while ``adrs run`` writes in another process).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from adrs.report.data import session_facts
from adrs.web import security, views
from adrs.web.svg import score_chart
from graph import control
from graph.board import DOING, board_line
from memory.records import Session
from memory.store import Store, open_store
from memory.vocabulary import SessionStatus

TEMPLATES = Path(__file__).with_name("templates")
REPORT_TEMPLATES = Path(__file__).parent.parent / "report" / "templates"
LIVE_JS = Path(__file__).with_name("live.js")
#: Session statuses during which pages keep polling for changes (a requested pause is an event:
#: the status stays running).
LIVE_STATUSES = {SessionStatus.CREATED, SessionStatus.RUNNING, SessionStatus.AWAITING_APPROVAL}
#: SQLite stores integers in signed 64 bits; a larger id names nothing (and overflows a query).
MAX_ID = 2**63 - 1


def path_int(text: str, what: str) -> int:
    """``text`` of a URL as a row id or iteration, or a 404 naming ``what``. Only ASCII digits
    within SQLite's range pass: anything else names no row, and letting FastAPI parse it would
    answer 422 for letters and 500 (SQLite overflow) for a huge number."""
    digits = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or len(digits) > 19 or int(digits) > MAX_ID:
        raise HTTPException(404, f"no {what} {text!r}")
    return int(digits)


def _environment() -> Environment:
    # Templates end in .j2, which select_autoescape() would leave unescaped: escape always.
    # The report's folder too: the pages share its partials (every declared metric).
    env = Environment(
        loader=FileSystemLoader([TEMPLATES, REPORT_TEMPLATES]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = lambda v: "–" if v is None else f"{v:.6g}"
    env.filters["usd"] = lambda v: f"${(v or 0):.4f}"
    env.globals["badges"] = views.BADGES
    env.globals["doing"] = DOING
    env.filters["board"] = board_line
    env.globals["pygments_css"] = Markup(views.pygments_css())
    return env


def create_app(
    workspace: str | Path,
    token: str | None = None,
    host: str = "127.0.0.1",
    allow_hosts: Iterable[str] = (),
) -> FastAPI:
    """The dashboard of ``workspace``; with ``token`` every request must carry it. Requests
    must name ``host`` (the address bound), loopback, an IP literal or one of ``allow_hosts``
    (see security.allowed_hosts), so a DNS-rebinding page cannot read it."""
    allowed = security.allowed_hosts(host, allow_hosts)
    app = FastAPI(title="ADRS dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    env = _environment()
    store: Store = open_store(workspace)
    app.state.store = store

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if not security.host_allowed(request.headers.get("host"), allowed):
            return PlainTextResponse(
                security.MISDIRECTED_TEXT,
                status_code=security.MISDIRECTED,
                headers=security.SECURITY_HEADERS,
            )
        from_url = False
        if token is not None:
            given, from_url = security.token_of(
                dict(request.query_params), request.cookies, request.headers.get("authorization")
            )
            if not security.token_matches(given, token):
                return PlainTextResponse(
                    "unauthorized: open the dashboard with ?token=YOUR_TOKEN", status_code=401
                )
        response = await call_next(request)
        if from_url:
            response.set_cookie(security.COOKIE, token, httponly=True, samesite="strict")
        response.headers.update(security.SECURITY_HEADERS)
        return response

    def page(name: str, **context) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context))

    def session_or_404(ref: str):
        session = store.session_by_name(ref)
        if session is None:
            session = store.get_session(path_int(ref, "session"))
        if session is None:
            raise HTTPException(404, f"no session {ref!r}")
        return shown(session)

    def shown(session: Session) -> Session:
        """The session as pages show it: "running" with no live process is "interrupted"."""
        return dataclasses.replace(session, status=store.live_status(session))

    @app.get("/", response_class=HTMLResponse)
    def sessions_list() -> HTMLResponse:
        sessions = [shown(s) for s in store.list_sessions()]
        return page(
            "sessions.html.j2",
            sessions=sessions,
            title="Sessions",
            live=any(s.status in LIVE_STATUSES for s in sessions),
            stamp=views.workspace_stamp(store),
        )

    @app.get("/sessions/{ref}", response_class=HTMLResponse)
    def session_view(ref: str) -> HTMLResponse:
        session = session_or_404(ref)
        facts = session_facts(store, session.id)
        heldout = session_facts(store, session.id, "heldout")
        return page(
            "session.html.j2",
            title=session.name,
            session=session,
            facts=facts,
            chart=score_chart(facts),
            tree=views.lineage_rows(store, session.id),
            heldout_chart=score_chart(heldout) if heldout.points else "",
            verdicts=views.session_verdicts(store, session.id),
            iterations=views.iteration_numbers(store, session.id),
            directives=store.directives(session.id),
            live=session.status in LIVE_STATUSES,
            plan=control.pending_plan(store, session.id),
            paused=control.is_paused(store, session.id),
            stamp=views.stamp(store, session.id),
            lanes=store.lanes(session.id) if session.status in LIVE_STATUSES else [],
        )

    @app.get("/sessions/{ref}/programs/{program}", response_class=HTMLResponse)
    def program_view(ref: str, program: str) -> HTMLResponse:
        session = session_or_404(ref)
        program_id = path_int(program, "program")
        try:
            data = views.program_page(store, program_id)
        except KeyError:
            raise HTTPException(404, f"no program {program_id}") from None
        if data["program"].session_id != session.id:
            raise HTTPException(404, f"no program {program_id} in session {session.name}")
        return page("program.html.j2", title=f"#{program_id}", session=session, **data)

    @app.get("/sessions/{ref}/iterations/{number}", response_class=HTMLResponse)
    def iteration_view(ref: str, number: str) -> HTMLResponse:
        session = session_or_404(ref)
        iteration = path_int(number, "iteration")
        return page(
            "iteration.html.j2",
            title=f"{session.name} iteration {iteration}",
            session=session,
            live=session.status in LIVE_STATUSES,
            stamp=views.stamp(store, session.id),
            **views.iteration_page(store, session.id, iteration),
        )

    @app.get("/api/sessions/{ref}/stamp")
    def session_stamp(ref: str) -> JSONResponse:
        session = session_or_404(ref)
        return JSONResponse(
            {
                "stamp": views.stamp(store, session.id),
                "status": session.status,
                "live": session.status in LIVE_STATUSES,
            }
        )

    @app.get("/api/stamp")
    def workspace_stamp() -> JSONResponse:
        live = any(shown(s).status in LIVE_STATUSES for s in store.list_sessions())
        return JSONResponse({"stamp": views.workspace_stamp(store), "status": "", "live": live})

    @app.get("/live.js")
    def live_js() -> Response:
        return Response(LIVE_JS.read_text(), media_type="text/javascript")

    @app.get("/healthz")
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.exception_handler(HTTPException)
    async def not_found(request: Request, exc: HTTPException) -> HTMLResponse:
        html = env.get_template("error.html.j2").render(title="Not found", message=exc.detail)
        return HTMLResponse(html, status_code=exc.status_code)

    return app
