"""Evaluation datasets: Kodak, CLIC 2020 (professional), or any folder of images.

Images are always loaded at their original resolution, with EXIF orientation applied, as RGB
``uint8`` arrays of shape HxWx3, because semcodec decodes at the original size and the metrics
compare pixel for pixel. Named datasets download themselves into a cache (``$SEMCODEC_DATA`` or
``~/.cache/semcodec/data``) and are verified against shipped checksums; a local copy is given
with ``data_dir``. Every dataset has a manifest hash (sha256 over the sorted names and the sha256
of each image's decoded pixels) that results record, so two runs can be shown to use the same data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import InputError

#: Images larger than this many pixels are refused (decompression-bomb guard); 2**27 = 134 MP.
MAX_PIXELS = 1 << 27

#: File suffixes taken from a folder; other files (README, MANIFEST.tsv, .DS_Store) are ignored.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".ppm", ".pgm", ".pnm"})

KODAK_URL = "https://r0k.us/graphics/kodak/kodak/{name}"

#: CLIC 2020 professional sets. The validation archive's md5 is the one published with
#: google-deepmind's C3 code; no checksum is published for the test archive, so only its pixel
#: manifest hash (recorded in results) identifies it.
CLIC2020 = {
    "clic2020-valid": ("https://data.vision.ee.ethz.ch/cvl/clic/professional_valid_2020.zip",
                       "7111ee240435911db04dbc5f40d50272"),
    "clic2020-test": ("https://data.vision.ee.ethz.ch/cvl/clic/test/CLIC2020Professional_test.zip", None),
}

#: FID/KID patch size (HiFiC's FID/256 convention; Kodak is too small for 256 and uses 64).
DEFAULT_PATCH = 256
KODAK_PATCH = 64


@dataclass(frozen=True)
class ManifestEntry:
    """One row of a manifest: expected size, file hash and decoded-pixel hash of an image."""

    name: str
    width: int
    height: int
    nbytes: int
    sha256_file: str
    sha256_pixels: str


def read_manifest(path: str | Path) -> dict[str, ManifestEntry]:
    """Read a tab-separated manifest in the format of Kodak's ``MANIFEST.tsv``."""
    text = Path(path).read_text(encoding="utf-8")
    return _parse_manifest(text, str(path))


def _parse_manifest(text: str, origin: str) -> dict[str, ManifestEntry]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    want = ["file", "width", "height", "mode", "bytes", "sha256_file", "sha256_rgb_pixels"]
    if not lines or lines[0].split("\t") != want:
        raise InputError(f"{origin} is not a manifest: its header must be the tab-separated columns {' '.join(want)}.")
    out: dict[str, ManifestEntry] = {}
    for ln in lines[1:]:
        cols = ln.split("\t")
        if len(cols) != len(want):
            raise InputError(f"{origin} has a malformed line: {ln!r}.")
        name, w, h, _mode, nbytes, sha_file, sha_pix = cols
        out[name] = ManifestEntry(name, int(w), int(h), int(nbytes), sha_file, sha_pix)
    return out


def kodak_manifest() -> dict[str, ManifestEntry]:
    """The 24-image Kodak manifest shipped inside the package."""
    text = resources.files("semcodec.eval").joinpath("data/kodak_manifest.tsv").read_text(encoding="utf-8")
    return _parse_manifest(text, "the shipped Kodak manifest")


def pixel_sha256(pixels: np.ndarray) -> str:
    """sha256 of a decoded image buffer (uint8 HxWx3, C order), independent of the file format."""
    return hashlib.sha256(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes()).hexdigest()


def load_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Load an image file as RGB uint8 HxWx3 at full resolution, EXIF orientation applied
    (``semcodec.imageio.load_image``, the codec's own loader, as a numpy array)."""
    from ..imageio import load_image as load_pil

    return np.asarray(load_pil(path, max_pixels=max_pixels), dtype=np.uint8).copy()


def data_home() -> Path:
    """Where downloaded datasets are cached: ``$SEMCODEC_DATA`` or ``~/.cache/semcodec/data``."""
    env = os.environ.get("SEMCODEC_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "semcodec" / "data"


@dataclass
class Dataset:
    """An ordered set of images in a folder, optionally with expected pixel hashes."""

    name: str
    root: Path
    files: list[str]
    source: str
    expected: dict[str, str] = field(default_factory=dict)
    fid_patch: int = DEFAULT_PATCH
    _hashes: dict[str, str] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[tuple[str, np.ndarray]]:
        for name in self.files:
            yield name, self.load(name)

    def load(self, name: str) -> np.ndarray:
        """Load one image; verify its pixels where the dataset knows what they must be."""
        pixels = load_image(self.root / name)
        digest = pixel_sha256(pixels)
        want = self.expected.get(name)
        if want is not None and digest != want:
            raise InputError(
                f"{self.root / name} does not match the {self.name} manifest (decoded pixels differ); "
                "the file is corrupt or not the right image."
            )
        self._hashes[name] = digest
        return pixels

    def manifest_hash(self) -> str:
        """sha256 over sorted "name<TAB>pixel-sha256" lines: identifies exactly the data evaluated."""
        for name in self.files:
            if name not in self._hashes:
                try:
                    self.load(name)
                except InputError:  # unreadable: the run records it as failed
                    self._hashes[name] = "unreadable"
        lines = "".join(f"{n}\t{self._hashes[n]}\n" for n in sorted(self.files))
        return hashlib.sha256(lines.encode()).hexdigest()

    def first(self, n: int | None) -> Dataset:
        """The first ``n`` images in the dataset's (sorted) order; all of them when ``n`` is None."""
        if n is None:
            return self
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InputError(f"limit must be a whole number of images, at least 1, not {n!r}", params=("limit",))
        return Dataset(self.name, self.root, self.files[:n], self.source, self.expected, self.fid_patch, self._hashes)

    def describe(self) -> dict[str, object]:
        """The dataset's identity for results' meta."""
        return {"name": self.name, "source": self.source, "root": str(self.root),
                "images": len(self.files), "manifest_sha256": self.manifest_hash()}


def open_dataset(spec: str, data_dir: str | Path | None = None, *, download: bool = True) -> Dataset:
    """Open a dataset by name (``kodak``, ``clic2020``, ``clic2020-valid``, ``clic2020-test``),
    ``folder:PATH`` or a path to a folder of images.

    ``data_dir`` gives a local copy of a named dataset instead of the download cache.
    """
    key = spec.lower()
    if key == "kodak":
        return _kodak(Path(data_dir) if data_dir else None, download)
    if key in ("clic2020", "clic2020-valid", "clic2020-test"):
        key = "clic2020-valid" if key == "clic2020" else key
        return _clic(key, Path(data_dir) if data_dir else None, download)
    path = Path(spec[len("folder:"):] if key.startswith("folder:") else spec).expanduser()
    if data_dir is not None:
        raise InputError("data_dir only applies to a named dataset (kodak, clic2020); give the folder itself.",
                         params=("data_dir",))
    if not path.exists():
        raise InputError(f"{spec} is neither a known dataset (kodak, clic2020-valid, clic2020-test) nor an existing folder.")
    return folder_dataset(path)


def folder_dataset(path: Path, name: str | None = None, patch: int = DEFAULT_PATCH) -> Dataset:
    """Every image file directly inside ``path`` (or the single image ``path``), sorted by name."""
    if path.is_file():
        load_image(path)  # one clear error now if it is not an image
        return Dataset(name or f"folder:{path}", path.parent, [path.name], "local", fid_patch=patch)
    files = sorted(p.name for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                   and not p.name.startswith("."))
    if not files:
        raise InputError(f"{path} contains no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")
    return Dataset(name or f"folder:{path}", path, files, "local", fid_patch=patch)


def verified_dataset(name: str, root: Path, manifest: dict[str, ManifestEntry], source: str,
                     patch: int = DEFAULT_PATCH) -> Dataset:
    """A dataset whose folder must hold every manifest entry; pixels are checked as they load."""
    missing = [n for n in manifest if not (root / n).is_file()]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise InputError(f"{root} lacks {len(missing)} {name} image(s): {', '.join(missing[:3])}{more}.")
    expected = {n: e.sha256_pixels for n, e in manifest.items()}
    return Dataset(name, root, sorted(manifest), source, expected, patch)


def _kodak(data_dir: Path | None, download: bool) -> Dataset:
    manifest = kodak_manifest()
    if data_dir is not None:
        if not data_dir.is_dir():
            raise InputError(f"data_dir {data_dir} is not a folder.", params=("data_dir",))
        return verified_dataset("kodak", data_dir, manifest, "local", KODAK_PATCH)
    root = data_home() / "kodak"
    todo = [n for n in manifest if not (root / n).is_file()]
    if todo and not download:
        raise InputError(f"Kodak is not in {root}; give data_dir, a local copy.", params=("data_dir",))
    for n in todo:
        _fetch(KODAK_URL.format(name=n), root / n, "Kodak")
    return verified_dataset("kodak", root, manifest, KODAK_URL.format(name="kodimNN.png"), KODAK_PATCH)


def _clic(key: str, data_dir: Path | None, download: bool) -> Dataset:
    url, md5 = CLIC2020[key]
    if data_dir is not None:
        return folder_dataset(data_dir, key)
    root = data_home() / key
    if not (root / ".complete").exists():
        if not download:
            raise InputError(f"{key} is not in {root}; give data_dir, a local copy.", params=("data_dir",))
        archive = data_home() / f"{key}.zip"
        if not archive.exists():
            _fetch(url, archive, key)
        if md5 is not None and _file_hash(archive, "md5") != md5:
            archive.unlink()
            raise InputError(f"the {key} download does not match its published md5; it was deleted, try again or give data_dir, a local copy.",
                             params=("data_dir",))
        _extract_images(archive, root)
        (root / ".complete").write_text(_file_hash(archive, "sha256") + "\n")
    return folder_dataset(root, key)


def _fetch(url: str, dest: Path, what: str) -> None:
    """Download ``url`` to ``dest`` atomically; any network failure is one clear sentence."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(part, "wb") as f:
            shutil.copyfileobj(r, f)
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        part.unlink(missing_ok=True)
        reason = getattr(e, "reason", e)
        raise InputError(f"could not download {what} from {url} ({reason}); download it yourself and give data_dir, the folder.",
                         params=("data_dir",)) from None
    part.replace(dest)


def _file_hash(path: Path, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _extract_images(archive: Path, root: Path) -> None:
    """Extract the PNGs of a CLIC zip flat into ``root`` (by base name: no path from the zip is trusted)."""
    root.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                base = Path(info.filename).name
                if info.is_dir() or "__MACOSX" in info.filename or base.startswith(".") \
                        or Path(base).suffix.lower() not in IMAGE_SUFFIXES:
                    continue
                with z.open(info) as src, open(root / base, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile:
        archive.unlink(missing_ok=True)
        raise InputError(f"{archive} is not a valid zip archive; it was deleted, try again or give data_dir, a local copy.",
                         params=("data_dir",)) from None
