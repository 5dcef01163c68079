"""The users tab: accounts of the office, adding users, roles, passwords, disabling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
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
    FieldRows,
    MessageBar,
    RowsModel,
    format_moment,
    make_table,
    report_failure,
    select_where,
    selected_row,
)
from ui.context import AppContext
from ui.dialogs import Dialog
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


class _PasswordForm(Dialog):
    """A dialog with a new password typed twice; the slow hashing runs off the GUI thread."""

    def __init__(self, ctx: AppContext, name: str, parent: QWidget | None) -> None:
        super().__init__(ctx.state, name, parent)
        self.ctx = ctx
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.bar = MessageBar()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields = FieldRows(self.form)
        self.password = _password_edit()
        self.password_repeat = _password_edit()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
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


class RoleDialog(Dialog):
    """Choosing another role for an account."""

    def __init__(self, ctx: AppContext, user: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx.state, "admin-role", parent)
        self.ctx = ctx
        self.user = user
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setWindowTitle(gettext("Role of {username}").format(username=user.username))
        self.bar = MessageBar()
        self.role = _role_combo(user.role)
        form = QFormLayout()
        self.fields = FieldRows(form)
        self.fields.add("role", gettext("Role"), self.role)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{user.full_name} ({user.username})"))
        layout.addWidget(self.bar)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    @Slot()
    def _on_buttons_accepted(self) -> None:
        try:
            set_role(self.ctx.db, self.ctx.actor, self.user.username, str(self.role.currentData()))
        except Exception as error:
            report_failure(error, self, self.bar, self.fields)
            return
        self.accept()


class UsersTab(QWidget):
    """The accounts of the office in a table, with the actions an administrator takes on them."""

    kinds: tuple[str, ...] = ("user",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = user_model(self)
        self.table = make_table(self.model, ctx.state, HEADER_KEY, (170, 320, 260, 110, 160))
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.bar = MessageBar()
        self.add_button = QPushButton(gettext("Add user…"))
        self.role_button = QPushButton(gettext("Change role…"))
        self.password_button = QPushButton(gettext("Reset password…"))
        self.active_button = QPushButton(gettext("Disable"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.role_button.clicked.connect(self._on_role_button_clicked)
        self.password_button.clicked.connect(self._on_password_button_clicked)
        self.active_button.clicked.connect(self._on_active_button_clicked)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.password_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        self.model.set_rows(list_users(self.ctx.db, self.ctx.actor))
        if chosen is not None:
            select_where(self.table, lambda u: u.id == chosen.id)
        elif self.model.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def focus_search(self) -> None:
        self.table.setFocus()

    def save_state(self) -> None:
        self.ctx.state.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def selected(self) -> UserRow | None:
        row: UserRow | None = selected_row(self.table)
        return row

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.role_button, self.password_button, self.active_button):
            button.setEnabled(user is not None)
        self.active_button.setText(
            gettext("Enable") if user is not None and not user.active else gettext("Disable")
        )

    def _written(self, message: str) -> None:
        self.bar.show_info(message)
        self.ctx.announce_change("user")

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_buttons()

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        self._on_role_button_clicked()

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

    @Slot()
    def _on_active_button_clicked(self) -> None:
        user = self.selected()
        if user is None:
            return
        operation = enable_user if not user.active else disable_user
        try:
            operation(self.ctx.db, self.ctx.actor, user.username)
        except Exception as error:
            report_failure(error, self, self.bar)
            return
        message = (
            gettext("The account {username} is enabled.")
            if not user.active
            else gettext("The account {username} is disabled.")
        )
        self._written(message.format(username=user.username))
