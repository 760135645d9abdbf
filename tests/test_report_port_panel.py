"""The "find my layer" panel in headless Chromium: it renders the CLI's table for the page's
example, answers an edited call, shows the CLI's one line for bad input, runs under the
page's CSP (no console errors). The agreement over 268 layers is test_report_port_targets."""

from __future__ import annotations


import pytest

from browser import chromium
from conformance.port.layer import PortError
from conformance.port.porting import parse_shape, port
from conformance.report.html import write_html
from conformance.report.merge import merge_files
from test_report_browser import synthetic


driver = pytest.fixture(scope="module", name="driver")(chromium.module_driver)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("port-panel")
    synthetic.write_synthetic_results(folder / "results", n_cases=6, n_conv_cases=2, failure_rate=0.3, seed=3)
    return write_html(merge_files([folder / "results"]), folder / "index.html").as_uri()


def table(driver) -> dict[str, dict]:
    from selenium.webdriver.common.by import By

    rows = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "#port-out table.port-table tbody tr"):
        cells = row.find_elements(By.CSS_SELECTOR, "th, td")
        texts = [c.get_attribute("textContent") for c in cells]
        rows[texts[0]] = dict(zip(["verdict", "call", "weights", "input", "output", "reason"], texts[1:]))
    return rows


def cli(call: str, shape: str, monkeypatch) -> dict[str, dict]:
    """The CLI's answer, its recorded disagreements read where the page's were (known.RESULTS_DIR)."""
    result = port(call, parse_shape(shape, "--input-shape"))
    return {t["adapter"]: {"verdict": t["verdict"], "call": t["call"] or "", "weights": t["weights"] or "",
                           "input": t["input"] or "", "output": t["output"] or "", "reason": t["reason"] or ""}
            for t in result["targets"]}


def submit(driver, call: str, shape: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, "port-call")
    box.clear()
    box.send_keys(call)
    field = driver.find_element(By.ID, "port-shape")
    field.clear()
    field.send_keys(shape)
    field.send_keys(Keys.ENTER)  # submits the form, as a keyboard user does


def test_panel_shows_the_clis_table_and_its_error_line(driver, page, monkeypatch):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(page)
    shown = table(driver)
    example, shape = "torch.nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)", "1,16,8,8"
    expected = cli(example, shape, monkeypatch)
    answered = {name: row for name, row in shown.items() if row["verdict"] != "not in the page"}
    assert answered["keras.layers.ConvTranspose"]["verdict"] == "composition"  # keras' 'same' crops 0 before, 1 after
    assert answered == {name: expected[name] for name in answered}
    assert set(shown) == set(expected)

    call = "torch.nn.Conv2d(3, 8, 3, stride=2, padding='same', bias=False)"
    submit(driver, call, "1,3,9,9")
    shown = table(driver)
    expected = cli(call, "1,3,9,9", monkeypatch)
    assert {n: r for n, r in shown.items() if r["verdict"] != "not in the page"} == {
        n: expected[n] for n, r in shown.items() if r["verdict"] != "not in the page"}

    submit(driver, "torch.nn.ConvTranspose2d(16, 8, 3, groups=3)", "")
    error = driver.find_element(By.ID, "port-error")
    with pytest.raises(PortError) as refused:
        port("torch.nn.ConvTranspose2d(16, 8, 3, groups=3)")
    assert error.is_displayed() and error.text == f"conformance port: {refused.value}"
    assert not table(driver)

    Select(driver.find_element(By.ID, "port-api")).select_by_value("torch.nn.Conv2d")
    assert driver.find_element(By.ID, "port-call").get_attribute("value").startswith("torch.nn.Conv2d(")
    assert not error.is_displayed() and table(driver)
    # The classic wrong answer never shows as equivalent: Keras' 'same' at k=3, s=2 crops 0 before, 1 after.
    Select(driver.find_element(By.ID, "port-api")).select_by_value("keras.layers.Conv2DTranspose")
    shown = table(driver)
    assert shown["torch.nn.ConvTranspose"]["verdict"] == "composition"
    assert shown["torch.nn.ConvTranspose"] == cli("keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same')", "1,16,16,32",
                                                  monkeypatch)["torch.nn.ConvTranspose"]
    assert chromium.console_errors(driver) == []


def test_panel_answers_a_gluon_layer_as_the_cli_does(driver, page):
    """A source beyond torch and Keras: the issue's Gluon layer, picked from the API list, then
    edited - the page reads it (port_source.js) and answers every target as the CLI does."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from conformance.report.port_panel import EXAMPLES

    driver.get(page)
    Select(driver.find_element(By.ID, "port-api")).select_by_value("mxnet.gluon.nn.Conv2DTranspose")
    call, shape = EXAMPLES["mxnet.gluon.nn.Conv2DTranspose"]
    assert driver.find_element(By.ID, "port-call").get_attribute("value") == call
    for text in (call, "mx.gluon.nn.Conv2DTranspose(8, 3, strides=2, padding=1, output_padding=1, use_bias=False)"):
        submit(driver, text, shape)
        shown = table(driver)
        result = port(text, parse_shape(shape, "--input-shape"))  # with the recorded runs, as the page embeds them
        expected = {t["adapter"]: {"verdict": t["verdict"], "call": t["call"] or "", "weights": t["weights"] or "",
                                   "input": t["input"] or "", "output": t["output"] or "", "reason": t["reason"] or ""}
                    for t in result["targets"]}
        answered = {name: row for name, row in shown.items() if row["verdict"] != "not in the page"}
        assert answered["torch.nn.ConvTranspose"]["verdict"] == "equivalent"  # symmetric crop, like torch's
        assert answered == {name: expected[name] for name in answered}
        assert set(shown) == set(expected) and len(answered) >= len(shown) // 2
    assert chromium.console_errors(driver) == []


def test_panel_answers_an_onnx_node_with_its_weight_shape(driver, page):
    """ONNX's make_node names its tensors by string: its channels and kernel come only from the
    weight's shape, the panel's weight-shape field (the CLI's --weight-shape)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from conformance.report.port_panel import EXAMPLES

    driver.get(page)
    Select(driver.find_element(By.ID, "port-api")).select_by_value("onnx.helper.make_node")
    call, shape, weight = EXAMPLES["onnx.helper.make_node"]
    assert driver.find_element(By.ID, "port-weight").get_attribute("value") == weight
    shown = table(driver)
    result = port(call, parse_shape(shape, "--input-shape"), parse_shape(weight, "--weight-shape"))
    expected = {t["adapter"]: {"verdict": t["verdict"], "call": t["call"] or "", "weights": t["weights"] or "",
                               "input": t["input"] or "", "output": t["output"] or "", "reason": t["reason"] or ""}
                for t in result["targets"]}
    answered = {name: row for name, row in shown.items() if row["verdict"] != "not in the page"}
    assert answered["torch.nn.ConvTranspose"]["verdict"] == "equivalent"  # pads 1, output_padding 1: torch's own form
    assert answered == {name: expected[name] for name in answered}
    assert set(shown) == set(expected) and len(answered) >= len(shown) // 2
    # without the weight's shape the node's output channels are unknown: the CLI's line
    field = driver.find_element(By.ID, "port-weight")
    field.clear()
    field.send_keys(Keys.ENTER)
    with pytest.raises(PortError) as refused:
        port(call, parse_shape(shape, "--input-shape"))
    error = driver.find_element(By.ID, "port-error")
    assert error.is_displayed() and error.text == f"conformance port: {refused.value}"
    assert chromium.console_errors(driver) == []
