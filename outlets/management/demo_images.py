"""Placeholder product photos for the seed_demo command, drawn with Pillow.

Each picture is a 1200×900 JPEG of a kind of product in its category's colours
(demo_data.PALETTES) with the kind's name on it, in one of three styles: the product
on a plate, its package, or a batik-like close-up. Flat shapes keep the drawing fast
and the files small, and need no downloaded photos; the random generator is seeded by
the kind and the style, so the same call always gives the same bytes. seed_demo
stores them through ProductPhoto.set_image, so the demo photos go through the real
image pipeline (products/images.py) like an upload. Only the drawing lives here;
which pictures are needed, and where they are stored, is seed_demo's business.
"""

import functools
import io
import random

from PIL import Image, ImageDraw, ImageFont

from outlets.management.demo_data import PALETTES


def _mix(color, other, share):
    return tuple(round(a + (b - a) * share) for a, b in zip(color, other, strict=True))


@functools.cache
def _font(size):
    return ImageFont.load_default(size=size)


def draw_picture(kind, style):
    """A 1200×900 placeholder photo of a kind of product, as JPEG bytes; style 0 is
    the product on a plate, 1 its package, 2 a batik-like close-up."""
    rng = random.Random(f"{kind.name}:{style}")
    background, accent = PALETTES[kind.category]
    if style == 1:
        background, accent = _mix(accent, background, 0.25), background
    image = Image.new("RGB", (1200, 900), background)
    draw = ImageDraw.Draw(image)
    light = _mix(background, (255, 255, 255), 0.45)
    dark = _mix(accent, (0, 0, 0), 0.35)
    if style == 0:
        draw.ellipse((330, 90, 870, 630), fill=light, outline=dark, width=10)
        for _ in range(rng.randint(5, 8)):
            x, y, r = rng.randint(450, 750), rng.randint(210, 510), rng.randint(45, 85)
            draw.ellipse(
                (x - r, y - r, x + r, y + r), fill=accent, outline=dark, width=6
            )
    elif style == 1:
        draw.rounded_rectangle((400, 80, 800, 680), radius=48, fill=accent)
        draw.rectangle((400, 280, 800, 420), fill=light)
        draw.ellipse((540, 140, 660, 260), fill=light)
    else:
        for x in range(0, 1300, 130):
            for y in range(0, 760, 130):
                r = rng.randint(30, 55)
                draw.polygon(
                    [(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=accent
                )
                draw.ellipse((x - 10, y - 10, x + 10, y + 10), fill=light)
    draw.rectangle((0, 700, 1200, 900), fill=_mix(background, (0, 0, 0), 0.5))
    size = 96
    while _font(size).getlength(kind.name) > 820:
        size -= 8
    draw.text((600, 780), kind.name, font=_font(size), anchor="mm", fill="white")
    draw.text(
        (600, 860), "Foto contoh · Gerai UMKM Kota Serang", font=_font(30), anchor="mm"
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()
