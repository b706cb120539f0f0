"""`url_for` for the templates: each URL is built once per process.

A relative URL is a function of the endpoint, its values and where the app is mounted (the
request's root path), nothing else: this app registers no url_defaults hooks. Flask's url_for
does the same work on every call (the request's adapter and blueprint, the hooks, the rule's
builder: about 8 µs), and a board links each of its 56 cards twice. The page's context
binds `url_for` to this request's root path; a URL with options (`_external`, `_anchor`, …),
a blueprint-relative endpoint or a value that cannot be a dictionary key goes to Flask's
url_for unchanged.

Below it, where to send someone back to (safe_next, page_for): the login, the language switch,
the board's forms and the page of a refused form use them.
"""
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Request, current_app, request, url_for
from werkzeug.exceptions import HTTPException

MAX_URLS = 10_000  # the memo starts over when full
MAX_VALUE = 100  # longer values (from a made-up query string) are not kept: at most about 3 MB


def for_request(app: Flask, request: Request) -> Callable[..., str]:
    if any(app.url_default_functions.values()):  # a hook could add values: no memo
        return url_for
    memo = app.extensions.setdefault("nebenan.urls", {})
    root = request.root_path

    def page_url_for(endpoint: str, **values) -> str:
        key = (root, endpoint, *values.items())
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value
            return url_for(endpoint, **values)
        url = url_for(endpoint, **values)
        if endpoint[:1] != "." and not any(name[:1] == "_" or (type(value) is str and len(value) > MAX_VALUE)
                                           for name, value in values.items()):
            if len(memo) >= MAX_URLS:
                memo.clear()
            memo[key] = url
        return url

    return page_url_for


# Where to send someone back to: addresses taken from a form or the request, never another site.
def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no backslash tricks, no line breaks or other
    control characters (a header cannot hold them: the redirect would fail after the change it
    follows was saved)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target and target.isprintable():
            return target
    return url_for("ideas.index")


def page_for(target: str | None) -> str:
    """A page on this site to go to for `target`. After a refused form, or a form posted after
    the session ended, the address is the one the form was posted to, which takes no GET
    (/ideas/7/comments): then the nearest address above it that does (/ideas/7), the page the
    form belongs to."""
    path = safe_next(target)
    adapter = current_app.url_map.bind(request.host)
    segments = urlsplit(path).path.rstrip("/").split("/")
    for keep in range(len(segments), 0, -1):
        page = path if keep == len(segments) else "/".join(segments[:keep]) or "/"
        try:
            adapter.match(urlsplit(page).path, method="GET")
        except HTTPException:
            continue
        return page
    return url_for("ideas.index")
