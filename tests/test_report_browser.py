"""The HTML report in headless Chromium: loads clean, filters, opens details, renders data as text.

Needs Debian's chromium and chromedriver and pip's selenium (the ``test`` extra). Without
them the tests skip and say why, except under CI (the CI environment variable set), where a
missing browser is a failure: CI never skips them. The screenshot of the page with a
failing cell's details open is kept under pytest's tmp folder (its path is printed).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

from browser import chromium
from conformance.report.html import write_html
from conformance.report.merge import merge_files
from conformance.report.summary import disagreement_rows

REPO = Path(__file__).resolve().parent.parent


def load_generator():
    """benchmarks/make_synthetic_results.py, which is a script folder, not a package."""
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_results", REPO / "benchmarks" / "make_synthetic_results.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


synthetic = load_generator()


driver = pytest.fixture(scope="module", name="driver")(chromium.module_driver)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Synthetic results (one hostile case), the merged view, the page plain and compressed."""
    folder = tmp_path_factory.mktemp("report")
    synthetic.write_synthetic_results(folder / "results", n_cases=48, n_conv_cases=4, failure_rate=0.3, seed=3)
    merged = merge_files([folder / "results"])
    # The generator writes no kind of finding: give each explained result one, in turn.
    kinds = ["bug", "convention", "limitation"]
    for i, cell in enumerate(c for c in merged.cells.values() if c.result.expectation_reason):
        cell.result.expectation_kind = kinds[i % 3]
    plain = write_html(merged, folder / "index.html")
    compressed = write_html(merged, folder / "compressed.html", compress_above=0)
    return {"merged": merged, "plain": plain.as_uri(), "compressed": compressed.as_uri(), "folder": folder}


def open_page(driver, url: str, unfold: bool = True) -> None:
    """Load the page; unfold the adapter chips and legend (the page folds them below 900 px
    of height, and headless Chromium's 1000 px window has 857 px of viewport)."""
    driver.get("about:blank")  # a URL that differs only in its #fragment would not reload
    driver.get(url)
    wait_for(driver, "return document.documentElement.getAttribute('data-ready') === 'true'")
    if unfold:
        driver.execute_script("document.querySelectorAll('details.fold').forEach(d => { d.open = true; })")


def wait_for(driver, script: str, *args, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def click(driver, css: str):
    """Scroll the element to the middle first: the sticky header must not cover it."""
    element = driver.find_element("css selector", css)
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'})", element
    )
    element.click()
    return element


def visible_rows(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix tr.r'))"
        ".filter(r => !r.hidden && !r.parentNode.hidden).map(r => r.getAttribute('data-s'))"
    )


def test_page_loads_clean_with_one_row_per_case(driver, report):
    open_page(driver, report["plain"])
    assert chromium.console_errors(driver) == []
    rows = driver.execute_script("return document.querySelectorAll('#matrix tr.r').length")
    assert rows == len(report["merged"].cases) == 52
    assert driver.execute_script("return window.conformanceReport.rows") == 52
    assert (
        driver.execute_script("return document.querySelectorAll('#matrix button.c').length")
        == report["merged"].n_results
    )


def test_status_filter_click_hides_rows_that_only_pass(driver, report):
    open_page(driver, report["plain"])
    assert len(visible_rows(driver)) == 52
    click(driver, "label.chip.s-PASS")
    shown = visible_rows(driver)
    # Left: every row with a status other than PASS among the adapters that apply (n/a: '-').
    expected = [
        codes
        for codes in (
            r
            for r in driver.execute_script(
                "return Array.from(document.querySelectorAll('#matrix tr.r')).map(r => r.getAttribute('data-s'))"
            )
        )
        if set(codes) - set("P-.")
    ]
    assert shown == expected and 0 < len(shown) < 52
    assert driver.find_element("id", "shown-count").text == f"Showing {len(shown)} of 52 cases"
    assert chromium.console_errors(driver) == []


def test_disagreement_toggle_shows_the_rows_the_report_counts(driver, report):
    open_page(driver, report["plain"])
    click(driver, "#disagreements-only")
    assert len(visible_rows(driver)) == len(disagreement_rows(report["merged"])) > 0
    click(driver, "#reset-filters")
    wait_for(driver, "return document.getElementById('shown-count').textContent === 'Showing all 52 cases'")


def test_text_filter_and_adapter_columns(driver, report):
    open_page(driver, report["plain"])
    expected = [case_id for case_id in report["merged"].cases if "dilation-" in case_id]
    driver.find_element("id", "text-filter").send_keys("Dilation-")
    wait_for(
        driver,
        "return document.getElementById('shown-count').textContent === arguments[0]",
        f"Showing {len(expected)} of 52 cases",
    )
    ids = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix tr.r')).filter(r => !r.hidden)"
        ".map(r => r.querySelector('.cid').textContent)"
    )
    assert ids == expected and len(ids) > 1
    click(driver, "input[name=adapter][value='0']")
    assert (
        driver.execute_script("return getComputedStyle(document.querySelector('#matrix tr.r > td:nth-child(2)')).display")
        == "none"
    )


def open_cell(driver, css: str) -> str:
    """Click a matrix cell; returns the details panel's title once its content is built."""
    click(driver, css)
    wait_for(
        driver,
        "return !document.getElementById('details').hidden && "
        "document.getElementById('details-title').textContent !== 'Details'",
    )
    return driver.find_element("id", "details-title").text


SELECTED_RESULT = "window.conformanceReport.resultNumber(document.querySelector('button.c.sel'))"


def open_result(driver, k: int) -> str:
    """Click the cell of result number k (the page numbers results in document order)."""
    driver.execute_script(
        "var b = window.conformanceReport.buttonFor(arguments[0]); b.id = 'target-cell';"
        "b.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});",
        k,
    )
    return open_cell(driver, "#target-cell")


def test_cell_click_opens_details_with_repro_heatmaps_and_copy(driver, report):
    open_page(driver, report["plain"])
    title = open_cell(driver, "#matrix button.c.s-FAIL")
    assert " on " in title
    body = driver.find_element("id", "details-body")
    sections = [h.get_attribute("textContent") for h in body.find_elements("css selector", "h3")]
    known = [h for h in sections if h.startswith("Known finding")]
    # an expectation's finding comes first, then the automatic diagnosis
    assert sections[len(known) : len(known) + 3] == ["Diagnosis", "Outcome", "Heatmaps of one 2D slice (n=0, c=1)"]
    assert {"Case", "Canonical parameters", "Native call", "Repro script"} <= set(sections)
    repro = body.find_element("css selector", ".code-head + pre code").get_attribute("textContent")
    assert repro.startswith("#!/usr/bin/env python3") and title.split(" on ")[0].strip() in repro
    # nothing is drawn until the heatmaps' box is opened; then the three maps
    assert body.find_elements("css selector", "canvas") == []
    click(driver, "#details-body details.heatmap-box > summary")
    # a <details>' toggle event is queued, not dispatched by the click: the maps come a task later
    wait_for(driver, "return document.querySelectorAll('#details-body .heatmaps canvas.map').length === 3")
    assert len(body.find_elements("css selector", ".heatmaps canvas.map")) == 3
    copy = body.find_element("css selector", "button[data-copy]")
    copy.click()
    wait_for(driver, "return ['Copied', 'Select and copy'].includes(arguments[0].textContent)", copy)
    driver.find_element("tag name", "body").send_keys("\ue00c")  # Escape closes the panel
    wait_for(driver, "return document.getElementById('details').hidden")
    assert driver.execute_script("return location.hash") == ""
    assert chromium.console_errors(driver) == []


def test_a_failing_cells_slice_reads_as_tables_by_keyboard(driver, report):
    merged = report["merged"]
    open_page(driver, report["plain"])
    in_page_order = [merged.cell(case, a) for case in merged.cases for a in merged.adapters]
    k, cell = next(
        (k, cell) for k, cell in enumerate(c for c in in_page_order if c is not None)
        if cell.status == "FAIL" and (cell.result.details or {}).get("slice")
    )
    open_result(driver, k)
    body = driver.find_element("id", "details-body")
    assert body.find_elements("css selector", ".slice-table") == []
    summary = body.find_element("css selector", "details.slice-values > summary")
    summary.send_keys("\ue00d")  # Space on the focused summary opens it: no mouse
    wait_for(driver, "return document.querySelectorAll('#details-body .slice-table').length === 3")
    tables = driver.execute_script(
        "return Array.from(document.querySelectorAll('#details-body .slice-table')).map(w => ({"
        " tab: w.tabIndex, caption: w.querySelector('caption').textContent,"
        " rows: Array.from(w.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent))}))"
    )
    slice_ = cell.result.details["slice"]
    expected = [[float(v) for v in row] for row in slice_["expected"]]
    shown = tables[0]
    assert shown["tab"] == 0 and shown["caption"].startswith("Expected (oracle)")
    origin = slice_.get("origin", [0, 0])
    assert [int(r[0]) for r in shown["rows"]] == [origin[0] + i for i in range(len(expected))]
    for row, values in zip(shown["rows"], expected):
        assert [float(v) for v in row[1:]] == pytest.approx(values, rel=1e-5, abs=1e-12)
    assert [t["caption"].split(" (")[0] for t in tables] == ["Expected", "Actual", "Actual − expected"]
    assert chromium.console_errors(driver) == []


def test_compressed_details_open_the_same(driver, report):
    """The compressed page stores repro lines of float literals as float64 bytes
    (float_lines.py): each failing cell's repro script reads exactly as its results file has it."""
    open_page(driver, report["compressed"])
    assert (
        driver.execute_script("return document.getElementById('report-data').getAttribute('data-encoding')")
        == "deflate-base85-f64"
    )
    merged = report["merged"]
    failing = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix button.c.s-FAIL'))"
        ".map(b => window.conformanceReport.resultNumber(b))"
    )
    assert len(failing) >= 5
    for k in failing:
        driver.execute_script("var b = document.getElementById('target-cell'); if (b) b.removeAttribute('id');")
        open_result(driver, k)
        title = driver.find_element("id", "details-title").get_attribute("textContent")
        case, adapter = title.split("  on  ")
        repro = driver.find_element("css selector", "#details-body .code-head + pre code").get_attribute("textContent")
        assert repro == merged.cell(case, adapter).result.details["repro"]
        driver.find_element("id", "details-close").click()
    assert chromium.console_errors(driver) == []


def test_hostile_strings_render_as_text(driver, report):
    open_page(driver, report["plain"])
    descriptions = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix .desc')).map(d => d.textContent)"
    )
    assert synthetic.HOSTILE_DESCRIPTION in descriptions
    k = driver.execute_script(
        "var wanted = arguments[0];"
        "var row = Array.from(document.querySelectorAll('#matrix tr.r')).find(function (r) {"
        "  var d = r.querySelector('.desc'); return d && d.textContent === wanted; });"
        "return window.conformanceReport.resultNumber(row.querySelector('button.c.s-FAIL'));",
        synthetic.HOSTILE_DESCRIPTION,
    )
    open_result(driver, k)
    message = driver.find_element("css selector", "#details-body pre.message").get_attribute("textContent")
    assert message == synthetic.HOSTILE_MESSAGE
    cells = driver.execute_script(
        "return Array.from(document.querySelectorAll('#details-body td')).map(td => td.textContent)"
    )
    assert synthetic.HOSTILE_DESCRIPTION in cells
    # Nothing was parsed as markup, and alert() never ran (an open alert makes every call raise).
    assert (
        driver.execute_script("return document.querySelectorAll('img, #matrix script, #details script, b').length") == 0
    )
    assert chromium.console_errors(driver) == []


def test_screenshot_of_a_failing_cell(driver, report):
    open_page(driver, report["plain"])
    open_cell(driver, "#matrix button.c.s-FAIL.unexp")
    path = report["folder"] / "report-details.png"
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    assert path.stat().st_size > 10_000


def test_a_link_to_a_result_opens_its_details(driver, report):
    open_page(driver, report["plain"] + "#result-0")
    wait_for(
        driver,
        "return !document.getElementById('details').hidden && "
        "document.getElementById('details-title').textContent !== 'Details'",
    )
    first = next(iter(report["merged"].cases))
    assert driver.find_element("id", "details-title").get_attribute("textContent").startswith(first + "  on  ")
    assert driver.execute_script("return " + SELECTED_RESULT) == 0
    driver.execute_script("location.hash = '#result-1'")
    wait_for(driver, f"return {SELECTED_RESULT} === 1")
    driver.back()
    wait_for(driver, f"return {SELECTED_RESULT} === 0")


def shown_columns(driver) -> list[int]:
    """The adapter columns on screen (their header cells are not display: none)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix thead th[class^=a], #matrix thead th[class*=\" a\"]'))"
        ".filter(th => getComputedStyle(th).display !== 'none')"
        ".map(th => Number(/(?:^| )a(\\d+)/.exec(th.className)[1]))"
    )


def test_one_click_isolates_an_adapter_and_none_all_restore(driver, report):
    open_page(driver, report["plain"])
    adapters = report["merged"].adapters
    target = adapters.index("mxnet.nd.Deconvolution")
    click(driver, f"#adapter-chips button[data-only='{target}']")
    assert shown_columns(driver) == [target]
    # the rows left are those the adapter reported on (its op's cases)
    expected = sum(1 for (case, adapter) in report["merged"].cells if adapter == "mxnet.nd.Deconvolution")
    assert len(visible_rows(driver)) == expected
    click(driver, "#adapter-chips button[data-adapters='none']")
    assert shown_columns(driver) == [] and visible_rows(driver) == []
    click(driver, "#adapter-chips button[data-adapters='all']")
    assert shown_columns(driver) == list(range(len(adapters)))
    assert chromium.console_errors(driver) == []


def test_a_summary_count_filters_to_exactly_the_cells_it_counts(driver, report):
    merged = report["merged"]
    open_page(driver, report["plain"])
    index, adapter = next(
        (i, a) for i, a in enumerate(merged.adapters)
        if any(not cell.met_expectation for (_, name), cell in merged.cells.items() if name == a)
    )
    unmet = sorted(case for (case, name), cell in merged.cells.items() if name == adapter and not cell.met_expectation)
    click(driver, f"table.summary a.set-filter[data-only='{index}'][data-unexpected='1']")
    assert shown_columns(driver) == [index]
    ids = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix tr.r')).filter(r => !r.hidden && !r.parentNode.hidden)"
        ".map(r => r.querySelector('.cid').textContent)"
    )
    assert sorted(ids) == unmet and driver.find_element("id", "unexpected-only").is_selected()
    # a status count: that adapter's FAIL cells
    fails = sorted(case for (case, name), cell in merged.cells.items() if name == adapter and cell.status == "FAIL")
    click(driver, f"table.summary a.set-filter[data-only='{index}'][data-status='F']")
    ids = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix tr.r')).filter(r => !r.hidden && !r.parentNode.hidden)"
        ".map(r => r.querySelector('.cid').textContent)"
    )
    assert sorted(ids) == fails and not driver.find_element("id", "unexpected-only").is_selected()


def test_the_op_switch_keeps_one_ops_rows_and_adapters_and_groups_count_what_they_show(driver, report):
    merged = report["merged"]
    open_page(driver, report["plain"])
    click(driver, "#op-switch input[value='conv']")
    conv_adapters = [i for i, a in enumerate(merged.adapters) if merged.adapter_ops.get(a) == {"conv"}]
    assert shown_columns(driver) == conv_adapters
    assert len(visible_rows(driver)) == sum(1 for case in merged.cases.values() if case.op == "conv") == 4
    # a group header under a filter counts what it shows
    click(driver, "#op-switch input[value='']")
    click(driver, "label.chip.s-PASS")
    # each drawn group header, the case rows drawn under it, and its total (data-n)
    counts = driver.execute_script(
        "var out = []; document.querySelectorAll('#matrix tbody tr.gh, #matrix tbody tr.r').forEach(tr => {"
        " if (tr.classList.contains('gh')) { var n = tr.querySelector('.n');"
        "  out.push([n.textContent, 0, Number(n.getAttribute('data-n'))]); }"
        " else out[out.length - 1][1]++; }); return out;"
    )
    assert counts and any(shown < total for _, shown, total in counts)
    for text, shown, total in counts:
        noun = "case" if total == 1 else "cases"
        assert text == (f"{total} {noun}" if shown == total else f"{shown} of {total} {noun}")


def test_disagreements_can_ignore_unsupported(driver, report):
    merged = report["merged"]
    open_page(driver, report["plain"])
    click(driver, "#disagreements-only")
    with_unsupported = len(visible_rows(driver))
    click(driver, "#ignore-unsupported")
    expected = 0
    for case in merged.cases:
        statuses = [cell.status for (c, _), cell in merged.cells.items() if c == case]
        problem = any(s in ("FAIL", "ERROR", "CRASH", "TIMEOUT", "CONFLICT") for s in statuses)
        if problem or len({s for s in statuses if s != "UNSUPPORTED"}) > 1:
            expected += 1
    assert len(visible_rows(driver)) == expected < with_unsupported


def test_a_known_finding_comes_before_the_diagnosis(driver, report):
    merged = report["merged"]
    k = 0
    target = None
    for case in merged.cases:
        for adapter in merged.adapters:
            cell = merged.cell(case, adapter)
            if cell is None:
                continue
            if target is None and cell.status == "FAIL" and cell.result.expectation_reason:
                target = (k, cell.result)
            k += 1
    assert target, "the synthetic results have a FAIL with an expectation"
    open_page(driver, report["plain"])
    open_result(driver, target[0])
    body = driver.find_element("id", "details-body")
    sections = [h.get_attribute("textContent") for h in body.find_elements("css selector", "h3")]
    assert sections[:2] == ["Known finding", "Diagnosis"] or sections[:2] == [f"Known finding: {target[1].expectation_kind}", "Diagnosis"]
    known = body.find_element("css selector", ".known-finding").get_attribute("textContent")
    assert target[1].expectation_reason in known and target[1].expectation_link in known


def fragment_params(driver) -> dict[str, str]:
    return driver.execute_script(
        "return Object.fromEntries(new URLSearchParams(location.hash.slice(1)))"
    )


def test_a_shared_view_link_restores_filters_opens_scrolls_to_and_focuses_the_cell(driver, report):
    merged = report["merged"]
    adapter = "mxnet.nd.Deconvolution"
    case = next(c for (c, a), cell in merged.cells.items() if a == adapter and cell.status == "FAIL")
    open_page(driver, report["plain"] + f"#op=conv_transpose&only={adapter}&s=FE&case={case}&adapter={adapter}")
    wait_for(driver, "return document.getElementById('details-title').textContent.indexOf(' on ') > 0")
    assert driver.find_element("id", "details-title").get_attribute("textContent") == f"{case}  on  {adapter}"
    assert shown_columns(driver) == [merged.adapters.index(adapter)]
    assert driver.find_element("css selector", "#op-switch input[value='conv_transpose']").is_selected()
    checked = driver.execute_script(
        "return Array.from(document.querySelectorAll('input[name=status]')).filter(b => b.checked).map(b => b.value)"
    )
    assert checked == ["F", "E"]
    # the focused element is that cell, on screen and not under the details panel
    focused = driver.execute_script(
        "var b = document.activeElement; var c = window.conformanceReport.resultNumber(b);"
        "var r = b.getBoundingClientRect(); var p = document.getElementById('details').getBoundingClientRect();"
        "var wrap = document.querySelector('.matrix-wrap').getBoundingClientRect();"
        "return {cls: b.className, tab: b.tabIndex, label: b.getAttribute('aria-label'),"
        " inView: r.top >= wrap.top && r.bottom <= wrap.bottom && r.left >= 0 && r.right <= p.left,"
        " r: [r.top, r.bottom, r.left, r.right], wrap: [wrap.top, wrap.bottom], p: p.left};"
    )
    assert "s-FAIL" in focused["cls"] and focused["tab"] == 0 and focused["inView"], str(focused)
    assert focused["label"].startswith(f"{case} - {adapter} - FAIL")
    assert chromium.console_errors(driver) == []


def test_filters_are_written_to_the_fragment_and_back_restores_them(driver, report):
    merged = report["merged"]
    open_page(driver, report["plain"])
    adapter = "mxnet.nd.Deconvolution"
    click(driver, f"#adapter-chips button[data-only='{merged.adapters.index(adapter)}']")
    assert fragment_params(driver) == {"only": adapter}
    click(driver, "#unexpected-only")
    assert fragment_params(driver) == {"only": adapter, "u": "1"}
    click(driver, "label.chip.s-PASS")
    shown_statuses = driver.execute_script(
        "return Array.from(document.querySelectorAll('input[name=status]')).filter(b => b.checked).map(b => b.value).join('')"
    )
    assert fragment_params(driver) == {"only": adapter, "u": "1", "s": shown_statuses} and "P" not in shown_statuses
    driver.back()
    wait_for(driver, "return document.querySelector('label.chip.s-PASS input').checked")
    assert driver.find_element("id", "unexpected-only").is_selected()
    driver.back()
    wait_for(driver, "return !document.getElementById('unexpected-only').checked")
    assert shown_columns(driver) == [merged.adapters.index(adapter)]
    driver.back()
    wait_for(driver, "return document.getElementById('shown-count').textContent === 'Showing all 52 cases'")
    assert len(shown_columns(driver)) == len(merged.adapters)
    # opening a cell adds it to the fragment; closing takes it out
    title = open_cell(driver, "#matrix button.c.s-FAIL")
    case, adapter = title.split("  on  ") if "  on  " in title else title.split(" on ")
    assert fragment_params(driver) == {"case": case.strip(), "adapter": adapter.strip()}
    driver.find_element("id", "details-close").click()
    wait_for(driver, "return document.getElementById('details').hidden && location.hash === ''")
    assert chromium.console_errors(driver) == []


def shown_case_ids(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix tr.r')).filter(r => !r.hidden && !r.parentNode.hidden)"
        ".map(r => r.querySelector('.cid').textContent)"
    )


def test_one_click_on_a_finding_kind_shows_only_the_cells_of_that_kind_and_the_fragment_keeps_it(driver, report):
    merged = report["merged"]
    open_page(driver, report["plain"])
    for kind in ("bug", "convention", "limitation"):
        cells = {key for key, cell in merged.cells.items() if cell.result.expectation_kind == kind}
        assert cells, kind
        click(driver, f"#kind-filter input[data-kind='{kind}']")
        assert sorted(shown_case_ids(driver)) == sorted({case for case, _ in cells})
        assert fragment_params(driver) == {"k": kind}
        # within those rows, the cells of another kind (or none) are dimmed, those of this kind not
        marked = driver.execute_script(
            "var t = document.getElementById('matrix'); var out = [];"
            "t.querySelectorAll('tr.r:not([hidden]) button.c').forEach(b => {"
            " if (getComputedStyle(b).opacity === '1') out.push([b.closest('tr').querySelector('.cid').textContent,"
            " window.conformanceReport.resultNumber(b)]); });"
            "return out;"
        )
        assert {case for case, _ in marked} == {case for case, _ in cells}
        assert len(marked) == len(cells)
        count = driver.find_element("css selector", f"#kind-filter input[data-kind='{kind}']").find_element("xpath", "..")
        assert count.text.split()[-1] == str(len(cells))
    # a shared link restores the kind; "any" clears it
    open_page(driver, report["plain"] + "#k=convention")
    assert driver.find_element("css selector", "#kind-filter input[data-kind='convention']").is_selected()
    expected = {case for (case, _), cell in merged.cells.items() if cell.result.expectation_kind == "convention"}
    assert sorted(shown_case_ids(driver)) == sorted(expected)
    click(driver, "#kind-filter input[value='']")
    assert len(shown_case_ids(driver)) == len(merged.cases) and fragment_params(driver) == {}
    assert chromium.console_errors(driver) == []


def test_the_keyboard_reaches_and_opens_a_cell_in_one_tab_stop_and_arrows(driver, report):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    def keys(*sequence):
        ActionChains(driver).send_keys(*sequence).perform()

    def focused():
        return driver.execute_script(
            "var b = document.activeElement; if (!b.classList.contains('c')) return null;"
            "return [window.conformanceReport.resultNumber(b), b.closest('td').cellIndex,"
            " b.closest('tr').rowIndex, b.tabIndex, b.getAttribute('aria-label')]"
        )

    open_page(driver, report["plain"])
    assert driver.execute_script("return document.querySelectorAll('#matrix button.c[tabindex=\"0\"]').length") == 1
    keys(Keys.TAB)  # the first tab stop on the page: the skip link
    assert driver.execute_script("return document.activeElement.id") == "skip-to-matrix"
    keys(Keys.ENTER)
    k, column, row, tabindex, label = focused()
    assert (k, tabindex) == (0, 0) and label.startswith(next(iter(report["merged"].cases)) + " - ")
    keys(Keys.ARROW_DOWN)  # the same column, the next row with a result there
    below = focused()
    assert below[1] == column and below[2] > row and below[0] == 1
    keys(Keys.ENTER)
    wait_for(driver, "return document.getElementById('details-title').textContent.indexOf(' on ') > 0")
    keys(Keys.ESCAPE)
    wait_for(driver, "return document.getElementById('details').hidden")
    assert focused() == below[:3] + [0, below[4]]
    assert below[4].count(" - ") >= 2 and below[4].split(" - ")[2] in ("PASS", "UNSUPPORTED", "FAIL", "ERROR")
    # Tab from a cell leaves the grid: it is one tab stop
    keys(Keys.TAB)
    assert driver.execute_script("return !document.activeElement.closest('#matrix')")
    # along a row of the transposed cases: Right, Left, End, Home; only one cell is tabbable
    driver.execute_script("document.querySelector('#matrix tr.r[data-s^=\"F\"] button.c').focus()")
    start = focused()
    keys(Keys.ARROW_RIGHT)
    assert focused()[0] == start[0] + 1 and focused()[2] == start[2]
    keys(Keys.ARROW_LEFT)
    assert focused()[0] == start[0]
    keys(Keys.END)
    last = focused()
    assert last[2] == start[2] and last[1] > start[1] + 1
    keys(Keys.HOME)
    assert focused()[0] == start[0]
    assert driver.execute_script("return document.querySelectorAll('#matrix button.c[tabindex=\"0\"]').length") == 1
    assert chromium.console_errors(driver) == []


def set_viewport(driver, width: int, height: int) -> None:
    """Resize the window so the page's viewport is width x height (the window adds its frame)."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [innerWidth, innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def test_at_800_px_the_matrix_starts_on_the_first_screen_and_columns_are_narrow(driver, report):
    set_viewport(driver, 1440, 800)
    try:
        open_page(driver, report["plain"], unfold=False)
        assert driver.execute_script("return [innerWidth, innerHeight]") == [1440, 800]
        # the adapter chips and the legend start folded
        assert driver.execute_script("return Array.from(document.querySelectorAll('details.fold')).map(d => d.open)") == [
            False,
            False,
        ]
        driver.find_element("css selector", ".top nav a[href='#matrix-section']").click()
        wait_for(driver, "return document.getElementById('matrix-section').getBoundingClientRect().top < 5")
        first_row = driver.execute_script(
            "var r = document.querySelector('#matrix tr.r').getBoundingClientRect(); return [r.top, r.bottom]"
        )
        assert 0 < first_row[0] and first_row[1] < 800, first_row
        # columns: narrow, a short label shown, the full name on hover and to screen readers
        header = driver.execute_script(
            "var th = document.querySelector('#matrix thead th.a1'); return [th.getBoundingClientRect().width,"
            " th.title, th.querySelector('code').textContent, th.querySelector('.vh').textContent,"
            " document.querySelector('#matrix th.case').getBoundingClientRect().width]"
        )
        width, title, short, full, case_width = header
        assert title == full == report["merged"].adapters[1] and len(short) <= len(full)
        assert width <= 80 and case_width <= 360
        assert (1440 - 48 - case_width) // width >= 12  # columns side by side at 1440 px (6 before)
        path = report["folder"] / "report-800px.png"
        driver.save_screenshot(str(path))
        print(f"screenshot: {path}")
        assert chromium.console_errors(driver) == []
    finally:
        driver.set_window_size(1400, 1000)


def test_a_findings_count_shows_exactly_its_cells_and_the_explainer_is_linked_from_the_header(driver, report):
    from conformance.report.views import findings

    merged = report["merged"]
    open_page(driver, report["plain"])
    first = max((f for group in findings(merged).values() for f in group), key=lambda f: f.cells)
    driver.execute_script("document.querySelectorAll('#findings details').forEach(d => { d.open = true; })")
    click(driver, f"#findings a.count-link[data-rows='{first.row_text}'][data-show='{','.join(first.adapters)}']")
    assert shown_columns(driver) == sorted(merged.adapters.index(a) for a in first.adapters)
    ids = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix tr.r')).filter(r => !r.hidden && !r.parentNode.hidden)"
        ".map(r => r.querySelector('.cid').textContent)"
    )
    cases = list(merged.cases)
    assert ids == [cases[i] for i in sorted(first.rows)]
    assert fragment_params(driver)["rows"] == first.row_text
    click(driver, "#reset-filters")
    wait_for(driver, "return document.getElementById('shown-count').textContent === 'Showing all 52 cases'")
    # the teacher: the header's first link leads to the explainer and its picture
    click(driver, ".top nav a[href='#explainer']")
    wait_for(driver, "return Math.abs(document.getElementById('explainer').getBoundingClientRect().top) < 5")
    assert driver.execute_script("return document.querySelectorAll('#explainer svg rect').length") == 45
    assert chromium.console_errors(driver) == []


AXE = REPO / "js" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def run_axe(driver) -> list[dict]:
    """axe-core's violations on the page as it is (injected through WebDriver, which the page's
    CSP does not govern): id, impact, help and the first nodes' selectors."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(120)
    return driver.execute_async_script(
        """
        var done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(function (r) {
          done(r.violations.map(function (v) {
            return {id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); })};
          }));
        }, function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]); });
        """
    )


def test_axe_core_finds_no_serious_or_critical_violation(driver, report):
    if not AXE.is_file():
        message = f"axe-core is not installed at {AXE} (npm ci --prefix js/axe)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    open_page(driver, report["plain"])
    serious = [v for v in run_axe(driver) if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(map(str, serious))
    # and with a cell's details open
    open_cell(driver, "#matrix button.c.s-FAIL")
    serious = [v for v in run_axe(driver) if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(map(str, serious))
    # tab stops: the grid is one, whatever its size
    tabbable = driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href], button, input, select, summary, [tabindex]'))"
        ".filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length)"
        ".map(e => !!e.closest('#matrix'))"
    )
    assert tabbable.count(True) == 1 and report["merged"].n_results > 200
    print(f"tab stops on the page: {len(tabbable)} for {report['merged'].n_results} results")


def test_a_pass_cell_shows_the_cases_values_as_tables(driver, tmp_path, monkeypatch):
    from conformance.results import Result

    monkeypatch.chdir(REPO)  # the report reads the case files of the checkout
    result = Result(
        case="d2l-basic", file="cases/seeds/d2l.yaml", line=11, op="conv_transpose", status="PASS",
        expected_status="PASS", adapter="torch.nn.functional.conv_transpose", err_ratio=0.0,
    )
    run_info = {
        "adapter": result.adapter, "framework": "torch", "framework_version": "2.13.0", "device": "cpu",
        "numpy": "1.26.4", "python": "3.11.7",
    }
    open_the_pass_cell_of(driver, tmp_path, run_info, result)
    tables = driver.execute_script(
        "return Array.from(document.querySelectorAll('#details-body table.values')).map(t =>"
        " [t.caption.textContent, Array.from(t.rows).map(r => Array.from(r.cells).map(c => c.textContent))])"
    )
    assert tables[-1] == ["expected (oracle)[0, 0, :, :]", [["0", "0", "1"], ["0", "4", "6"], ["4", "12", "9"]]]
    assert tables[0] == ["input x[0, 0, :, :]", [["0", "1"], ["2", "3"]]]
    text = driver.find_element("id", "details-body").get_attribute("textContent")
    assert "Actual: within the bound of expected everywhere (err_ratio 0)" in text
    # its repro script, built by the report: build_repro's own, with the run's versions
    from conformance.adapters import get_adapter
    from conformance.bound import oracle_quantity
    from conformance.loader import load_file
    from conformance.repro import build_repro

    case = next(c for c in load_file("cases/seeds/d2l.yaml").cases if c.id == "d2l-basic")
    adapter = get_adapter(result.adapter)()
    expected = build_repro(
        case, adapter, adapter.express(case), oracle_quantity(case), framework_version="2.13.0",
        reference_abs=oracle_quantity(case, absolute=True),
    ).split("\n")
    framework = next(i for i, line in enumerate(expected) if line.startswith("# framework:"))
    expected[framework] = "# framework:   torch 2.13.0, numpy 1.26.4, python 3.11.7"
    heads = [h.get_attribute("textContent") for h in driver.find_elements("css selector", "#details-body .code-head h3")]
    assert heads == ["Repro script (built by the report: a results file keeps none for a PASS)"]
    shown = driver.find_element("css selector", "#details-body .code-head + pre code").get_attribute("textContent")
    assert shown.split("\n") == expected
    assert chromium.console_errors(driver) == []


def open_the_pass_cell_of(driver, tmp_path, run_info, result):
    """A page of one PASS result, its cell open."""
    from conformance.results import write_results_file

    write_results_file(tmp_path / "t.json", run_info, [result])
    page = write_html(merge_files([tmp_path]), tmp_path / "index.html")
    open_page(driver, page.as_uri())
    open_cell(driver, "#matrix button.c.s-PASS")


def test_a_pass_cell_of_a_large_case_shows_a_window_of_its_values_and_its_repro_command(driver, tmp_path, monkeypatch):
    from conformance.results import Result

    monkeypatch.chdir(REPO)  # the report reads the case files of the checkout
    case_id = "prec-switch-3x3-c32-convT[dtype=float32]"  # 15,104 input and kernel elements
    result = Result(
        case=case_id, file="cases/precision.yaml", line=345, op="conv_transpose", status="PASS",
        expected_status="PASS", adapter="torch.nn.functional.conv_transpose", err_ratio=0.5,
    )
    run_info = {"adapter": result.adapter, "framework": "torch", "framework_version": "2.13.0", "device": "cpu"}
    open_the_pass_cell_of(driver, tmp_path, run_info, result)
    tables = driver.execute_script(
        "return Array.from(document.querySelectorAll('#details-body table.values')).map(t =>"
        " [t.caption.textContent, t.rows.length, t.rows[0].cells.length])"
    )
    # input (1, 32, 16, 16), kernel (32, 24, 3, 3), expected (1, 24, 18, 18): their first plane, cut to 8 x 8
    assert tables == [
        ["input x[0, 0, :8, :8]", 8, 8],
        ["kernel w[0, 0, :3, :3]", 3, 3],
        ["expected (oracle)[0, 0, :8, :8]", 8, 8],
    ]
    text = driver.find_element("id", "details-body").get_attribute("textContent")
    assert "A large case: each tensor shows a window of its first plane" in text
    heads = [h.get_attribute("textContent") for h in driver.find_elements("css selector", "#details-body .code-head h3")]
    assert heads == ["Repro script: the command that prints it"]
    command = driver.find_element("css selector", "#details-body .code-head + pre code").get_attribute("textContent")
    assert command.startswith("python -m conformance.report.pass_repro cases/precision.yaml ") and str(tmp_path / "t.json") in command
    assert chromium.console_errors(driver) == []


def test_a_failing_cell_whose_script_is_too_large_shows_the_command_that_prints_it(driver, tmp_path):
    from conformance.report.html import REPRO_INLINE_CHARS
    from conformance.results import Result, write_results_file

    script = 'x = unpack(\n    "' + "A" * REPRO_INLINE_CHARS + '",\n    (1,),\n)\nprint("verdict: FAIL")\n'
    result = Result(
        case="large-case", file="cases/t.yaml", line=1, op="conv_transpose", status="FAIL", expected_status="FAIL",
        adapter="torch.nn.functional.conv_transpose", details={"repro": script},
    )
    run_info = {"adapter": result.adapter, "framework": "torch", "framework_version": "2.13.0", "device": "cpu"}
    write_results_file(tmp_path / "t.json", run_info, [result])
    open_page(driver, write_html(merge_files([tmp_path]), tmp_path / "index.html").as_uri())
    open_cell(driver, "#matrix button.c.s-FAIL")
    heads = [h.get_attribute("textContent") for h in driver.find_elements("css selector", "#details-body .code-head h3")]
    assert "Repro script: the command that prints it" in heads
    command = driver.find_element("css selector", "#details-body .code-head + pre code").get_attribute("textContent")
    assert command == f"python -m conformance.repro {tmp_path / 't.json'} large-case"
    text = driver.find_element("id", "details-body").get_attribute("textContent")
    assert f"This script is {-(-len(script) // 1000)} kB" in text and "the results file keeps it" in text
    assert chromium.console_errors(driver) == []
