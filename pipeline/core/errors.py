"""The package's exceptions and the exit codes they end a command with. The CLI catches only
the base class (and, as a last resort, everything else: see cli.py).

    PipelineError                 anything the user can act on; str() is Vietnamese   exit 3
    ├── CatalogueError            templates/catalogue.yaml is malformed (names the YAML key)
    ├── TemplateError             a Word template cannot be rendered (names file and tag)
    ├── BuildError                the build cannot start or finish (input folder, lock)
    │   ├── BuildBusy             another build holds the lock                          exit 5
    │   └── FilesHaveErrors       --strict and the units' files hold errors             exit 1
    └── OutputError               outputs cannot be written (read-only, full, rights)   exit 4

Problems in the units' files are not exceptions: they are `Finding`s (see core/findings.py),
collected so that one bad file never stops the others.
"""

from __future__ import annotations

import errno
import os

from pipeline.core.text import shown_name

# Exit codes of every command (the README's table is this one).
EXIT_OK = 0  # done; no error in the units' files
EXIT_FINDINGS = 1  # done, but the units' files hold errors (validate, check, report --strict)
EXIT_USAGE = 2  # the command was typed wrong (click's own code)
EXIT_SETUP = 3  # the catalogue, a template or the inputs folder cannot be used
EXIT_OUTPUT = 4  # a file or folder cannot be read or written (rights, disk full, name)
EXIT_BUSY = 5  # another build is running on the same outputs folder
EXIT_SOFTWARE = 70  # a fault of this software (details written to a log file)
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C
EXIT_PIPE = 141  # the program reading the output closed it (`| head`): stopped, quietly


class PipelineError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = EXIT_SETUP


class CatalogueError(PipelineError):
    """The catalogue does not load or does not pass its schema and cross-reference checks."""


class TemplateError(PipelineError):
    """A docxtpl template is missing, malformed or asks for an unknown variable."""


class BuildError(PipelineError):
    """The build cannot run (another build holds the lock, the output folder is unusable)."""


class BuildBusy(BuildError):
    """Another build holds the lock of this outputs folder."""

    exit_code = EXIT_BUSY


class FilesHaveErrors(BuildError):
    """An official build (--strict) was refused because the units' files hold errors."""

    exit_code = EXIT_FINDINGS


class OutputError(PipelineError):
    """A file or folder this run must write (or read) cannot be: rights, a full disk."""

    exit_code = EXIT_OUTPUT


def os_error_message(e: OSError, doing: str = "ghi") -> str:
    """One Vietnamese line for an operating-system error: which file, what happened, what to
    do. `doing` is the verb of what was attempted ("ghi", "đọc", "tạo")."""
    target = f" '{shown_name(os.fsdecode(e.filename))}'" if e.filename is not None else ""
    if e.errno == errno.ENOSPC or e.errno == errno.EDQUOT:
        return (f"Ổ đĩa đã đầy khi {doing}{target}. Hãy xóa bớt tệp (ví dụ các bản báo cáo "
                "cũ trong outputs/) cho trống chỗ rồi chạy lại.")
    if e.errno == errno.EROFS:
        return (f"Không {doing} được{target}: ổ đĩa chỉ cho đọc. Hãy chọn thư mục khác "
                "(--outputs) hoặc chép thư mục dự án sang ổ ghi được.")
    if e.errno in (errno.EACCES, errno.EPERM):
        return (f"Không có quyền {doing}{target}. Hãy cấp quyền ghi cho thư mục (hoặc chọn "
                "thư mục khác) rồi chạy lại.")
    if e.errno == errno.ENAMETOOLONG:
        return f"Tên tệp quá dài{target}. Hãy đổi tên tệp ngắn hơn rồi chạy lại."
    if e.errno == errno.ENOENT:
        return f"Không tìm thấy{target}. Hãy kiểm tra lại đường dẫn."
    if e.errno == errno.ENOTDIR:
        return f"Đường dẫn{target} có một phần là tệp chứ không phải thư mục. Hãy sửa lại."
    if e.errno == errno.EEXIST:
        return (f"Không {doing} được{target}: đã có một tệp trùng tên (thư mục kết quả phải là "
                "thư mục). Hãy đổi tên hoặc chuyển tệp đó đi rồi chạy lại.")
    if e.errno == errno.EISDIR:
        return f"{target.strip() or 'Đường dẫn'} là thư mục, không phải tệp. Hãy sửa lại."
    return (f"Không {doing} được{target} ({e.strerror or type(e).__name__}). Hãy kiểm tra "
            "thư mục và ổ đĩa rồi chạy lại.")
