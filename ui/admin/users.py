"""The users tab: accounts of the office, adding users, roles, passwords, disabling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from models.errors import FieldProblem, ValidationFailed
from models.i18n import N_, _, gettext
from models.permissions import ROLE_LABELS
from models.services.users import (
    UserRow,
    add_user,
    check_password_rules,
    disable_user,
    enable_user,
    list_users,
    set_password,
    set_role,
)

from ui.admin.common import (
    Column,
    FormDialog,
    RowsModel,
    TableTab,
    format_moment,
    report_failure,
    select_where,
)
from ui.context import AppContext
from ui.tasks import Progress, run_task

HEADER_KEY = "admin/users/header"


def role_label(role: str) -> str:
    return gettext(ROLE_LABELS.get(role, role))


def _state_text(user: UserRow) -> str:
    return gettext("Active") if user.active else gettext("Disabled")


USER_COLUMNS: list[Column[UserRow]] = [
    Column(N_("User name"), lambda u: u.username),
    Column(N_("Full name"), lambda u: u.full_name),
    Column(N_("Role"), lambda u: role_label(u.role)),
    Column(N_("State"), _state_text),
    Column(N_("Locked until"), lambda u: format_moment(u.locked_until)),
    Column(N_("Last sign-in"), lambda u: format_moment(u.last_login_at)),
]


def user_model(parent: QWidget | None = None) -> RowsModel[UserRow]:
    return RowsModel(USER_COLUMNS, is_active=lambda u: u.active, parent=parent)


def _role_combo(selected: str = "specialist") -> QComboBox:
    combo = QComboBox()
    for code, label in ROLE_LABELS.items():
        combo.addItem(gettext(label), code)
    combo.setCurrentIndex(max(0, combo.findData(selected)))
    return combo


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _PasswordForm(FormDialog):
    """A dialog with a new password typed twice; the slow hashing runs off the GUI thread."""

    def __init__(self, ctx: AppContext, name: str, parent: QWidget | None) -> None:
        super().__init__(ctx, name, parent)
        self.password = _password_edit()
        self.password_repeat = _password_edit()
        self.busy = False

    def add_password_rows(self) -> None:
        self.fields.add("password", gettext("Password"), self.password)
        self.fields.add("password_repeat", gettext("Repeat the password"), self.password_repeat)

    def password_problems(self) -> list[FieldProblem]:
        problems = check_password_rules(self.password.text())
        if not problems and self.password.text() != self.password_repeat.text():
            problems.append(
                FieldProblem("password_repeat", _("Repeat the password: it does not match the password."))
            )
        return problems

    def local_problems(self) -> list[FieldProblem]:
        return self.password_problems()

    def save(self) -> Callable[[Progress], Any]:
        """The work that saves the form, run off the GUI thread (each dialog defines it)."""
        raise NotImplementedError

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if self.busy:
            return
        problems = self.local_problems()
        if problems:
            report_failure(ValidationFailed(problems), self, self.bar, self.fields)
            return
        self.fields.clear()
        self.bar.clear_message()
        self._set_busy(True)
        run_task(self.save(), self._on_task_done, parent=self, on_error=self._on_task_failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.buttons.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.WaitCursor if busy else Qt.CursorShape.ArrowCursor)

    def _on_task_done(self, _result: object) -> None:
        self._set_busy(False)
        self.accept()

    def _on_task_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        report_failure(error, self, self.bar, self.fields)


class AddUserDialog(_PasswordForm):
    """A new account: user name, full name, position, role and a password typed twice."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "admin-add-user", parent)
        self.setWindowTitle(gettext("New user"))
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.position = QLineEdit()
        self.role = _role_combo()
        self.fields.add(
            "username",
            gettext("User name"),
            self.username,
            gettext("Latin letters, digits, dot, dash or underscore; used to sign in."),
        )
        self.fields.add("full_name", gettext("Full name"), self.full_name)
        self.fields.add("position", gettext("Position"), self.position)
        self.fields.add("role", gettext("Role"), self.role)
        self.add_password_rows()
        self.resize(520, self.sizeHint().height())

    def save(self) -> Callable[[Progress], Any]:
        db, actor = self.ctx.db, self.ctx.actor
        username, full_name = self.username.text(), self.full_name.text()
        role, password = str(self.role.currentData()), self.password.text()
        position = self.position.text().strip() or None
        return lambda _progress: add_user(db, actor, username, full_name, role, password, position)


class PasswordDialog(_PasswordForm):
    """A new password for an account (the user is asked to change it at the next sign-in)."""

    def __init__(self, ctx: AppContext, username: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "admin-password", parent)
        self.username = username
        self.setWindowTitle(gettext("New password for {username}").format(username=username))
        self.add_password_rows()
        self.resize(460, self.sizeHint().height())

    def save(self) -> Callable[[Progress], Any]:
        db, actor, username, password = self.ctx.db, self.ctx.actor, self.username, self.password.text()
        return lambda _progress: set_password(db, actor, username, password)


class RoleDialog(FormDialog):
    """Choosing another role for an account."""

    def __init__(self, ctx: AppContext, user: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "admin-role", parent, stretch=False)
        self.user = user
        self.setWindowTitle(gettext("Role of {username}").format(username=user.username))
        self.role = _role_combo(user.role)
        self.fields.add("role", gettext("Role"), self.role)
        self.column.insertWidget(0, QLabel(f"{user.full_name} ({user.username})"))
        self.resize(460, self.sizeHint().height())

    def write(self) -> None:
        set_role(self.ctx.db, self.ctx.actor, self.user.username, str(self.role.currentData()))


class UsersTab(TableTab[UserRow]):
    """The accounts of the office in a table, with the actions an administrator takes on them."""

    kinds: tuple[str, ...] = ("user",)
    changed_kind = "user"
    activate_text = N_("Enable")
    deactivate_text = N_("Disable")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, user_model(), HEADER_KEY, (170, 320, 260, 110, 160), parent)
        self.add_button = QPushButton(gettext("Add user…"))
        self.role_button = QPushButton(gettext("Change role…"))
        self.password_button = QPushButton(gettext("Reset password…"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.role_button.clicked.connect(self._on_role_button_clicked)
        self.password_button.clicked.connect(self._on_password_button_clicked)
        self.row_buttons = [self.role_button, self.password_button]
        self.lay_out((self.add_button, self.role_button, self.password_button, self.active_button))
        self.refresh()

    def load_rows(self) -> list[UserRow]:
        return list_users(self.ctx.db, self.ctx.actor)

    def open_selected(self) -> None:
        self._on_role_button_clicked()

    def write_active(self, row: UserRow, active: bool) -> None:
        operation = enable_user if active else disable_user
        operation(self.ctx.db, self.ctx.actor, row.username)

    def active_message(self, row: UserRow) -> str:
        message = (
            gettext("The account {username} is enabled.")
            if not row.active
            else gettext("The account {username} is disabled.")
        )
        return message.format(username=row.username)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        dialog = AddUserDialog(self.ctx, self)
        dialog.accepted.connect(lambda: self._on_user_added(dialog.username.text()))
        dialog.open()

    def _on_user_added(self, username: str) -> None:
        self._written(gettext("User {username} added.").format(username=username.strip().casefold()))
        select_where(self.table, lambda u: u.username == username.strip().casefold())

    @Slot()
    def _on_role_button_clicked(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = RoleDialog(self.ctx, user, self)
        dialog.accepted.connect(
            lambda: self._written(
                gettext("The role of {username} is now: {role}.").format(
                    username=user.username, role=role_label(str(dialog.role.currentData()))
                )
            )
        )
        dialog.open()

    @Slot()
    def _on_password_button_clicked(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = PasswordDialog(self.ctx, user.username, self)
        dialog.accepted.connect(
            lambda: self._written(
                gettext("The password of {username} was changed.").format(username=user.username)
            )
        )
        dialog.open()
