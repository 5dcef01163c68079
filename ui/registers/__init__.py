"""The register pages: children, reports, cases, households, referrals and КДД meetings."""

from ui.registers.model import ID_ROLE, ROW_ROLE, RegisterTableModel
from ui.registers.page import RegisterPage

__all__ = ["ID_ROLE", "ROW_ROLE", "RegisterPage", "RegisterTableModel"]
