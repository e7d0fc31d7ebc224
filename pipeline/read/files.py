"""Read an inputs folder: every file into a submission or a finding naming it.

Files are read in worker processes with a time and memory limit, two at a time by default
(a few files per task): a crafted file that hangs a parser or exhausts memory costs its own
finding, never the run. A file that cannot be read never stops the other files. read_inputs
runs the check it is given (validate's check_workbook) in the same worker, and with a cache
(read/cache.py) skips the files read and checked before. .doc/.odt/.rtf narratives are
converted by LibreOffice first, in the main process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from pipeline.core import findings as fnd
from pipeline.core.findings import Finding
from pipeline.core.records import FileCheck
from pipeline.read.cache import ResultCache
from pipeline.read.model import (
    Cached,
    FileInfo,
    Inputs,
    NarrativeSubmission,
    Outcome,
    Result,
    WorkbookSubmission,
    file_info,
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

FILE_TIMEOUT_S = 60.0  # per file, in a worker
WORKER_MEMORY_MB = 1_024  # address space a worker may add while reading one file


# --- the inputs folder ---------------------------------------------------------------------
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
NARRATIVE_SUFFIXES = (".docx", ".doc", ".odt", ".rtf")


def read_file(path: Path, full_narratives: bool = True, info: FileInfo | None = None,
              converted: Path | None = None) -> Result:
    """One file: its submission, or a finding naming it. Never raises on the file's content.

    The suffix only says what to try first; the bytes decide (a workbook named .docx is read
    as a workbook). `converted`: the .docx LibreOffice made of this .doc/.odt/.rtf file."""
    name = path.name
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
        return fnd.make("file_legacy_doc", path.name, format=KIND_NAMES[kind])
    return refusal(kind, "", path.name)


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
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Refused(fnd.make("file_too_large", path.name,
                               detail=f"{size:,} byte > {MAX_FILE_BYTES:,}"))
    return path.read_bytes()


def needs_conversion(path: Path) -> str:
    """The kind ("doc", "odt", "rtf") of a narrative LibreOffice must turn into .docx before
    it can be read, or "" — decided by the bytes, whatever the name says."""
    try:
        head = head_bytes(path)
        if head.startswith(OLE_MAGIC) or _is_odf(head) or head.startswith(b"{\\rtf"):
            kind, _ = sniff(_all_bytes(path))
            return kind if kind in CONVERTIBLE_KINDS else ""
    except (OSError, Refused):
        return ""  # read_file says what is wrong with it
    return ""


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass  # no /proc (not Linux): no memory limit, said by returning 0
    return 0


Check = Callable[[WorkbookSubmission], "FileCheck"]  # validate.check_workbook, partly applied
_check: Check | None = None  # set in each worker by _worker_init (inherited through fork)


Job = tuple[Path, "FileInfo | None", "Path | None"]  # a file, its info, its .docx conversion


def _read_and_check(path: Path, full_narratives: bool, info: FileInfo | None,
                    check: Check | None, converted: Path | None = None) -> Outcome:
    result = read_file(path, full_narratives, info, converted)
    if check is None or not isinstance(result, WorkbookSubmission):
        return result, None
    try:
        checked = check(result)
    except Exception as e:  # a fault of this software, never the unit's: said as such
        return fnd.make("internal_error", path.name, step="kiểm tra",
                        detail=f"{type(e).__name__}: {str(e)[:200]}"), None
    return replace(result, rows=(), cells=(), heads=(), strays=(), loose=()), checked


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
    if memory_mb > 0 and (current := _vm_size()):
        limit = current + memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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
    ctx = multiprocessing.get_context("fork")
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
    """Read every workbook and narrative in inputs_dir, in name order; a file inside a
    subfolder is named with a finding, not read.

    workers=0 reads in this process (no time or memory limit); by default files are read in
    up to two worker processes, each file within `timeout_s` and `memory_mb`. `check`, when
    given, runs on each workbook right after reading, in the same worker (validate's
    check_workbook: the per-file half of validation); its results are in Inputs.checks.
    With a `cache`, files read and checked before (same content, name and context) are not
    read again, and what is read is kept for the next run.
    """
    paths, skipped, nested = _list_inputs(inputs_dir)
    for path in _still_copying(paths):
        paths.remove(path)
        skipped.append(f"Bỏ qua '{path.name}': tệp đang được chép vào (kích thước còn thay "
                       "đổi); chạy lại sau ít phút.")
    read = read_files(paths, workers, timeout_s, memory_mb, progress, full_narratives, check,
                      cache)
    return replace(read, findings=read.findings + tuple(nested), skipped=tuple(skipped))


def _list_inputs(inputs_dir: Path) -> tuple[list[Path], list[str], list[Finding]]:
    """The files to read, the lines saying what was passed over, and a finding for each file
    in a subfolder."""
    skipped: list[str] = []
    paths: list[Path] = []
    nested: list[Finding] = []
    for path in sorted(inputs_dir.iterdir()):
        name = path.name
        if path.is_dir() and not path.is_symlink():
            nested.extend(_nested_files(inputs_dir, path))
        elif not path.is_file():
            continue
        elif name.startswith(("~$", ".~lock.")):
            skipped.append(f"Bỏ qua '{name}': tệp khóa tạm của Excel/Word/LibreOffice (tệp "
                           "gốc đang mở).")
        elif not (name.startswith(".") or name.lower() in ("readme.md", "readme.txt")):
            paths.append(path)
    return paths, skipped, nested


def read_files(paths: list[Path], workers: int | None = None,
               timeout_s: float = FILE_TIMEOUT_S, memory_mb: int = WORKER_MEMORY_MB,
               progress: Callable[[str], None] | None = None,
               full_narratives: bool = True, check: Check | None = None,
               cache: ResultCache | None = None) -> Inputs:
    """Read the given files as read_inputs does (conversion of .doc/.odt, workers with time
    and memory limits, cache); `make check` reads one file this way."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1)

    infos: dict[Path, FileInfo | None] = dict.fromkeys(paths)  # None: the worker hashes it
    if cache is not None:  # the hash finds the entry; the workers get it with the file
        for p in paths:
            with contextlib.suppress(OSError):  # gone or unreadable: read_file says so
                infos[p] = file_info(p)
    kinds = {p: _cache_kind(p, full_narratives, check) for p in paths}
    outcomes: dict[Path, Outcome] = {}
    with _no_collection():  # results arrive by the thousand: see _no_collection
        if cache is not None:
            _from_cache(cache, infos, kinds, outcomes)
        from_cache = len(outcomes)
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
    for p in paths:
        result, checked = outcomes[p]
        if isinstance(result, (WorkbookSubmission, NarrativeSubmission)):
            files.append(result.file)
        else:
            with contextlib.suppress(OSError):
                files.append(infos[p] or file_info(p))
        if isinstance(result, WorkbookSubmission) and checked is not None:
            checks[result.file.name] = checked
    results = [outcomes[p][0] for p in paths]
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


def _nested_files(root: Path, folder: Path) -> list[Finding]:
    """A finding for every file inside a subfolder of inputs/ (links are not followed): units
    drop folders too, and what is inside is not read, so each file must be named."""
    found: list[Finding] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith(("~$", ".~lock.")):
                continue
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            found.append(fnd.make("file_in_subfolder", rel))
            if len(found) >= MAX_NESTED:
                return found
    return found


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
            progress(f"Chuyển '{p.name}' sang .docx bằng LibreOffice...")
        try:
            done[p] = convert_copy(p, kind, work, i)
        except (ConversionError, OSError) as e:
            outcomes[p] = (fnd.make("file_convert_failed", p.name, format=KIND_NAMES[kind],
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
                progress(f"Đọc lại riêng tệp '{p.name}'...")
            job = next(j for j in todo if j[0] == p)
            one, still = _read_in_workers([job], 1, timeout_s, memory_mb,
                                          full_narratives, check)
            outcomes.update(one)
            if still:
                outcomes[p] = (fnd.make("file_timeout", p.name, seconds=f"{timeout_s:g}"), None)


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
