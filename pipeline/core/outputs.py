"""The name of every file and folder the pipeline writes under outputs/, defined once.

Used by read/cache.py (the cache's folder), render/ (the chart images beside the chapter),
office/ (status, validation, progress reports, the previous build's files read back for the
diff), build.py (a build folder) and cli.py (defaults and messages).
"""

from __future__ import annotations

from pathlib import Path

# --- a build folder: outputs/<date_time>/ ----------------------------------------------------
CHAPTER = "chuong-khcn.docx"
CHAPTER_PDF = "chuong-khcn.pdf"
MERGED_XLSX = "so-lieu-tong-hop.xlsx"
MERGED_CSV = "so-lieu-tong-hop.csv"  # also the baseline of the next build's diff
MANIFEST = "manifest.json"
DICTIONARY = "tu-dien-du-lieu.xlsx"
PACK = "goi-tu-van"  # the consultants' pack: folder and .zip
PROGRESS = "tien-do.xlsx"  # the progress table (also written by `make status` in outputs/)
VALIDATION = "bao-cao-kiem-tra.xlsx"
FEEDBACK = "feedback"  # annotated copies of the units' workbooks, notes on refused files
CHARTS = "hinh"  # the chart images beside the chapter

# --- outputs/.cache/: what a build may take from an earlier one -------------------------------
CACHE_DIR = ".cache"
CACHE_FILE = "doc-tep.sqlite"  # what reading and checking each file gave (read/cache.py)
CHART_CACHE = "hinh"  # charts kept between builds

# --- outputs/ itself ---------------------------------------------------------------------------
LATEST = "latest"  # link to the newest build folder
LATEST_POINTER = "latest.txt"  # the newest build's folder name, where a link cannot be made
LOCK = ".build.lock"
CHECK_FOLDER = "kiem-tra"  # dry runs (make validate) and refused strict builds
PROGRESS_REPORTS = "bao-cao-tien-do"  # weekly and monthly reports, one folder per run



def latest_build(outputs: Path) -> Path | None:
    """The newest build folder: where outputs/latest leads (a link, or a folder someone made),
    else the folder named in outputs/latest.txt (written where links cannot be made: Windows
    without the right to make them); None when neither gives a folder."""
    link = outputs / LATEST
    if link.is_dir():
        return link
    try:
        name = (outputs / LATEST_POINTER).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not name or Path(name).name != name:  # one folder name, nothing that leads elsewhere
        return None
    folder = outputs / name
    return folder if folder.is_dir() else None


# --- a progress-report folder: outputs/bao-cao-tien-do/<kind>-<date>/ -------------------------
REPORT_NAMES = {"tuan": "bao-cao-tuan.docx", "thang": "bao-cao-thang.docx"}  # by kind
LETTERS = "cong-van"  # reminder letter drafts


def progress_report_folder(kind: str, day_iso: str) -> str:
    """`<kind>-<yyyy-mm-dd>`: the folder of one weekly ("tuan") or monthly ("thang") run."""
    return f"{kind}-{day_iso}"


def reminder_name(unit: str) -> str:
    """The reminder letter draft to one unit."""
    return f"nhac-{unit}.docx"

GENERATOR = "khcn"
"""The author this package writes into the properties of the documents it makes: a narrative
form that still says so was never saved by a word processor, and its own "last saved" date
says nothing about when the unit sent it (read/narrative.py)."""
