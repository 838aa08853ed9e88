"""The kiosk's look: large type, high contrast, big touch targets."""

NAVY = "#12355b"
GREEN = "#1b7f3b"
RED = "#b00020"
PAPER = "#fbfaf6"

STYLESHEET = f"""
QWidget {{ background: {PAPER}; color: #111; font-family: "DejaVu Sans"; font-size: 24px; }}
QLabel#title {{ font-size: 40px; font-weight: bold; color: {NAVY}; }}
QLabel#headline {{ font-size: 36px; font-weight: bold; color: {NAVY}; }}
QLabel#step {{ font-size: 24px; color: #333; }}
QLabel#notice {{ font-size: 26px; color: {RED}; font-weight: bold; }}
QLabel#big_number {{ font-size: 48px; font-weight: bold; color: {NAVY};
    border: 3px solid {NAVY}; border-radius: 12px; padding: 12px 24px; background: white; }}
QLabel#field_label {{ font-size: 24px; font-weight: bold; }}
QLabel#help {{ font-size: 24px; color: #444; }}
QLabel#field_error {{ font-size: 24px; color: {RED}; font-weight: bold; }}
QLabel#identity_key {{ font-size: 24px; color: #444; }}
QLabel#identity_value {{ font-size: 24px; font-weight: bold; }}
QLabel#pin_dots {{ font-size: 56px; letter-spacing: 16px; color: {NAVY}; }}
QLabel#status {{ font-size: 24px; color: #333; }}
QWidget#header {{ background: {NAVY}; }}
QWidget#header QLabel {{ background: {NAVY}; color: white; font-size: 24px; }}
QWidget#header QPushButton {{ min-height: 60px; min-width: 60px; padding: 0px 16px;
    font-size: 24px; }}
QPushButton {{ min-height: 72px; min-width: 120px; padding: 8px 24px; font-size: 28px;
    border: 2px solid {NAVY}; border-radius: 12px; background: white; color: {NAVY}; }}
QPushButton:pressed {{ background: #dde6f0; }}
QPushButton#primary {{ background: {GREEN}; color: white; border-color: {GREEN};
    font-weight: bold; }}
QPushButton#primary:disabled {{ background: #9aa5a0; border-color: #9aa5a0; color: #eee; }}
QPushButton#danger {{ color: {RED}; border-color: {RED}; }}
QPushButton#pin_key {{ min-height: 96px; min-width: 150px; font-size: 40px; font-weight: bold; }}
QPushButton#letter {{ min-height: 150px; padding: 0; }}
QLabel#letter_symbol {{ font-size: 56px; color: {NAVY}; background: transparent;
    min-width: 72px; }}
QLabel#letter_title {{ font-size: 26px; font-weight: bold; color: {NAVY};
    background: transparent; }}
QLabel#letter_summary {{ font-size: 24px; color: #333; background: transparent; }}
QPushButton#choice {{ min-height: 64px; font-size: 24px; }}
QPushButton#choice:checked {{ background: {NAVY}; color: white; font-weight: bold; }}
QWidget#idleWarning {{ background: rgba(0, 0, 0, 170); }}
QWidget#idleCard {{ background: white; border: 4px solid {NAVY}; border-radius: 16px; }}
QWidget#idleCard QLabel {{ background: white; font-size: 28px; }}
QWidget#idleCard QLabel#title {{ font-size: 44px; }}
QWidget#idleCard QLabel#countdown {{ font-size: 120px; font-weight: bold; color: {RED}; }}
QWidget#maintenance {{ background: {PAPER}; }}
QLineEdit, QPlainTextEdit {{ font-size: 26px; background: white;
    border: 2px solid #555; border-radius: 8px; padding: 8px; min-height: 56px; }}
"""
