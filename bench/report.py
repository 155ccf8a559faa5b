"""The benchmark's outputs: the machine, the table (terminal and Markdown) and the JSON."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import sys
from pathlib import Path
from typing import Any


def machine_info(newsboat: str | None) -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        import textual

        textual_version = textual.__version__
    except Exception:
        textual_version = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "ram_gb": ram_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "textual": textual_version,
        "sqlite": sqlite3.sqlite_version,
        "newsboat": newsboat,
        "load_average_start": _load(),
    }


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def rows(result: dict[str, Any]) -> list[list[str]]:
    """The table: scenario, storyreader, newsboat, ratio, target, met."""
    out = []
    for key, sc in result["scenarios"].items():
        title = sc.get("title", key)
        if sc.get("status") in ("pending", "skipped", "failed"):
            out.append([title, sc["status"], "", "", sc.get("target_text", ""),
                        sc.get("reason", "")[:60]])
            continue
        met = {True: "yes", False: "NO", None: "—"}[sc.get("met")]
        if key in ("launch",):
            sr = (f"{_s(sc.get('median_s'))}, {sc.get('peak_rss_mb', 0):.0f} MB"
                  if sc.get("median_s") is not None else "failed")
            out.append([title, sr, "", "", sc["target_text"], met])
        elif key == "keypress":
            busy = sc.get("during_refresh", {})
            idle = sc.get("idle", {})
            sr = (f"median {busy.get('median_ms', '—')} ms, p90 {busy.get('p90_ms', '—')} ms"
                  f" (idle {idle.get('median_ms', '—')} ms)")
            out.append([title, sr, "", "", sc["target_text"], met])
        else:
            sr = sc["storyreader"]
            nb = sc.get("newsboat")
            nb_text = "not installed"
            if nb:
                nb_text = f"{_s(nb.get('median_s'))} ({nb.get('best_threads')} threads)"
            out.append([title, _s(sr.get("median_s")), nb_text, _ratio(sc.get("ratio")),
                        sc["target_text"], met])
    return out


HEADER = ["scenario", "storyreader", "newsboat (best)", "ratio", "target", "met"]


def text_table(result: dict[str, Any]) -> str:
    table = [HEADER, *rows(result)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    """bench/RESULTS.md: the table, the details, the machine and the command."""
    m = result["machine"]
    table = [HEADER, *rows(result)]
    md = ["| " + " | ".join(r) + " |" for r in table]
    md.insert(1, "|" + "|".join("---" for _ in HEADER) + "|")
    details = []
    for key, sc in result["scenarios"].items():
        if "storyreader" in sc and isinstance(sc["storyreader"], dict):
            sr = sc["storyreader"]
            line = (f"- **{sc.get('title', key)}**: storyreader runs "
                    f"{', '.join(f'{v:.2f}' for v in sr.get('runs_s', []))} s "
                    f"(CPU {', '.join(f'{v:.2f}' for v in sr.get('cpu_s', []))} s, "
                    f"peak RSS {sr.get('max_rss_mb', 0):.0f} MB, {sr.get('articles')} stories)")
            nb = sc.get("newsboat")
            if nb:
                parts = [
                    f"{t} threads {', '.join(f'{v:.2f}' for v in d.get('runs_s', []))} s"
                    for t, d in nb.get("by_threads", {}).items()
                ]
                line += f"; newsboat {'; '.join(parts)} ({nb.get('articles')} stories)"
            details.append(line)
    load_end = m.get("load_average_end")
    return "\n".join([
        "# Benchmark: storyreader against newsboat",
        "",
        "Generated by `python -m bench` (see [README.md](README.md)); do not edit by hand.",
        "",
        f"- Date: {result['date']}",
        f"- Command: `{result['command']}`",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, {m['os']}",
        f"- Python {m['python']}, Textual {m['textual']}, SQLite {m['sqlite']}, "
        f"{m['newsboat'] or 'newsboat not installed'}",
        f"- Load average at start {m.get('load_average_start')}, at end {load_end} "
        "(other work on the machine slows both tools alike; runs alternate)",
        f"- Medians of {result['config']['runs']} runs; ratio = storyreader / newsboat at "
        "its fastest `reload-threads`.",
        "",
        *md,
        "",
        "## Runs",
        "",
        *details,
        "",
    ])


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
