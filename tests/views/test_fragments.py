"""Rows, cards and filter options rendered once per process (tracker/fragments.py), and links
built once per process (tracker/urls.py): what a reader sees is what a fresh render would show."""
import re
from pathlib import Path

import pytest
from flask import request
from jinja2 import nodes
from jinja2.meta import find_referenced_templates, find_undeclared_variables

from tests.conftest import login
from tests.factories import make_idea, make_team
from tracker import fragments, services
from tracker.extensions import db
from tracker.fragments import MACRO_TEMPLATES, MACROS, PAGE_NAMES

# Filters that depend on their value and the page's language alone (not `age`: that is the clock).
PURE_FILTERS = {"number", "hours", "join", "urlencode", "e", "escape", "string", "int", "length"}


def outside_names(app, source: str) -> tuple[set[str], set[str]]:
    """What a template reads besides its macros' arguments and the page's language, and which
    filters it uses that are not a function of their value and the language."""
    ast = app.jinja_env.parse(source)
    macros = {macro.name for macro in ast.find_all(nodes.Macro)}
    names = find_undeclared_variables(ast) - PAGE_NAMES - macros
    filters = {f.name for f in ast.find_all(nodes.Filter)} - PURE_FILTERS
    return names, filters


@pytest.mark.parametrize("template", MACRO_TEMPLATES)
def test_a_memoised_macro_reads_only_its_arguments_and_the_language(app, template):
    source, _, _ = app.jinja_env.loader.get_source(app.jinja_env, template)
    assert outside_names(app, source) == (set(), set())


def test_every_fragment_call_renders_a_checked_macro(app):
    """fragment() keys on the macro's name: each name once among the checked templates, each
    in the template MACROS names, and every call in the templates names one of them."""
    env = app.jinja_env
    defined = [(macro.name, template) for template in MACRO_TEMPLATES
               for macro in env.parse(env.loader.get_source(env, template)[0]).find_all(nodes.Macro)]
    assert len(defined) == len(dict(defined))
    assert set(MACROS.items()) <= set(defined)
    called = set()
    for name in env.list_templates(extensions=["html"]):
        called |= set(re.findall(r"fragment\(\s*[\"'](\w+)[\"']", env.loader.get_source(env, name)[0]))
    # and from Python (a board column's cards: fragments.board_cards)
    called |= set(re.findall(r"fragment\(context,\s*[\"'](\w+)[\"']", Path(fragments.__file__).read_text()))
    assert called == set(MACROS), set(MACROS) ^ called


def test_what_a_kept_macro_imports_is_checked_too(app):
    env = app.jinja_env
    for template in MACRO_TEMPLATES:
        used = set(find_referenced_templates(env.parse(env.loader.get_source(env, template)[0])))
        assert used <= set(MACRO_TEMPLATES), template


def test_the_check_notices_the_reader_and_the_clock(app):
    source = "{% macro card(idea) %}{{ current_user.name }} {{ idea.created_at|age }} {{ _('x') }}{% endmacro %}"
    assert outside_names(app, source) == ({"current_user"}, {"age"})


def row_of(page: str, idea_id: int) -> str:
    match = re.search(rf'<li class="idea-row">(?:(?!</li>).)*href="/ideas/{idea_id}".*?</li>', page, re.S)
    assert match, f"no row for item {idea_id}"
    return match.group(0)


def card_of(page: str, idea_id: int) -> str:
    match = re.search(rf'<li class="board-card"[^>]*data-idea-id="{idea_id}".*?</li>', page, re.S)
    assert match, f"no card for item {idea_id}"
    return match.group(0)


@pytest.mark.parametrize("path, macro, shown, before, after, german", [
    ("/", "idea_row", row_of, ['<span class="score-number">0</span>'],
     ['<span class="score-number">1</span>', 'aria-label="1 vote"', "<dd>1.5</dd>"],  # 30 + 60 minutes a week
     ['aria-label="1 Stimme"', "<dd>1,5</dd>", "Ärgernis"]),
    ("/board", "board_card", card_of, ["0 votes", "Move…"], ["1 vote<", "1.5 h/week lost"],
     ["1 Stimme", "1,5 Std./Woche verloren", "Verschieben…", "Ärgernis"]),
])
def test_a_kept_row_or_card_shows_the_count_after_a_vote_and_each_language_its_words(
        app, login_as, employee, leader, colleague, path, macro, shown, before, after, german):
    idea = make_idea(employee, title="Paper travel form")
    client = login_as(leader)
    page = shown(client.get(path).get_data(as_text=True), idea.id)
    assert any(key[0] == macro for key in app.extensions["nebenan.fragments"])  # kept, and shown again
    assert "Paper travel form" in page and all(text in page for text in before), page
    services.cast_vote(idea, colleague, 60)
    page = shown(client.get(path).get_data(as_text=True), idea.id)
    assert all(text in page for text in after), page
    client.post("/settings", data={"locale": "de"})
    page = shown(client.get(path).get_data(as_text=True), idea.id)
    assert all(text in page for text in german), page


def test_a_changed_title_shows_at_once(login_as, employee, colleague):
    idea = make_idea(employee, title="First title")
    client = login_as(colleague)
    assert "First title" in row_of(client.get("/").get_data(as_text=True), idea.id)
    services.update_idea(idea, employee, title="Second title", description=idea.description, kind=idea.kind,
                         category=idea.category, team=idea.team, minutes_per_week=idea.minutes_per_week,
                         anonymous=idea.anonymous)
    row = row_of(client.get("/").get_data(as_text=True), idea.id)
    assert "Second title" in row and "First title" not in row


def test_the_same_card_offers_a_move_only_to_who_may_move_it(app, employee, leader, colleague):
    idea = make_idea(employee, title="Holiday request on paper")
    leaders, employees = app.test_client(), app.test_client()
    login(leaders, leader)
    login(employees, colleague)
    move = f'href="/ideas/{idea.id}/move?next=/board%3Fteam%3D"'
    assert move in leaders.get("/board?team=").get_data(as_text=True)
    employees_board = employees.get("/board?team=").get_data(as_text=True)
    assert "Holiday request on paper" in employees_board and move not in employees_board and "Move…" not in employees_board
    assert move in leaders.get("/board?team=").get_data(as_text=True)


def test_the_team_filter_keeps_its_choice_in_both_pages(login_as, employee, team):
    other = make_team("Vertrieb")
    client = login_as(employee)
    chosen = f'<option value="{other.id}" selected>Vertrieb</option>'
    assert chosen in client.get(f"/?team={other.id}").get_data(as_text=True)
    assert chosen in client.get(f"/board?team={other.id}").get_data(as_text=True)
    unchosen = client.get("/").get_data(as_text=True)
    assert f'<option value="{other.id}" >Vertrieb</option>' in unchosen


def test_links_follow_where_the_app_is_mounted(login_as, employee, leader):
    idea = make_idea(employee)
    client = login_as(leader)
    for page in ("/", "/board"):
        mounted = client.get(page, environ_overrides={"SCRIPT_NAME": "/nebenan"}).get_data(as_text=True)
        assert f'href="/nebenan/ideas/{idea.id}"' in mounted, page
        plain = client.get(page).get_data(as_text=True)
        assert f'href="/ideas/{idea.id}"' in plain and "/nebenan/" not in plain, page


def test_a_move_returns_to_the_board_as_filtered_without_made_up_parameters(login_as, employee, leader):
    idea = make_idea(employee)
    board = login_as(leader).get("/board?kind=pain_point&junk=%3Cx%3E&team=mine").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}/move?next=/board%3Fkind%3Dpain_point%26team%3Dmine"' in board
    assert not any("junk" in link for link in re.findall(r'move\?next=[^"]*', board))
    unknown_kind = login_as(leader).get("/board?kind=bogus").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}/move?next=/board"' in unknown_kind


def test_long_made_up_values_are_linked_but_not_kept(app):
    from tracker import urls

    with app.test_request_context("/"):
        page_url_for = urls.for_request(app, request)
        long, short = "x" * (urls.MAX_VALUE + 1), "fax"
        assert page_url_for("ideas.index", q=long) == "/?q=" + long
        assert page_url_for("ideas.index", q=short) == "/?q=fax"
    kept = [key for key in app.extensions["nebenan.urls"] if key[1] == "ideas.index"]
    assert ("", "ideas.index", ("q", short)) in kept and not any(("q", long) in key for key in kept)


def test_while_templates_reload_rows_cards_and_options_render_afresh(app, login_as, employee, leader, monkeypatch):
    """Development (templates reloaded as they change): nothing kept, the same HTML."""
    idea = make_idea(employee, title="Paper travel form")
    client = login_as(leader)
    kept = client.get("/").get_data(as_text=True), client.get("/board").get_data(as_text=True)
    monkeypatch.setattr(app.jinja_env, "auto_reload", True)
    app.extensions["nebenan.fragments"].clear()
    fresh = client.get("/").get_data(as_text=True), client.get("/board").get_data(as_text=True)
    assert app.extensions["nebenan.fragments"] == {}
    assert row_of(fresh[0], idea.id) == row_of(kept[0], idea.id)
    assert card_of(fresh[1], idea.id) == card_of(kept[1], idea.id)
    assert fresh[1].count('class="board-card"') == kept[1].count('class="board-card"') == 1
    assert fresh[0].count("<option") == kept[0].count("<option")


def current_entries(page: str) -> list[str]:
    """The header's links marked as the page shown."""
    header = page.split("</header>", 1)[0]
    return [re.sub(r"<[^>]+>|\s+", " ", text).split(":")[0].strip()
            for text in re.findall(r'aria-current="page"[^>]*>(.*?)</a>', header, re.S)]


def test_the_header_marks_the_page_shown_for_each_reader(app, admin, employee, colleague):
    admins, employees, colleagues = app.test_client(), app.test_client(), app.test_client()
    login(admins, admin)
    login(employees, employee)
    login(colleagues, colleague)
    for path, entry in [("/", "All items"), ("/?mine=1&sort=newest", "Mine"), ("/board", "Board"),
                        ("/implemented", "You said, we did"), ("/notifications", "Notifications"),
                        ("/admin/users", "Administration"), ("/ideas/new", None), ("/", "All items")]:
        page = admins.get(path).get_data(as_text=True)
        assert current_entries(page) == ([entry] if entry else []), path
        assert "Administration" in page and "Ada Admin" in page
        if path.startswith("/admin"):
            continue
        for client, name, other in ((employees, "Erika Mustermann", "Max Muster"),
                                    (colleagues, "Max Muster", "Erika Mustermann")):
            page = client.get(path).get_data(as_text=True)
            assert current_entries(page) == ([entry] if entry else []), path
            assert "Administration" not in page and name in page and other not in page and "Ada Admin" not in page


def test_two_readers_in_one_language_each_get_their_own_name_and_token(app, employee, colleague):
    first, second = app.test_client(), app.test_client()
    login(first, employee)
    login(second, colleague)
    pages = [client.get(path).get_data(as_text=True) for path in ("/", "/board") for client in (first, second)]
    # A signed token carries the second it was signed in: compare the session's token inside it.
    tokens = [{token.split(".")[0] for token in re.findall(r'name="csrf_token" value="([^"]+)"', page)}
              for page in pages]
    assert all(len(found) == 1 for found in tokens)
    assert tokens[0] == tokens[2] and tokens[1] == tokens[3] and tokens[0] != tokens[1]
    assert "Erika Mustermann" in pages[0] and "Max Muster<" not in pages[0]
    assert "Max Muster<" in pages[1] and "Erika Mustermann" not in pages[1]


def test_the_header_and_footer_speak_the_readers_language(app, employee, colleague):
    first, second = app.test_client(), app.test_client()
    login(first, employee)
    login(second, colleague)
    second.post("/settings", data={"locale": "de"})
    english, german = first.get("/").get_data(as_text=True), second.get("/").get_data(as_text=True)
    assert "Report something" in english and 'lang="en" class="button-link"\n                aria-describedby="language-label" aria-pressed="true"' in english
    assert "Etwas melden" in german and 'lang="de" class="button-link"\n                aria-describedby="language-label" aria-pressed="true"' in german


@pytest.mark.parametrize("query, chosen", [
    ("?sort=newest&kind=idea&status=planned&mine=1", ['<option value="newest" selected>', '<option value="idea" selected>',
                                                       '<option value="planned" selected>', 'id="mine" name="mine" value="1" checked']),
    ("?sort=bogus&kind=%3Cb%3E&status=nope", ['<option value="votes" selected>']),
])
def test_the_list_filters_show_what_the_list_understood(login_as, employee, query, chosen):
    page = login_as(employee).get("/" + query).get_data(as_text=True)
    form = page.split('class="filters card"', 1)[1].split("</form>", 1)[0]
    assert all(text in form for text in chosen), form
    assert form.count(" selected>") == len([t for t in chosen if "selected" in t])


def test_made_up_filter_values_keep_no_more_fragments(app, login_as, employee, leader):
    make_idea(employee)
    client = login_as(leader)
    for path in ("/", "/board?team=", "/board?team=mine"):
        client.get(path)
    kept = len(app.extensions["nebenan.fragments"])
    for n in range(1, 30):
        client.get(f"/?category={900 + n}&team={900 + n}&sort=x{n}&kind=y{n}&status=z{n}")
        board = client.get(f"/board?team=%3Cb%3E{n}&category={900 + n}&kind=k{n}").get_data(as_text=True)
        assert "<b>" not in board and 'value="" selected>All teams' in board
    assert len(app.extensions["nebenan.fragments"]) == kept


def test_a_board_column_links_to_all_its_items_with_the_count_of_now(app, login_as, employee, leader, monkeypatch):
    monkeypatch.setitem(app.config, "BOARD_CARDS_PER_COLUMN", 1)
    make_idea(employee, title="Travel form")
    client = login_as(leader)
    assert "show-all" not in client.get("/board?team=&kind=bogus").get_data(as_text=True)
    make_idea(employee, title="Second travel form")
    board = client.get("/board?team=&kind=bogus").get_data(as_text=True)
    assert ('<a href="/?status=new&amp;team=&amp;category=&amp;kind=&amp;sort=votes">Show all 2'
            '<span class="visually-hidden"> New</span></a>') in board
    assert re.search(r'id="col-new" class="column-title">New\s*<span class="column-count">2</span>', board)
    client.post("/settings", data={"locale": "de"})
    assert '<span class="visually-hidden"> Neu</span>' in client.get("/board?team=").get_data(as_text=True)


def comment_field(page: str) -> str:
    """The comment form's field: label, textarea, help and errors."""
    return re.search(r'<div class="field\s*[^"]*">\s*<label for="body".*?</div>', page, re.S).group(0)


def test_the_empty_comment_field_is_the_forms_own_and_a_refused_comment_keeps_its_text(app, login_as, employee):
    idea = make_idea(employee)
    client = login_as(employee)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    field = re.sub(r"\s+", " ", comment_field(page))
    assert field == ('<div class="field "> <label for="body">Comment</label> '
                     '<textarea id="body" maxlength="5000" name="body" required rows="3"> </textarea> </div>'), field

    refused = client.post(f"/ideas/{idea.id}/comments", data={"body": "<b>long</b> " + "x" * 5000})
    assert refused.status_code == 422
    field = comment_field(refused.get_data(as_text=True))
    assert 'aria-invalid="true"' in field and "&lt;b&gt;long&lt;/b&gt; xxx" in field and "<b>" not in field
    again = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert comment_field(again) == comment_field(page)
    client.post("/settings", data={"locale": "de"})
    assert ">Kommentar</label>" in comment_field(client.get(f"/ideas/{idea.id}").get_data(as_text=True))


def test_the_waiting_panel_shows_each_items_age_and_votes_of_now(login_as, employee, leader, colleague):
    from datetime import timedelta

    from tracker.models import utcnow

    idea = make_idea(employee, title="Old unanswered")
    idea.created_at = utcnow() - timedelta(days=20)
    db.session.commit()
    client = login_as(leader)

    def panel():
        return client.get("/").get_data(as_text=True).split('id="waiting-heading"')[1].split("</section>")[0]

    assert "· 3 weeks ago · 0 votes</span>" in panel()
    services.cast_vote(idea, colleague)
    idea.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    assert "· 1 month ago · 1 vote</span>" in panel()
    client.post("/settings", data={"locale": "de"})
    assert "· vor 1 Monat · 1 Stimme</span>" in panel() and "Wartet auf Rückmeldung" in panel()
