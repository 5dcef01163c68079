"""Administration of the office: users, office details, deadlines, reference data, organisations."""

from ui.admin.page import AdminPage

__all__ = ["AdminPage"]
