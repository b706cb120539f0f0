"""Email through Flask-Mail, with a timeout so a dead mail server cannot hang a request, and
text that every mail server takes."""
import base64
import smtplib
from email.charset import QP, Charset
from email.mime.text import MIMEText

import flask_mail
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


class Message(flask_mail.Message):
    """Flask-Mail's message with its text in quoted-printable. Flask-Mail sends UTF-8 text as
    8bit, each line as long as typed, and mail servers refuse a line over 998 characters
    (RFC 5321): one long link in a comment kept that notification, and the others sent after
    it, from ever going out. Quoted-printable lines are at most 76 characters."""

    def _mimetext(self, text, subtype="plain"):
        charset = Charset("utf-8")
        charset.body_encoding = QP
        return MIMEText(text, _subtype=subtype, _charset=charset)


# Bytes of text per encoded word: "Subject: " and the word's base64 (52 characters) and frame
# stay within a 78-character line.
_WORD_BYTES = 39


def encoded_subject(subject: str) -> str:
    """The subject as RFC 2047 encoded words, one per folded line, each carrying its own spaces.
    Flask-Mail hands the header to the email package's SMTP policy, which refolds any line
    longer than 78 characters, and its refolding glues encoded words to the letters beside
    them ("f=?utf-8?q?=C3=BCr"), which strict mail readers show as they stand. Lines this
    short are sent as they are. An ASCII subject stays as it is."""
    if subject.isascii():
        return subject
    words, chunk = [], b""
    for character in subject:
        encoded = character.encode()
        if len(chunk) + len(encoded) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words)
