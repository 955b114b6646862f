"""What a built gazetteer depends on, as one digest (the key of its on-disk cache)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def data_fingerprint() -> str:
    """A digest of everything a built gazetteer depends on: the language data and the code
    of ``rules`` that reads it. A cached gazetteer is valid only under the same digest."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *(root / "data").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]
