"""Open our files in a real office suite: LibreOffice headless converts them, and tests read the result.

scripts/test.sh installs libreoffice-calc and libreoffice-writer. Where soffice is missing the tests are
skipped on a developer's machine but fail in CI, so a missing install step cannot hide behind a green run.
"""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"
TEXT_UTF8 = "txt:Text (encoded):UTF8"


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed; scripts/test.sh should have installed it")
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


def convert(source: Path, target_format: str, workdir: Path) -> Path:
    """Convert ``source`` with LibreOffice into ``workdir``; return the converted file."""
    return convert_all([source], target_format, workdir)[0]


def convert_all(sources: list[Path], target_format: str, workdir: Path) -> list[Path]:
    """Convert every file of ``sources`` in one LibreOffice run (one start-up); the converted files in order."""
    binary = soffice()
    # A profile of its own per run: two conversions sharing one profile block each other.
    profile = workdir / f"lo-profile-{uuid.uuid4().hex}"
    out = workdir / "converted"
    out.mkdir(exist_ok=True)
    result = subprocess.run(
        [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target_format,
            "--outdir",
            str(out),
            *(str(source) for source in sources),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    extension = target_format.split(":", 1)[0]
    converted = [out / f"{source.stem}.{extension}" for source in sources]
    for source, path in zip(sources, converted, strict=True):
        assert path.exists(), f"LibreOffice did not convert {source.name}: {result.stdout}\n{result.stderr}"
    return converted
