"""One colour scheme for verdicts and industry categories, used by every output a person sees.

The bulletin, the XLSX documents, the portal and the Dagster UI all take their colours from here, so
红/黄/绿 and the six industry-list categories look the same everywhere. Each warning colour comes with
the text colour to write on it; every pair has a contrast ratio of at least 4.5:1 (WCAG AA).
"""

from __future__ import annotations

# warning level → (background, text on it)
WARNING_COLORS: dict[str, tuple[str, str]] = {
    "红": ("#c62828", "#ffffff"),
    "黄": ("#f2c200", "#1f1f1f"),
    "绿": ("#2e7d32", "#ffffff"),
}
WARNING_ORDER = ["红", "黄", "绿"]

# industry-list category (input code) → (Chinese label, colour)
CATEGORY_COLORS: dict[str, tuple[str, str]] = {
    "prohibited": ("禁止", "#8e1b1b"),
    "restricted": ("限制", "#d35400"),
    "transforming": ("调整转型", "#6a1b9a"),
    "high_end": ("高精尖", "#1565c0"),
    "urban_service": ("城市服务紧缺", "#00796b"),
    "relocated": ("疏解转移", "#5d4037"),
}

NEUTRAL = "#3b6fb6"  # any other bar


def warning_fill(level: str) -> str:
    """The background colour of a warning level (the neutral colour for anything else)."""
    return WARNING_COLORS.get(level, (NEUTRAL, "#ffffff"))[0]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(hex_color: str) -> float:
        channels = [int(hex_color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
