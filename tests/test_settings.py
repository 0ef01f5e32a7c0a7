"""Service settings: configs/serving.yaml, overridden by environment variables, checked up front."""

import pytest

from model.errors import UserError
from model.predictor import checked_precision, native_bf16, resolve_precision
from serving.settings import load_settings


def test_the_default_precision_is_auto_and_the_environment_overrides_it(monkeypatch):
    assert load_settings().precision == "auto"
    monkeypatch.setenv("ARABIC_EVENTS_PRECISION", "int8")
    assert load_settings().precision == "int8"


def test_an_unknown_precision_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("ARABIC_EVENTS_PRECISION", "fp16")
    with pytest.raises(UserError, match="^setting precision must be one of auto, fp32, bf16, int8, got 'fp16'$"):
        load_settings()


def test_a_non_numeric_port_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("ARABIC_EVENTS_PORT", "http")
    with pytest.raises(UserError, match="^setting port must be a whole number, got 'http'$"):
        load_settings()


def test_auto_is_bf16_only_where_the_cpu_has_bf16_in_hardware():
    assert resolve_precision("auto") == ("bf16" if native_bf16() else "fp32")
    assert resolve_precision("int8") == "int8"


def test_a_cli_precision_error_names_the_option():
    with pytest.raises(UserError, match="^--precision must be one of auto, fp32, bf16, int8, got 'fp16'$"):
        checked_precision("fp16", "--precision")
