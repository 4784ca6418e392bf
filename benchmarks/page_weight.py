"""Bytes a phone downloads for the first view of each public page.

Opens each page in Debian's Chromium at 360x740 (a common Android screen) against a
running site, without scrolling, and adds up the transferred (compressed) size of
every response: HTML, CSS, JavaScript, fonts and icons. Product and logo photos under
MEDIA_URL are counted apart, as the budget excludes them. Map tiles are blocked, as
on a connection where they cannot load.

    .venv/bin/python benchmarks/page_weight.py http://127.0.0.1:8000
"""

import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

BUDGET = 200 * 1024
PATHS = ["/", "/gerai/", "/gerai/iwak-banten/", "/produk/", "/produk/?q=dodol"]


def first_view_bytes(page, url):
    transfers = []
    page.on("requestfinished", lambda request: transfers.append(request))
    page.goto(url, wait_until="networkidle")
    site, photos = 0, 0
    for request in transfers:
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if urlsplit(request.url).path.startswith("/media/"):
            photos += size
        else:
            site += size
    return site, photos


def main(base_url):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        paths = list(PATHS)
        print("| page | first view without photos | photos |")
        print("| --- | ---: | ---: |")
        over = False
        for path in paths:
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
            site, photos = first_view_bytes(page, base_url + path)
            if path == "/produk/":
                link = page.locator("article a").first.get_attribute("href")
                paths.append(link)
            over |= site > BUDGET
            print(f"| `{path}` | {site / 1024:.1f} KB | {photos / 1024:.1f} KB |")
            context.close()
        browser.close()
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
