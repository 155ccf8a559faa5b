"""``python -m bench``: storyreader against newsboat on a loopback farm of feeds.

See bench/README.md for what is measured and how to read the results.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report, ui
from bench.farm import Farm, FarmFeed, build_farm
from bench.runners import Measurement, NewsboatRun, StoryreaderRun, newsboat_version, precompile
from bench.server import DEFAULT_HOSTS, ServerProcess

HERE = Path(__file__).resolve().parent
SCENARIOS = ("cold", "cold_large", "warm", "latency", "launch", "keypress")
TARGETS = {  # storyreader / newsboat at most (ratio scenarios)
    "cold": 0.5,
    "cold_large": 0.5,
    "warm": 0.25,
    "latency": 0.25,
}
LAUNCH_SECONDS = 1.0
LAUNCH_MB = 250.0
KEY_MS = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark storyreader against newsboat on a loopback farm of feeds.",
    )
    p.add_argument("--quick", action="store_true",
                   help="reduced sizes, one run (about two minutes)")
    p.add_argument("--runs", type=int, help="timed runs per tool and scenario (default 3)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS),
                   help=f"comma-separated subset of {','.join(SCENARIOS)}")
    p.add_argument("--feeds", type=int, help="farm size for cold/warm (default 500)")
    p.add_argument("--large-feeds", type=int, help="farm size for cold_large (default 1000)")
    p.add_argument("--items", type=int, default=50, help="entries per feed (default 50)")
    p.add_argument("--latency-feeds", type=int,
                   help="RSS/Atom feeds for the latency run (default 200)")
    p.add_argument("--latency-ms", type=int, default=100, help="per-request latency (100)")
    p.add_argument("--launch-feeds", type=int, help="feeds of the launch library (1000)")
    p.add_argument("--launch-items", type=int, help="stories per feed there (100)")
    p.add_argument("--key-feeds", type=int, help="feeds refreshed during key presses (500)")
    p.add_argument("--presses", type=int, default=200,
                   help="key presses to measure during the refresh (200)")
    p.add_argument("--idle-presses", type=int, default=20,
                   help="key presses to measure before it, on the idle app (20)")
    p.add_argument("--threads", default="1,8,32",
                   help="newsboat reload-threads to try; the fastest counts (1,8,32)")
    p.add_argument("--no-newsboat", action="store_true", help="measure storyreader only")
    p.add_argument("--json", type=Path, default=HERE / "results" / "latest.json",
                   help="where to write the JSON (bench/results/latest.json)")
    p.add_argument("--markdown", type=Path,
                   help="where to write the Markdown table (full runs: bench/RESULTS.md)")
    p.add_argument("--work", type=Path, default=HERE / ".work",
                   help="scratch directory: generated farms, libraries and runs "
                   "(bench/.work, git-ignored)")
    p.add_argument("--hosts", type=int, default=DEFAULT_HOSTS,
                   help="loopback hosts the feeds are spread over, 127.0.0.2... "
                   f"(default {DEFAULT_HOSTS}; 0: all on 127.0.0.1)")
    p.add_argument("--quiet", action="store_true", help="print only the table")
    args = p.parse_args(argv)
    quick = args.quick
    defaults = {
        "runs": 1 if quick else 3,
        "feeds": 100 if quick else 500,
        "large_feeds": 200 if quick else 1000,
        "latency_feeds": 40 if quick else 200,
        "launch_feeds": 100 if quick else 1000,
        "launch_items": 100,
        "key_feeds": 100 if quick else 500,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.markdown is None and not quick:
        args.markdown = HERE / "RESULTS.md"
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    args.threads = [int(t) for t in args.threads.split(",") if t.strip()]
    if not 0 <= args.hosts <= 250:
        p.error("--hosts must be 0..250")
    return args


class Bench:
    """Runs the scenarios against one farm server and collects the results."""

    def __init__(self, args: argparse.Namespace, farm: Farm, server: ServerProcess,
                 newsboat: bool) -> None:
        self.args = args
        self.farm = farm
        self.server = server
        self.newsboat = newsboat
        self.work = args.work / "runs"
        self.primed: dict[str, Any] = {}  # last cold libraries, reused by "warm"

    def say(self, text: str) -> None:
        if not self.args.quiet:
            print(text, flush=True)

    # -- helpers ---------------------------------------------------------------------------
    def xml_feeds(self, count: int) -> list[FarmFeed]:
        """The RSS/Atom feeds among the farm's first ``count``."""
        return [f for f in self.farm.feeds[:count] if f.kind != "jsonfeed"]

    def _measure(self, run: Any, action: str) -> Measurement:
        self.server.stats(reset=True)
        m = getattr(run, action)()
        m.server = self.server.stats()
        return m

    def _compare(self, key: str, title: str, feeds: list[FarmFeed], latency: int,
                 warm: bool) -> dict[str, Any]:
        args = self.args
        urls = [(f.title, self.server.url(f.path, latency, f.index)) for f in feeds]
        expected = sum(f.items for f in feeds)
        tag = f"{key}"
        sr_runs: list[Measurement] = []
        nb_runs: dict[int, list[Measurement]] = {t: [] for t in args.threads}
        threads = args.threads if self.newsboat else []

        def keep_latest(key: str, run: Any) -> None:
            """Keep the newest cold library of each tool (for "warm"), delete the others."""
            if latency:  # its URLs answer late: no use for "warm"
                shutil.rmtree(run.dir, ignore_errors=True)
                return
            old = self.primed.get(key)
            self.primed[key] = run
            if old is not None:
                shutil.rmtree(old.dir, ignore_errors=True)

        def storyreader_once(i: int) -> Measurement:
            if warm:
                run = self.primed[f"sr:{len(feeds)}"]
                return self._measure(run, "refresh")
            run = StoryreaderRun(self.work / f"{tag}-sr-{i}", urls)
            m = self._measure(run, "refresh")
            keep_latest(f"sr:{len(feeds)}:latest", run)
            return m

        def newsboat_once(t: int, i: int) -> Measurement:
            if warm:
                return self._measure(self.primed[f"nb{t}:{len(feeds)}"], "reload")
            run = NewsboatRun(self.work / f"{tag}-nb{t}-{i}", [u for _, u in urls], t)
            m = self._measure(run, "reload")
            keep_latest(f"nb{t}:{len(feeds)}:latest", run)
            return m

        if warm:
            self._prime(feeds, urls, threads)
        for i in range(args.runs):
            order: list[Any] = ["sr", *threads]
            if i % 2:
                order.reverse()
            for who in order:
                if who == "sr":
                    m = storyreader_once(i)
                    sr_runs.append(m)
                    self.say(f"  {title}: storyreader {m.wall:.2f} s "
                             f"(cpu {m.cpu:.2f} s, {m.articles} stories)")
                else:
                    m = newsboat_once(who, i)
                    nb_runs[who].append(m)
                    self.say(f"  {title}: newsboat/{who} {m.wall:.2f} s "
                             f"(cpu {m.cpu:.2f} s, {m.articles} stories)")
        return self._summarise(key, title, feeds, latency, expected, sr_runs, nb_runs, warm)

    def _prime(self, feeds: list[FarmFeed], urls: list[tuple[str, str]],
               threads: list[int]) -> None:
        """Libraries that hold every feed with its validators (newsboat stores a feed's
        ETag only from its second download, so each tool refreshes twice, untimed)."""
        n = len(feeds)
        if f"sr:{n}" not in self.primed:
            run = self.primed.get(f"sr:{n}:latest") or StoryreaderRun(
                self.work / f"warm-sr-{n}", urls)
            run.prime()
            run.prime()
            self.primed[f"sr:{n}"] = run
        for t in threads:
            if f"nb{t}:{n}" not in self.primed:
                run = self.primed.get(f"nb{t}:{n}:latest") or NewsboatRun(
                    self.work / f"warm-nb{t}-{n}", [u for _, u in urls], t)
                run.reload()
                run.reload()
                self.primed[f"nb{t}:{n}"] = run

    def _summarise(self, key: str, title: str, feeds: list[FarmFeed], latency: int,
                   expected: int, sr_runs: list[Measurement],
                   nb_runs: dict[int, list[Measurement]], warm: bool) -> dict[str, Any]:
        def block(runs: list[Measurement]) -> dict[str, Any]:
            return {
                "median_s": report.median([m.wall for m in runs]),
                "runs_s": [round(m.wall, 4) for m in runs],
                "cpu_s": [round(m.cpu, 3) for m in runs],
                "median_cpu_s": report.median([m.cpu for m in runs]),
                "max_rss_mb": max((m.max_rss_mb for m in runs), default=0.0),
                "articles": runs[-1].articles if runs else None,
                "details": [m.as_json() for m in runs],
            }

        sr = block(sr_runs)
        sc: dict[str, Any] = {
            "title": title, "feeds": len(feeds), "items": expected, "latency_ms": latency,
            "warm": warm, "storyreader": sr, "expected_articles": expected,
        }
        if warm:
            sc["storyreader"]["not_modified"] = [m.server.get("304", 0) for m in sr_runs]
        nb = {t: block(runs) for t, runs in nb_runs.items() if runs}
        if nb:
            best = min(nb, key=lambda t: nb[t]["median_s"])
            sc["newsboat"] = {
                "best_threads": best,
                "median_s": nb[best]["median_s"],
                "articles": nb[best]["articles"],
                "by_threads": {str(t): v for t, v in nb.items()},
            }
            if warm:
                sc["newsboat"]["not_modified"] = [m.server.get("304", 0)
                                                  for m in nb_runs[best]]
            sc["ratio"] = round(sr["median_s"] / nb[best]["median_s"], 3)
        else:
            sc["newsboat"] = None
            sc["ratio"] = None
        target = TARGETS[key]
        sc["target_ratio"] = target
        sc["target_text"] = f"≤ {target:g}x"
        sc["met"] = None if sc["ratio"] is None else sc["ratio"] <= target
        return sc

    # -- scenarios -------------------------------------------------------------------------
    def cold(self, key: str, size: int) -> dict[str, Any]:
        feeds = self.xml_feeds(size)
        items = sum(f.items for f in feeds)
        title = f"cold refresh, {len(feeds)} RSS/Atom feeds of {size} ({items:,} items)"
        self.say(f"{title}…")
        return self._compare(key, title, feeds, 0, warm=False)

    def warm(self) -> dict[str, Any]:
        feeds = self.xml_feeds(self.args.feeds)
        title = f"warm refresh, {len(feeds)} feeds (all 304)"
        self.say(f"{title}…")
        return self._compare("warm", title, feeds, 0, warm=True)

    def latency(self) -> dict[str, Any]:
        args = self.args
        # RSS/Atom only, as in "cold": newsboat cannot read JSON Feed, so both tools
        # fetch and parse the same documents.
        feeds = self.farm.first(args.latency_feeds, xml_only=True)
        items = sum(f.items for f in feeds)
        title = (f"cold refresh, {len(feeds)} RSS/Atom feeds at {args.latency_ms} ms "
                 f"per request ({items:,} items)")
        self.say(f"{title}…")
        return self._compare("latency", title, feeds, args.latency_ms, warm=False)

    def launch(self) -> dict[str, Any]:
        args = self.args
        total = args.launch_feeds * args.launch_items
        title = f"launch on {total:,} stories in {args.launch_feeds:,} feeds"
        target = f"< {LAUNCH_SECONDS:g} s, < {LAUNCH_MB:g} MB"
        problem = ui.ui_available()
        if problem:
            return {"title": title, "status": "pending", "reason": problem,
                    "target_text": target}
        self.say(f"{title}…")
        raw = ui.measure_launch(args.launch_feeds, args.launch_items, args.runs,
                                args.work, quiet=args.quiet)
        runs = raw["runs"]
        times = [r["seconds"] for r in runs if r["seconds"] is not None]
        peaks = [r["peak_rss_mb"] for r in runs if r["peak_rss_mb"] is not None]
        errors = [r["error"] for r in runs if r["error"]]
        for r in runs:
            self.say(f"  launch: {r['seconds']} s, peak {r['peak_rss_mb']} MB"
                     + (f" ({r['error']})" if r["error"] else ""))
        sc: dict[str, Any] = {
            "title": title, "articles": raw["articles"], "feeds": raw["feeds"],
            "median_s": report.median(times), "runs_s": times,
            "peak_rss_mb": max(peaks) if peaks else None, "runs": runs,
            "target_s": LAUNCH_SECONDS, "target_rss_mb": LAUNCH_MB, "target_text": target,
        }
        if errors and not times:
            sc.update(status="failed", reason=errors[0], met=False)
        else:
            sc["met"] = (sc["median_s"] < LAUNCH_SECONDS
                         and (sc["peak_rss_mb"] or 0) < LAUNCH_MB)
        return sc

    def keypress(self) -> dict[str, Any]:
        args = self.args
        title = f"key press → screen during a {args.key_feeds}-feed refresh"
        target = f"median < {KEY_MS:g} ms"
        problem = ui.ui_available()
        if problem:
            return {"title": title, "status": "pending", "reason": problem,
                    "target_text": target}
        self.say(f"{title}…")
        feeds = self.farm.feeds[: args.key_feeds]
        local_pool = self.farm.feeds[args.key_feeds:] or self.farm.feeds
        local = [self.farm.directory / f.file for f in local_pool[:10]]
        library = ui.keypress_library(
            [(f.title, self.server.url(f.path, index=f.index)) for f in feeds], local,
            args.work)
        raw = ui.measure_keys(library, args.presses, idle_presses=args.idle_presses)
        if "error" in raw:
            return {"title": title, "status": "failed", "reason": raw["error"],
                    "target_text": target, "met": False}
        busy = raw.get("during_refresh", {})
        self.say(f"  keys: during refresh {busy}, idle {raw.get('idle')}")
        median_ms = busy.get("median_ms")
        return {"title": title, "feeds": len(feeds), **raw, "target_ms": KEY_MS,
                "target_text": target,
                "met": None if median_ms is None else median_ms < KEY_MS}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    nb_version = None if args.no_newsboat else newsboat_version()
    if not args.no_newsboat and nb_version is None and not args.quiet:
        print("newsboat is not installed: measuring storyreader only "
              "(./dev bench installs it)", flush=True)
    precompile()
    (args.work / "runs").mkdir(parents=True, exist_ok=True)
    need = max(args.feeds if {"cold", "warm"} & set(args.scenarios) else 0,
               args.large_feeds if "cold_large" in args.scenarios else 0,
               args.key_feeds + 10 if "keypress" in args.scenarios else 0,
               args.latency_feeds * 5 // 4 + 5 if "latency" in args.scenarios else 0)
    if not args.quiet:
        print(f"farm: {need} feeds x {args.items} items…", flush=True)
    farm = build_farm(max(need, 1), args.items, quiet=args.quiet, work=args.work)
    command = "python -m bench" + ("" if argv is None and len(sys.argv) <= 1 else " " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])))
    result: dict[str, Any] = {
        "version": 1,
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": command,
        "machine": report.machine_info(nb_version),
        "config": {"runs": args.runs, "quick": args.quick, "items": args.items,
                   "threads": args.threads, "newsboat": nb_version is not None,
                   "scenarios": args.scenarios},
        "scenarios": {},
    }
    scenarios: dict[str, Any] = result["scenarios"]
    with ServerProcess(farm.directory, hosts=args.hosts) as server:
        result["config"]["hosts"] = server.hosts
        bench = Bench(args, farm, server, newsboat=nb_version is not None)
        for name in SCENARIOS:
            if name not in args.scenarios:
                continue
            if name == "cold":
                scenarios[name] = bench.cold("cold", args.feeds)
            elif name == "cold_large":
                scenarios[name] = bench.cold("cold_large", args.large_feeds)
            elif name == "warm":
                scenarios[name] = bench.warm()
            elif name == "latency":
                scenarios[name] = bench.latency()
            elif name == "launch":
                scenarios[name] = bench.launch()
            elif name == "keypress":
                scenarios[name] = bench.keypress()
    result["machine"]["load_average_end"] = report._load()
    result["seconds"] = round(time.monotonic() - started, 1)
    report.write_json(result, args.json)
    if args.markdown:
        args.markdown.write_text(report.markdown(result))
    print()
    print(report.text_table(result))
    print(f"\nJSON: {args.json}" + (f"\nMarkdown: {args.markdown}" if args.markdown else ""))
    return 0
