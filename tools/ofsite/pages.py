"""The creator's chat pages: ``/my/chats/`` and ``/my/chats/chat/<fanId>/`` (one HTML shell),
the app script with this run's static values, and the session cookies.

``/app.js`` is one bundle: the files of ``static/`` named in ``BUNDLE``, in that order, as
the body of one function (so, as in a webpack bundle, nothing in them is global). The
script's signing values play the part of the constants in OnlyFans' bundle; the cookies
are set on every page response that lacks them (``sess`` HttpOnly).
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tools.ofsite.state import SiteState

STATIC = Path(__file__).parent / "static"
NO_STORE = {"cache-control": "no-store"}
BUNDLE = (
    "config.js", "api.js", "text.js", "chat-list.js", "chat.js", "composer.js", "socket.js",
    "store.js", "app.js",
)  # fmt: skip


def app_bundle(config: dict[str, object]) -> str:
    """The ``BUNDLE`` files in one strict-mode function, with ``config`` filled in."""
    parts = [f"// ---- {name}\n" + (STATIC / name).read_text(encoding="utf-8") for name in BUNDLE]
    body = "\n".join(parts).replace("__OFSITE_CONFIG__", json.dumps(config))
    return '(function () {\n"use strict";\n\n' + body + "\n})();\n"


def page_router(state: SiteState) -> APIRouter:
    router = APIRouter()
    s = state.secrets
    config = {
        "signSecret": s.sign_secret,
        "appToken": s.app_token,
        "xbc": s.xbc,
        "userId": state.creator_id,
    }
    shell = (STATIC / "index.html").read_text(encoding="utf-8")
    script = app_bundle(config)
    style = (STATIC / "app.css").read_text(encoding="utf-8")

    def page(request: Request) -> HTMLResponse:
        response = HTMLResponse(shell, headers=NO_STORE)
        for name, value in s.cookies().items():
            if request.cookies.get(name) != value:
                response.set_cookie(
                    name, value, max_age=30 * 86400, path="/", secure=True,
                    httponly=name == "sess", samesite="lax",
                )  # fmt: skip
        return response

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/my/chats/", status_code=302)

    @router.get("/my/chats/")
    def chats_page(request: Request) -> HTMLResponse:
        return page(request)

    @router.get("/my/chats/chat/{fan_id}/")
    def chat_page(request: Request, fan_id: str) -> HTMLResponse:
        return page(request)

    @router.get("/app.js")
    def app_js() -> Response:
        return Response(script, media_type="text/javascript", headers=NO_STORE)

    @router.get("/app.css")
    def app_css() -> Response:
        return Response(style, media_type="text/css", headers=NO_STORE)

    @router.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    return router
