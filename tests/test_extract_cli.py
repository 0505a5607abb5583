"""``monitor extract``: JSON Lines in input order, errors per input, the pool for many files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from tests.pages import SEED_TITLE, seed_page

ARTICLES = Path(__file__).parent / "data" / "articles"
FIELDS = {"input", "title", "text", "published", "language", "canonical_url", "author",
          "date_source"}  # fmt: skip


def test_json_lines_in_input_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One object per input, in order; a missing file is an error object and exit code 1."""
    seed = tmp_path / "seed.html"
    seed.write_bytes(seed_page())
    vn = ARTICLES / "fundus__VnExpress_2025_10_22.html.gz"
    code = main(["extract", "--json", str(seed), str(tmp_path / "missing.html"), str(vn)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [line["input"] for line in lines] == [str(seed), str(tmp_path / "missing.html"), str(vn)]
    assert set(lines[0]) == FIELDS
    assert lines[0]["title"] == SEED_TITLE
    assert (lines[0]["published"], lines[0]["date_source"]) == ("2021-12-07T13:33:00Z", "text")
    assert lines[1]["error"].startswith("cannot read")
    assert lines[2]["language"] == "vi"


def test_many_files_through_the_pool(capsys: pytest.CaptureFixture[str]) -> None:
    """Many files go through worker processes and still come out in input order."""
    files = sorted(str(path) for path in ARTICLES.glob("*.html.gz"))[:8]
    assert main(["extract", "--json", "--workers", "2", *files]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["input"] for line in lines] == files
    assert all(line["title"] and line["text"] for line in lines)
