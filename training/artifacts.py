"""Write the artifact bundle so that it appears complete or not at all."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bundle import CHECKSUMMED_FILES, MANIFEST_FILE, Manifest, file_sha256

logger = logging.getLogger(__name__)


class BundleOutputError(ValueError):
    """The output path cannot take a bundle without destroying something else."""


def check_output_path(out: Path) -> None:
    """Refuse an ``out`` that exists and is not a bundle (a non-empty directory
    without a manifest, or a file): replacing it would destroy the user's files.

    Called before training so that a bad ``--out`` fails in seconds, not minutes.
    """
    out = Path(out)
    if out.is_file() or out.is_symlink():
        raise BundleOutputError(
            f"--out {out} is a file; give a directory for the bundle"
        )
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST_FILE).is_file():
        raise BundleOutputError(
            f"--out {out} is a non-empty directory that holds no bundle "
            f"({MANIFEST_FILE} missing); refusing to replace it, choose another path"
        )


@contextlib.contextmanager
def staged_bundle(out: Path) -> Iterator[Path]:
    """Yield an empty staging directory beside ``out``; when the block completes,
    replace ``out`` with it. If the block raises (or the process is interrupted),
    the staging directory is removed and any previous bundle at ``out`` is kept.
    """
    out = Path(out)
    check_output_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        yield staging
        _replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(staging: Path, out: Path) -> None:
    # Two renames on one file system: readers see the old bundle or the new one.
    retired = None
    if out.exists():
        retired = out.parent / f".{out.name}.retired-{os.getpid()}"
        os.replace(out, retired)
    try:
        os.replace(staging, out)
    except OSError:
        if retired is not None:
            os.replace(retired, out)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
    logger.info("bundle written to %s", out)


def write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")


def checksums(directory: Path) -> dict[str, str]:
    """SHA-256 of every checksummed bundle file in ``directory``."""
    return {name: file_sha256(directory / name) for name in CHECKSUMMED_FILES}


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Write the manifest last: its presence marks the bundle complete."""
    (directory / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n")
