"""The benchmark (bench/, ``python -m bench``) runs end to end on a tiny farm.

Not a timed test: nothing here checks a speed. It checks that every scenario runs, the
JSON has the keys bench/README.md documents, storyreader stored every entry of the farm
(cold, warm and latency runs, the app's own refresh during the key-press probe) and the
farm server really answered 304 to the warm refresh.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.request import ProxyHandler, build_opener

import pytest

from bench.farm import build_farm
from bench.server import ServerProcess, bind_sockets

ROOT = Path(__file__).resolve().parent.parent
FEEDS, ITEMS = 10, 5  # 8 RSS/Atom feeds, 2 JSON Feeds
KEY_FEEDS = 30  # past the process-pool threshold, as in a real refresh of many feeds


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bench")
    out = work / "latest.json"
    command = [
        sys.executable, "-m", "bench", "--quick", "--quiet",
        "--scenarios", "cold,warm,latency,launch,keypress",
        "--feeds", str(FEEDS), "--items", str(ITEMS),
        "--latency-feeds", "5", "--latency-ms", "20",
        "--launch-feeds", "4", "--launch-items", "10",
        "--key-feeds", str(KEY_FEEDS), "--presses", "5", "--idle-presses", "3",
        "--threads", "8", "--runs", "1",
        "--work", str(work), "--json", str(out),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYREADER_")}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "scenario" in done.stdout  # the table
    return json.loads(out.read_text())


def test_the_json_describes_the_run(result: dict) -> None:
    assert result["version"] == 1
    assert result["command"].startswith("python -m bench")
    machine = result["machine"]
    for key in ("nproc", "cpu", "ram_gb", "python", "textual", "sqlite", "newsboat",
                "load_average_start", "load_average_end"):
        assert key in machine
    assert result["config"]["runs"] == 1
    assert result["config"]["hosts"] in (64, 0)  # 0: only 127.0.0.1 exists (not Linux)
    assert set(result["scenarios"]) == {"cold", "warm", "latency", "launch", "keypress"}


def test_the_latency_run_uses_rss_and_atom_only(result: dict) -> None:
    assert result["scenarios"]["latency"]["title"] == (
        "cold refresh, 5 RSS/Atom feeds at 20 ms per request (25 items)"
    )


def test_the_farm_listens_on_loopback_addresses_only() -> None:
    sockets, hosts = bind_sockets(0, 8)
    try:
        if hosts == 0:
            pytest.skip("only 127.0.0.1 is a loopback address here")
        addresses = {sock.getsockname() for sock in sockets}
        port = sockets[0].getsockname()[1]
        assert addresses == {(f"127.0.0.{n}", port) for n in range(1, 10)}
    finally:
        for sock in sockets:
            sock.close()


def test_the_farm_spreads_feeds_over_hosts(tmp_path: Path) -> None:
    farm = build_farm(3, 2, work=tmp_path)
    with ServerProcess(farm.directory, hosts=2) as server:
        if server.hosts == 0:
            pytest.skip("only 127.0.0.1 is a loopback address here")
        urls = [server.url(f.path, index=f.index) for f in farm.feeds]
        assert [u.split(":")[1] for u in urls] == ["//127.0.0.2", "//127.0.0.3", "//127.0.0.2"]
        opener = build_opener(ProxyHandler({}))  # straight to loopback, whatever the env
        for url in urls:
            with opener.open(url, timeout=10) as response:
                assert response.status == 200
        assert server.stats()["200"] == 3


@pytest.mark.parametrize("name", ["cold", "warm", "latency"])
def test_refresh_scenarios_store_every_entry(result: dict, name: str) -> None:
    scenario = result["scenarios"][name]
    xml_feeds = 8 if name != "latency" else 5
    assert scenario["feeds"] == xml_feeds
    assert scenario["expected_articles"] == xml_feeds * ITEMS
    sr = scenario["storyreader"]
    assert sr["articles"] == xml_feeds * ITEMS
    assert len(sr["runs_s"]) == 1 and sr["median_s"] > 0
    assert all(run["exit_code"] == 0 for run in sr["details"])
    assert {"target_ratio", "target_text", "ratio", "met"} <= set(scenario)
    newsboat = scenario["newsboat"]
    if result["machine"]["newsboat"] is None:
        assert newsboat is None and scenario["ratio"] is None
    else:
        assert newsboat["best_threads"] == 8
        assert newsboat["articles"] == xml_feeds * ITEMS
        assert scenario["ratio"] == pytest.approx(sr["median_s"] / newsboat["median_s"],
                                                  rel=1e-3)


def test_warm_refresh_is_answered_304(result: dict) -> None:
    warm = result["scenarios"]["warm"]
    assert warm["storyreader"]["not_modified"] == [8]
    assert warm["storyreader"]["details"][0]["server"]["200"] == 0
    if warm["newsboat"] is not None:
        assert warm["newsboat"]["not_modified"] == [8]


def test_launch_paints_the_story_list(result: dict) -> None:
    launch = result["scenarios"]["launch"]
    assert launch.get("status") != "failed", launch.get("reason")
    assert launch["articles"] == 40
    assert launch["median_s"] > 0 and launch["peak_rss_mb"] > 0
    assert {"target_s", "target_rss_mb", "met"} <= set(launch)


def test_key_presses_are_measured_while_the_app_refreshes(result: dict) -> None:
    keys = result["scenarios"]["keypress"]
    assert keys.get("status") != "failed", keys.get("reason")
    assert keys["idle"]["count"] > 0 and keys["idle"]["median_ms"] > 0
    # The app's own refresh (a process pool at this many feeds) stored every entry of
    # the farm feeds on top of the ten local feeds it started with.
    assert keys["articles_after"] == (KEY_FEEDS + 10) * ITEMS
    assert {"during_refresh", "missed", "target_ms", "met"} <= set(keys)
