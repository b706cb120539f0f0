"""`make bench` (`python -m bench`): for SQLite and PostgreSQL, at 1,000 and 10,000 ideas,
seed the synthetic company, count the SQL each page sends, load-test the pages under
gunicorn with wrk, then write bench/results.md, bench/results.png and the README's table.

Options: --db sqlite,postgresql  --sizes 1000,10000  --duration 5  --repeat 2  --warmup 1  --workers 2
         --reuse sqlite (report the last run's SQLite results again, measure the rest)
         --no-readme (leave README.md alone)
Environment: BENCH_POSTGRES_URL, a URL for creating the benchmark databases
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres); they are named
nebenan_bench_<ideas> and dropped and created anew on every run. Without a reachable
PostgreSQL the run covers SQLite only, unless BENCH_REQUIRE_POSTGRES=1.
"""
import argparse
import os
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--sizes", default="1000,10000", help="numbers of ideas, comma-separated")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page and try")
    parser.add_argument("--repeat", type=int, default=2, help="tries per page and size; the best one counts")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--reuse", default="", help="comma-separated databases whose results of the last run "
                        "(bench/out/runs-<db>.pickle) to report again instead of measuring them anew")
    parser.add_argument("--no-readme", action="store_true", help="do not update the table in README.md")
    return parser.parse_args(argv)


def postgres_version(url: str) -> str | None:
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SHOW server_version").scalar().split()[0]
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    OUT.mkdir(exist_ok=True)
    # Keep the app's instance folder (the dev database, the generated key) out of it.
    os.environ["INSTANCE_PATH"] = str(OUT / "instance")

    from werkzeug.security import generate_password_hash

    from . import data, load, pages, queries, report, seed

    problem = load.check_tools()
    if problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    sizes = sorted(int(s) for s in args.sizes.split(","))
    settings = report.Settings(duration=args.duration, warmup=args.warmup, workers=args.workers,
                               repeat=args.repeat)
    pg_url = os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT)
    pg_version = None
    if "postgresql" in kinds:
        pg_version = postgres_version(pg_url)
        if pg_version is None:
            message = f"PostgreSQL at {pg_url} is not reachable"
            if os.environ.get("BENCH_REQUIRE_POSTGRES") == "1":
                print(f"bench: {message}", file=sys.stderr)
                return 2
            print(f"bench: {message}; measuring SQLite only", file=sys.stderr)
            settings.notes.append(f"{message}: SQLite only")
            kinds.remove("postgresql")
    if not kinds:
        print("bench: nothing to measure", file=sys.stderr)
        return 2

    started = report.now()
    load_before = os.getloadavg()
    password_hash = generate_password_hash(data.BENCH_PASSWORD)
    log = OUT / "gunicorn.log"
    log.write_bytes(b"")
    runs, page_list = [], pages.pages(pages.Targets([], []))
    clock = time.monotonic()
    reuse = {k.strip() for k in args.reuse.split(",") if k.strip()}
    for kind in kinds:
        saved = OUT / f"runs-{kind}.pickle"
        if kind in reuse:
            print(f"{report.DB_LABELS[kind]}: the results of the last run, from {saved}", flush=True)
            runs += pickle.loads(saved.read_bytes())
            continue
        servers, seeded_counts, counted = {}, {}, {}
        for size in sizes:
            print(f"{report.DB_LABELS[kind]}, {size:,} ideas: seeding …", flush=True)
            seeded = seed.seed(kind, size, OUT, pg_url, password_hash)
            print(f"  seeded in {seeded.seconds:.1f} s: " + ", ".join(f"{n:,} {what}" for what, n in
                                                                    seeded.counts.items()), flush=True)
            targets = pages.choose_targets(seeded.company)
            page_list = pages.pages(targets)
            counted[size] = queries.count(seeded.url, page_list, targets)
            print("  SQL per request: " + ", ".join(f"{name} {q}" for name, q in counted[size].items()), flush=True)
            servers[size] = load.Target(seeded.url, page_list, targets)
            seeded_counts[size] = (seeded.counts, seeded.seconds)
            del seeded
        busy = load.wait_quiet(progress=lambda line: print(line, flush=True))
        print(f"{report.DB_LABELS[kind]}: wrk -t2 -c16 -d{args.duration}s per page and size, best of {args.repeat}"
              + ("" if busy is None else f" (CPU busy with other work just before: {busy:.0%})"), flush=True)
        if busy is not None and busy > 0.15:
            print("  (the machine is still busy with other work: expect worse numbers)", flush=True)
        measured = load.run(servers, args.duration, args.warmup, args.workers, log, repeat=args.repeat,
                            progress=lambda line: print(line, flush=True))
        measured_runs = [report.Run(kind=kind, ideas=size, counts=seeded_counts[size][0],
                                    seed_seconds=seeded_counts[size][1], queries=counted[size],
                                    load=measured[size], other_cpu=busy) for size in sizes]
        saved.write_bytes(pickle.dumps(measured_runs))
        runs += measured_runs

    block = report.write(runs, page_list, settings, pg_version, load_before, started)
    print()
    print(report.text_table(report.rows(runs, page_list)))
    print()
    print(report.summary_line(runs, page_list))
    print(f"\nWrote {HERE / 'results.md'} and results.png in {time.monotonic() - clock:.0f} s.")
    if not args.no_readme:
        if report.update_readme(block):
            print("Updated the table in README.md.")
        else:
            print(f"README.md has no {report.README_START} … {report.README_END} block; left alone.")
    return 0
