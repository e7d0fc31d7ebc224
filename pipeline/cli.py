"""Command line: a thin shell over the library. Each command parses options and calls one
function; a `PipelineError` becomes a Vietnamese message ("Lỗi: ...", one line per problem,
no traceback) and exit code 1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from pipeline.core.errors import PipelineError
from pipeline.core.outputs import CHECK_FOLDER, LATEST, PROGRESS, VALIDATION

F = TypeVar("F", bound=Callable[..., Any])  # a command function, as click's decorators take it


class UserError(click.ClickException):
    """A PipelineError shown to the user: 'Lỗi: ...' on stderr, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:  # click's signature
        click.echo(f"Lỗi: {self.format_message()}", err=True)


def _catalogue_option(f: F) -> F:
    return click.option("--catalogue", type=click.Path(path_type=Path, dir_okay=False),
                        default=Path("templates/catalogue.yaml"), show_default=True,
                        help="Danh mục chỉ tiêu (YAML).")(f)


def _inputs_option(f: F) -> F:
    return click.option("--inputs", type=click.Path(path_type=Path, file_okay=False),
                        default=Path("inputs"), show_default=True,
                        help="Thư mục tệp của các đơn vị.")(f)


def _outputs_option(help_text: str = "Thư mục kết quả.") -> Callable[[F], F]:
    return click.option("--outputs", type=click.Path(path_type=Path, file_okay=False),
                        default=Path("outputs"), show_default=True, help=help_text)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise click.BadParameter(
            f"'{value}' không phải ngày dạng dd/mm/yyyy, ví dụ 25/03/2020.") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="khcn-pipeline")
def main() -> None:
    """Lập chương KH&CN của Quy hoạch tỉnh Bắc Giang từ biểu mẫu của các phòng, đơn vị."""


@main.command()
@_catalogue_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("outputs/forms"), show_default=True, help="Thư mục ghi biểu mẫu.")
def forms(catalogue: Path, out: Path) -> None:
    """Tạo biểu mẫu Excel và mẫu thuyết minh Word trống cho từng đơn vị."""
    from pipeline.catalogue.load import load_catalogue
    from pipeline.forms import write_forms

    try:
        written = write_forms(load_catalogue(catalogue), out)
    except PipelineError as e:
        raise UserError(str(e)) from e
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

    try:
        written = write_samples(load_catalogue(catalogue), inputs)
    except PipelineError as e:
        raise UserError(str(e)) from e
    click.echo(f"Đã ghi {len(written)} tệp mẫu vào '{inputs}'.")


@main.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("templates/chapter.docx"), show_default=True)
def template(out: Path) -> None:
    """Tạo lại mẫu Word của chương (templates/chapter.docx)."""
    from pipeline.core.word import write_template

    click.echo(f"Đã ghi mẫu chương '{write_template(out)}'.")


@main.command()
@_catalogue_option
@_inputs_option
@_outputs_option()
@click.option("--template", "template_path", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("templates/chapter.docx"), show_default=True)
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

    try:
        result = run_build(inputs, outputs, catalogue, template_path, as_of=as_of,
                           pdf=not no_pdf, strict=strict, log=click.echo,
                           cache=not no_cache)
    except PipelineError as e:
        raise UserError(str(e)) from e
    click.echo(f"Xong: {result.folder}  (lỗi: {result.errors}, cảnh báo: {result.warnings})")
    click.echo(f"  Chương báo cáo: {result.chapter}")
    if result.pdf:
        click.echo(f"  Bản PDF: {result.pdf}")
    click.echo(f"  Bản mới nhất luôn ở: {outputs / LATEST}")
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
    try:
        run = run_validate(catalogue, inputs, outputs, as_of,
                           log=(lambda _: None) if as_json else click.echo)
    except PipelineError as e:
        raise UserError(str(e)) from e
    for line in run.lines(as_json):
        click.echo(line)
    raise SystemExit(run.exit_code)


@main.command()
@_catalogue_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("outputs") / CHECK_FOLDER, show_default=True,
              help="Thư mục ghi tệp góp ý.")
def check(catalogue: Path, file: Path, out: Path) -> None:
    """Đơn vị tự kiểm tra một tệp trước khi gửi; ghi tệp góp ý có đánh dấu từng ô."""
    from pipeline.office.status import check_file

    try:
        checked = check_file(catalogue, file, out)
    except PipelineError as e:
        raise UserError(str(e)) from e
    for line in checked.lines():
        click.echo(line)
    raise SystemExit(checked.exit_code)


@main.command()
@_catalogue_option
@_inputs_option
@_outputs_option(f"Bảng tiến độ ghi vào <outputs>/{PROGRESS}.")
@click.option("--as-of", callback=_date, help="Tính đến ngày, dd/mm/yyyy (mặc định: hôm nay).")
def status(catalogue: Path, inputs: Path, outputs: Path, as_of: dt.date | None) -> None:
    """Tiến độ từng đơn vị so với hạn gửi (nhanh: không tạo chương)."""
    from pipeline.office.status import run_status

    try:
        run = run_status(catalogue, inputs, outputs, as_of)
    except PipelineError as e:
        raise UserError(str(e)) from e
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

    try:
        written = run_progress_report(catalogue, inputs, outputs, kind, as_of)
    except PipelineError as e:
        raise UserError(str(e)) from e
    for line in written.lines():
        click.echo(line)


@main.command()
@_catalogue_option
@click.option("--sizes", default="9,100,1000", show_default=True,
              help="Số biểu số liệu mỗi lượt đo, cách nhau bằng dấu phẩy.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("outputs/bench"), show_default=True)
@_inputs_option
@click.option("--template", "template_path", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("templates/chapter.docx"), show_default=True)
def bench(catalogue: Path, sizes: str, out: Path, inputs: Path, template_path: Path) -> None:
    """Đo tốc độ đọc + kiểm tra + tổng hợp so với calamine và pandas+openpyxl."""
    from pipeline.tools.bench import run

    try:
        numbers = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"'{sizes}' phải là các số nguyên, ví dụ 9,100") from None
    try:
        run(catalogue, template_path, inputs, out, numbers,
            log=click.echo)
    except PipelineError as e:
        raise UserError(str(e)) from e
