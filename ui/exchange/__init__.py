"""The data exchange page: upload packages, received packages and conflicts, legacy registers, backups."""

from ui.exchange.page import ExchangePage

__all__ = ["ExchangePage"]
