"""Two routes the benchmark adds to the app, for comparison with its pages.

GET /_bench/ping answers "ok" through the same app, extensions and after-request hooks: the
ceiling of Flask + gunicorn on this machine. GET /_bench/floor is a page with nothing in it for
the logged-in user (session, user, the layout with its header and footer): what every page
costs before its own content."""
from flask import Flask, render_template
from flask_login import login_required


def add_to(app: Flask) -> Flask:
    empty_page = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

    @app.get("/_bench/ping")
    def bench_ping():
        return "ok"

    @app.get("/_bench/floor")
    @login_required
    def bench_floor():
        return render_template(empty_page)

    return app
