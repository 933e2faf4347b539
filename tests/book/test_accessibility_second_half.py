"""The accessibility audit of ``test_accessibility.py`` on the other half of the site's pages,
and the screen-reader check of the frame sliders.

pytest-xdist (``--dist loadfile``) runs each file on one worker; the audit of every page takes
about ten minutes on two cores, so each of the two files audits every other page and the two
halves run side by side. The tests that read the audit are those of ``test_accessibility.py``,
imported here to run on this half.
"""

from __future__ import annotations

import pytest
from test_accessibility import (  # noqa: F401 - fixtures and tests, run here on this half
    Tab,
    _ax,
    _names_value,
    _slider_and_figure,
    _widget_pages,
    audits,
    browser,
    build,
    html,
    test_every_page_of_the_site_is_audited,
    test_formulas_are_not_tab_stops_unless_they_scroll,
    test_no_critical_or_serious_axe_violation_light_and_dark_at_1280_and_640_px,
    test_no_javascript_or_console_error_on_any_page,
    test_no_page_scrolls_sideways_or_clips_text_at_320_px,
    test_tab_from_the_top_reaches_each_slider_without_stopping_on_formulas,
)


@pytest.fixture(scope="module")
def part() -> int:
    return 1


def test_frame_sliders_can_be_followed_with_a_screen_reader_and_the_keyboard(browser):  # noqa: F811
    base, chromium, site = browser
    widget_pages = _widget_pages(site)
    assert len(widget_pages) >= 8
    tab = Tab(chromium, base)
    try:
        for name in widget_pages:
            tab.open(name)
            page = tab.page
            slider = page.locator(".widget-slider").first
            label = slider.locator(".widget-label").inner_text().strip()
            readout = slider.locator(".widget-readout")
            node, images = _slider_and_figure(page)
            # the handle is named by the label and announces the value shown, not its index
            assert node["name"] == label, (name, node, label)
            assert node["valuetext"] == readout.inner_text().strip(), (name, node)
            # one figure is exposed (the frame shown), and its text names the value shown
            assert len(images) == 1, (name, [_ax(n, "name") for n in images])
            first = _ax(images[0], "name")
            assert _names_value(first, readout.inner_text().strip()), (name, first)
            # the keyboard moves the slider, and both follow
            handle = slider.locator(".noUi-handle")
            handle.focus()
            before = readout.inner_text().strip()
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(200)
            after = readout.inner_text().strip()
            assert after != before, f"{name}: the arrow key did not move the slider"
            node, images = _slider_and_figure(page)
            assert node["valuetext"] == after, (name, node, after)
            assert len(images) == 1, (name, [_ax(n, "name") for n in images])
            moved = _ax(images[0], "name")
            assert moved != first and _names_value(moved, after), (name, first, moved)
        assert not tab.errors, tab.errors
    finally:
        tab.close()
