"""Check an inputs folder: read every file (in workers, through the cache) with the per-file
check, then validate across units. What `make validate`, `make status` and the first half of
`make report` share; office/status.py takes the folder as it stood on the as-of date
(validate.asof) between the two, and adds where each unit stands.

Every entry of the folder that is not read (a file in a subfolder, a link, a FIFO, a hidden
name...) comes from the reader as a finding naming it; here it is given the unit its path
points to (the file's name, else the innermost folder naming a unit), so that the unit is
'received, not readable', never 'not sent'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from pipeline.catalogue.model import Catalogue
from pipeline.core.errors import BuildError
from pipeline.core.findings import Finding
from pipeline.read.cache import open_cache
from pipeline.read.files import read_inputs
from pipeline.read.model import Inputs
from pipeline.validate.model import Validation
from pipeline.validate.submissions import unit_from_name, validate
from pipeline.validate.workbook import check_workbook


def check_folder(cat: Catalogue, inputs: Path, log: Callable[[str], None] = print,
                 full_narratives: bool = True, cache_dir: Path | None = None
                 ) -> tuple[Inputs, Validation]:
    """Read and validate every file of `inputs` (no chapter): `read_folder`, then validate.
    Without `full_narratives`, narratives are only identified (unit code), which spares
    loading python-docx. With `cache_dir` (an outputs folder), files read and checked before
    are taken from its cache."""
    read = read_folder(cat, inputs, log, full_narratives, cache_dir)
    return read, validate(cat, read)


def read_folder(cat: Catalogue, inputs: Path, log: Callable[[str], None] = print,
                full_narratives: bool = True, cache_dir: Path | None = None) -> Inputs:
    """Read every file of `inputs` with the per-file check (as check_folder), each entry not
    read given the unit its path points to (`attribute`); nothing is validated across files
    yet, so that a view of the folder as of a date (validate.asof) can be taken first."""
    if not inputs.is_dir():
        raise BuildError(f"Không có thư mục đầu vào '{inputs}'. Tạo thư mục và đặt các tệp "
                         "của đơn vị vào đó.")
    log(f"Đọc các tệp trong '{inputs}'...")
    cache = open_cache(cache_dir, cat, log) if cache_dir is not None else None
    try:
        read = read_inputs(inputs, progress=log, full_narratives=full_narratives,
                           check=partial(check_workbook, cat), cache=cache)
    finally:
        if cache is not None:
            cache.close()
    for line in read.skipped:
        log(line)
    again = f" ({read.cached} tệp không đổi, lấy từ bộ nhớ đệm)" if read.cached else ""
    log(f"Đã đọc {len(read.workbooks)} biểu số liệu, {len(read.narratives)} thuyết minh; "
        f"{len(read.findings)} tệp không dùng được{again}.")
    return replace(read, findings=tuple(attribute(cat, f) for f in read.findings))


def attribute(cat: Catalogue, finding: Finding) -> Finding:
    """`finding` with the unit its file's path points to, when it names none: the file's own
    name first, then each folder above it, innermost first ('KHTC/bieu.xlsx' is KHTC's;
    'KHTC.xlsx/', a folder, too). A path no part of which names exactly one unit is left as
    is."""
    if finding.unit:
        return finding
    for part in reversed(finding.file.rstrip("/").split("/")):
        if unit := unit_from_name(cat, part):
            return replace(finding, unit=unit)
    return finding
