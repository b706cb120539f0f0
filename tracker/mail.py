"""Email through Flask-Mail, with a timeout so a dead mail server cannot hang a request."""
import smtplib

from flask import current_app
from flask_mail import Connection, Mail

SMTP_TIMEOUT_SECONDS = 10


class _TimeoutConnection(Connection):
    """Flask-Mail's connection, but smtplib gets a timeout (Flask-Mail passes none)."""

    def configure_host(self):
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=SMTP_TIMEOUT_SECONDS)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class TimeoutMail(Mail):
    def connect(self):
        return _TimeoutConnection(current_app.extensions["mail"])
