"""Draw the program's icon: a shield with «БК» in the bundled serif.

Writes installer/icons/bala-korgoo.ico (the executables, shortcuts and installer) and
ui/icons/bala-korgoo.png (the windows' icon in Qt). Run once when the design changes
(``uv run python installer/icons/make_icon.py``); both are kept in git so that a build needs
nothing but the sources.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
WINDOW_ICON = HERE.parent.parent / "ui" / "icons" / "bala-korgoo.png"
FONT = HERE.parent.parent / "reports" / "fonts" / "LiberationSerif-Bold.ttf"
SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
BLUE = (21, 101, 192, 255)
GOLD = (255, 193, 7, 255)


def draw(size: int = 256) -> Image.Image:
    """The icon at *size* pixels: a blue shield with a gold rim and white letters."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    s = size / 256
    shield = [(24, 20), (232, 20), (232, 120), (128, 240), (24, 120)]
    pen.polygon([(x * s, y * s) for x, y in shield], fill=GOLD)
    inner = [(40, 36), (216, 36), (216, 114), (128, 216), (40, 114)]
    pen.polygon([(x * s, y * s) for x, y in inner], fill=BLUE)
    font = ImageFont.truetype(str(FONT), round(100 * s))
    pen.text((128 * s, 112 * s), "БК", font=font, fill="white", anchor="mm")
    return image


if __name__ == "__main__":
    draw().save(HERE / "bala-korgoo.ico", sizes=SIZES)
    WINDOW_ICON.parent.mkdir(exist_ok=True)
    draw().save(WINDOW_ICON)
