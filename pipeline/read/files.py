"""Read an inputs folder: every file into a submission or a finding naming it.

Files are read in worker processes with a time and memory limit, two at a time by default
(a few files per task): a crafted file that hangs a parser or exhausts memory costs its own
finding, never the run. A file that cannot be read never stops the other files. read_inputs
runs the check it is given (validate's check_workbook) in the same worker, and with a cache
(read/cache.py) skips the files read and checked before. .doc/.odt/.rtf narratives are
converted by LibreOffice first, in the main process.

Every entry of the inputs folder ends somewhere visible. Each is classified by `os.lstat`
before anything opens it: a regular file is read; a link only when it leads to a regular file
inside the folder; a folder's files, a FIFO, socket or device, a hidden name and a link that
is broken, loops or leads out are each named with a finding saying why they are not read (a
FIFO or device is never opened: opening one can block); lock files, macOS metadata and the
folder's readme are passed over with a line. A file to read is opened without blocking and
checked to be a regular file on the open descriptor.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import itertools
import multiprocessing
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding
from pipeline.core.limits import (
    FILE_TIMEOUT_S,
    WORKER_MEMORY_MB,
    LimitExceeded,
    cap_memory,
    process_context,
    run_limited,
)
from pipeline.core.records import FileCheck
from pipeline.core.text import shown_name
from pipeline.read.cache import ResultCache
from pipeline.read.model import (
    Cached,
    FileInfo,
    Inputs,
    NarrativeSubmission,
    NotRegular,
    Outcome,
    Result,
    WorkbookSubmission,
    file_info,
    kind_of,
    open_regular,
)
from pipeline.read.narrative import narrative_unit, read_narrative
from pipeline.read.package import (
    CONVERTIBLE_KINDS,
    KIND_NAMES,
    MAX_FILE_BYTES,
    OLE_MAGIC,
    WORKBOOK_KINDS,
    Refused,
    WrongKind,
    head_bytes,
    refusal,
    sniff,
)
from pipeline.read.workbook import _is_odf, read_workbook

# --- the inputs folder ---------------------------------------------------------------------
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
NARRATIVE_SUFFIXES = (".docx", ".doc", ".odt", ".rtf")


def read_file(path: Path, full_narratives: bool = True, info: FileInfo | None = None,
              converted: Path | None = None) -> Result:
    """One file: its submission, or a finding naming it. Never raises on the file's content.

    The suffix only says what to try first; the bytes decide (a workbook named .docx is read
    as a workbook). `converted`: the .docx LibreOffice made of this .doc/.odt/.rtf file."""
    name = shown_name(path.name)
    if converted is None and (problem := not_regular(path)) is not None:
        return problem  # a FIFO or a device is never opened
    try:
        if converted is not None:
            return _narrative(converted, full_narratives, info or file_info(path),
                              converted_from=path)
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            first = "xlsx"
        elif suffix == ".docx":
            first = "docx"
        else:
            first, detail = sniff(_all_bytes(path), suffix)
            if first not in (*WORKBOOK_KINDS, "docx", *CONVERTIBLE_KINDS):
                return refusal(first, detail, name)
        try:
            return _read_kind(path, first, full_narratives, info)
        except WrongKind as w:
            return _read_kind(path, w.kind, full_narratives, info)
    except WrongKind as w:  # named one kind, holding another that is not read here
        return fnd.make("file_not_office", name, detail=w.kind)
    except Refused as r:
        return r.finding
    except MemoryError:
        return fnd.make("file_too_large", name, detail="vượt giới hạn bộ nhớ khi đọc")
    except Exception as e:  # parsers' own errors became findings above: this is a fault
        return fnd.make("internal_error", name, step="đọc",  # of this software
                        detail=f"{type(e).__name__}: {str(e)[:200]}")


def _read_kind(path: Path, kind: str, full_narratives: bool, info: FileInfo | None) -> Result:
    if kind in WORKBOOK_KINDS:
        return read_workbook(path, info, None if kind == "xlsx" else kind)
    if kind == "docx":
        return _narrative(path, full_narratives, info)
    if kind in CONVERTIBLE_KINDS:  # not converted: LibreOffice is missing (or was not asked)
        return fnd.make("file_legacy_doc", shown_name(path.name), format=KIND_NAMES[kind])
    return refusal(kind, "", shown_name(path.name))


def _narrative(path: Path, full: bool, info: FileInfo | None,
               converted_from: Path | None = None) -> NarrativeSubmission:
    if converted_from is not None and info is not None:
        sub = read_narrative(path, info) if full else narrative_unit(path, info)
        kind = converted_from.suffix.lower().lstrip(".")
        note = fnd.make("file_converted", info.name, unit=sub.unit,
                        format=KIND_NAMES.get(kind, kind))
        return replace(sub, notes=(note, *sub.notes))
    return read_narrative(path, info) if full else narrative_unit(path, info)


def _all_bytes(path: Path) -> bytes:
    """The file's bytes, opened so that it cannot block (a FIFO put in its place after it
    was listed is refused, not waited on) and refused above MAX_FILE_BYTES."""
    try:
        with open_regular(path) as (fh, st):
            data = fh.read(MAX_FILE_BYTES + 1) if st.st_size <= MAX_FILE_BYTES else b""
    except NotRegular as e:
        raise Refused(fnd.make("entry_special", shown_name(path.name),
                               detail=kind_of(e.mode))) from None
    if st.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:  # or grew while read
        size = max(st.st_size, len(data))
        raise Refused(fnd.make("file_too_large", shown_name(path.name),
                               detail=f"{fmt.number(size)} byte > {fmt.number(MAX_FILE_BYTES)}"))
    return data


def needs_conversion(path: Path, timeout_s: float = FILE_TIMEOUT_S,
                     memory_mb: int = WORKER_MEMORY_MB) -> str:
    """The kind ("doc", "odt", "rtf") of a narrative LibreOffice must turn into .docx before
    it can be read, or "" — decided by the bytes, whatever the name says. An OLE container
    (.doc, .xls, encrypted) is told apart by parsing its directory, which a crafted file can
    make slow or large: that runs in a child under the reader's limits."""
    try:
        head = head_bytes(path)
        if head.startswith(OLE_MAGIC):
            kind = run_limited(_kind_of, (path,), timeout_s, memory_mb)
        elif _is_odf(head) or head.startswith(b"{\\rtf"):
            kind = _kind_of(path)
        else:
            return ""
    except (OSError, Refused, LimitExceeded):
        return ""  # read_file, in a worker, says what is wrong with it
    return kind if kind in CONVERTIBLE_KINDS else ""


def _kind_of(path: Path) -> str:
    """What `sniff` says a file is, from all its bytes."""
    kind, _detail = sniff(_all_bytes(path))
    return kind


Check = Callable[[WorkbookSubmission], "FileCheck"]  # validate.check_workbook, partly applied
_check: Check | None = None  # set in each worker by _worker_init (passed to it, fork or spawn)


Job = tuple[Path, "FileInfo | None", "Path | None"]  # a file, its info, its .docx conversion


def _read_and_check(path: Path, full_narratives: bool, info: FileInfo | None,
                    check: Check | None, converted: Path | None = None) -> Outcome:
    result = read_file(path, full_narratives, info, converted)
    if check is None or not isinstance(result, WorkbookSubmission):
        return result, None
    try:
        checked = check(result)
    except Exception as e:  # a fault of this software, never the unit's: said as such
        return fnd.make("internal_error", shown_name(path.name), step="kiểm tra",
                        detail=f"{type(e).__name__}: {str(e)[:200]}"), None
    return replace(result, rows=(), cells=(), heads=(), strays=(), loose=(),
                   labels=()), checked


def _worker_init(memory_mb: int, check: Check | None) -> None:
    """Cap the worker's address space (what it has now plus `memory_mb`); keep `check`."""
    global _check
    _check = check
    # The heap inherited through fork (catalogue, libraries) is never garbage: keep the
    # collector from walking it again and again while files are read (and from touching,
    # hence copying, its pages). Collection itself is on (the parent pauses its own while it
    # waits): a python-docx document is a web of cycles, freed only by the collector.
    gc.freeze()
    gc.enable()
    cap_memory(memory_mb)


def _read_chunk(job: tuple[list[Job], bool]) -> list[tuple[Path, Outcome]]:
    files, full_narratives = job
    return [(p, _read_and_check(p, full_narratives, info, _check, conv))
            for p, info, conv in files]


def _read_in_workers(files: list[Job], workers: int, timeout_s: float,
                     memory_mb: int, full_narratives: bool = True, check: Check | None = None
                     ) -> tuple[dict[Path, Outcome], list[Path]]:
    """Read in a pool, a few files per task; stop waiting when no task finished for
    timeout_s. Returns the outcomes and the files left unfinished (in a task that was
    running when the pool was stopped, or queued behind it)."""
    ctx = process_context()
    done: dict[Path, Outcome] = {}
    if full_narratives and any(p.suffix.lower() in NARRATIVE_SUFFIXES for p, _, _ in files):
        import docx  # noqa: F401  # imported once here, not once in each worker (~0,1 s)
    # Small tasks keep both workers busy to the end; more than one file per task saves the
    # round trip through the pool (~0,1 ms a task).
    size = max(1, min(16, len(files) // (workers * 8)))
    chunks = [(files[i:i + size], full_narratives) for i in range(0, len(files), size)]
    pool = ctx.Pool(min(workers, len(chunks)), _worker_init, (memory_mb, check))
    finished = False
    try:
        results = pool.imap_unordered(_read_chunk, chunks)
        for _ in chunks:
            try:
                done.update(results.next(timeout=timeout_s))
            except multiprocessing.TimeoutError:
                break
        else:
            finished = True
    finally:
        if finished:  # every task answered: the workers end on their own, cleanly
            pool.close()
        else:  # a file hung a parser (or the parent failed): stop the workers
            pool.terminate()
        pool.join()
    return done, [p for p, _, _ in files if p not in done]


def _cache_key(info: FileInfo, kind: str) -> str:
    return f"{info.sha256}:{kind}:{info.name}"


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """Garbage collection paused: results arrive by the thousand (unpickled from workers or
    from the cache) and hold no cycles, but every few hundred objects the collector would walk
    the whole heap again (a build's heap holds pandas and the documents)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_inputs(inputs_dir: Path, workers: int | None = None,
                timeout_s: float = FILE_TIMEOUT_S, memory_mb: int = WORKER_MEMORY_MB,
                progress: Callable[[str], None] | None = None,
                full_narratives: bool = True, check: Check | None = None,
                cache: ResultCache | None = None) -> Inputs:
    """Read every workbook and narrative in inputs_dir, in name order; every other entry
    (a file inside a subfolder, a link that leads out, a FIFO...) is named with a finding
    saying why it is not read, or passed over with a line (lock files): see _list_inputs.

    workers=0 reads in this process (no time or memory limit); by default files are read in
    up to two worker processes, each file within `timeout_s` and `memory_mb`. `check`, when
    given, runs on each workbook right after reading, in the same worker (validate's
    check_workbook: the per-file half of validation); its results are in Inputs.checks.
    With a `cache`, files read and checked before (same content, name and context) are not
    read again, and what is read is kept for the next run.
    """
    paths, skipped, nested = _list_inputs(inputs_dir)
    for path in _still_copying(paths):  # received, not read yet: a finding, so the unit
        paths.remove(path)  # is "đã nhận, chưa đọc được", never "chưa nộp"
        nested.append(fnd.make("file_still_copying", shown_name(path.name)))
    read = read_files(paths, workers, timeout_s, memory_mb, progress, full_narratives, check,
                      cache)
    return replace(read, findings=read.findings + tuple(nested), skipped=tuple(skipped))


LOCK_PREFIXES = ("~$", ".~lock.")  # Excel/Word's and LibreOffice's lock files
MAC_METADATA = ("._", ".DS_Store")  # what macOS leaves beside files copied from it
README_NAMES = ("readme.md", "readme.txt")  # the office's own note in the folder


def _list_inputs(inputs_dir: Path) -> tuple[list[Path], list[str], list[Finding]]:
    """The files to read, the lines saying what was passed over, and a finding for every
    other entry (nothing is opened here: each entry is classified by os.lstat)."""
    root = os.path.realpath(inputs_dir)
    skipped: list[str] = []
    paths: list[Path] = []
    found: list[Finding] = []
    for path in sorted(inputs_dir.iterdir()):
        name = path.name
        shown = shown_name(name)
        if name.startswith(LOCK_PREFIXES):
            skipped.append(f"Bỏ qua '{shown}': tệp khóa tạm của Excel/Word/LibreOffice (tệp "
                           "gốc đang mở).")
        elif name.startswith(MAC_METADATA):
            skipped.append(f"Bỏ qua '{shown}': tệp thông tin kèm theo do máy Mac tạo ra khi "
                           "chép tệp (không phải tệp của đơn vị).")
        elif name.startswith("."):
            found.append(fnd.make("entry_hidden", shown))
        elif _is_folder(path):
            found.extend(_nested_files(inputs_dir, path))
        elif (problem := not_regular(path, root)) is not None:
            found.append(problem)
        elif name.lower() in README_NAMES:
            skipped.append(f"Bỏ qua '{shown}': tệp ghi chú của thư mục inputs.")
        else:
            paths.append(path)
    return paths, skipped, found


def _is_folder(path: Path) -> bool:
    """A real folder (not a link to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False  # gone or unreachable: not_regular says so


def not_regular(path: Path, root: str | None = None) -> Finding | None:
    """None when `path` is a regular file, or a link to one (inside the folder `root`, a real
    path, when given); else the finding saying what it is and why it is not read. Only
    lstat and stat are used: nothing is opened, so a FIFO or a device cannot block."""
    shown = shown_name(path.name)
    try:
        mode = os.lstat(path).st_mode
    except OSError as e:
        return fnd.make("file_unreadable", shown, detail=_os_reason(e))
    if stat.S_ISREG(mode):
        return None
    if not stat.S_ISLNK(mode):
        return fnd.make("entry_special", shown, detail=kind_of(mode))
    try:
        target = os.stat(path).st_mode  # follows the link; opens nothing
    except OSError as e:
        return fnd.make("entry_link_loop" if e.errno == errno.ELOOP else "entry_link_broken",
                        shown)
    if root is not None and not Path(os.path.realpath(path)).is_relative_to(root):
        return fnd.make("entry_link_outside", shown)
    if not stat.S_ISREG(target):
        return fnd.make("entry_link_special", shown, detail=kind_of(target))
    return None


def _os_reason(e: OSError) -> str:
    """Why an entry could not be looked at, in Vietnamese."""
    if isinstance(e, FileNotFoundError):
        return "tệp không còn trong thư mục, có thể vừa bị xóa hoặc đổi tên"
    if isinstance(e, PermissionError):
        return "không có quyền đọc"
    return e.strerror or type(e).__name__


def read_files(paths: list[Path], workers: int | None = None,
               timeout_s: float = FILE_TIMEOUT_S, memory_mb: int = WORKER_MEMORY_MB,
               progress: Callable[[str], None] | None = None,
               full_narratives: bool = True, check: Check | None = None,
               cache: ResultCache | None = None) -> Inputs:
    """Read the given files as read_inputs does (conversion of .doc/.odt, workers with time
    and memory limits, cache); `make check` reads one file this way."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    # Nothing that is not a regular file is ever opened (a FIFO or a device would block).
    refused = {p: f for p in paths if (f := not_regular(p)) is not None}
    given, paths = paths, [p for p in paths if p not in refused]

    infos: dict[Path, FileInfo | None] = dict.fromkeys(paths)  # None: the worker hashes it
    if cache is not None:  # the hash finds the entry; the workers get it with the file
        for p in paths:
            with contextlib.suppress(OSError):  # gone or unreadable: read_file says so
                infos[p] = file_info(p)
    kinds = {p: _cache_kind(p, full_narratives, check) for p in paths}
    outcomes: dict[Path, Outcome] = {p: (f, None) for p, f in refused.items()}
    with _no_collection():  # results arrive by the thousand: see _no_collection
        if cache is not None:
            _from_cache(cache, infos, kinds, outcomes)
        from_cache = len(outcomes) - len(refused)
        with tempfile.TemporaryDirectory(prefix="khcn-doc-") as work:
            converted = _convert_narratives([p for p in paths if p not in outcomes],
                                            Path(work), outcomes, progress)
            todo: list[Job] = [(p, infos[p], converted.get(p)) for p in paths
                               if p not in outcomes]
            _read_todo(todo, outcomes, workers, timeout_s, memory_mb, full_narratives, check,
                       progress)
    if cache is not None:
        _to_cache(cache, [p for p, _info, _conv in todo], infos, kinds, outcomes)

    files: list[FileInfo] = []
    checks: dict[str, FileCheck] = {}
    for p in given:
        result, checked = outcomes[p]
        if isinstance(result, (WorkbookSubmission, NarrativeSubmission)):
            files.append(result.file)
        elif p not in refused:
            with contextlib.suppress(OSError):
                files.append(infos[p] or file_info(p))
        if isinstance(result, WorkbookSubmission) and checked is not None:
            checks[result.file.name] = checked
    results = [outcomes[p][0] for p in given]
    return Inputs(
        workbooks=tuple(r for r in results if isinstance(r, WorkbookSubmission)),
        narratives=tuple(r for r in results if isinstance(r, NarrativeSubmission)),
        files=tuple(files),
        findings=tuple(r for r in results if isinstance(r, Finding)), checks=checks,
        cached=from_cache)


def _from_cache(cache: ResultCache, infos: Mapping[Path, FileInfo | None],
                kinds: Mapping[Path, str], outcomes: dict[Path, Outcome]) -> None:
    """Put in `outcomes` what the cache holds for these files."""
    keys = {_cache_key(i, kinds[p]): (p, i) for p, i in infos.items() if i and kinds[p]}
    for key, (result, checked) in cache.get_many(keys).items():
        p, info = keys[key]
        outcomes[p] = (replace(result, file=info), checked)  # this run's file times


def _to_cache(cache: ResultCache, read: list[Path], infos: Mapping[Path, FileInfo | None],
              kinds: Mapping[Path, str], outcomes: Mapping[Path, Outcome]) -> None:
    """Keep in the cache what was read (and checked) of these files, when it is kept."""
    fresh: dict[str, Cached] = {}
    for p in read:
        result, checked = outcomes[p]
        info = infos[p]
        if info and kinds[p] and isinstance(result, (WorkbookSubmission,
                                                      NarrativeSubmission)):
            fresh[_cache_key(info, kinds[p])] = (result, checked)
    if fresh:
        cache.put_many(fresh)


MAX_NESTED = 500  # entries of subfolders listed (a whole disk copied in is not walked)
MAX_SCANNED = 5_000  # entries of subfolders looked at (folders within folders included)


def _nested_files(root: Path, folder: Path) -> list[Finding]:
    """A finding for every entry inside a subfolder of inputs/ that is not itself a folder
    (links are not followed, nothing is opened): units drop folders too, and what is inside is
    not read, so each must be named. A folder holding none is named itself; one holding too
    many is walked only so far, and says so."""
    found: list[Finding] = []
    scanned = 0
    todo = [folder]
    while todo:
        here = todo.pop()
        room = MAX_SCANNED - scanned
        try:
            with os.scandir(here) as it:
                entries = list(itertools.islice(it, room + 1))
        except OSError as e:
            found.append(fnd.make("file_unreadable", _rel(root, here) + "/",
                                  detail=_os_reason(e)))
            continue
        full = len(entries) > room
        entries = sorted(entries, key=lambda e: e.name)[:room]
        scanned += len(entries)
        folders = []
        for entry in entries:
            if _entry_is_folder(entry):
                folders.append(Path(entry.path))
            elif not entry.name.startswith(LOCK_PREFIXES):
                found.append(fnd.make("file_in_subfolder", _rel(root, Path(entry.path))))
                if len(found) >= MAX_NESTED:
                    return [*found, _too_many(folder)]
        if full:
            return [*found, _too_many(folder)]
        todo.extend(reversed(folders))  # depth first, in name order
    return found or [fnd.make("entry_folder", shown_name(folder.name) + "/")]


def _entry_is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False  # named as an entry, not walked


def _rel(root: Path, path: Path) -> str:
    """A path inside inputs/ as shown: relative, with '/', escaped where not UTF-8."""
    return shown_name(path.relative_to(root).as_posix())


def _too_many(folder: Path) -> Finding:
    return fnd.make("entry_folder_many", shown_name(folder.name) + "/", limit=MAX_NESTED)


def _convert_narratives(paths: list[Path], work: Path, outcomes: dict[Path, Outcome],
                        progress: Callable[[str], None] | None) -> dict[Path, Path]:
    """Turn every .doc/.odt/.rtf narrative (by its bytes) into .docx with LibreOffice, one
    at a time; a file that cannot be converted gets its finding in `outcomes`."""
    from pipeline.core.soffice import ConversionError, convert_copy, find_soffice

    todo = [(p, kind) for p in paths if (kind := needs_conversion(p))]
    if not todo:
        return {}
    if find_soffice() is None:  # each file says it needs LibreOffice or a .docx
        return {}
    done: dict[Path, Path] = {}
    for i, (p, kind) in enumerate(todo):
        if progress:
            progress(f"Chuyển '{shown_name(p.name)}' sang .docx bằng LibreOffice...")
        try:
            done[p] = convert_copy(p, kind, work, i)
        except (ConversionError, OSError) as e:
            outcomes[p] = (fnd.make("file_convert_failed", shown_name(p.name),
                                    format=KIND_NAMES[kind],
                                    detail=str(e)), None)
    return done


def _read_todo(todo: list[Job], outcomes: dict[Path, Outcome], workers: int, timeout_s: float,
               memory_mb: int, full_narratives: bool, check: Check | None,
               progress: Callable[[str], None] | None) -> None:
    """Read the files not found in the cache, in this process or in workers."""
    if workers == 0:
        outcomes.update({p: _read_and_check(p, full_narratives, i, check, c)
                         for p, i, c in todo})
    elif todo:
        done, stuck = _read_in_workers(todo, workers, timeout_s, memory_mb, full_narratives,
                                       check)
        outcomes.update(done)
        for p in stuck:  # retry each alone, to tell the slow file from those queued behind it
            if progress:
                progress(f"Đọc lại riêng tệp '{shown_name(p.name)}'...")
            job = next(j for j in todo if j[0] == p)
            one, still = _read_in_workers([job], 1, timeout_s, memory_mb,
                                          full_narratives, check)
            outcomes.update(one)
            if still:
                outcomes[p] = (fnd.make("file_timeout", shown_name(p.name),
                                        seconds=f"{timeout_s:g}"), None)


def _cache_kind(path: Path, full_narratives: bool, check: Check | None) -> str:
    """What a cached entry for this file holds; '' when it is not kept (light narratives)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return "checked" if check is not None else "read"
    if suffix in NARRATIVE_SUFFIXES and full_narratives:
        return "narrative"
    return ""


RECENT_S = 5.0  # a file changed this recently may still be being copied in
SETTLE_S = 0.5  # how long its size must then stay the same


def _still_copying(paths: list[Path]) -> list[Path]:
    """Files changed in the last seconds whose size or time still moves after a short wait."""
    def stamp(p: Path) -> tuple[int, int] | None:
        try:
            st = p.stat()
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)

    now = time.time()
    recent = {}
    for p in paths:
        st = stamp(p)
        if st is None or now - st[1] / 1e9 < RECENT_S:
            recent[p] = st
    if not recent:
        return []
    time.sleep(SETTLE_S)
    return [p for p, st in recent.items() if st is None or stamp(p) != st]
