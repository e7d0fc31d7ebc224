"""The sample submissions shipped in inputs/ stay in step with the catalogue."""

from __future__ import annotations

from pipeline.read.files import read_inputs
from pipeline.validate.submissions import validate

from .conftest import ROOT


def test_shipped_samples_are_current_clean_and_marked_as_samples(cat):
    read = read_inputs(ROOT / "inputs")
    checked = validate(cat, read)
    stale = "run `make samples` after editing the catalogue"
    assert [f.line() for f in checked.findings] == [], stale
    assert sorted(w.unit for w in checked.workbooks) == sorted(u.code for u in cat.units)
    assert sorted(n.unit for n in checked.narratives) == sorted(u.code for u in cat.units)
    assert all(w.is_sample for w in checked.workbooks)
    assert all(w.meta["ma_danh_muc"] == cat.fingerprint for w in checked.workbooks)
