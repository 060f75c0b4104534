"""Draw the integration's brand images: a message bubble with signal waves, and a wordmark.

An original design (not SMSC's logo), drawn with Pillow only: no font files, so the images come
out the same on every machine. Everything is drawn at 4x and scaled down for antialiasing, on a
transparent background. Run through scripts/brand; it writes custom_components/smsc/brand/:

  icon.png (256x256), icon@2x.png (512x512), logo.png (256 high), logo@2x.png (512 high)
  and the dark_ variants of each, for dark backgrounds.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
BRAND = ROOT / "custom_components" / "smsc" / "brand"
SUPERSAMPLE = 4

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Colours of one variant."""

    bubble_from: RGB  # top left of the bubble's gradient
    bubble_to: RGB  # bottom right
    waves: RGB
    text: RGB


LIGHT = Palette(
    bubble_from=(0x25, 0x6F, 0xE8), bubble_to=(0x00, 0xB8, 0xD4), waves=(255, 255, 255),
    text=(0x16, 0x2B, 0x45),
)  # fmt: skip
DARK = Palette(
    bubble_from=(0x5C, 0xA8, 0xFF), bubble_to=(0x3D, 0xE0, 0xD0), waves=(0x0B, 0x1A, 0x2E),
    text=(0xEE, 0xF4, 0xFA),
)  # fmt: skip


def _gradient(size: int, start: RGB, end: RGB) -> Image.Image:
    """A square that goes from `start` at the top left to `end` at the bottom right."""
    vertical = Image.linear_gradient("L").resize((size, size), Image.Resampling.BICUBIC)
    horizontal = vertical.transpose(Image.Transpose.ROTATE_90)
    diagonal = ImageChops.add(vertical, horizontal, scale=2)
    return Image.composite(
        Image.new("RGB", (size, size), end), Image.new("RGB", (size, size), start), diagonal
    )


def _round_cap(draw: ImageDraw.ImageDraw, x: float, y: float, width: float, fill: RGB) -> None:
    r = width / 2
    draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def _arc(
    draw: ImageDraw.ImageDraw,
    centre: tuple[float, float],
    *,
    radius: float,
    start: float,
    end: float,
    width: float,
    fill: RGB,
) -> None:
    """A stroke along a circle (its centre line at `radius`), with round ends.

    Angles are in degrees, clockwise from 3 o'clock, as Pillow draws them.
    """
    cx, cy = centre
    outer = radius + width / 2
    draw.arc(
        (cx - outer, cy - outer, cx + outer, cy + outer),
        start,
        end,
        fill=fill,
        width=round(width),
    )
    for angle in (start, end):
        a = math.radians(angle)
        _round_cap(draw, cx + radius * math.cos(a), cy + radius * math.sin(a), width, fill)


def draw_icon(size: int, palette: Palette) -> Image.Image:
    """The bubble with waves on a transparent square of `size` (drawn at that size)."""
    s = size
    mask = Image.new("L", (s, s), 0)
    shape = ImageDraw.Draw(mask)
    # The bubble, and its tail at the bottom left.
    shape.rounded_rectangle((0.05 * s, 0.09 * s, 0.95 * s, 0.75 * s), radius=0.2 * s, fill=255)
    shape.polygon(
        [(0.2 * s, 0.66 * s), (0.13 * s, 0.93 * s), (0.45 * s, 0.72 * s)],
        fill=255,
    )
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    image.paste(_gradient(s, palette.bubble_from, palette.bubble_to), (0, 0), mask)

    # Signal waves: a dot and three arcs opening to the right, centred in the bubble.
    draw = ImageDraw.Draw(image)
    stroke = 0.06 * s
    radii = (0.135 * s, 0.235 * s, 0.335 * s)
    left = 0.047 * s  # the dot's radius
    width = left + radii[-1] + stroke / 2
    centre = (0.5 * s - width / 2 + left, 0.42 * s)
    draw.ellipse(
        (centre[0] - left, centre[1] - left, centre[0] + left, centre[1] + left),
        fill=palette.waves,
    )
    for radius in radii:
        _arc(draw, centre, radius=radius, start=-45, end=45, width=stroke, fill=palette.waves)
    return image


def _letter_s(
    draw: ImageDraw.ImageDraw, x: float, *, top: float, cap: float, stroke: float, fill: RGB
) -> float:
    """A geometric S from two bowls; returns its width."""
    radius = (cap - stroke) / 4
    cx = x + radius + stroke / 2
    upper = (cx, top + stroke / 2 + radius)
    lower = (cx, top + cap - stroke / 2 - radius)
    _arc(draw, upper, radius=radius, start=90, end=330, width=stroke, fill=fill)
    _arc(draw, lower, radius=radius, start=-90, end=150, width=stroke, fill=fill)
    return 2 * radius + stroke


def _letter_c(
    draw: ImageDraw.ImageDraw, x: float, *, top: float, cap: float, stroke: float, fill: RGB
) -> float:
    """A geometric C; returns its width."""
    radius = (cap - stroke) / 2
    _arc(
        draw,
        (x + cap / 2, top + cap / 2),
        radius=radius,
        start=45,
        end=315,
        width=stroke,
        fill=fill,
    )
    return cap * (0.5 + 0.5 * math.cos(math.radians(45))) + stroke / 2


def _letter_m(
    draw: ImageDraw.ImageDraw, x: float, *, top: float, cap: float, stroke: float, fill: RGB
) -> float:
    """A geometric M; returns its width."""
    width = 0.98 * cap
    half = stroke / 2
    points = [
        (x + half, top + cap - half),
        (x + half, top + half),
        (x + width / 2, top + 0.64 * cap),
        (x + width - half, top + half),
        (x + width - half, top + cap - half),
    ]
    draw.line(points, fill=fill, width=round(stroke), joint="curve")
    for px, py in (points[0], points[-1], points[1], points[3]):
        _round_cap(draw, px, py, stroke, fill)
    return width


def _wordmark_width(height: float) -> float:
    scratch = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    return _wordmark(scratch, 0, height, LIGHT)


def _wordmark(draw: ImageDraw.ImageDraw, x: float, height: float, palette: Palette) -> float:
    """SMSC in geometric letters from `x`, level with the bubble's middle; returns its width."""
    cap = 0.44 * height
    style = {"top": 0.42 * height - cap / 2, "cap": cap, "stroke": 0.1 * height}
    spacing = 0.075 * height
    start = x
    for letter in (_letter_s, _letter_m, _letter_s, _letter_c):
        x += letter(draw, x, fill=palette.text, **style) + spacing
    return x - spacing - start


def logo_width(height: int) -> int:
    """The width of the logo `height` high: the icon, a gap, the wordmark and a margin."""
    return math.ceil(height * 1.14 + _wordmark_width(height))


def draw_logo(height: int, width: int, palette: Palette) -> Image.Image:
    """The icon and the wordmark SMSC on a transparent `width` x `height` image."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.alpha_composite(draw_icon(height, palette))
    _wordmark(ImageDraw.Draw(image), height * 1.1, height, palette)
    return image


def _downscale(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale with premultiplied alpha so that edges don't take the transparent black."""
    return image.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA")


def render(out: Path) -> list[Path]:
    """Write every brand image into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for prefix, palette in (("", LIGHT), ("dark_", DARK)):
        for scale, suffix in ((1, ""), (2, "@2x")):
            icon_size = 256 * scale
            big = draw_icon(icon_size * SUPERSAMPLE, palette)
            path = out / f"{prefix}icon{suffix}.png"
            _downscale(big, (icon_size, icon_size)).save(path, optimize=True)
            written.append(path)

            logo_height = 256 * scale
            width = logo_width(256) * scale  # the 2x logo is exactly twice the 1x one
            big = draw_logo(logo_height * SUPERSAMPLE, width * SUPERSAMPLE, palette)
            path = out / f"{prefix}logo{suffix}.png"
            _downscale(big, (width, logo_height)).save(path, optimize=True)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line of scripts/brand."""
    parser = argparse.ArgumentParser(prog="scripts/brand", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=BRAND, help="where to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    for path in render(args.out):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        with Image.open(path) as image:
            print(f"{shown}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
