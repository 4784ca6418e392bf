"""Lighthouse mobile scores of the public pages (issue #14: accessibility and best
practices 1.00, performance at least 0.98 on each page).

Starts the demo site as deployed (demo_site.serve_demo_site: gunicorn, production
settings, seed_demo's catalogue on a throwaway SQLite database), or measures a
running site given by its URL, then runs Lighthouse 12 with its default mobile
settings (emulated phone, simulated slow 4G and 4x CPU slowdown) in Debian's
Chromium on each page, --runs times, and keeps each category's best score. Prints a
Markdown table and, for each score below 1.00, the audits that cost it (from the
run that gave the best score). Exits non-zero on errors only, never on low scores.

    .venv/bin/python benchmarks/lighthouse.py                 # 7 pages x 2 runs, ~4 min
    .venv/bin/python benchmarks/lighthouse.py --runs 1 --pages home,product
    .venv/bin/python benchmarks/lighthouse.py --save /tmp/lh  # keep the JSON reports
    .venv/bin/python benchmarks/lighthouse.py http://127.0.0.1:8000   # a running site

Scores move with the machine's load (Lighthouse measures the CPU first): run it on a
quiet machine, twice, and keep the better run. Lighthouse (npm lighthouse@12.8.2;
13.x wants Node 22) is installed on first use into LIGHTHOUSE_DIR (default
~/.cache/gerai-benchmarks/lighthouse-12.8.2); CHROME_PATH defaults to
/usr/bin/chromium. About one run in eight fails with NO_NAVSTART on these machines:
such runs are retried (3 times).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_site import add_arguments, find_pages, page_names, site_under_test, warm

VERSION = "12.8.2"
LIGHTHOUSE_DIR = Path(
    os.environ.get(
        "LIGHTHOUSE_DIR",
        Path.home() / ".cache" / "gerai-benchmarks" / f"lighthouse-{VERSION}",
    )
)
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking"
)
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
RETRIES = 3  # extra attempts after a NO_NAVSTART
RUN_TIMEOUT = 300  # seconds for one Lighthouse run


class LighthouseError(RuntimeError):
    pass


def lighthouse_binary():
    """The lighthouse CLI, installed with npm into LIGHTHOUSE_DIR if missing."""
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            sys.exit("npm is missing: Lighthouse needs Node 20 and npm")
        print(f"Installing lighthouse@{VERSION} into {LIGHTHOUSE_DIR} …", flush=True)
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(LIGHTHOUSE_DIR)]
            + ["--no-audit", "--no-fund", f"lighthouse@{VERSION}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


def descendants(pid):
    """Process ids whose parent chain leads to pid (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def stop(process):
    """End a Lighthouse run that did not finish: node (its own process group) and
    the Chromium it launched (chrome-launcher detaches it into a group of its own)."""
    for pid in [process.pid, *descendants(process.pid)]:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.wait()


def run_once(binary, url, report):
    """One Lighthouse run of url; its report (lhr), or LighthouseError."""
    command = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROME_PATH}
    report.unlink(missing_ok=True)  # never read a report of an earlier run
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=RUN_TIMEOUT)
    except BaseException:
        stop(process)
        raise
    lhr = None
    if report.exists():
        lhr = json.loads(report.read_text())
    error = (lhr or {}).get("runtimeError", {}).get("code")
    if process.returncode or error or lhr is None:
        raise LighthouseError(error or stderr.strip()[-2000:] or "no report")
    return lhr


def run_page(binary, url, report):
    """run_once, retried after NO_NAVSTART."""
    for attempt in range(RETRIES + 1):
        try:
            return run_once(binary, url, report)
        except LighthouseError as error:
            if "NO_NAVSTART" not in str(error) or attempt == RETRIES:
                raise
            print(f"  NO_NAVSTART, retrying ({attempt + 1}/{RETRIES})", flush=True)
            time.sleep(1)


def costly_audits(lhr, category):
    """The scored audits of a category below 1, as "id score (value)"."""
    audits = lhr["audits"]
    found = []
    for ref in lhr["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref.get("weight", 0) <= 0 or audit.get("score") is None:
            continue
        if audit["score"] < 1:
            text = ref["id"]
            if category == "performance" or audit["scoreDisplayMode"] == "numeric":
                text += f" {audit['score']:.2f}"
                if audit.get("displayValue"):
                    text += f" ({audit['displayValue']})"
            found.append(text)
    return found


def score_text(score):
    return "–" if score is None else f"{score:.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="runs per page (best kept)")
    add_arguments(parser)
    parser.add_argument("--save", type=Path, help="keep the JSON reports here")
    options = parser.parse_args()
    names = page_names(parser, options)
    if not Path(CHROME_PATH).exists():
        sys.exit(f"{CHROME_PATH} is missing: apt-get install chromium")
    binary = lighthouse_binary()
    with site_under_test(options) as base_url:
        measure(binary, base_url, names, options)


def measure(binary, base_url, names, options):
    pages = find_pages(base_url, names)
    warm(base_url, pages)
    reports = options.save or Path(tempfile.mkdtemp(prefix="gerai-lighthouse-"))
    reports.mkdir(parents=True, exist_ok=True)
    results = {name: [] for name in names}
    errors = []
    try:
        for run in range(1, options.runs + 1):
            for name, path in pages:
                print(f"run {run}: {name} ({path})", flush=True)
                report = reports / f"{name}-{run}.json"
                try:
                    results[name].append(run_page(binary, base_url + path, report))
                except LighthouseError as error:
                    errors.append(f"{name} run {run}: {error}")
                    print(f"  error: {error}", flush=True)
    finally:
        if not options.save:
            shutil.rmtree(reports, ignore_errors=True)

    print(f"\nLighthouse {VERSION}, mobile, best of {options.runs} run(s)\n")
    print("| page | path | performance | accessibility | best practices | SEO |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    notes = []
    for name, path in pages:
        best = {}
        for category in CATEGORIES:
            scored = [
                lhr
                for lhr in results[name]
                if lhr["categories"][category]["score"] is not None
            ]
            if scored:
                lhr = max(scored, key=lambda lhr: lhr["categories"][category]["score"])
                best[category] = lhr["categories"][category]["score"]
                if best[category] < 1:
                    costly = costly_audits(lhr, category)
                    notes.append(f"- {name} / {category}: {', '.join(costly)}")
        cells = " | ".join(score_text(best.get(category)) for category in CATEGORIES)
        print(f"| {name} | `{path}` | {cells} |")
    indexes = [
        lhr["environment"]["benchmarkIndex"]
        for runs in results.values()
        for lhr in runs
    ]
    if indexes:
        print(
            f"\nLighthouse's CPU benchmark index over the runs: {min(indexes):.0f}–"
            f"{max(indexes):.0f} (it falls as the machine gets busier)."
        )
    if notes:
        print("\nAudits below 1 (in the best run of that category):\n")
        print("\n".join(notes))
    if errors:
        print("\nErrors:\n")
        print("\n".join(f"- {error}" for error in errors))
        sys.exit(1)


if __name__ == "__main__":
    main()
