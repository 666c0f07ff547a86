"""Real servers on 127.0.0.1 for the reminder tests: an HTTP server standing in for the group robots and an
SMTP server (aiosmtpd) standing in for the mail server. Both record what they receive and can be told to
refuse for a while."""

import asyncio
import email
import email.policy
import json
import logging
import socket
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass
class RobotRequest:
    path: str
    query: dict[str, str]
    payload: dict


@dataclass
class RobotServer:
    """Answers like 企业微信 / 钉钉 robots: HTTP 200 with {"errcode": 0}; ``answer`` changes that."""

    requests: list[RobotRequest] = field(default_factory=list)
    status: int = 200
    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "RobotServer":
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                with robot.lock:
                    robot.requests.append(
                        RobotRequest(
                            path=parts.path,
                            query=dict(urllib.parse.parse_qsl(parts.query)),
                            payload=json.loads(body.decode("utf-8")),
                        )
                    )
                    status, answer = robot.status, robot.answer
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def url(self, path: str = "/robot/send") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class ReceivedMail:
    to: list[str]
    subject: str
    text: str
    html: str


class MailHandler:
    """Accepts mail unless told to refuse: ``refuse_all`` answers 451 (try later) to every message;
    ``refuse_forever`` answers 550 (never) to the addresses in it. With ``hold_replies`` a message is taken
    but its "250" waits until the flag is cleared — the sender cannot know yet whether it left (``held``
    counts those messages)."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.refused = 0
        self.refuse_all = False
        self.refuse_forever: set[str] = set()
        self.hold_replies = False
        self.held = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse_forever:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if self.refuse_all:
                self.refused += 1
                return "451 4.3.0 temporarily unable to accept, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        with self.lock:
            self.received.append(
                ReceivedMail(
                    to=list(envelope.rcpt_tos),
                    subject=str(message["Subject"]).strip(),
                    text=text.get_content() if text else "",
                    html=html.get_content() if html else "",
                )
            )
            holding = self.hold_replies
            if holding:
                self.held += 1
        while holding and self.hold_replies:
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp() -> tuple[Controller, MailHandler]:
    """An SMTP server on a free port of 127.0.0.1 (``controller.port``); stop it with ``controller.stop()``."""
    # aiosmtpd logs every SMTP command at INFO; a thousand mails would bury a failing test's output.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler
