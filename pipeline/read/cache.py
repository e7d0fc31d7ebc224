"""Cache: what reading and checking one file gave, kept by the file's content hash.

A second `make report` where one of 1,000 files changed reads and checks only that file. An
entry is found by the file's sha256, its name (values and findings name the file) and what
was asked (a checked workbook, a full narrative), and it is used only under the same
*context*: a hash of the pipeline's own source code, the versions of the reading libraries
and the whole catalogue (its form fingerprint included). Any edit to the code or to the
catalogue (a new range, a new rule) makes every entry stale; stale entries are dropped.

Storage is one SQLite file under outputs/.cache/ (atomic writes, safe when two commands run
at once), marked as ours by SQLite's application id; values are pickled Python objects, so
the cache must stay where only the office writes (outputs/, never inputs/).

A cache problem never changes a result, and never stops a run; each is said in one line of
the log. A damaged cache of ours is deleted and made again; a file at the cache's path that
is not ours (garbage, another program's database) is renamed aside, never deleted, and a new
cache made; an entry that does not unpickle to a file's result is a miss (read again, then
rewritten). A cache that cannot be used (`.cache` a file or a folder without permission, a
read-only or full disk, a database locked by another command) is skipped: every file is read,
as without a cache. A write that fails (disk full) keeps nothing from this run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import pickle
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path

from pipeline.catalogue.model import Catalogue
from pipeline.core.outputs import CACHE_DIR, CACHE_FILE
from pipeline.core.records import FileCheck
from pipeline.read.model import Cached, NarrativeSubmission, WorkbookSubmission

FORMAT = 1  # bump when the layout of the table changes
TIMEOUT_S = 30  # how long to wait for another command's write to the cache to finish
APP_ID = 0x4B48434E  # "KHCN": SQLite's application id in the header of a cache file of ours
COLUMNS = ["key", "context", "data"]
CREATE = ("CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, context TEXT NOT NULL, "
          "data BLOB NOT NULL)")
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("", "-journal", "-wal", "-shm")  # a database and SQLite's files beside it
# SQLite's primary result codes (sqlite3.h) that this module tells apart.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26

Log = Callable[[str], None]


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


# --- what went wrong, in Vietnamese ----------------------------------------------------------
def _code(e: sqlite3.Error) -> int | None:
    """SQLite's primary result code of an error (Python 3.11+), else guessed from its text."""
    code = getattr(e, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(e)
    for part, guess in (("not a database", SQLITE_NOTADB), ("malformed", SQLITE_CORRUPT),
                        ("locked", SQLITE_BUSY), ("readonly", SQLITE_READONLY),
                        ("disk is full", SQLITE_FULL), ("unable to open", SQLITE_CANTOPEN),
                        ("disk I/O", SQLITE_IOERR)):
        if part in text:
            return guess
    return None


def _is_damage(e: sqlite3.Error) -> bool:
    """SQLite says the file is not a database or is corrupt (not: locked, read-only, full)."""
    return _code(e) in (SQLITE_CORRUPT, SQLITE_NOTADB)


_NO_RIGHTS = ("không có quyền ghi, hoặc ổ đĩa chỉ đọc", "Hãy cấp quyền ghi cho thư mục đó "
              "(hoặc xóa nó) để lần sau dùng lại bộ nhớ đệm.")
_FULL = ("ổ đĩa đầy", "Hãy giải phóng ổ đĩa.")
_BUSY = ("một lệnh khác đang dùng nó", "Chạy lại khi lệnh kia đã xong.")
_SQLITE_REASONS = {SQLITE_PERM: _NO_RIGHTS, SQLITE_READONLY: _NO_RIGHTS,
                   SQLITE_CANTOPEN: _NO_RIGHTS, SQLITE_FULL: _FULL, SQLITE_BUSY: _BUSY,
                   SQLITE_LOCKED: _BUSY}
_OS_REASONS = {errno.EACCES: _NO_RIGHTS, errno.EPERM: _NO_RIGHTS, errno.EROFS: _NO_RIGHTS,
               errno.ENOSPC: _FULL}
_OTHER = "Nếu lỗi lặp lại, hãy xóa thư mục '{}' (make clean)."


def _reason(e: Exception, folder: Path) -> tuple[str, str]:
    """Why a cache cannot be used, and what to do, in Vietnamese."""
    if isinstance(e, sqlite3.Error):
        known = _SQLITE_REASONS.get(_code(e) or 0)
        return known or (f"lỗi SQLite: {e}", _OTHER.format(folder))
    if isinstance(e, OSError) and e.errno in _OS_REASONS:
        return _OS_REASONS[e.errno]
    detail = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
    return detail, _OTHER.format(folder)


def _not_ours(folder: Path) -> tuple[Path, str] | None:
    """The cache's folder when it is a file, or its database's path when it is a folder:
    something the pipeline did not make, which it leaves as it is."""
    with contextlib.suppress(OSError):
        if folder.exists() and not folder.is_dir():
            return folder, "một tệp, không phải thư mục"
        if (folder / CACHE_FILE).is_dir():
            return folder / CACHE_FILE, "một thư mục"
    return None


def _unusable(folder: Path, e: Exception) -> str:
    """The log line of a cache that cannot be opened (the run reads every file)."""
    after = "lần này đọc lại mọi tệp, kết quả không đổi."
    found = _not_ours(folder)
    if found is not None:
        path, what = found
        return (f"Không dùng được bộ nhớ đệm: '{path}' là {what}, không do chương trình tạo "
                f"nên được giữ nguyên; {after} Muốn dùng bộ nhớ đệm, hãy đổi tên hoặc chuyển "
                "nó đi.")
    reason, todo = _reason(e, folder)
    return f"Không dùng được bộ nhớ đệm '{folder}' ({reason}); {after} {todo}"


# --- the file: ours or not --------------------------------------------------------------------
def _owner(path: Path) -> str:
    """Who made the file at the cache's path: "none" (no file, or an empty one: SQLite makes a
    database of it), "ours" (a SQLite file with our application id, or an older cache of ours:
    our table alone) or "other" (anything else, which is never deleted). OSError (a folder,
    no permission) and sqlite3.Error (locked) are the caller's: the cache cannot be used."""
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except FileNotFoundError:
        return "none"
    if not head:
        return "none"
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return "other"
    app = int.from_bytes(head[68:72], "big")
    if app != 0:
        return "ours" if app == APP_ID else "other"
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                uri=True, timeout=TIMEOUT_S)) as db:
            tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table'")]
            columns = [r[1] for r in db.execute("PRAGMA table_info(entry)")]
    except sqlite3.Error as e:
        if not _is_damage(e):  # locked by another command...: not a reason to move it
            raise
        return "other"
    return "ours" if tables == ["entry"] and columns == COLUMNS else "other"


def _connect(path: Path, context: str) -> sqlite3.Connection:
    """Open (or make) the cache file, mark it ours and drop the entries of other contexts.
    A table of another layout (an older FORMAT) is made again."""
    db = sqlite3.connect(path, timeout=TIMEOUT_S)
    try:
        # A cache: losing the last writes to a power cut costs a re-read, not data, so
        # SQLite need not wait for the disk on every commit.
        db.execute("PRAGMA synchronous = OFF")
        db.execute(CREATE)
        if [r[1] for r in db.execute("PRAGMA table_info(entry)")] != COLUMNS:
            db.execute("DROP TABLE entry")
            db.execute(CREATE)
        if db.execute("PRAGMA application_id").fetchone()[0] != APP_ID:
            db.execute(f"PRAGMA application_id = {APP_ID}")
        db.execute("DELETE FROM entry WHERE context != ?", (context,))
        db.commit()
    except BaseException:
        db.close()
        raise
    return db


def _remove(path: Path) -> None:
    """Delete a cache file of ours and SQLite's files beside it."""
    for side in SIDE_FILES:
        Path(f"{path}{side}").unlink(missing_ok=True)


def _move_aside(path: Path) -> Path:
    """Rename a file that is not ours (and SQLite's files beside it) to a free name beside
    it; return that name."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.khac-{stamp}")
    n = 1
    while any(Path(f"{aside}{side}").exists() for side in SIDE_FILES):
        n += 1
        aside = path.with_name(f"{path.name}.khac-{stamp}-{n}")
    for side in SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):  # or another command moved it first
            Path(f"{path}{side}").rename(f"{aside}{side}")
    return aside


def _unpickle(data: object) -> Cached | None:
    """A cached file's result, or None for data that do not unpickle to one."""
    if not isinstance(data, bytes):  # a row written by something else (TEXT, NULL...)
        return None
    try:
        value = pickle.loads(data)
    except Exception:  # damaged bytes, a class gone from the code: a miss
        return None
    if not (isinstance(value, tuple) and len(value) == 2):
        return None
    result, checked = value
    if not isinstance(result, (WorkbookSubmission, NarrativeSubmission)):
        return None
    if checked is not None and not isinstance(checked, FileCheck):
        return None
    return result, checked


class ResultCache:
    """Pickled results by key, valid for one context. Use as a context manager.

    Opening raises OSError or sqlite3.Error when the cache cannot be used (see open_cache);
    once open, nothing it meets raises: a problem is said once in `log`, and the cache is
    made again or left unused for the rest of the run."""

    def __init__(self, folder: Path, context: str, log: Log = print):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self.context = context
        self.log = log
        self._said: set[str] = set()  # each kind of problem is said once
        self.writable = True
        self.db: sqlite3.Connection | None = self._open()

    def _say(self, kind: str, line: str) -> None:
        if kind not in self._said:
            self._said.add(kind)
            self.log(line)

    def _open(self) -> sqlite3.Connection:
        """Connect; a damaged cache of ours is deleted and one that is not ours moved aside,
        then a new one made (said in one line). Other errors are the caller's."""
        owner = _owner(self.path)
        if owner == "other":
            self._aside()
            owner = "none"
        try:
            return _connect(self.path, self.context)
        except sqlite3.DatabaseError as e:
            if not _is_damage(e):
                raise
            if owner == "ours":
                self._drop(e)
            else:
                self._aside()
        return _connect(self.path, self.context)

    def _aside(self) -> None:
        aside = _move_aside(self.path)
        self._say("aside", f"Tệp '{self.path}' không phải bộ nhớ đệm của chương trình: đã đổi "
                           f"tên thành '{aside.name}' (không xóa) và tạo bộ nhớ đệm mới; lần "
                           "này các tệp được đọc lại, kết quả không đổi.")

    def _drop(self, e: sqlite3.Error) -> None:
        _remove(self.path)
        what = "không phải tệp SQLite" if _code(e) == SQLITE_NOTADB else "tệp SQLite hỏng"
        self._say("damaged", f"Bộ nhớ đệm '{self.path}' bị hỏng ({what}): đã xóa và tạo lại; "
                             "lần này các tệp được đọc lại, kết quả không đổi.")

    def _trouble(self, e: sqlite3.Error, writing: bool) -> None:
        """A database error met once open: a damaged cache is made again (or, failing that,
        left unused); otherwise reads find nothing and writes stop for this run."""
        if _is_damage(e):
            self.close()
            try:
                self._drop(e)
                self.db = _connect(self.path, self.context)
            except (OSError, sqlite3.Error) as again:
                self.db = None
                self._say("unusable", _unusable(self.path.parent, again))
            return
        reason, todo = _reason(e, self.path.parent)
        if writing:
            self.writable = False
            self._say("write", f"Không ghi được vào bộ nhớ đệm '{self.path}' ({reason}): "
                               f"kết quả lần này không được lưu, lần sau các tệp được đọc "
                               f"lại. {todo}")
        else:
            self._say("read", f"Không đọc được bộ nhớ đệm '{self.path}' ({reason}); các tệp "
                              f"được đọc lại, kết quả không đổi. {todo}")

    def get_many(self, keys: Iterable[str]) -> dict[str, Cached]:
        """The entries found for `keys`: missing, stale and unreadable ones are left out (an
        entry that does not unpickle to a file's result is deleted, to be written again); a
        database error gives nothing at all, so that no half-read cache decides a result."""
        if self.db is None:
            return {}
        out: dict[str, Cached] = {}
        bad: list[str] = []
        wanted = list(keys)
        try:
            for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(f"SELECT key, data FROM entry WHERE context = ? AND "
                                       f"key IN ({marks})", (self.context, *chunk))
                for key, data in rows:
                    value = _unpickle(data)
                    if value is None:
                        bad.append(key)
                    else:
                        out[key] = value
        except sqlite3.Error as e:
            self._trouble(e, writing=False)
            return {}
        if bad:
            self._say("entries", f"Bộ nhớ đệm '{self.path}': bỏ {len(bad)} mục hỏng; các tệp "
                                 "đó được đọc lại, kết quả không đổi.")
            self.forget(bad)
        return out

    def forget(self, keys: list[str]) -> None:
        """Delete these entries (best effort: a failure is a miss next time again)."""
        if self.db is None or not self.writable:
            return
        try:
            self.db.executemany("DELETE FROM entry WHERE key = ?", [(k,) for k in keys])
            self.db.commit()
        except sqlite3.Error as e:
            with contextlib.suppress(sqlite3.Error):
                self.db.rollback()
            self._trouble(e, writing=True)

    def put_many(self, items: Mapping[str, Cached]) -> None:
        """Keep these results; a value that cannot be pickled or a failed write (disk full,
        read-only) keeps nothing of it, said once: the files are read again next run."""
        if self.db is None or not self.writable:
            return
        rows = []
        for k, v in items.items():
            try:
                rows.append((k, self.context, pickle.dumps(v, pickle.HIGHEST_PROTOCOL)))
            except Exception as e:  # a result the code made unpicklable: not kept
                self._say("pickle", f"Bộ nhớ đệm: không lưu được kết quả của một tệp "
                                    f"({type(e).__name__}: {e}); tệp đó được đọc lại lần sau.")
        try:
            self.db.executemany(
                "INSERT OR REPLACE INTO entry (key, context, data) VALUES (?, ?, ?)", rows)
            self.db.commit()
        except sqlite3.Error as e:
            with contextlib.suppress(sqlite3.Error):
                self.db.rollback()
            self._trouble(e, writing=True)

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_cache(outputs: Path, cat: Catalogue, log: Log = print) -> ResultCache | None:
    """The cache of an outputs folder, or None when it cannot be used: each problem is one
    line of `log`, and the run goes on (without the cache, every file is read)."""
    folder = outputs / CACHE_DIR
    try:
        return ResultCache(folder, context_of(cat), log)
    except (sqlite3.Error, OSError) as e:
        log(_unusable(folder, e))
        return None
