"""The outlet map as a resident sees it: the pin shows with the hashed static file
names of production, and Leaflet's controls speak the page's language; on a phone
the map loads only when asked for. The outlets sorted from the nearest, with the
position kept in the browser."""

import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from playwright.sync_api import expect

from outlets.models import Outlet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

OUTLET_PATH = "/gerai/gerai-umkm-cipare/"
# A resident standing about 30 m from Gerai UMKM Kasemen (-6.045, 106.156).
NEAR_KASEMEN = {"latitude": -6.0452, "longitude": 106.1562}
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
# The Indonesian button names, or the English msgids until the catalogue has them.
SHOW_THE_MAP = re.compile("^(Tampilkan peta|Show the map)$")
SORT_BY_NEAREST = re.compile("^(Urutkan dari yang terdekat|Sort by nearest)$")


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


def leaflet_requests(page):
    """The requests for leaflet.js the page makes from now on (a list that fills)."""
    asked = []
    page.on(
        "request",
        lambda request: (
            request.url.split("?")[0].endswith("/leaflet.js")
            and asked.append(request.url)
        ),
    )
    return asked


@pytest.mark.parametrize("path", [OUTLET_PATH, "/gerai/"])
def test_on_a_phone_the_map_loads_only_when_asked_for(
    live_server, page, offline_map_tiles, path
):
    """At 360 px the page loads without Leaflet and without an empty map box; the
    resident presses "Show the map" and the map with its pins takes the button's
    place, focused."""
    page.set_viewport_size(PHONE)
    asked = leaflet_requests(page)

    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    page.mouse.wheel(0, 3000)
    page.wait_for_load_state("networkidle")

    assert asked == []
    assert page.locator("#outlet-map").bounding_box() is None
    show = page.locator("#outlet-map-show")
    expect(show).to_be_visible()
    expect(show).to_have_text(SHOW_THE_MAP)
    show.click()
    page.locator("#outlet-map.is-ready .leaflet-marker-icon").first.wait_for()
    assert len(asked) == 1
    expect(show).to_be_hidden()
    expect(page.locator("#outlet-map")).to_be_focused()
    assert page.locator("#outlet-map").bounding_box()["height"] >= 200


def test_on_a_wide_screen_the_map_shows_as_before(live_server, page, offline_map_tiles):
    """At 1280 px there is no "Show the map" button: the map loads when scrolled
    into view, with the outlet's pin."""
    page.set_viewport_size(DESKTOP)

    open_map(page, live_server.url + OUTLET_PATH)

    expect(page.locator("#outlet-map-show")).to_be_hidden()
    expect(page.locator("#outlet-map .leaflet-marker-icon")).to_have_count(1)


def card_names(page):
    return page.locator("#outlet-list .outlet-card h3").all_inner_texts()


@pytest.fixture
def near_kasemen(browser, live_server):
    """A phone whose resident allowed the site their position, near Kasemen."""
    context = browser.new_context(
        viewport=PHONE,
        geolocation=NEAR_KASEMEN,
        permissions=["geolocation"],
    )
    context.grant_permissions(["geolocation"], origin=live_server.url)
    # Counts the page's requests for the position, to show none is made on load.
    context.add_init_script(
        """window.__positionsAsked = 0;
        const geolocation = navigator.geolocation;
        const ask = geolocation.getCurrentPosition.bind(geolocation);
        geolocation.getCurrentPosition = (...args) => {
          window.__positionsAsked += 1;
          return ask(...args);
        };"""
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", ["/", "/gerai/"])
def test_sort_by_nearest_puts_the_closest_outlet_first_with_distances(
    live_server, near_kasemen, path
):
    """Standing by Gerai UMKM Kasemen, a resident presses "Urutkan dari yang
    terdekat": Kasemen comes first (metres away), then Iwak Banten and Cipare
    (kilometres, with a decimal comma); the position is asked for only then and
    never leaves the browser."""
    page = near_kasemen
    sent = []
    page.goto(live_server.url + path)
    assert card_names(page) == [
        "Gerai UMKM Cipare",
        "Gerai UMKM Kasemen",
        "Iwak Banten",
    ]
    page.on(
        "request", lambda request: sent.append(request.url + (request.post_data or ""))
    )
    button = page.locator("#outlet-nearest button")
    expect(button).to_have_text(SORT_BY_NEAREST)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__positionsAsked") == 0

    button.click()

    status = page.locator("#outlet-nearest [role=status]")
    expect(status).not_to_be_empty()
    expect(page.locator("#outlet-list .outlet-distance")).to_have_count(3)
    assert card_names(page) == [
        "Gerai UMKM Kasemen",
        "Iwak Banten",
        "Gerai UMKM Cipare",
    ]
    distances = page.locator("#outlet-list .outlet-distance").all_inner_texts()
    assert re.match(r"^\d+ m\b", distances[0]), distances
    assert re.match(r"^\d+,\d km\b", distances[1]), distances
    assert re.match(r"^\d+,\d km\b", distances[2]), distances
    assert not any("6.045" in url or "106.156" in url for url in sent)


def test_an_outlet_without_coordinates_goes_last_without_a_distance(
    live_server, near_kasemen
):
    """Gerai UMKM Cipare without coordinates (not yet placed by staff) is listed
    after the outlets with a distance, and shows none."""
    Outlet.objects.filter(slug="gerai-umkm-cipare").update(
        latitude=None, longitude=None
    )
    page = near_kasemen
    page.goto(live_server.url + "/en/gerai/")

    page.get_by_role("button", name="Sort by nearest").click()

    expect(page.locator("#outlet-nearest [role=status]")).to_have_text(
        "The outlets are sorted from the nearest to you."
    )
    assert card_names(page) == [
        "Gerai UMKM Kasemen",
        "Iwak Banten",
        "Gerai UMKM Cipare",
    ]
    cipare = page.locator("#outlet-list .outlet-card").nth(2)
    expect(cipare.locator(".outlet-distance")).to_have_count(0)
    expect(page.locator("#outlet-list .outlet-distance").first).to_have_text(
        re.compile(r"^\d+ m from you$")
    )


def test_sort_by_nearest_without_permission_explains_and_keeps_the_order(
    live_server, page
):
    """A resident who does not allow their location is told so politely (in the
    live region under the button) and the outlets keep their order, without
    distances."""
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/en/gerai/")
    before = card_names(page)

    page.get_by_role("button", name="Sort by nearest").click()

    expect(page.locator("#outlet-nearest [role=status]")).to_have_text(
        re.compile("^Your location was not shared, so the outlets stay in their usual")
    )
    assert card_names(page) == before
    expect(page.locator("#outlet-list .outlet-distance")).to_have_count(0)


def test_the_new_map_and_nearest_controls_pass_axe_on_a_phone_and_a_desktop(
    live_server, near_kasemen, axe_violations
):
    """With "Show the map" on a phone and "Sort by nearest" used (distances and the
    message shown), the outlet list, the home and an outlet page have no axe
    violations at 360 and 1280 px."""
    page = near_kasemen
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    found = {}
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for path in ["/", "/gerai/", OUTLET_PATH]:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            # By keyboard: a hovered button's colour change would be caught midway.
            if page.locator("#outlet-map-show").is_visible():
                found[(viewport["width"], path, "before map")] = axe_violations(page)
                page.locator("#outlet-map-show").press("Enter")
            if page.locator("#outlet-map").count():
                page.locator("#outlet-map").scroll_into_view_if_needed()
                page.locator("#outlet-map.is-ready").wait_for()
            if page.locator("#outlet-nearest").count():
                page.locator("#outlet-nearest button").press("Enter")
                expect(page.locator("#outlet-list .outlet-distance")).to_have_count(3)
            found[(viewport["width"], path)] = axe_violations(page)

    assert {key: value for key, value in found.items() if value} == {}
