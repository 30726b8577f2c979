"""Draw examples/lighthouse.png, the small image the README's main command encodes.

Drawn procedurally so that the project ships no third-party image: a lighthouse on a cliff by
the sea under an evening sky. Run it to re-create the file: python examples/make_example.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

W, H = 768, 512


def main() -> None:
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    for y in range(H // 2 + 40):  # evening sky: deep blue to orange
        t = y / (H // 2 + 40)
        d.line([(0, y), (W, y)], fill=(int(40 + 215 * t), int(60 + 110 * t), int(140 - 60 * t)))
    d.ellipse([520, 170, 600, 250], fill=(255, 220, 120))  # setting sun
    for y in range(H // 2 + 40, H):  # sea
        t = (y - H // 2 - 40) / (H // 2 - 40)
        d.line([(0, y), (W, y)], fill=(int(20 + 20 * t), int(70 + 40 * t), int(120 + 40 * t)))
    d.polygon([(0, 330), (180, 280), (300, 320), (330, H), (0, H)], fill=(70, 60, 50))  # cliff
    d.polygon([(120, 290), (160, 290), (152, 130), (128, 130)], fill=(235, 235, 235))  # tower
    for y in (170, 220, 260):
        d.rectangle([124, y, 156, y + 14], fill=(200, 30, 30))  # red bands
    d.rectangle([124, 110, 156, 130], fill=(255, 240, 150))  # lamp
    d.polygon([(120, 110), (160, 110), (140, 92)], fill=(40, 40, 40))  # roof
    img.save(Path(__file__).with_name("lighthouse.png"), optimize=True)


if __name__ == "__main__":
    main()
