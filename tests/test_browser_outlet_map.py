"""The outlet map as a resident sees it: the pin shows with the hashed static file
names of production, and Leaflet's controls speak the page's language."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

OUTLET_PATH = "/gerai/gerai-umkm-cipare/"


@pytest.fixture
def hashed_static_files(settings, tmp_path):
    """Static files under hashed names, as production serves them (DEBUG off:
    ManifestStaticFilesStorage): collected into a folder the live server serves
    them from, so an image asked for by its plain name is not found."""
    root = tmp_path / "static"
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.STATICFILES_DIRS = [root]
    assert static("vendor/leaflet-1.9.4/images/marker-icon.png") != (
        "/static/vendor/leaflet-1.9.4/images/marker-icon.png"
    )
    return root


def open_map(page, url):
    """Open an outlet page, scroll to its map and wait for Leaflet to draw it;
    return the failed requests (status 400 or more) of the page's own site."""
    failed = []
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and response.url.startswith(url.split("/", 3)[0] + "//")
            and "tile.openstreetmap.org" not in response.url
            and failed.append(f"{response.status} {response.url}")
        ),
    )
    page.goto(url)
    page.locator("#outlet-map").scroll_into_view_if_needed()
    page.locator("#outlet-map.is-ready").wait_for()
    page.locator("#outlet-map .leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")
    return failed


def test_the_map_pin_shows_with_hashed_static_files(
    live_server, page, offline_map_tiles, hashed_static_files
):
    """With production's hashed file names the outlet's pin and its shadow load
    from the static files (nothing answers 404) and are drawn on the map."""
    failed = open_map(page, live_server.url + OUTLET_PATH)

    assert failed == []
    pin = page.locator("#outlet-map img.leaflet-marker-icon").first
    assert pin.get_attribute("src") == static(
        "vendor/leaflet-1.9.4/images/marker-icon.png"
    )
    assert pin.evaluate("img => img.complete && img.naturalWidth") > 0
    shadow = page.locator("#outlet-map img.leaflet-marker-shadow").first
    assert shadow.get_attribute("src") == static(
        "vendor/leaflet-1.9.4/images/marker-shadow.png"
    )
    assert shadow.evaluate("img => img.complete && img.naturalWidth") > 0


def test_the_sharp_map_pin_shows_on_a_high_density_screen(
    live_server, browser, hashed_static_files
):
    """On a phone's high-density screen the sharper pin (marker-icon-2x.png) loads
    from the static files under its hashed name, not from beside the page."""
    page = browser.new_context(device_scale_factor=2).new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    failed = open_map(page, live_server.url + OUTLET_PATH)

    assert failed == []
    pin = page.locator("#outlet-map img.leaflet-marker-icon").first
    assert pin.get_attribute("src") == static(
        "vendor/leaflet-1.9.4/images/marker-icon-2x.png"
    )
    assert pin.evaluate("img => img.complete && img.naturalWidth") > 0
    page.context.close()


@pytest.mark.parametrize(
    "prefix, zoom_in, zoom_out, library, close",
    [
        (
            "",
            "Perbesar",
            "Perkecil",
            "Pustaka JavaScript untuk peta interaktif",
            "Tutup",
        ),
        (
            "/en",
            "Zoom in",
            "Zoom out",
            "A JavaScript library for interactive maps",
            "Close",
        ),
    ],
)
def test_the_map_controls_speak_the_page_language(
    live_server, page, offline_map_tiles, prefix, zoom_in, zoom_out, library, close
):
    """The zoom buttons and the pin's popup close button are named, and the Leaflet
    credit titled, in Indonesian on the Indonesian page and in English under /en/;
    OpenStreetMap keeps its credit (its licence requires it)."""
    open_map(page, live_server.url + prefix + OUTLET_PATH)

    zoom_in_button = page.locator("#outlet-map .leaflet-control-zoom-in")
    zoom_out_button = page.locator("#outlet-map .leaflet-control-zoom-out")
    assert zoom_in_button.get_attribute("title") == zoom_in
    assert zoom_in_button.get_attribute("aria-label") == zoom_in
    assert zoom_out_button.get_attribute("title") == zoom_out
    assert zoom_out_button.get_attribute("aria-label") == zoom_out
    attribution = page.locator("#outlet-map .leaflet-control-attribution")
    assert (
        attribution.locator("a[href='https://leafletjs.com']").get_attribute("title")
        == library
    )
    osm = attribution.locator("a[href='https://www.openstreetmap.org/copyright']")
    assert osm.inner_text() == "OpenStreetMap"
    page.locator("#outlet-map img.leaflet-marker-icon").first.click()
    close_button = page.locator("#outlet-map .leaflet-popup-close-button")
    assert close_button.get_attribute("aria-label") == close
