"""Unit tests of pipeline/core/errors.py: the exception tree (every error is a PipelineError,
which the CLI catches) and Vietnamese messages kept intact by str(), the exit code of each
error (the README's table), and one line for each operating-system error."""

from __future__ import annotations

import errno
import os

import pytest

from pipeline.core.errors import (
    BuildBusy,
    BuildError,
    CatalogueError,
    FilesHaveErrors,
    OutputError,
    PipelineError,
    TemplateError,
    os_error_message,
)


@pytest.mark.parametrize("cls", [CatalogueError, TemplateError, BuildError])
def test_each_error_is_a_pipeline_error(cls: type[Exception]):
    assert issubclass(cls, PipelineError)
    with pytest.raises(PipelineError):
        raise cls("lỗi")


def test_pipeline_error_is_an_exception_but_not_a_value_error():
    assert issubclass(PipelineError, Exception)
    assert not issubclass(PipelineError, ValueError)


def test_the_three_errors_are_distinct():
    assert not issubclass(CatalogueError, BuildError)
    assert not issubclass(BuildError, TemplateError)
    assert not issubclass(TemplateError, CatalogueError)


@pytest.mark.parametrize(("cls", "message"), [
    (CatalogueError, "items[0].indicators[1].type: giá trị phải là một trong number, integer, "
                     "percent"),
    (TemplateError, "Mẫu 'chapter.docx' dùng biến không có: {{ tong_chi }}"),
    (BuildError, "Một lần tổng hợp khác đang chạy (tệp khóa outputs/.build.lock). Hãy chờ."),
])
def test_str_keeps_the_vietnamese_message(cls: type[PipelineError], message: str):
    error = cls(message)
    assert str(error) == message
    assert error.args == (message,)


def test_a_cause_is_kept():
    cause = OSError("disk full")
    try:
        try:
            raise cause
        except OSError as e:
            raise BuildError("Không ghi được thư mục kết quả.") from e
    except PipelineError as caught:
        assert caught.__cause__ is cause
        assert str(caught) == "Không ghi được thư mục kết quả."


# --- os_error_message: one line for each operating-system error a run can meet ---------------
@pytest.mark.parametrize(("code", "doing", "message"), [
    (errno.ENOSPC, "ghi", "Ổ đĩa đã đầy khi ghi 'out/a.xlsx'. Hãy xóa bớt tệp (ví dụ các bản "
                          "báo cáo cũ trong outputs/) cho trống chỗ rồi chạy lại."),
    (errno.EROFS, "tạo", "Không tạo được 'out/a.xlsx': ổ đĩa chỉ cho đọc. Hãy chọn thư mục khác "
                         "(--outputs) hoặc chép thư mục dự án sang ổ ghi được."),
    (errno.EACCES, "đọc", "Không có quyền đọc 'out/a.xlsx'. Hãy cấp quyền ghi cho thư mục (hoặc "
                          "chọn thư mục khác) rồi chạy lại."),
    (errno.ENAMETOOLONG, "ghi", "Tên tệp quá dài 'out/a.xlsx'. Hãy đổi tên tệp ngắn hơn rồi "
                                "chạy lại."),
    (errno.ENOENT, "đọc", "Không tìm thấy 'out/a.xlsx'. Hãy kiểm tra lại đường dẫn."),
    (errno.ENOTDIR, "ghi", "Đường dẫn 'out/a.xlsx' có một phần là tệp chứ không phải thư mục. "
                           "Hãy sửa lại."),
    (errno.EEXIST, "tạo", "Không tạo được 'out/a.xlsx': đã có một tệp trùng tên (thư mục kết quả "
                          "phải là thư mục). Hãy đổi tên hoặc chuyển tệp đó đi rồi chạy lại."),
    (errno.EISDIR, "ghi", "'out/a.xlsx' là thư mục, không phải tệp. Hãy sửa lại."),
    (errno.EIO, "ghi", "Không ghi được 'out/a.xlsx' (I/O lỗi). Hãy kiểm tra thư mục và ổ đĩa "
                       "rồi chạy lại."),
])
def test_each_os_error_is_one_line_naming_the_file(code: int, doing: str, message: str):
    assert os_error_message(OSError(code, "I/O lỗi", "out/a.xlsx"), doing) == message


def test_an_os_error_without_a_file_and_a_name_that_is_not_utf8():
    assert os_error_message(OSError(errno.EPIPE, "Broken pipe")) == (
        "Không ghi được (Broken pipe). Hãy kiểm tra thư mục và ổ đĩa rồi chạy lại.")
    odd = os.fsdecode(b"KHTC_b\xe1o.xlsx")
    assert os_error_message(OSError(errno.ENOENT, "No such file", odd), "đọc") == (
        "Không tìm thấy 'KHTC_b\\xe1o.xlsx'. Hãy kiểm tra lại đường dẫn.")


@pytest.mark.parametrize(("cls", "code"), [
    (PipelineError, 3), (CatalogueError, 3), (TemplateError, 3), (BuildError, 3),
    (BuildBusy, 5), (FilesHaveErrors, 1), (OutputError, 4)])
def test_each_error_carries_the_exit_code_of_the_readme_table(cls: type[PipelineError],
                                                              code: int):
    assert cls("x").exit_code == code
