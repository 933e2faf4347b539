"""The browser audit of ``test_accessibility.py`` on the other half of the site's pages.

pytest-xdist (``--dist loadfile``) runs each file on one worker; the audit of every page takes
about ten minutes on two cores, so each of the two files audits every other page and the two
halves run side by side. The tests that read the audit are those of ``test_accessibility.py``,
imported here to run on this half.
"""

from __future__ import annotations

import pytest
from test_accessibility import (  # noqa: F401 - fixtures and tests, run here on this half
    audits,
    browser,
    build,
    html,
    test_every_page_of_the_site_is_audited,
    test_every_page_renders_offline,
    test_formulas_are_not_tab_stops_unless_they_scroll,
    test_frame_sliders_can_be_followed_with_a_screen_reader_and_the_keyboard,
    test_no_code_cell_or_output_needs_a_horizontal_scroll_bar,
    test_no_critical_or_serious_axe_violation_light_and_dark_at_1280_and_640_px,
    test_no_javascript_or_console_error_on_any_page,
    test_no_page_scrolls_sideways_or_clips_text_at_320_px,
    test_tab_from_the_top_reaches_each_slider_without_stopping_on_formulas,
)


@pytest.fixture(scope="module")
def part() -> int:
    return 1
