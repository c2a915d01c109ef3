"""The error viewer as a person uses it: a generated page opened in headless Chromium (Debian's chromium and
chromium-driver, driven over the W3C WebDriver HTTP API). Skipped where Chromium is absent, unless
CLINICAL_NER_REQUIRE_CHROMIUM=1 (CI installs it and sets this), which makes that a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers_browser import Browser, missing
from helpers_errors import MISSED, SPURIOUS, TYPES, WRONG_BOUNDARY, write_corpus

from clinical_ner.evaluation.error_viewer import write_viewer


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("viewer")
    gold, predicted = write_corpus(root)
    for name, other in (("model-a", "model-b"), ("model-b", "model-a")):
        write_viewer(gold, predicted, root / f"{name}.html", TYPES, name, f"Errors of {name}",
                     [(other, f"{other}.html")])
    return root


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = missing()
    if reason:
        if os.environ.get("CLINICAL_NER_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"CLINICAL_NER_REQUIRE_CHROMIUM=1 but {reason}")
        pytest.skip(reason)
    session = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield session
    session.close()


def boxes(browser: Browser, key: str) -> list[str]:
    """The elements drawn in the text for one entity (one per line it spans)."""
    return browser.find(f'.ent[data-entity="{key}"]')


def item(browser: Browser, key: str) -> str:
    (found,) = browser.find(f'#errors li[data-doc="note-a"][data-entity="{key}"]')
    return found


def test_errors_are_drawn_outlined_by_kind_and_the_filter_hides_them(pages, browser, tmp_path):
    browser.open((pages / "model-a.html").as_uri() + "#doc=note-a")
    assert browser.script("return document.body.dataset.ready") == "true"
    spurious, missed, boundary = boxes(browser, SPURIOUS), boxes(browser, MISSED), boxes(browser, WRONG_BOUNDARY)
    assert spurious and missed and boundary
    for key, kind, outline in ((SPURIOUS, "spurious", "solid"), (MISSED, "missed", "dashed")):
        (box,) = boxes(browser, key)
        assert browser.displayed(box) and browser.displayed(item(browser, key))
        assert kind in browser.script("return arguments[0].className", box)
        assert browser.css(box, "outline-style") == outline and browser.css(box, "outline-width") == "2px"
    (correct,) = boxes(browser, "p:T1")
    assert browser.css(correct, "outline-style") == "none"
    assert "0.6200" in browser.script(f'return document.querySelector(\'.ent[data-entity="{SPURIOUS}"]\').title')
    shot = browser.screenshot(tmp_path / "error-viewer.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000

    for kind in ("spurious", "missed"):
        (checkbox,) = browser.find(f'.filter-kind[value="{kind}"]')
        browser.click(checkbox)
    for key in (SPURIOUS, MISSED):
        assert not browser.displayed(boxes(browser, key)[0]) and not browser.displayed(item(browser, key))
    assert browser.displayed(boundary[0]) and browser.displayed(item(browser, WRONG_BOUNDARY))
    count = browser.script("return document.getElementById('error-count').textContent")
    assert count == "4 of 7 errors shown"
    browser.screenshot(tmp_path / "error-viewer-filtered.png")


def test_the_confidence_and_type_filters(pages, browser):
    browser.open((pages / "model-a.html").as_uri() + "#doc=note-a")
    (low,) = browser.find("#conf-min")
    browser.type(low, "0.9")
    assert not browser.displayed(item(browser, "p:T2"))  # 0.55
    assert browser.displayed(item(browser, WRONG_BOUNDARY))  # 0.95
    assert browser.displayed(item(browser, MISSED))  # no prediction, shown while "without a prediction" is on
    (frequency,) = browser.find('.filter-type[value="Frequency"]')
    browser.click(frequency)
    assert not browser.displayed(item(browser, WRONG_BOUNDARY))


def test_links_open_the_same_document_on_the_other_models_page(pages, browser):
    browser.open((pages / "model-a.html").as_uri() + "#doc=note-b")
    (link,) = browser.find("a.model-link")
    href = browser.script("return arguments[0].href", link)
    assert href == (pages / "model-b.html").as_uri() + "#doc=note-b"
    browser.click(link)
    assert browser.script("return document.title") == "Errors of model-b"
    assert browser.script("return document.getElementById('doc-select').value") == "note-b"
