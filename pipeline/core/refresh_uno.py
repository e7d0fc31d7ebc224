"""Compute a Word document's fields with LibreOffice, then save it as .docx and as PDF.

Run by `soffice.refresh` (pipeline/core/soffice.py) in its own process, with a Python that can
`import uno` (the system's python3 with python3-uno, or LibreOffice's bundled Python):

    python refresh_uno.py IN.docx OUT.docx [OUT.pdf] --soffice PATH --timeout S [--pid-file F]

It starts one headless LibreOffice with a throw-away profile, talking to it over a named pipe;
opens IN.docx hidden; updates every index (table of contents; lists of tables and figures,
their entries in the document's "table of figures" style as Word writes them), then every
field (SEQ caption numbers, REF cross-references, page numbers), then the indexes once more
(their page numbers move once the lists are filled in); stores OUT.docx ("MS Word 2007 XML")
and OUT.pdf ("writer_pdf_Export") from the updated document. Whatever happens,
LibreOffice is stopped at the end: asked to quit, then its process group is killed; past the
time limit a watchdog kills it mid-work.

It imports nothing from `pipeline` (the Python running it may be LibreOffice's own, without the
project's packages) and keeps to Python 3.8 (bundled with LibreOffice 7.x). On failure it
prints one Vietnamese line on stderr (the reason, read back by `soffice.refresh`) and exits
with FAILED_EXIT (3); with 0 when the files were written. With --pid-file it writes
LibreOffice's process id there and removes the file once LibreOffice is gone, so a caller that
had to stop this script knows what is left to kill.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

CONNECT_PAUSE_S = 0.25  # between two tries to reach the starting LibreOffice
QUIT_WAIT_S = 10.0  # for LibreOffice to quit when asked, before it is killed
FAILED_EXIT = 3  # the refresh failed and the reason is the last line on stderr
WORD_LIST_STYLE = "table of figures"  # Word's paragraph style of `TOC \\c` entries
LO_LIST_STYLE = "Figure Index 1"  # LibreOffice's own for them


class Failed(Exception):
    """The refresh did not happen; str() is the Vietnamese reason."""


def _prop(name: str, value: object) -> Any:
    import uno  # type: ignore[import-not-found,unused-ignore]

    p = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    p.Name = name
    p.Value = value
    return p


class Office:
    """One headless LibreOffice started for this run, in its own process group."""

    def __init__(self, soffice: str, profile: Path, pid_file: Path | None) -> None:
        self.pipe = f"khcn_{os.getpid()}_{uuid.uuid4().hex}"
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"--accept=pipe,name={self.pipe};urp;"]
        group: dict[str, Any] = {"start_new_session": True}  # its own process group
        if sys.platform == "win32":
            group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         **group)
        except OSError as e:
            raise Failed(f"không chạy được LibreOffice ({type(e).__name__})") from e
        if pid_file is not None:
            pid_file.write_text(str(self.proc.pid), encoding="ascii")
        self.desktop: Any = None

    def connect(self, deadline: float) -> None:
        """Reach the starting LibreOffice over its pipe, trying again until `deadline`."""
        import uno  # type: ignore[import-not-found,unused-ignore]
        from com.sun.star.connection import (  # type: ignore[import-not-found,unused-ignore]
            NoConnectException,
        )

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        while True:
            if self.proc.poll() is not None:
                raise Failed(f"LibreOffice dừng ngay khi khởi động (mã {self.proc.returncode})")
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException as e:
                if time.monotonic() > deadline:
                    raise Failed("không kết nối được với LibreOffice") from e
                time.sleep(CONNECT_PAUSE_S)
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx)

    def kill(self) -> None:
        """Kill LibreOffice's whole process group (soffice.bin outlives its launcher)."""
        if sys.platform == "win32":
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(["taskkill", "/F", "/T", "/PID", str(self.proc.pid)],
                               capture_output=True, timeout=30)
        else:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=QUIT_WAIT_S)

    def close(self) -> None:
        """Ask LibreOffice to quit, give it a moment, then kill what is left."""
        with contextlib.suppress(Exception):  # the bridge drops while LibreOffice quits
            if self.desktop is not None:
                self.desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=QUIT_WAIT_S)
        self.kill()


def update(doc: Any) -> None:
    """Indexes, then fields, then the indexes again (their page numbers need the full lists)."""
    indexes = doc.getDocumentIndexes()
    for i in range(indexes.getCount()):
        word_list_style(doc, indexes.getByIndex(i))
        indexes.getByIndex(i).update()
    doc.getTextFields().refresh()
    for i in range(indexes.getCount()):
        indexes.getByIndex(i).update()


def word_list_style(doc: Any, index: Any) -> None:
    """Entries of a list of tables or figures (`TOC \\c`) in Word's style for them, "table of
    figures", when the document defines it, as Word writes them: LibreOffice would give them
    its own "Figure Index 1", without the document's formatting."""
    if not index.supportsService("com.sun.star.text.IllustrationsIndex"):
        return
    styles = doc.getStyleFamilies().getByName("ParagraphStyles")
    if index.ParaStyleLevel1 == LO_LIST_STYLE and styles.hasByName(WORD_LIST_STYLE):
        index.ParaStyleLevel1 = WORD_LIST_STYLE


def run(source: Path, out_docx: Path, out_pdf: Path | None, office: Office,
        deadline: float) -> None:
    """Open `source` in the running `office`, update it and store the files asked for."""
    office.connect(deadline)
    doc = office.desktop.loadComponentFromURL(source.resolve().as_uri(), "_blank", 0,
                                              (_prop("Hidden", True),))
    if doc is None:
        raise Failed("LibreOffice không mở được tệp .docx")
    try:
        update(doc)
        doc.storeToURL(out_docx.resolve().as_uri(),
                       (_prop("FilterName", "MS Word 2007 XML"), _prop("Overwrite", True)))
        if out_pdf is not None:
            doc.storeToURL(out_pdf.resolve().as_uri(),
                           (_prop("FilterName", "writer_pdf_Export"), _prop("Overwrite", True)))
    finally:
        with contextlib.suppress(Exception):
            doc.close(True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compute a .docx's fields with LibreOffice.")
    parser.add_argument("source", type=Path)
    parser.add_argument("out_docx", type=Path)
    parser.add_argument("out_pdf", type=Path, nargs="?")
    parser.add_argument("--soffice", default="soffice")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--pid-file", type=Path)
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    expired = threading.Event()
    profile = Path(tempfile.mkdtemp(prefix="khcn-lo-profile-"))
    office: Office | None = None
    watchdog: threading.Timer | None = None
    try:
        office = Office(args.soffice, profile, args.pid_file)

        def stop(office: Office = office) -> None:
            expired.set()
            office.kill()

        watchdog = threading.Timer(args.timeout, stop)
        watchdog.daemon = True
        watchdog.start()
        run(args.source, args.out_docx, args.out_pdf, office, deadline)
    except Exception as e:  # a UNO error, or the bridge dropped by the watchdog
        print(reason(e, expired.is_set(), args.timeout), file=sys.stderr)
        return FAILED_EXIT
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if office is not None:
            office.close()
            if args.pid_file is not None:  # nothing left for the caller to kill
                with contextlib.suppress(OSError):
                    args.pid_file.unlink()
        shutil.rmtree(profile, ignore_errors=True)
    return 0


def reason(error: Exception, expired: bool, timeout_s: float) -> str:
    """The Vietnamese line saying why the refresh failed."""
    if expired:
        return f"LibreOffice chạy quá {timeout_s:g} giây"
    if isinstance(error, Failed):
        return str(error)
    return f"LibreOffice báo lỗi ({type(error).__name__})"


if __name__ == "__main__":
    sys.exit(main())
