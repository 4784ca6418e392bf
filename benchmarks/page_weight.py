"""Bytes a phone downloads for each public page, first and repeat view (issue #14:
at most 120 KB for a first view and 20 KB for a repeat view, photos excluded).

Starts the demo site as deployed (demo_site.serve_demo_site), or measures a running
site given by its URL, and opens the pages Lighthouse measures (benchmarks/
lighthouse.py) in Debian's Chromium at 360x740 (a common Android screen), without
scrolling:

- first view: a new browser context (empty cache), the page loaded until the network
  is idle;
- repeat view: a second tab in the same context opening the same page, as a resident
  coming back: only what comes over the network counts (a 304 its headers, a cache
  hit nothing).

Bytes are the transferred (compressed) size of each response, headers included:
Chromium's own count (CDP Network.loadingFinished encodedDataLength, zero for a
response served from its cache). Page.route is not used: Playwright's routing turns
the HTTP cache off. Photos under MEDIA_URL (/media/) are counted apart, as the
budgets exclude them. Map tiles are blocked, as on a connection where they cannot
load. Exit status 1 when a page is over a budget.

    .venv/bin/python benchmarks/page_weight.py                  # all pages, ~1 minute
    .venv/bin/python benchmarks/page_weight.py --pages home,sign-up --detail
    .venv/bin/python benchmarks/page_weight.py http://127.0.0.1:8000   # a running site
"""

import argparse
import sys
from urllib.parse import urlsplit

from demo_site import add_arguments, find_pages, page_names, site_under_test, warm
from playwright.sync_api import sync_playwright

FIRST_VIEW_BUDGET = 120 * 1024
REPEAT_VIEW_BUDGET = 20 * 1024
CHROMIUM = "/usr/bin/chromium"
BLOCKED = ["*://tile.openstreetmap.org/*"]


def load(context, url):
    """Open url in a new tab of context; [(url, status, bytes over the network)]
    of its responses."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    urls, statuses, received = {}, {}, {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]),
    )
    cdp.on(
        "Network.responseReceived",
        lambda event: statuses.__setitem__(
            event["requestId"], event["response"]["status"]
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda event: received.__setitem__(
            event["requestId"], int(event["encodedDataLength"])
        ),
    )
    cdp.send("Network.enable")
    cdp.send("Network.setBlockedURLs", {"urls": BLOCKED})
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    page.close()
    return [
        (urls.get(request_id, "?"), statuses.get(request_id), size)
        for request_id, size in received.items()
    ]


def split(responses):
    """(site bytes, photo bytes)."""
    site = photos = 0
    for url, _, size in responses:
        if urlsplit(url).path.startswith("/media/"):
            photos += size
        else:
            site += size
    return site, photos


def kb(size):
    return f"{size / 1024:.1f} KB"


def measure(base_url, names, detail):
    pages = find_pages(base_url, names)
    warm(base_url, pages)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            for name, path in pages:
                context = browser.new_context(viewport={"width": 360, "height": 740})
                first = load(context, base_url + path)
                repeat = load(context, base_url + path)
                context.close()
                rows.append((name, path, first, repeat))
        finally:
            browser.close()

    print("| page | path | first view | repeat view | photos (first view) | budget |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    over = False
    for name, path, first, repeat in rows:
        (first_site, photos), (repeat_site, _) = split(first), split(repeat)
        problems = []
        if first_site > FIRST_VIEW_BUDGET:
            problems.append("first view over")
        if repeat_site > REPEAT_VIEW_BUDGET:
            problems.append("repeat view over")
        over |= bool(problems)
        print(
            f"| {name} | `{path}` | {kb(first_site)} | {kb(repeat_site)} "
            f"| {kb(photos)} | {', '.join(problems) or 'within'} |"
        )
    print(
        f"\nBudgets: first view {kb(FIRST_VIEW_BUDGET)}, "
        f"repeat view {kb(REPEAT_VIEW_BUDGET)} (photos excluded)."
    )
    if detail:
        for name, _, first, repeat in rows:
            for view, responses in (("first", first), ("repeat", repeat)):
                print(f"\n{name}, {view} view, responses over the network:")
                for url, status, size in sorted(responses, key=lambda row: -row[2]):
                    if size:
                        print(f"  {size:>8,} B  {status}  {urlsplit(url).path}")
    return over


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument(
        "--detail", action="store_true", help="list each response over the network"
    )
    options = parser.parse_args()
    names = page_names(parser, options)
    with site_under_test(options) as base_url:
        over = measure(base_url, names, options.detail)
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
