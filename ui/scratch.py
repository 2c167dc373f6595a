"""Private scratch folders for what the app hands the browser (exports, uploads, plots)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import weakref
from pathlib import Path


def private_temp(prefix: str, owner: object | None = None) -> Path:
    """A new folder in the temp directory readable by this user only (0700), removed with everything in it
    when ``owner`` is garbage-collected or, without one, when the process exits. Not under BRIEFING_HOME:
    the file route blocks that whole folder, so Gradio could not serve an export from there. Removed because
    it holds the analyst's exported briefings and uploads, which nothing reads once the app is gone: each
    app built left one behind for good (669 in /tmp after a few test runs)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if owner is None:
        atexit.register(shutil.rmtree, path, ignore_errors=True)
    else:
        weakref.finalize(owner, shutil.rmtree, path, ignore_errors=True)  # also runs at exit
    return path
