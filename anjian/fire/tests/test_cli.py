"""``anjian fire check FILE --json`` prints the violations of the plan's fire rules."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from anjian.domain.gauss_kruger import to_lonlat


def _ll(x, y):
    return list(to_lonlat(500_000 + x, 4_200_000 + y, 105))


def _feature(fid, kind, geometry, **props):
    return {"type": "Feature", "properties": {"id": fid, "kind": kind, **props}, "geometry": geometry}


def _run(path, *extra):
    out = StringIO()
    call_command("fire", "check", str(path), "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_check_prints_one_violation_per_rule(tmp_path):
    # given a layout that breaks each of the four rules once
    fc = {
        "type": "FeatureCollection",
        "features": [
            _feature(
                "R1", "road", {"type": "LineString", "coordinates": [_ll(0, 0), _ll(240.5, 0)]}, width_m=20
            ),
            _feature(
                "R2", "road", {"type": "LineString", "coordinates": [_ll(0, 400), _ll(100, 400)]}, width_m=60
            ),
            _feature("H1", "hydrant", {"type": "Point", "coordinates": _ll(0, 10)}),
            _feature("H2", "hydrant", {"type": "Point", "coordinates": _ll(240.5, 10)}),
            _feature("H3", "hydrant", {"type": "Point", "coordinates": _ll(50, 420)}),
            _feature(
                "P1",
                "plot",
                {
                    "type": "Polygon",
                    "coordinates": [[_ll(0, 20), _ll(400, 20), _ll(400, 30), _ll(0, 30), _ll(0, 20)]],
                },
            ),
            _feature("W1", "fire_pool", {"type": "Point", "coordinates": _ll(10, 10)}, volume_m3=100),
            _feature("Z1", "fire_zone", None, design_flow_lps=30),
        ],
    }
    path = tmp_path / "layout.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    # when
    body = _run(path)
    # then
    found = {(v["rule"], v["feature"]) for v in body["violations"]}
    assert found == {
        ("hydrant_spacing", "R1"),
        ("both_sides", "R2"),
        ("hydrant_coverage", "P1"),
        ("pool_capacity", "W1"),
    }
    # exactly the shape: one key, each violation exactly rule / feature / detail
    assert set(body) == {"violations"}
    assert all(set(v) == {"rule", "feature", "detail"} and v["detail"] for v in body["violations"])
    # --explain adds what was measured, the limit and what to fix
    explained = _run(path, "--explain")["violations"]
    spacing = next(v for v in explained if v["rule"] == "hydrant_spacing")
    assert spacing["measured"] == 240.5 and spacing["limit"] == 120 and spacing["fix"]


def test_a_feature_that_cannot_be_read_is_an_error_naming_it(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            _feature(
                "R1", "road", {"type": "LineString", "coordinates": [_ll(0, 0), _ll(100, 0)]}, width_m=20
            ),
            _feature("H9", "hydrant", {"type": "LineString", "coordinates": [_ll(0, 0), _ll(1, 0)]}),
            _feature("W2", "fire_pool", {"type": "Point", "coordinates": _ll(0, 0)}),
        ],
    }
    path = tmp_path / "layout.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("fire", "check", str(path), "--json", stdout=out)
    assert exc.value.code == 2
    error = json.loads(out.getvalue())["error"]
    assert "H9" in error and "W2" in error


def test_unreadable_file_is_refused_with_a_chinese_message(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("fire", "check", str(path), "--json", stdout=out)
    assert exc.value.code == 2
    assert json.loads(out.getvalue()) == {"error": "文件不是有效的 JSON"}
