"""The dashboard: a FastAPI app of server-rendered pages over one workspace's memory.

Pages are plain HTML from Jinja2 templates; the only script (``/live.js``) polls a small JSON
stamp while a session runs and swaps the page's live part when the stamp changes, so the pages
work without JavaScript too and need no network beyond this server. The app reads the SQLite
store through one connection (WAL lets it read while ``adrs run`` writes in another process).
"""

from __future__ import annotations

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
from memory.store import Store, open_store

TEMPLATES = Path(__file__).with_name("templates")
LIVE_JS = Path(__file__).with_name("live.js")
#: Session statuses during which pages keep polling for changes.
LIVE_STATUSES = {"created", "running", "paused", "awaiting_approval"}


def _environment() -> Environment:
    # Templates end in .j2, which select_autoescape() would leave unescaped: escape always.
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["score"] = lambda v: "–" if v is None else f"{v:.6g}"
    env.filters["usd"] = lambda v: f"${(v or 0):.4f}"
    env.globals["badges"] = views.BADGES
    env.globals["doing"] = DOING
    env.filters["board"] = board_line
    env.globals["pygments_css"] = Markup(views.pygments_css())
    return env


def create_app(workspace: str | Path, token: str | None = None) -> FastAPI:
    """The dashboard of ``workspace``; with ``token`` every request must carry it."""
    app = FastAPI(title="ADRS dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    env = _environment()
    store: Store = open_store(workspace)
    app.state.store = store

    @app.middleware("http")
    async def guard(request: Request, call_next):
        from_url = False
        if token is not None:
            given, from_url = security.token_of(dict(request.query_params), request.cookies,
                                                request.headers.get("authorization"))
            if not security.token_matches(given, token):
                return PlainTextResponse(
                    "unauthorized: open the dashboard with ?token=YOUR_TOKEN", status_code=401)
        response = await call_next(request)
        if from_url:
            response.set_cookie(security.COOKIE, token, httponly=True, samesite="strict")
        response.headers.update(security.SECURITY_HEADERS)
        return response

    def page(name: str, **context) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context))

    def session_or_404(ref: str):
        session = store.session_by_name(ref)
        if session is None and ref.isdigit():
            session = store.get_session(int(ref))
        if session is None:
            raise HTTPException(404, f"no session {ref!r}")
        return session

    @app.get("/", response_class=HTMLResponse)
    def sessions_list() -> HTMLResponse:
        sessions = store.list_sessions()
        return page("sessions.html.j2", sessions=sessions, title="Sessions",
                    live=any(s.status in LIVE_STATUSES for s in sessions),
                    stamp=views.workspace_stamp(store))

    @app.get("/sessions/{ref}", response_class=HTMLResponse)
    def session_view(ref: str) -> HTMLResponse:
        session = session_or_404(ref)
        facts = session_facts(store, session.id)
        heldout = session_facts(store, session.id, "heldout")
        return page(
            "session.html.j2", title=session.name, session=session, facts=facts,
            chart=score_chart(facts), tree=views.lineage_rows(store, session.id),
            heldout_chart=score_chart(heldout) if heldout.points else "",
            verdicts=views.session_verdicts(store, session.id),
            iterations=views.iteration_numbers(store, session.id),
            directives=store.directives(session.id), live=session.status in LIVE_STATUSES,
            plan=control.pending_plan(store, session.id),
            paused=control.is_paused(store, session.id),
            stamp=views.stamp(store, session.id),
            lanes=store.lanes(session.id) if session.status in LIVE_STATUSES else [],
        )

    @app.get("/sessions/{ref}/programs/{program_id}", response_class=HTMLResponse)
    def program_view(ref: str, program_id: int) -> HTMLResponse:
        session = session_or_404(ref)
        try:
            data = views.program_page(store, program_id)
        except KeyError:
            raise HTTPException(404, f"no program {program_id}") from None
        if data["program"].session_id != session.id:
            raise HTTPException(404, f"no program {program_id} in session {session.name}")
        return page("program.html.j2", title=f"#{program_id}", session=session, **data)

    @app.get("/sessions/{ref}/iterations/{iteration}", response_class=HTMLResponse)
    def iteration_view(ref: str, iteration: int) -> HTMLResponse:
        session = session_or_404(ref)
        return page("iteration.html.j2", title=f"{session.name} iteration {iteration}",
                    session=session, live=session.status in LIVE_STATUSES,
                    stamp=views.stamp(store, session.id),
                    **views.iteration_page(store, session.id, iteration))

    @app.get("/api/sessions/{ref}/stamp")
    def session_stamp(ref: str) -> JSONResponse:
        session = session_or_404(ref)
        return JSONResponse({"stamp": views.stamp(store, session.id), "status": session.status,
                             "live": session.status in LIVE_STATUSES})

    @app.get("/api/stamp")
    def workspace_stamp() -> JSONResponse:
        live = any(s.status in LIVE_STATUSES for s in store.list_sessions())
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
