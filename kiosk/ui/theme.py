"""Look and feel: one calm palette, large type, sizes that scale with the screen.

Sizes are given for a 1280×800 screen and scaled by the window's height (or width in portrait),
so the layout is the same at 1920×1080 and never a fixed-pixel grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_CHECK = (Path(__file__).parent / "icons" / "check.svg").as_posix()


@dataclass(frozen=True)
class Palette:
    background: str = "#f6f4ef"
    surface: str = "#ffffff"
    text: str = "#1d1d1f"
    muted: str = "#4a4a4f"  # 8.6:1 on background
    accent: str = "#5b2a86"  # campaign purple; white text on it is 10:1
    accent_text: str = "#ffffff"
    accent_soft: str = "#efe7f6"
    border: str = "#77747c"  # 4.5:1 on background: control borders stay visible
    focus: str = "#0b5fff"
    warning_bg: str = "#fff4d6"
    warning_text: str = "#5c3c00"
    error_text: str = "#a0141e"


PALETTE = Palette()
RECEIPT_RING = 4  # px: the receipt preview's focus ring, drawn outside the paper

# White on black with a yellow accent: every pair at least 7:1 (WCAG AAA for text).
HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#f0f0f0",
    accent="#ffd500",
    accent_text="#000000",
    accent_soft="#3d3300",
    border="#ffffff",
    focus="#00e5ff",
    warning_bg="#3d3300",
    warning_text="#ffe680",
    error_text="#ff9d9d",
)


def palette_for(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else PALETTE


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.2 contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_pairs(p: Palette) -> dict[str, tuple[str, str]]:
    """Every text colour the stylesheet puts on every background, for the contrast check."""
    return {
        "text/background": (p.text, p.background),
        "text/surface": (p.text, p.surface),
        "muted/background": (p.muted, p.background),
        "muted/surface": (p.muted, p.surface),
        "accent_text/accent": (p.accent_text, p.accent),
        "hero/background": (p.accent, p.background) if p is PALETTE else (p.text, p.background),
        "text/accent_soft": (p.text, p.accent_soft),
        "muted/accent_soft": (p.muted, p.accent_soft),
        "warning": (p.warning_text, p.warning_bg),
        "error/background": (p.error_text, p.background),
    }


def non_text_pairs(p: Palette) -> dict[str, tuple[str, str]]:
    """Control borders and the focus ring against what surrounds them (3:1 needed)."""
    return {
        "border/background": (p.border, p.background),
        "border/surface": (p.border, p.surface),
        "focus/background": (p.focus, p.background),
        "focus/surface": (p.focus, p.surface),
        "accent/background": (p.accent, p.background),
    }


def scale_for(width: int, height: int) -> float:
    """1.0 at 1280×800; grows with the shorter side so text stays readable."""
    return max(0.75, min(width / 1280, height / 800, 2.5)) if width >= height else max(
        0.75, min(width / 800, 2.5)
    )


def stylesheet(scale: float = 1.0, p: Palette = PALETTE, text_scale: float = 1.0) -> str:
    """``scale`` follows the screen; ``text_scale`` is the visitor's text size. Text grows by
    both; paddings and borders only by the screen, so large text gets the room, not the frame.
    Minimum heights still grow with the text a little, to stay easy targets."""

    def px(n: float) -> str:
        return f"{round(n * scale)}px"

    def fs(n: float) -> str:
        return f"{round(n * scale * text_scale)}px"

    hero = p.accent if p is PALETTE else p.text

    return f"""
    QWidget {{
        background: {p.background}; color: {p.text};
        font-family: "DejaVu Sans", "Noto Sans", sans-serif; font-size: {fs(22)};
    }}
    QLabel {{ background: transparent; }}
    QWidget[role="surface"] {{ background: {p.surface}; }}
    QLabel[role="title"] {{ font-size: {fs(40)}; font-weight: 600; }}
    QLabel[role="title"][compact="true"] {{ font-size: {fs(26)}; }}
    QLabel[role="hero"] {{ font-size: {fs(60)}; font-weight: 700; color: {hero}; }}
    QLabel[role="pitch"] {{ font-size: {fs(28)}; }}
    QLabel[role="help"], QLabel[role="step"] {{ color: {p.muted}; }}
    QLabel[role="problem"] {{ color: {p.error_text}; font-weight: 600; }}
    QLabel[role="alert"] {{
        background: {p.warning_bg}; color: {p.warning_text};
        border-radius: {px(8)}; padding: {px(10)} {px(16)};
    }}
    QLabel[role="mono"] {{ font-family: "DejaVu Sans Mono", monospace; }}
    QPushButton {{
        background: {p.surface}; color: {p.text};
        border: {px(2)} solid {p.border}; border-radius: {px(12)};
        padding: {px(12)} {px(24)}; min-height: {px(48)}; min-width: {px(48)};
    }}
    QPushButton:focus, QLineEdit:focus, QPlainTextEdit:focus {{
        border: {px(4)} solid {p.focus};
    }}
    QPushButton[role="primary"] {{
        background: {p.accent}; color: {p.accent_text}; border-color: {p.accent};
        font-size: {fs(26)}; font-weight: 600; min-height: {px(64)}; padding: 0 {px(40)};
    }}
    QPushButton[role="primary"]:focus {{ border: {px(4)} solid {p.focus}; }}
    QPushButton[role="big"] {{
        font-size: {fs(34)}; font-weight: 700; min-height: {px(96)}; padding: 0 {px(80)};
        background: {p.accent}; color: {p.accent_text}; border-color: {p.accent};
        border-radius: {px(48)};
    }}
    QPushButton[role="big"]:focus {{ border: {px(5)} solid {p.focus}; }}
    QPushButton[role="card"] {{
        text-align: left; padding: {px(20)}; min-height: {px(96)};
        background: {p.surface};
    }}
    QPushButton[role="card"]:checked, QPushButton[role="choice"]:checked {{
        background: {p.accent_soft}; border: {px(4)} solid {p.accent};
    }}
    QPushButton[role="choice"] {{ min-height: {px(44)}; padding: {px(6)} {px(18)}; }}
    QPushButton[role="quiet"] {{ background: transparent; border-color: {p.border}; }}
    QPushButton[role="quiet"]:checked {{ background: {p.accent_soft}; border-color: {p.accent}; }}
    QLineEdit, QPlainTextEdit {{
        background: {p.surface}; border: {px(2)} solid {p.border}; border-radius: {px(8)};
        padding: {px(8)}; selection-background-color: {p.accent}; selection-color: white;
    }}
    QLineEdit {{ min-height: {px(48)}; }}
    QPlainTextEdit[role="letter"] {{ font-size: {fs(22)}; line-height: 140%; }}
    QPlainTextEdit[role="receipt"] {{
        border: {RECEIPT_RING}px solid transparent; border-radius: 0; padding: 0;
        background: transparent;
    }}
    QPlainTextEdit[role="receipt"]:focus {{ border-color: {p.focus}; }}
    QCheckBox {{ spacing: {px(14)}; min-height: {px(48)}; }}
    QCheckBox::indicator {{
        width: {px(36)}; height: {px(36)}; border: {px(3)} solid {p.border};
        border-radius: {px(6)}; background: {p.surface};
    }}
    QCheckBox::indicator:checked {{
        background: {p.accent}; border-color: {p.accent}; image: url({_CHECK});
    }}
    QCheckBox:focus {{ border: none; }}
    QCheckBox::indicator:focus {{ border: {px(4)} solid {p.focus}; }}
    QFrame[role="topbar"], QFrame[role="bottombar"] {{ background: {p.background}; }}
    QFrame[role="panel"] {{
        background: {p.surface}; border: {px(1)} solid {p.border}; border-radius: {px(12)};
    }}
    QFrame[role="overlay"] {{ background: rgba(20, 20, 24, 170); }}
    QFrame[role="dialog"] {{
        background: {p.surface}; border-radius: {px(16)}; border: {px(2)} solid {p.border};
    }}
    QScrollArea {{ border: none; background: transparent; }}
    QScrollBar:vertical {{ width: {px(20)}; background: {p.background}; }}
    QScrollBar::handle:vertical {{ background: {p.border}; border-radius: {px(8)};
        min-height: {px(60)}; }}
    QScrollBar:vertical:disabled, QScrollBar::handle:vertical:disabled,
    QScrollBar::add-line:vertical:disabled, QScrollBar::sub-line:vertical:disabled,
    QScrollBar::up-arrow:vertical:disabled, QScrollBar::down-arrow:vertical:disabled {{
        background: transparent; border: none; image: none;
    }}
    """
