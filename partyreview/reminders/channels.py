"""The outward channels: e-mail over SMTP and the group robots of 企业微信 and 钉钉 over HTTP.

Each send either returns (the far side accepted the message) or raises ``SendError`` saying whether a
later attempt may succeed (``transient``: a refused connection, a timeout, an SMTP 4xx, an HTTP 5xx, a
robot's rate limit) or not (an SMTP 5xx, a wrong webhook address, a bad signature). The task layer retries
the transient ones with backoff and records the rest as failed at once.

HTTP uses the standard library: two JSON POSTs do not justify another dependency.
"""

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

# Robot answers that mean "too many messages, try later" (企业微信 45009, 钉钉 130101 and 660026).
RATE_LIMIT_CODES = {45009, 130101, 660026}


class SendError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        raise _smtp_error(exc) from exc


def _smtp_error(exc: Exception) -> SendError:
    # SMTPException is an OSError: test the SMTP cases before the generic network ones.
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "；".join(f"{addr} {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items())
        return SendError(f"邮件服务器拒收收件人：{detail}", transient=all(400 <= c < 500 for c in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        transient = 400 <= exc.smtp_code < 500
        what = "暂时拒收" if transient else "拒收"
        return SendError(f"邮件服务器{what}（{exc.smtp_code}）：{_text(exc.smtp_error)}", transient=transient)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return SendError(f"邮件服务器断开连接：{exc}", transient=True)
    if isinstance(exc, smtplib.SMTPException):
        return SendError(f"邮件发送失败：{exc}", transient=False)
    if isinstance(exc, TimeoutError):
        return SendError(f"连接邮件服务器超时：{exc}", transient=True)
    if isinstance(exc, OSError):
        return SendError(f"无法连接邮件服务器：{exc}", transient=True)
    return SendError(f"邮件发送失败：{type(exc).__name__}: {exc}", transient=False)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# ---- group robots -----------------------------------------------------------------------------------


def wecom_payload(*, markdown: str) -> dict:
    """企业微信群机器人 markdown message."""
    return {"msgtype": "markdown", "markdown": {"content": markdown}}


def dingtalk_payload(*, title: str, markdown: str) -> dict:
    """钉钉自定义机器人 markdown message; ``title`` is what the chat list shows."""
    return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """钉钉 "加签": HMAC-SHA256 over "timestamp\\nsecret" keyed with the secret, Base64, then URL-encoded,
    passed as the ``timestamp`` and ``sign`` query parameters. The robot refuses a timestamp more than an
    hour off, so it is taken at sending time, every attempt anew."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def post_webhook(*, kind: str, url: str, secret: str, title: str, markdown: str) -> None:
    if kind == "dingtalk":
        payload = dingtalk_payload(title=title, markdown=markdown)
        if secret:
            url = dingtalk_signed_url(url, secret)
    else:
        payload = wecom_payload(markdown=markdown)
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise SendError("Webhook 地址须以 http:// 或 https:// 开头。", transient=False)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.REMINDER_WEBHOOK_TIMEOUT) as response:  # noqa: S310
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        transient = exc.code >= 500 or exc.code == 429
        raise SendError(f"群机器人接口返回 HTTP {exc.code}", transient=transient) from exc
    except TimeoutError as exc:
        raise SendError(f"连接群机器人接口超时：{exc}", transient=True) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"无法连接群机器人接口：{reason}", transient=True) from exc
    _check_robot_answer(body)


def _check_robot_answer(body: bytes) -> None:
    """Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a refusal."""
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # A gateway or a compatible in-house robot that answers 200 without JSON has taken the message.
        return
    if not isinstance(answer, dict):
        return
    code = answer.get("errcode", 0)
    if code in (0, "0", None):
        return
    message = answer.get("errmsg", "")
    raise SendError(f"群机器人拒收（errcode {code}）：{message}", transient=code in RATE_LIMIT_CODES)
