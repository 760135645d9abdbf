"""The report's matrix on a large report in headless Chromium: it draws only the rows in view.

A report of 4,800 results (800 cases): the table holds a window of the shown lines between two
spacer rows, and everything the small report's tests check still holds past that window: the
arrow keys walk down the whole matrix (drawing as they go), a link to a result far down draws,
scrolls to, opens and focuses its cell, scrolling draws the rows that come into view, a filter
redraws the window, and the table says how many rows it has (aria-rowcount, aria-rowindex).
"""

from __future__ import annotations

import pytest

from browser import chromium
from conformance.report.html import write_html
from conformance.report.merge import merge_files
from test_report_browser import click, open_page, synthetic, wait_for

driver = pytest.fixture(scope="module", name="driver")(chromium.module_driver)

# an expression: [result number, column, row index, aria-rowindex, tabindex, accessible name] of the focused cell
FOCUSED = (
    "(function () { var b = document.activeElement; if (!b || !b.classList.contains('c')) return null;"
    "var tr = b.closest('tr');"
    "return [window.conformanceReport.resultNumber(b), b.closest('td').cellIndex, Number(tr.getAttribute('data-i')),"
    " Number(tr.getAttribute('aria-rowindex')), b.tabIndex, b.getAttribute('aria-label')]; })()"
)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large")
    synthetic.write_synthetic_results(folder / "results", n_cases=790, n_conv_cases=10, failure_rate=0.05, seed=5)
    merged = merge_files([folder / "results"])
    page = write_html(merged, folder / "index.html")
    return {"merged": merged, "url": page.as_uri()}


def drawn(driver) -> list[int]:
    """[first line drawn, last line drawn, lines shown] (window.conformanceReport.drawn)."""
    return driver.execute_script("return window.conformanceReport.drawn()")


def test_only_a_window_of_rows_is_drawn_and_the_table_counts_them_all(driver, large):
    merged = large["merged"]
    open_page(driver, large["url"])
    first, last, shown = drawn(driver)
    n_rows = driver.execute_script("return document.querySelectorAll('#matrix tr.r').length")
    assert first == 0 and 0 < n_rows < 200 and last < shown
    n_groups = len({(case.file, tuple(case.tags)) for case in merged.cases.values()})
    assert shown == len(merged.cases) + n_groups
    assert driver.execute_script("return document.getElementById('matrix').getAttribute('aria-rowcount')") == str(
        shown + 1
    )
    indices = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix tbody tr:not(.spacer)'))"
        ".map(tr => Number(tr.getAttribute('aria-rowindex')))"
    )
    assert indices == list(range(2, 2 + len(indices)))
    assert driver.execute_script("return document.querySelectorAll('#matrix button.c[tabindex=\"0\"]').length") == 1
    # the spacer below stands for the lines not drawn: the scroll height is about the whole table's
    heights = driver.execute_script(
        "var w = document.querySelector('.matrix-wrap'); var rows = document.querySelectorAll('#matrix tr.r');"
        "return [w.scrollHeight, rows[rows.length - 1].getBoundingClientRect().bottom - rows[0].getBoundingClientRect().top,"
        " rows.length]"
    )
    assert heights[0] > heights[1] / heights[2] * len(merged.cases) * 0.8
    assert chromium.console_errors(driver) == []


def test_scrolling_draws_the_rows_that_come_into_view(driver, large):
    open_page(driver, large["url"])
    last_case = list(large["merged"].cases)[-1]
    driver.execute_script("var w = document.querySelector('.matrix-wrap'); w.scrollTop = w.scrollHeight;")
    wait_for(driver, "return window.conformanceReport.drawn()[1] === window.conformanceReport.drawn()[2] - 1")
    ids = driver.execute_script("return Array.from(document.querySelectorAll('#matrix .cid')).map(c => c.textContent)")
    assert ids[-1] == last_case
    visible = driver.execute_script(
        "var w = document.querySelector('.matrix-wrap').getBoundingClientRect();"
        "return Array.from(document.querySelectorAll('#matrix tr.r')).some(tr => {"
        " var r = tr.getBoundingClientRect(); return r.bottom > w.top && r.top < w.bottom; })"
    )
    assert visible
    assert driver.execute_script("return document.querySelectorAll('#matrix button.c[tabindex=\"0\"]').length") == 1


def test_arrow_keys_walk_past_the_drawn_window(driver, large):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(driver, large["url"])
    # the first adapter's column (a conv_transpose adapter: most rows have a result there)
    driver.execute_script("document.querySelector('#matrix tr.r > td:nth-child(2) > button.c').focus()")
    start = driver.execute_script("return " + FOCUSED)
    window_end = drawn(driver)[1]
    presses = window_end + 40  # well past the first window: every press is one row down (or a group header)
    ActionChains(driver).send_keys(*([Keys.ARROW_DOWN] * presses)).perform()
    now = driver.execute_script("return " + FOCUSED)
    assert now is not None and now[1] == start[1] and now[2] > start[2] + window_end - 30
    assert now[3] > window_end + 1  # its aria-rowindex: past the first window's lines
    assert now[4] == 0 and now[5].count(" - ") >= 2
    assert drawn(driver)[0] > 0
    assert driver.execute_script("return document.querySelectorAll('#matrix button.c[tabindex=\"0\"]').length") == 1
    # the focused cell is in view
    assert driver.execute_script(
        "var w = document.querySelector('.matrix-wrap').getBoundingClientRect();"
        "var r = document.activeElement.getBoundingClientRect(); return r.top >= w.top && r.bottom <= w.bottom + 1"
    )
    ActionChains(driver).send_keys(*([Keys.ARROW_UP] * presses)).perform()
    assert driver.execute_script("return " + FOCUSED)[:3] == start[:3]
    assert chromium.console_errors(driver) == []


def test_a_link_to_a_result_far_down_draws_opens_and_focuses_its_cell(driver, large):
    n = large["merged"].n_results - 3
    open_page(driver, large["url"] + f"#result-{n}")
    wait_for(
        driver,
        "return !document.getElementById('details').hidden && "
        "document.getElementById('details-title').textContent.indexOf(' on ') > 0",
    )
    focused = driver.execute_script("return " + FOCUSED)
    assert focused[0] == n and focused[4] == 0
    title = driver.find_element("id", "details-title").get_attribute("textContent")
    case, adapter = title.split("  on  ")
    assert focused[5].startswith(f"{case} - {adapter} - ")
    assert driver.execute_script("return document.querySelector('button.c.sel') === document.activeElement")
    # the fragment now names the cell: the same link after a reload
    wait_for(driver, "return location.hash.indexOf('case=') >= 0")
    url = driver.execute_script("return location.href")
    open_page(driver, url)
    wait_for(driver, f"return document.activeElement.classList.contains('c') && {FOCUSED}")
    assert driver.execute_script("return " + FOCUSED)[0] == n


def test_a_filter_redraws_the_window_with_the_rows_it_shows(driver, large):
    merged = large["merged"]
    open_page(driver, large["url"])
    driver.execute_script("var w = document.querySelector('.matrix-wrap'); w.scrollTop = w.scrollHeight / 2;")
    click(driver, "#unexpected-only")
    unmet = sorted({case for (case, _), cell in merged.cells.items() if not cell.met_expectation})
    wait_for(driver, "return document.getElementById('unexpected-only').checked")
    first, last, shown = drawn(driver)
    ids = driver.execute_script("return Array.from(document.querySelectorAll('#matrix .cid')).map(c => c.textContent)")
    assert shown <= 300 and (first, last) == (0, shown - 1)  # a short list: drawn whole
    assert sorted(ids) == unmet
    assert driver.find_element("id", "shown-count").text == f"Showing {len(unmet)} of {len(merged.cases)} cases"
