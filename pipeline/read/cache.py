"""Cache: what reading and checking one file gave, kept by the file's content hash.

A second `make report` where one of 1,000 files changed reads and checks only that file. An
entry is found by the file's sha256, its name (values and findings name the file) and what
was asked (a checked workbook, a full narrative), and it is used only under the same
*context*: a hash of the pipeline's own source code, the versions of the reading libraries
and the whole catalogue (its form fingerprint included). Any edit to the code or to the
catalogue (a new range, a new rule) makes every entry stale; stale entries are dropped.

Storage is one SQLite file under outputs/.cache/ (atomic writes, safe when two commands run
at once); values are pickled Python objects, so the cache must stay where only the office
writes (outputs/, never inputs/). A cache that cannot be opened or read is skipped with a
line in the log: the build then reads every file, as without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path

from pipeline.catalogue.model import Catalogue
from pipeline.core.outputs import CACHE_DIR, CACHE_FILE
from pipeline.read.model import Cached

FORMAT = 1  # bump when the layout of the table changes


def context_of(cat: Catalogue) -> str:
    """What every cached entry depends on besides the file: code, libraries, catalogue."""
    h = hashlib.sha256(f"format {FORMAT} python {sys.version}".encode())
    for pkg in ("python-calamine", "python-docx", "xlrd", "olefile"):
        try:
            h.update(f"{pkg} {metadata.version(pkg)}".encode())
        except metadata.PackageNotFoundError:
            h.update(pkg.encode())
    package = Path(__file__).resolve().parents[1]  # pipeline/: every stage's code
    for src in sorted(package.rglob("*.py")):
        h.update(src.relative_to(package).as_posix().encode())
        h.update(src.read_bytes())
    h.update(cat.fingerprint.encode())
    h.update(cat.model_dump_json().encode())
    return h.hexdigest()


class ResultCache:
    """Pickled results by key, valid for one context. Use as a context manager."""

    def __init__(self, folder: Path, context: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self.context = context
        self.db = sqlite3.connect(self.path, timeout=30)
        # A cache: losing the last writes to a power cut costs a re-read, not data, so SQLite
        # need not wait for the disk on every commit.
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, "
                        "context TEXT NOT NULL, data BLOB NOT NULL)")
        self.db.execute("DELETE FROM entry WHERE context != ?", (context,))
        self.db.commit()

    def get_many(self, keys: Iterable[str]) -> dict[str, Cached]:
        """The entries found for `keys` (missing, stale or unreadable ones left out)."""
        out: dict[str, Cached] = {}
        wanted = list(keys)
        try:
            for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(f"SELECT key, data FROM entry WHERE context = ? AND "
                                       f"key IN ({marks})", (self.context, *chunk))
                for key, data in rows:
                    try:
                        out[key] = pickle.loads(data)
                    except Exception:  # a damaged entry is a miss; it is written again
                        continue
        except sqlite3.DatabaseError:  # damaged pages: what was found so far, the rest read
            pass  # again (a miss costs one read; the next put rewrites the entries)
        return out

    def put_many(self, items: Mapping[str, Cached]) -> None:
        try:
            self.db.executemany(
                "INSERT OR REPLACE INTO entry (key, context, data) VALUES (?, ?, ?)",
                [(k, self.context, pickle.dumps(v, pickle.HIGHEST_PROTOCOL))
                 for k, v in items.items()])
            self.db.commit()
        except sqlite3.DatabaseError:  # not kept this time; the files are read again next run
            with contextlib.suppress(sqlite3.Error):
                self.db.rollback()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_cache(outputs: Path, cat: Catalogue,
               log: Callable[[str], None] = print) -> ResultCache | None:
    """The cache of an outputs folder, or None (said in the log) when it cannot be used."""
    folder = outputs / CACHE_DIR
    try:
        context = context_of(cat)
        try:
            return ResultCache(folder, context)
        except sqlite3.DatabaseError:  # damaged or not a database: start it afresh
            (folder / CACHE_FILE).unlink(missing_ok=True)
            return ResultCache(folder, context)
    except (sqlite3.Error, OSError) as e:
        log(f"Không dùng được bộ nhớ đệm '{folder}' ({e}); đọc lại mọi tệp.")
        return None
