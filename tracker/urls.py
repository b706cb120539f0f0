"""`url_for` for the templates: each URL is built once per process.

A relative URL is a function of the endpoint, its values and where the app is mounted (the
request's root path), nothing else: this app registers no url_defaults hooks. Flask's url_for
does the same work on every call (the request's adapter and blueprint, the hooks, the rule's
builder: about 8 µs), and a board links each of its 56 cards twice. The page's context
binds `url_for` to this request's root path; a URL with options (`_external`, `_anchor`, …),
a blueprint-relative endpoint or a value that cannot be a dictionary key goes to Flask's
url_for unchanged.
"""
from collections.abc import Callable

from flask import Flask, Request, url_for

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
