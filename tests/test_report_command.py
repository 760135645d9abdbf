"""``conformance report``: the page, JUnit XML and Markdown written; problems named in the terminal."""

from __future__ import annotations

from conformance.cli import main

from test_report import CONV, KERAS, TRANSPOSED, make_result, write_run


def run(capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    """The report command on synthetic results: no adapter is expected unless a test says so."""
    expect = [] if any(a.startswith("--expect") for a in argv) else ["--expect", ""]
    code = main(["report", *expect, *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_writes_the_page_junit_per_adapter_and_the_summary(tmp_path, capsys):
    results = tmp_path / "results"
    write_run(results, "t", [make_result("c1", TRANSPOSED), make_result("c2", TRANSPOSED, "FAIL")])
    write_run(results, "c", [make_result("v1", CONV)])
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, str(results), "-o", str(out_dir / "index.html"))
    assert (code, err) == (0, [])
    assert out == [
        f"{TRANSPOSED}: 1 PASS, 1 FAIL; pass rate 50.0%; 1 unexpected",
        f"{CONV}: 1 PASS; pass rate 100.0%; 0 unexpected",
        "3 results from 2 file(s)",
        f"wrote {out_dir / 'index.html'}",
        f"wrote 2 JUnit XML file(s) in {out_dir / 'junit'}",
        f"wrote {out_dir / 'summary.md'}",
    ]
    assert sorted(p.name for p in (out_dir / "junit").iterdir()) == [f"{CONV}.xml", f"{TRANSPOSED}.xml"]
    assert "c2" in (out_dir / "index.html").read_text(encoding="utf-8")
    assert "**1 results did not meet their expectation.**" in (out_dir / "summary.md").read_text(encoding="utf-8")


def test_unreadable_files_and_conflicts_are_named_and_the_rest_renders(tmp_path, capsys):
    write_run(tmp_path, "a", [make_result("c1", KERAS, "FAIL")])
    write_run(tmp_path, "b", [make_result("c1", KERAS)])
    (tmp_path / "c.json").write_text("not json", encoding="utf-8")
    page = tmp_path / "index.html"
    code, out, err = run(capsys, str(tmp_path), "-o", str(page), "--no-junit", "--no-markdown")
    assert code == 0
    assert err[0].startswith(f"error: {tmp_path / 'c.json'}: cannot read results: Expecting value")
    assert (
        err[1]
        == f"conflict: case 'c1' on adapter '{KERAS}': FAIL in {tmp_path / 'a.json'}, PASS in {tmp_path / 'b.json'}"
    )
    assert out[-2:] == ["1 results from 2 file(s), 1 unreadable, 1 conflicting", f"wrote {page}"]
    assert "cannot read results" in page.read_text(encoding="utf-8")


def test_no_readable_results_exits_1_and_still_writes_the_page(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    page = tmp_path / "index.html"
    code, out, err = run(capsys, str(tmp_path), "-o", str(page), "--no-junit", "--no-markdown")
    assert code == 1
    assert err == [
        f"error: {tmp_path / 'bad.json'}: not a conformance-results/1 file (format: None)",
        f"error: no readable results in {tmp_path}",
    ]
    assert "No readable results." in page.read_text(encoding="utf-8")


def test_junit_dir_and_markdown_path_can_be_chosen(tmp_path, capsys):
    write_run(tmp_path / "r", "t", [make_result("c1", TRANSPOSED)])
    code, out, _ = run(
        capsys,
        str(tmp_path / "r"),
        "-o",
        str(tmp_path / "p.html"),
        "--junit-dir",
        str(tmp_path / "xml"),
        "--markdown",
        str(tmp_path / "md" / "s.md"),
    )
    assert code == 0
    assert (tmp_path / "xml" / f"{TRANSPOSED}.xml").is_file() and (tmp_path / "md" / "s.md").is_file()
    assert not (tmp_path / "junit").exists()


def test_default_folder_is_reports_results(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_run(tmp_path / "reports" / "results", "t", [make_result("c1", TRANSPOSED)])
    code, out, _ = run(capsys)
    assert code == 0 and out[-1] == "wrote reports/summary.md"
    assert (tmp_path / "reports" / "index.html").is_file()
    assert (tmp_path / "reports" / "junit" / f"{TRANSPOSED}.xml").is_file()


def test_adapters_the_run_meant_to_cover_without_results_are_named_first(tmp_path, capsys):
    results = tmp_path / "results"
    write_run(results, "t", [make_result("c1", TRANSPOSED)])
    (results / "torch.nn.Conv.json").write_text("{truncated")  # its environment died mid-write
    page, markdown = tmp_path / "index.html", tmp_path / "summary.md"
    code, out, err = run(capsys, str(results), "-o", str(page), "--markdown", str(markdown), "--expect", "torch")
    assert code == 0
    gradients = "torch.nn.functional.conv_transpose.grad, torch.nn.functional.conv.grad, torch.nn.grad.conv"
    missing = f"torch.nn.ConvTranspose, torch.nn.functional.conv, torch.nn.Conv, {gradients}"
    assert f"no results from 6 adapter(s) the run meant to cover: {missing}" in err
    html = page.read_text()
    summary = html.split('<section id="summary"')[1]
    assert summary.index('id="missing-adapters"') < summary.index("met its expectation")
    for name in ("torch.nn.ConvTranspose", "torch.nn.functional.conv", "torch.nn.Conv"):
        assert f"<code>{name}</code>" in summary.split("</p>")[0]
    assert "Every result that is here met its expectation" in html
    text = markdown.read_text()
    assert "**No results from 6 adapters this run meant to cover:**" in text
