"""Sending one e-mail over SMTP with the MAIL_* settings. Without MAIL_SERVER
nothing is sent (mail_configured() is False): the caller leaves its messages
waiting and says where to look instead.

A failure is classified for the outbox: TemporaryMailError (a 4xx reply, a
refused or dropped connection, a timeout: try again later) or
PermanentMailError (a 5xx reply: do not try again)."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

from portal.domain.notifications import is_temporary_smtp_code


class MailError(Exception):
    pass


class TemporaryMailError(MailError):
    pass


class PermanentMailError(MailError):
    pass


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def sender() -> str:
    return current_app.config.get("MAIL_FROM") or "noreply@localhost"


class Mailer:
    """One SMTP connection for a batch of messages (opened on first use)."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                            timeout=float(config.get("MAIL_TIMEOUT") or 30))
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            self._raise(min(codes) if codes else 550, str(exc.recipients))
        except smtplib.SMTPResponseException as exc:
            self._raise(exc.smtp_code, exc.smtp_error.decode("utf-8", "replace")
                        if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error))
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            self.close()
            raise TemporaryMailError(f"verbinding met de mailserver mislukt: {exc}") from exc
        if refused:
            raise PermanentMailError(f"geweigerd: {refused}")

    def _raise(self, code: int, text: str) -> None:
        if is_temporary_smtp_code(code):
            self.close()  # a fresh connection for the next attempt
            raise TemporaryMailError(f"{code} {text}")
        raise PermanentMailError(f"{code} {text}")

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
