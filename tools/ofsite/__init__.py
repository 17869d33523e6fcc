"""ofsite: a local, faithful stand-in for onlyfans.com's creator chat pages.

HTTPS pages, the signed ``/api2/v2`` REST API, the ``wss://onlyfans.com/ws3/<n>`` socket
and a ``/_sim`` control API for tests (fan messages and updates, throttling, the request
log, the ground truth), over a ``tools.ofsim`` inbox. See README.md.

    python -m tools.ofsite --port 8443 [--creator 300000] [--chats 20] [--messages N]
                           [--seed 1] [--rate-limit N]

In-process: ``create_app(SiteState(...))``.
"""

from tools.ofsite.app import create_app
from tools.ofsite.auth import sign
from tools.ofsite.state import Secrets, SiteState

__all__ = ["Secrets", "SiteState", "create_app", "sign"]
