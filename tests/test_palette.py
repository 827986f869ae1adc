"""The shared colour scheme: every badge's text is readable (WCAG AA, 4.5:1)."""

import pytest

from scoring.palette import CATEGORY_COLORS, WARNING_COLORS, contrast_ratio


@pytest.mark.parametrize("level", list(WARNING_COLORS))
def test_warning_badge_text_contrast(level):
    background, text = WARNING_COLORS[level]
    assert contrast_ratio(text, background) >= 4.5


def test_contrast_ratio_known_values():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


def test_categories_have_distinct_colours():
    colours = [c for _, c in CATEGORY_COLORS.values()]
    assert len(set(colours)) == len(colours) == 6
