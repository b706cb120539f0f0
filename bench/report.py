"""The results: a table on the terminal, bench/results.md with the targets, bench/results.png,
and the table in the README between its bench markers."""
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .load import Measurement
from .pages import Page
from .queries import PageQueries

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
DB_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# The targets.
MAX_QUERIES = 10
MAX_GROWTH = 1.2      # p95 at the large size / p95 at the small size
MAX_P95_MS = 50.0
MIN_RATIO = 0.20      # throughput / the trivial route's


@dataclass
class Run:
    kind: str
    ideas: int
    counts: dict
    seed_seconds: float
    queries: dict[str, PageQueries]
    load: dict[str, Measurement]
    other_cpu: float | None = None  # share of the cores busy with other work just before the load test


@dataclass
class Settings:
    duration: float
    warmup: float
    workers: int
    repeat: int = 1
    threads: int = 2
    connections: int = 16
    notes: list[str] = field(default_factory=list)


def query_cell(run: Run, page: Page) -> str:
    if page.name not in run.queries and not page.vote:
        return "–"
    if page.vote:
        return f"{run.queries['vote']} / {run.queries['unvote']}"
    return str(run.queries[page.name])


def ratio(run: Run, page: Page) -> float:
    ceiling = run.load["ping"].rps
    return run.load[page.name].rps / ceiling if ceiling else 0.0


def rows(runs: list[Run], pages: list[Page]) -> list[list[str]]:
    out = []
    for kind in dict.fromkeys(r.kind for r in runs):
        for page in pages:
            for run in (r for r in runs if r.kind == kind):
                m = run.load[page.name]
                rps = f"{m.rps:,.0f}" + ("*" if m.disturbed else "")
                out.append([page.label, DB_LABELS[kind], f"{run.ideas:,}", rps, f"{m.p50_ms:.1f}",
                            f"{m.p95_ms:.1f}", f"{ratio(run, page):.0%}", query_cell(run, page)
                            + (f" ({m.errors} failed)" if m.errors else "")])
    return out


HEADER = ["Page", "Database", "Ideas", "req/s", "p50 ms", "p95 ms", "of trivial", "SQL / request"]


def text_table(table: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [HEADER, *table]) for i in range(len(HEADER))]
    right = {2, 3, 4, 5, 6}
    lines = []
    for row in [HEADER, *table]:
        lines.append("  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(header: list[str], table: list[list[str]], right: set[int] = frozenset()) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in table]
    return "\n".join(lines)


# --- targets ---------------------------------------------------------------------------

@dataclass
class Verdict:
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'✅' if self.ok else '❌'} {self.detail}"


def _pair(runs: list[Run], kind: str) -> tuple[Run, Run] | None:
    sized = sorted((r for r in runs if r.kind == kind), key=lambda r: r.ideas)
    return (sized[0], sized[-1]) if len(sized) >= 2 else None


def verdicts(runs: list[Run], pages: list[Page]) -> dict[str, dict[tuple[str, str], Verdict]]:
    """target -> (page, kind) -> verdict, for every measured page and database."""
    out: dict[str, dict[tuple[str, str], Verdict]] = {
        "queries": {}, "flat": {}, "p95": {}, "throughput": {}, "vote": {}}
    for kind in dict.fromkeys(r.kind for r in runs):
        pair = _pair(runs, kind)
        kind_runs = [r for r in runs if r.kind == kind]
        for page in pages:
            if page.reference:
                continue
            key = (page.name, kind)
            names = ["vote", "unvote"] if page.vote else [page.name]
            # The same range of counts at every size (items differ: a duplicate shows its original).
            equal = all(len({(r.queries[n].low, r.queries[n].high) for r in kind_runs}) == 1 for n in names)
            most = max(r.queries[n].high for r in kind_runs for n in names)
            shown = ", ".join(f"{' / '.join(str(r.queries[n]) for n in names)} at {r.ideas:,}" for r in kind_runs)
            out["queries"][key] = Verdict(equal and most <= MAX_QUERIES, shown)
            worst = max(kind_runs, key=lambda r: r.load[page.name].p95_ms)
            out["p95"][key] = Verdict(worst.load[page.name].p95_ms <= MAX_P95_MS,
                                      f"{worst.load[page.name].p95_ms:.1f} ms")
            weakest = min(kind_runs, key=lambda r: ratio(r, page))
            out["throughput"][key] = Verdict(ratio(weakest, page) >= MIN_RATIO, f"{ratio(weakest, page):.0%}")
            if pair:
                small, large = pair
                growth = round(large.load[page.name].p95_ms / max(small.load[page.name].p95_ms, 0.001), 2)
                out["flat"][key] = Verdict(growth <= MAX_GROWTH, f"×{growth:.2f}")
            if page.vote:
                out["vote"][key] = vote_verdict(kind_runs, pair)
    return out


_VALUE = r"(?:%\(\w+\)s|\?|:\w+)(?:::[A-Z ]+)?"  # a bound value, as each driver writes it
_OPEN_ITEM = rf"ideas\.id = {_VALUE} AND ideas\.status NOT IN \('\w+'(?:, '\w+')*\)"  # by key, still open
_INSERT_VOTE = (rf"INSERT INTO votes \([\w, ]+\) SELECT (?:ideas|item)\.id(?:, {_VALUE})+ "
                rf"FROM (?:ideas WHERE {_OPEN_ITEM}|item) ON CONFLICT \(idea_id, user_id\) DO NOTHING RETURNING [\w.]+")
_DELETE_VOTE = (rf"DELETE FROM votes (?:USING item )?WHERE votes\.idea_id = (?:{_VALUE}|item\.id) AND "
                rf"votes\.user_id = {_VALUE}(?: AND EXISTS \(SELECT 1 FROM ideas WHERE {_OPEN_ITEM}\))? "
                r"RETURNING [\w.]+")
_UPDATE_IDEA = rf"UPDATE ideas SET .* WHERE ideas\.id = {_VALUE}(?: RETURNING .*)?"
WRITES_BY_KEY = (
    re.compile(_INSERT_VOTE),
    re.compile(_DELETE_VOTE),
    re.compile(_UPDATE_IDEA),
    # PostgreSQL: the vote row and the counters in one statement, which locks the item first; the
    # UPDATE joins the one row of the INSERT or DELETE
    re.compile(rf"WITH item AS MATERIALIZED \(SELECT ideas\.id FROM ideas WHERE {_OPEN_ITEM} FOR NO KEY UPDATE\), "
               rf"(\w+) AS \((?:{_INSERT_VOTE}|{_DELETE_VOTE})\) UPDATE ideas SET .* FROM \1 "
               rf"WHERE ideas\.id = {_VALUE}(?: RETURNING .*)?"),
)
_WRITE = re.compile(r"(?:^|\(|\) )(INSERT INTO|DELETE FROM|UPDATE) (\w+)")  # a statement or a WITH's part


def vote_verdict(kind_runs: list[Run], pair) -> Verdict:
    """One INSERT into votes for a vote, one DELETE for a withdrawal, every write addressed
    by primary key, and the same statements at every size."""
    problems = []
    for run in kind_runs:
        for name, verb in (("vote", "INSERT"), ("unvote", "DELETE")):
            statements = run.queries[name].statements
            touching_votes = [found for s in statements for found, table in _WRITE.findall(s) if table == "votes"]
            if len(touching_votes) != 1 or not touching_votes[0].startswith(verb):
                problems.append(f"{len(touching_votes)} writes to votes per {name} at {run.ideas:,}")
            for s in statements:
                if _WRITE.search(s) and not any(p.fullmatch(_shape(s)) for p in WRITES_BY_KEY):
                    problems.append(f"a write not by primary key: {s[:80]}")
    for name in ("vote", "unvote"):
        if len({tuple(_shape(s) for s in r.queries[name].statements) for r in kind_runs}) > 1:
            problems.append(f"other statements for a {name} at another size")
    return Verdict(not problems, "; ".join(dict.fromkeys(problems)) or
                   "one insert / one delete by primary key, one counter update by primary key "
                   "(on PostgreSQL in the same statement), the same statements at every size")


def _shape(statement: str) -> str:
    return re.sub(r"\s+", " ", statement).strip()



TARGET_TITLES = {
    "queries": f"SQL statements per request equal at both sizes and ≤ {MAX_QUERIES}",
    "flat": f"p95 at the large size within {MAX_GROWTH}× of the small size",
    "p95": f"p95 ≤ {MAX_P95_MS:.0f} ms with 16 clients (worst size)",
    "throughput": f"throughput ≥ {MIN_RATIO:.0%} of the trivial route's (worst size)",
    "vote": "a vote is one indexed insert/delete plus constant work",
}


def targets_markdown(runs: list[Run], pages: list[Page]) -> tuple[str, int, int]:
    found = verdicts(runs, pages)
    kinds = list(dict.fromkeys(r.kind for r in runs))
    parts, met, total = [], 0, 0
    for target, title in TARGET_TITLES.items():
        entries = found[target]
        if not entries:
            continue
        parts.append(f"**{title}**\n")
        table = []
        for page in pages:
            cells = [str(entries[(page.name, k)]) for k in kinds if (page.name, k) in entries]
            if cells:
                table.append([page.label, *cells])
        parts.append(markdown_table(["Page", *(DB_LABELS[k] for k in kinds)], table) + "\n")
        met += sum(v.ok for v in entries.values())
        total += len(entries)
    return "\n".join(parts), met, total


def summary_line(runs: list[Run], pages: list[Page]) -> str:
    found = verdicts(runs, pages)
    bits = []
    for target, title in TARGET_TITLES.items():
        entries = found[target]
        if entries:
            missed = sorted({p for (p, _k), v in entries.items() if not v.ok})
            bits.append(f"- {title}: " + ("✅ met" if not missed else
                                          f"❌ missed by {', '.join(missed)}"))
    return "\n".join(bits)


# --- machine ---------------------------------------------------------------------------

def _command(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def revision() -> str:
    """The commit measured, and whether the app's files had uncommitted changes."""
    if os.environ.get("BENCH_REVISION"):
        return os.environ["BENCH_REVISION"]
    commit = _command("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    dirty = _command("git", "-C", str(ROOT), "status", "--porcelain", "--", "tracker", "templates", "migrations")
    return f"commit {commit}" + (" with uncommitted changes to the app" if dirty else "")


def machine(pg_version: str | None, load_before: tuple[float, ...]) -> list[str]:
    import sqlite3

    import gunicorn

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    wrk = _command("wrk", "--version").splitlines()
    lines = [
        f"App measured: {revision()}",
        f"{os.cpu_count()} cores ({cpu or platform.machine()}){memory}; {platform.platform()}",
        f"Python {platform.python_version()}, gunicorn {gunicorn.__version__}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {pg_version}" if pg_version else "") + (f", {wrk[0].split(' [')[0]}" if wrk else ""),
        "Load average before the run: " + ", ".join(f"{x:.2f}" for x in load_before)
        + " (1, 5, 15 min) — other work on the machine makes every number worse; compare ratios within one run",
    ]
    return lines


# --- files -----------------------------------------------------------------------------

def write(runs: list[Run], pages: list[Page], settings: Settings, pg_version: str | None,
          load_before: tuple[float, ...], started: datetime) -> str:
    table = rows(runs, pages)
    chart = chart_png(runs, pages, HERE / "results.png")
    targets, met, total = targets_markdown(runs, pages)
    sizes = sorted({r.ideas for r in runs})
    data_rows = []
    for run in runs:
        c = run.counts
        data_rows.append([DB_LABELS[run.kind], f"{run.ideas:,}", f"{c['users']:,}", f"{c['teams']:,}",
                          f"{c['votes']:,}", f"{c['comments']:,}", f"{c['status_changes']:,}",
                          f"{run.seed_seconds:.1f} s", "–" if run.other_cpu is None else f"{run.other_cpu:.0%}"])
    largest = max(sizes)
    query_logs = []
    for kind in dict.fromkeys(r.kind for r in runs):
        run = next(r for r in runs if r.kind == kind and r.ideas == largest)
        query_logs.append(f"<details><summary>{DB_LABELS[kind]}, {largest:,} ideas</summary>\n")
        for name, q in run.queries.items():
            query_logs.append(f"**{name}** ({q} statements)\n\n```sql")
            query_logs += [_short(s) for s in q.statements]
            query_logs.append("```\n")
        query_logs.append("</details>\n")
    md = [
        "# Benchmark results",
        "",
        f"`make bench`, {started:%Y-%m-%d %H:%M} UTC. A benchmark, not a test: CI does not run it. "
        "Numbers from one machine and one run; compare the ratios, not absolute numbers across machines.",
        "",
        *[f"- {line}" for line in machine(pg_version, load_before)],
        f"- gunicorn with the repository's `gunicorn.conf.py`: {settings.workers} sync workers; "
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.duration:g}s, best of {settings.repeat} "
        f"(highest req/s; other work on the machine only slows a try down), after a "
        f"{settings.warmup:g} s warm-up per page, each page on both sizes back to back (both servers up, the idle "
        "one costs nothing); logged in as a leader of 3 of the 50 teams",
        *[f"- {note}" for note in settings.notes],
        "",
        "## Results",
        "",
        markdown_table(HEADER, table, {2, 3, 4, 5, 6}),
        "",
        "*of trivial*: throughput as a share of `GET /_bench/ping` (a route that returns \"ok\" through the same "
        "app and server, bench/wsgi.py) in the same run: the framework's ceiling here. *Empty page, logged in*: "
        "the layout with nothing in it for the same logged-in user, what every page costs before its content "
        "(measured for comparison; no target). *SQL / request*: "
        "statements sent to the database for one request (for the vote toggle: vote / withdraw), counted "
        "in-process with the same requests; a range where items differ. "
        "\\* Other work on the machine used 10% or more of the CPU during every try of this measurement.",
        "",
        "![p95 latency and throughput per page](results.png)" if chart else "(No chart: matplotlib is missing.)",
        "",
        f"## Targets ({met} of {total} met)",
        "",
        summary_line(runs, pages),
        "",
        targets,
        "## Data",
        "",
        markdown_table(["Database", "Ideas", "Users", "Teams", "Votes", "Comments", "Status changes", "Seeded in",
                        "CPU busy before load test"], data_rows, {1, 2, 3, 4, 5, 6, 7, 8}),
        "",
        "Built by the real migrations, then bulk inserts (PostgreSQL: COPY, then VACUUM ANALYZE); "
        "the counters on ideas are checked against the vote and comment rows. The item page rotates over "
        "100 random items, search over 8 phrases, the vote toggle over 200 open items.",
        "",
        "## Statements per request",
        "",
        *query_logs,
    ]
    (HERE / "results.md").write_text("\n".join(md).rstrip() + "\n")
    readme_block = "\n".join([
        f"`make bench` on {started:%Y-%m-%d} ({os.cpu_count()} cores; details, targets and the statements each "
        "page sends in [bench/results.md](bench/results.md)):",
        "",
        markdown_table(HEADER, table, {2, 3, 4, 5, 6}),
        "",
        *(["\\* Other work on the machine used 10% or more of the CPU during every try of this measurement.", ""]
          if any(m.disturbed for r in runs for m in r.load.values()) else []),
        summary_line(runs, pages),
    ])
    return readme_block


def _short(statement: str, width: int = 320) -> str:
    """Long select lists cut down: `SELECT ideas.id, ... FROM ideas ...`."""
    s = re.sub(r"^SELECT (.{40}).*? FROM ", r"SELECT \1… FROM ", statement)
    return s if len(s) <= width else s[:width] + " …"


def update_readme(block: str, readme: Path = ROOT / "README.md") -> bool:
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        return False
    before, rest = text.split(README_START, 1)
    _, after = rest.split(README_END, 1)
    readme.write_text(f"{before}{README_START}\n{block}\n{README_END}{after}")
    return True


def chart_png(runs: list[Run], pages: list[Page], path: Path) -> bool:
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    shown = [p for p in pages if p.name != "ping"]  # the empty page stays, as a reference bar
    labels = [p.label.split(" (")[0].replace("List, ", "List: ") for p in shown]
    series = [(f"{DB_LABELS[r.kind]}, {r.ideas:,} ideas", r) for r in runs]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8), sharex=True)
    width = 0.8 / max(len(series), 1)
    colours = ["#9ecae1", "#3182bd", "#fdae6b", "#e6550d"]
    for n, (name, run) in enumerate(series):
        xs = [i + (n - (len(series) - 1) / 2) * width for i in range(len(shown))]
        top.bar(xs, [run.load[p.name].p95_ms for p in shown], width, label=name, color=colours[n % 4])
        bottom.bar(xs, [100 * ratio(run, p) for p in shown], width, label=name, color=colours[n % 4])
    top.axhline(MAX_P95_MS, color="black", linestyle="--", linewidth=1)
    top.text(len(shown) - 0.5, MAX_P95_MS, f" target ≤ {MAX_P95_MS:.0f} ms", va="bottom", ha="right")
    top.set_ylabel("p95 latency, ms (16 clients)")
    top.set_yscale("log")
    top.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:g}"))
    top.yaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
        lambda y, _: f"{y:g}" if str(int(y))[0] in "25" else ""))
    top.legend(fontsize=8, ncols=2)
    bottom.axhline(100 * MIN_RATIO, color="black", linestyle="--", linewidth=1)
    bottom.text(len(shown) - 0.5, 100 * MIN_RATIO, f" target ≥ {MIN_RATIO:.0%}", va="bottom", ha="right")
    bottom.set_ylabel("throughput, % of trivial route")
    bottom.set_xticks(range(len(shown)), labels, rotation=20, ha="right")
    fig.suptitle("Nebenan under gunicorn (2 sync workers), wrk with 16 connections")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def now() -> datetime:
    return datetime.now(timezone.utc)
