"""Sign-up drafts: the answers of an unfinished sign-up, kept on the server between steps.

Flask's session is a signed cookie that anyone holding the device can decode, so it holds
only a random draft key; the answers (name, phone, e-mail...) stay in a small JSON file in
the instance folder that only the app can read. A draft is deleted when the sign-up
finishes, when the person starts again, or after ``DRAFT_HOURS`` without a change.

One folder serves every worker on a host; several hosts need a shared instance folder.
"""

import hashlib
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

DRAFT_HOURS = 72
SESSION_KEY = "join_draft"
_MAX_KEY_LENGTH = 64


class DraftStore:
    """A folder of drafts, one JSON file per draft, named by the hash of its key."""

    def __init__(self, folder: str | os.PathLike, max_age_hours: int = DRAFT_HOURS) -> None:
        self.folder = Path(folder)
        self.max_age_seconds = max_age_hours * 3600

    def load(self, key: str | None) -> dict:
        """Return the draft stored under ``key``, or an empty one if it is unknown or old."""
        path = self._path(key)
        if path is None or not path.exists() or self._expired(path):
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, key: str | None, draft: dict) -> str:
        """Store ``draft`` (under ``key``, or a new random key) and return the key."""
        if self._path(key) is None:
            key = secrets.token_urlsafe(32)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(draft, out, ensure_ascii=False)
            os.replace(temporary, self._path(key))
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.purge_expired()
        return key

    def delete(self, key: str | None) -> None:
        """Forget the draft stored under ``key``."""
        path = self._path(key)
        if path is not None and path.exists():
            path.unlink(missing_ok=True)

    def purge_expired(self) -> int:
        """Delete drafts (and stray temporary files) older than the maximum age."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.iterdir():
            if path.suffix in (".json", ".tmp") and self._expired(path):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def _path(self, key: str | None) -> Path | None:
        if not isinstance(key, str) or not key or len(key) > _MAX_KEY_LENGTH:
            return None
        return self.folder / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def _expired(self, path: Path) -> bool:
        try:
            return time.time() - path.stat().st_mtime > self.max_age_seconds
        except OSError:
            return True
