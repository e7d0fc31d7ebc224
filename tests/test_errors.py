"""Unit tests of pipeline/core/errors.py: the exception tree (every error is a PipelineError,
which the CLI catches) and Vietnamese messages kept intact by str()."""

from __future__ import annotations

import pytest

from pipeline.core.errors import BuildError, CatalogueError, PipelineError, TemplateError


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
