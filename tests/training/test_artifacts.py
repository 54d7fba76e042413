"""The bundle appears whole or not at all, and never replaces a user's files."""

import pytest

from training.artifacts import BundleOutputError, staged_bundle


def leftovers(directory):
    return sorted(
        path.name for path in directory.iterdir() if path.name.startswith(".")
    )


def test_completed_block_replaces_the_previous_bundle(tmp_path):
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "manifest.json").write_text("old")

    with staged_bundle(out) as staging:
        (staging / "manifest.json").write_text("new")

    assert (out / "manifest.json").read_text() == "new"
    assert leftovers(tmp_path) == []


def test_failed_block_keeps_the_previous_bundle_and_leaves_no_staging(tmp_path):
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "manifest.json").write_text("old")

    with pytest.raises(RuntimeError), staged_bundle(out) as staging:
        (staging / "model.keras").write_text("half")
        raise RuntimeError("disk full")

    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert (out / "manifest.json").read_text() == "old"
    assert leftovers(tmp_path) == []


def test_interrupted_first_run_leaves_nothing_at_the_output(tmp_path):
    out = tmp_path / "nested" / "bundle"

    with pytest.raises(KeyboardInterrupt), staged_bundle(out):
        raise KeyboardInterrupt

    assert not out.exists()
    assert leftovers(out.parent) == []


def test_directory_that_is_not_a_bundle_is_never_replaced(tmp_path):
    (tmp_path / "thesis.txt").write_text("irreplaceable")

    with (
        pytest.raises(BundleOutputError, match="holds no bundle"),
        staged_bundle(tmp_path),
    ):
        pass

    assert (tmp_path / "thesis.txt").read_text() == "irreplaceable"


def test_a_file_is_not_taken_as_output(tmp_path):
    target = tmp_path / "artifacts"
    target.write_text("x")

    with pytest.raises(BundleOutputError, match="is a file"), staged_bundle(target):
        pass
