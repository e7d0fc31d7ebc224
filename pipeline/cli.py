"""Command line: a thin shell over the library. Each command parses options and calls one
function. Nothing reaches the user as a traceback (`_Main.invoke`): a `PipelineError` becomes
"Lỗi: ..." (one line per problem) and its exit code, an operating-system error one line
naming the file, Ctrl-C one line, and a fault of this software one line pointing to a log
file that holds the details. Exit codes: core/errors.py (EXIT_*), listed in the README.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from pipeline.core.errors import (
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_PIPE,
    EXIT_SOFTWARE,
    PipelineError,
    os_error_message,
)
from pipeline.core.outputs import CHECK_FOLDER, LATEST, LATEST_POINTER, PROGRESS, VALIDATION
from pipeline.core.text import shown_name
from pipeline.read.model import kind_of
from pipeline.tools.init import default_file

F = TypeVar("F", bound=Callable[..., Any])  # a command function, as click's decorators take it


class UserError(click.ClickException):
    """A message shown to the user: 'Lỗi: ...' on stderr, with its exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it from the instance

    def show(self, file: IO[Any] | None = None) -> None:  # click's signature
        click.echo(f"Lỗi: {self.format_message()}", err=True)


class Interrupted(click.ClickException):
    """Ctrl-C: one line, exit code 130."""

    exit_code = EXIT_INTERRUPTED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo("\nĐã dừng theo yêu cầu (Ctrl-C); không có gì bị ghi dở: bản báo cáo "
                   "mới nhất vẫn là bản trước.", err=True)


def _fault_log(e: BaseException) -> Path | None:
    """Write the traceback of a software fault to a file in the temporary folder."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        fd, name = tempfile.mkstemp(prefix=f"khcn-loi-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write("".join(traceback.format_exception(e)))
        return Path(name)
    except OSError:
        return None


class _Main(click.Group):
    """The command group; its `invoke` turns every exception into one line and a code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as e:  # an option or a command typed wrong: one line
            raise UserError(_usage(e), e.exit_code) from e
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except PipelineError as e:
            raise UserError(str(e), e.exit_code) from e
        except KeyboardInterrupt:
            raise Interrupted("") from None
        except BrokenPipeError:  # `khcn status | head`: the reader has what it wanted
            devnull = os.open(os.devnull, os.O_WRONLY)  # Python's own flush at exit would
            os.dup2(devnull, sys.stdout.fileno())  # fail again on the closed pipe
            raise click.exceptions.Exit(EXIT_PIPE) from None
        except OSError as e:
            raise UserError(os_error_message(e), EXIT_OUTPUT) from e
        except MemoryError as e:
            raise UserError("Máy không đủ bộ nhớ để chạy lệnh này. Hãy đóng bớt chương trình "
                            "rồi chạy lại.", EXIT_SOFTWARE) from e
        except Exception as e:  # a fault of this software: never a traceback on screen
            log = _fault_log(e)
            where = (f"Chi tiết đã ghi vào '{log}': hãy gửi tệp này" if log else
                     "Hãy chép lại lệnh vừa chạy và gửi") + " cho người phụ trách phần mềm."
            raise UserError(f"Phần mềm gặp lỗi ({type(e).__name__}), không phải do tệp của "
                            f"đơn vị. {where}", EXIT_SOFTWARE) from e


def _usage(e: click.UsageError) -> str:
    """A usage error in Vietnamese, on one line, with where to find the command's help."""
    command = e.ctx.command_path if e.ctx else "khcn"
    if isinstance(e, click.NoSuchOption):
        text = f"Lệnh không có tùy chọn '{e.option_name}'."
    elif isinstance(e, click.MissingParameter) and e.param is not None:
        text = f"Thiếu '{e.param.human_readable_name}'."
    elif isinstance(e, click.BadParameter):
        hint = e.param_hint if isinstance(e.param_hint, str) else (
            e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx else "")
        text = f"Giá trị của {hint} không đúng: {e.message}" if hint else e.message
    elif m := re.match(r"No such command '(.*)'", e.message):
        text = f"Không có lệnh '{m.group(1)}'."
    else:
        text = e.format_message()
    return f"{text} Xem: {command} --help"


class _Path(click.Path):
    """A path option, checked with Vietnamese messages: for a file to read (`folder=False`),
    when it exists it must be a regular file (or a link to one), never a folder, a FIFO or a
    device (which would block the command as soon as it is opened); for a folder, when it
    exists it must be a folder. A missing path is left for the command to name."""

    def __init__(self, folder: bool = False, exists: bool = False) -> None:
        super().__init__(path_type=Path)
        self.folder, self.must_exist = folder, exists

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        shown = shown_name(os.fsdecode(value))
        try:
            mode = os.stat(path).st_mode
        except OSError:
            if self.must_exist:
                self.fail(f"không có tệp '{shown}'. Hãy kiểm tra lại đường dẫn.", param, ctx)
            return path
        if self.folder and not stat.S_ISDIR(mode):
            self.fail(f"'{shown}' là một tệp, không phải thư mục. Hãy chỉ một thư mục.",
                      param, ctx)
        if not self.folder and not stat.S_ISREG(mode):  # a folder, a FIFO, a device...
            self.fail(f"'{shown}' là {kind_of(mode)}, không phải tệp. Hãy chỉ đúng tệp cần "
                      "dùng.", param, ctx)
        return path


_CATALOGUE, _TEMPLATE = "templates/catalogue.yaml", "templates/chapter.docx"
_SHIPPED = "; không có thì dùng bản kèm phần mềm"


def _catalogue_option(f: F) -> F:
    return click.option("--catalogue", type=_Path(),
                        default=lambda: default_file(_CATALOGUE), show_default=_CATALOGUE,
                        help=f"Danh mục chỉ tiêu (YAML){_SHIPPED}.")(f)


def _template_option(f: F) -> F:
    return click.option("--template", "template_path", type=_Path(),
                        default=lambda: default_file(_TEMPLATE), show_default=_TEMPLATE,
                        help=f"Mẫu Word của chương (phan-tich.yaml nằm cạnh){_SHIPPED}.")(f)


def _inputs_option(f: F) -> F:
    return click.option("--inputs", type=_Path(folder=True),
                        default=Path("inputs"), show_default=True,
                        help="Thư mục tệp của các đơn vị.")(f)


def _outputs_option(help_text: str = "Thư mục kết quả.") -> Callable[[F], F]:
    return click.option("--outputs", type=_Path(folder=True),
                        default=Path("outputs"), show_default=True, help=help_text)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise click.BadParameter(
            f"'{value}' không phải ngày dạng dd/mm/yyyy, ví dụ 25/03/2020.") from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="khcn-pipeline")
def main() -> None:
    """Lập chương KH&CN của Quy hoạch tỉnh Bắc Giang từ biểu mẫu của các phòng, đơn vị."""


@main.command()
@_catalogue_option
@click.option("--out", type=_Path(folder=True),
              default=Path("outputs/forms"), show_default=True, help="Thư mục ghi biểu mẫu.")
def forms(catalogue: Path, out: Path) -> None:
    """Tạo biểu mẫu Excel và mẫu thuyết minh Word trống cho từng đơn vị."""
    from pipeline.catalogue.load import load_catalogue
    from pipeline.forms import write_forms

    written = write_forms(load_catalogue(catalogue), out)
    for f in written:
        click.echo(f"{f.unit}: {f.workbook}  |  {f.narrative}")
    click.echo(f"Đã tạo biểu mẫu cho {len(written)} đơn vị trong '{out}'.")


@main.command()
@_catalogue_option
@_inputs_option
def samples(catalogue: Path, inputs: Path) -> None:
    """Ghi lại bộ số liệu mẫu của 9 đơn vị vào thư mục inputs."""
    from pipeline.catalogue.load import load_catalogue
    from pipeline.tools.samples import write_samples

    written = write_samples(load_catalogue(catalogue), inputs)
    click.echo(f"Đã ghi {len(written)} tệp mẫu vào '{inputs}'.")


@main.command()
@click.option("--out", type=_Path(),
              default=Path("templates/chapter.docx"), show_default=True)
def template(out: Path) -> None:
    """Tạo lại mẫu Word của chương (templates/chapter.docx)."""
    from pipeline.core.word import write_template

    click.echo(f"Đã ghi mẫu chương '{write_template(out)}'.")


@main.command()
@_catalogue_option
@_inputs_option
@_outputs_option()
@_template_option
@click.option("--as-of", callback=_date, help="Ngày tính tiến độ, dd/mm/yyyy (mặc định: hôm nay).")
@click.option("--no-pdf", is_flag=True, help="Không tạo bản PDF.")
@click.option("--strict", is_flag=True,
              help="Bản chính thức: không tạo chương nếu còn bất kỳ lỗi nào.")
@click.option("--no-cache", is_flag=True,
              help="Đọc lại mọi tệp và vẽ lại mọi hình (không dùng outputs/.cache).")
def report(catalogue: Path, inputs: Path, outputs: Path, template_path: Path,
           as_of: dt.date | None, no_pdf: bool, strict: bool, no_cache: bool) -> None:
    """Đọc, kiểm tra, tổng hợp số liệu và tạo chương báo cáo trong outputs/."""
    from pipeline.build import run_build

    result = run_build(inputs, outputs, catalogue, template_path, as_of=as_of,
                       pdf=not no_pdf, strict=strict, log=click.echo,
                       cache=not no_cache)
    click.echo(f"Xong: {result.folder}  (lỗi: {result.errors}, cảnh báo: {result.warnings})")
    click.echo(f"  Chương báo cáo: {result.chapter}")
    if result.pdf:
        click.echo(f"  Bản PDF: {result.pdf}")
    if result.latest:
        where = (outputs / LATEST if (outputs / LATEST).is_dir()
                 else f"{outputs / LATEST_POINTER} (ghi tên thư mục bản mới nhất)")
        click.echo(f"  Bản mới nhất luôn ở: {where}")
    if result.errors:
        click.echo(f"  Có lỗi trong tệp của đơn vị: xem {VALIDATION} để gửi lại "
                   "cho đơn vị sửa.")


@main.command(name="validate")
@_catalogue_option
@_inputs_option
@_outputs_option(f"Báo cáo ghi vào <outputs>/{CHECK_FOLDER}/.")
@click.option("--format", "fmt_", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--as-of", callback=_date, help="Ngày tính tiến độ, dd/mm/yyyy.")
def validate_cmd(catalogue: Path, inputs: Path, outputs: Path, fmt_: str,
                 as_of: dt.date | None) -> None:
    """Chỉ kiểm tra số liệu (không tạo chương); mã thoát 1 nếu có lỗi."""
    from pipeline.office.status import run_validate

    as_json = fmt_ == "json"
    run = run_validate(catalogue, inputs, outputs, as_of,
                       log=(lambda _: None) if as_json else click.echo)
    for line in run.lines(as_json):
        click.echo(line)
    raise SystemExit(run.exit_code)


@main.command()
@_catalogue_option
@click.argument("file", type=_Path(exists=True))
@click.option("--out", type=_Path(folder=True),
              default=Path("outputs") / CHECK_FOLDER, show_default=True,
              help="Thư mục ghi tệp góp ý.")
def check(catalogue: Path, file: Path, out: Path) -> None:
    """Đơn vị tự kiểm tra một tệp trước khi gửi; ghi tệp góp ý có đánh dấu từng ô."""
    from pipeline.office.status import check_file

    checked = check_file(catalogue, file, out)
    for line in checked.lines():
        click.echo(line)
    raise SystemExit(checked.exit_code)


@main.command()
@_catalogue_option
@_inputs_option
@_outputs_option(f"Bảng tiến độ ghi vào <outputs>/{PROGRESS}.")
@click.option("--as-of", callback=_date,
              help="Tính đến ngày, dd/mm/yyyy (mặc định: hôm nay); tệp ghi ngày gửi sau ngày "
                   "này chưa được tính.")
def status(catalogue: Path, inputs: Path, outputs: Path, as_of: dt.date | None) -> None:
    """Tiến độ từng đơn vị so với hạn gửi (nhanh: không tạo chương)."""
    from pipeline.office.status import run_status

    run = run_status(catalogue, inputs, outputs, as_of)
    for line in run.lines():
        click.echo(line)


@main.command(name="progress-report")
@_catalogue_option
@click.option("--kind", type=click.Choice(["tuan", "thang"]), default="tuan", show_default=True,
              help="tuan: báo cáo tuần gửi Ban Chỉ đạo; thang: báo cáo tháng gửi Sở KH&ĐT.")
@_inputs_option
@_outputs_option()
@click.option("--as-of", callback=_date, help="Tính đến ngày, dd/mm/yyyy (mặc định: hôm nay).")
def progress_report_cmd(catalogue: Path, kind: str, inputs: Path, outputs: Path,
                        as_of: dt.date | None) -> None:
    """Báo cáo tiến độ tuần/tháng và dự thảo công văn đôn đốc đơn vị chậm, thiếu."""
    from pipeline.office.letters import run_progress_report

    written = run_progress_report(catalogue, inputs, outputs, kind, as_of)
    for line in written.lines():
        click.echo(line)


@main.command()
@_catalogue_option
@click.option("--sizes", default="9,100,1000", show_default=True,
              help="Số biểu số liệu mỗi lượt đo, cách nhau bằng dấu phẩy.")
@click.option("--out", type=_Path(folder=True),
              default=Path("outputs/bench"), show_default=True)
@_inputs_option
@_template_option
def bench(catalogue: Path, sizes: str, out: Path, inputs: Path, template_path: Path) -> None:
    """Đo tốc độ đọc + kiểm tra + tổng hợp so với calamine và pandas+openpyxl."""
    from pipeline.tools.bench import run

    try:
        numbers = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"'{sizes}' phải là các số nguyên, ví dụ 9,100") from None
    run(catalogue, template_path, inputs, out, numbers,
        log=click.echo)


@main.command()
@click.argument("folder", type=_Path(folder=True))
def init(folder: Path) -> None:
    """Tạo thư mục làm việc: inputs/ có tệp mẫu, templates/ để sửa, outputs/."""
    from pipeline.tools.init import GUIDE, init_folder

    written = init_folder(folder)
    click.echo(f"Đã tạo thư mục làm việc '{folder}' ({len(written)} tệp). Đọc '{folder / GUIDE}'"
               f", rồi chạy các lệnh trong thư mục đó, ví dụ: cd \"{folder}\" rồi khcn report")
