"""First run: the office this database belongs to, and its first administrator."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from models.database import Database
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import _, current_language, gettext
from models.reference import districts
from models.services.office import OfficeDetails, set_up_office
from models.services.users import check_password_rules, normalize_username

from ui.errors import error_text
from ui.tasks import Progress, Task, run_task

ERROR_STYLE = "color: #b00020;"

OFFICE_FIELDS = ("district", "department_name_ky", "department_name_ru", "head_name", "address", "phone")
ADMIN_FIELDS = ("username", "full_name", "password", "password_again")


class _ProblemPage(QWizardPage):
    """A wizard page whose fields each have a line for their problems under them."""

    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.problems: dict[str, QLabel] = {}
        self.general = _problem_label("general")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        layout.addStretch(1)

    def add_field(self, name: str, label: str, widget: QWidget) -> None:
        widget.setObjectName(name)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        problem = _problem_label(f"{name}_problem")
        column.addWidget(problem)
        self.problems[name] = problem
        self.form.addRow(label, box)

    def clear_problems(self) -> None:
        for label in (*self.problems.values(), self.general):
            label.clear()
            label.hide()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Show each problem under its field (the general line for others); focus the first field."""
        texts: dict[QLabel, list[str]] = {}
        for problem in problems:
            label = self.problems.get(problem.field, self.general)
            texts.setdefault(label, []).append(problem.render())
        for label, lines in texts.items():
            label.setText("\n".join(lines))
            label.show()
        first = next((p.field for p in problems if p.field in self.problems), None)
        if first is not None:
            widget = self.findChild(QWidget, first)
            if widget is not None:
                widget.setFocus()

    def show_general(self, text: str) -> None:
        self.general.setText(text)
        self.general.show()


def _problem_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


class OfficePage(_ProblemPage):
    """The district and the department's names and contacts."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.setTitle(gettext("The office"))
        self.setSubTitle(
            gettext(
                "This database keeps the records of one district department. "
                "Choose its district and write the department's name as it appears on documents."
            )
        )
        self.district = QComboBox()
        self.district.setEditable(True)
        self.district.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        kyrgyz = current_language() == "ky"
        with db.reading() as session:
            units = [
                ((unit.name_ky or unit.name_ru) if kyrgyz else unit.name_ru, unit.code or unit.name_ru)
                for unit in districts(session)
            ]
        for label, code in sorted(units, key=lambda unit: unit[0].casefold()):
            self.district.addItem(label, code)
        completer = self.district.completer()
        assert completer is not None  # an editable combo box has one
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.district.setCurrentIndex(-1)
        line = self.district.lineEdit()
        assert line is not None
        line.setPlaceholderText(gettext("Type a part of the name to search"))
        self.department_name_ky = QLineEdit()
        self.department_name_ru = QLineEdit()
        self.head_name = QLineEdit()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.add_field("district", gettext("District or city:"), self.district)
        self.add_field("department_name_ky", gettext("Department name in Kyrgyz:"), self.department_name_ky)
        self.add_field("department_name_ru", gettext("Department name in Russian:"), self.department_name_ru)
        self.add_field("head_name", gettext("Head of the department:"), self.head_name)
        self.add_field("address", gettext("Address:"), self.address)
        self.add_field("phone", gettext("Phone:"), self.phone)

    def district_code(self) -> str | None:
        """The code of the district whose name is in the box, or None if the text names none."""
        index = self.district.findText(self.district.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        return None if index < 0 else str(self.district.itemData(index))

    def choose_district(self, code: str) -> None:
        self.district.setCurrentIndex(self.district.findData(code))

    def details(self) -> OfficeDetails:
        return OfficeDetails(
            district_code=self.district_code() or self.district.currentText().strip(),
            department_name_ky=self.department_name_ky.text(),
            department_name_ru=self.department_name_ru.text(),
            head_name=self.head_name.text(),
            address=self.address.text(),
            phone=self.phone.text(),
        )

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """What can be checked before the end; the service checks everything again at the end."""
        self.clear_problems()
        problems: list[FieldProblem] = []
        if self.district_code() is None:
            problems.append(FieldProblem("district", _("District: choose one from the list.")))
        if not self.department_name_ky.text().strip():
            problems.append(FieldProblem("department_name_ky", _("Department name in Kyrgyz: required.")))
        if not self.department_name_ru.text().strip():
            problems.append(FieldProblem("department_name_ru", _("Department name in Russian: required.")))
        self.show_problems(problems)
        return not problems


class AdminPage(_ProblemPage):
    """The first administrator's account."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(gettext("The first administrator"))
        self.setSubTitle(
            gettext(
                "The administrator adds the other users and sets up the program. "
                "Remember the password: nobody can read it back."
            )
        )
        self.username = QLineEdit()
        self.username.setPlaceholderText(gettext("Latin letters and digits, for example: asanova"))
        self.full_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field("username", gettext("User name:"), self.username)
        self.add_field("full_name", gettext("Full name:"), self.full_name)
        self.add_field("password", gettext("Password:"), self.password)
        self.add_field("password_again", gettext("Password again:"), self.password_again)
        self.setFinalPage(True)

    def local_problems(self) -> list[FieldProblem]:
        problems = check_password_rules(self.password.text())
        if not problems and self.password.text() != self.password_again.text():
            problems.append(FieldProblem("password_again", _("The passwords do not match.")))
        return problems

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        return wizard.finish_requested()


class SetupWizard(QWizard):
    """Sets up a new office: the office page, then the administrator; the service is called at the end.

    Nothing typed is lost to an error: the service's problems are shown on the page they belong
    to (going back to the office page if needed) and the user corrects and finishes again.

    Signals:
        office_set_up(str): the office was set up; the administrator's user name.
    """

    office_set_up = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._task: Task[object] | None = None
        self._finished = False
        self.setWindowTitle(gettext("Bala Korgoo: first setup"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        self.office_page = OfficePage(db)
        self.admin_page = AdminPage()
        self.addPage(self.office_page)
        self.addPage(self.admin_page)
        self.setMinimumSize(720, 560)

    @property
    def busy(self) -> bool:
        return self._task is not None

    def finish_requested(self) -> bool:
        """Finish pressed: True once the office is set up, else start setting it up (or show problems)."""
        if self._finished:
            return True
        if self._task is not None:
            return False
        self.admin_page.clear_problems()
        problems = self.admin_page.local_problems()
        if problems:
            self.admin_page.show_problems(problems)
            return False
        details = self.office_page.details()
        username = self.admin_page.username.text().strip()
        full_name = self.admin_page.full_name.text().strip()
        password = self.admin_page.password.text()
        db = self._db

        def work(_progress: Progress) -> object:
            return set_up_office(db, details, username, full_name, password)

        self._set_busy(True)
        self._task = run_task(work, self._on_task_finished, parent=self, on_error=self._on_task_failed)
        return False

    def _set_busy(self, busy: bool) -> None:
        for which in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton):
            self.button(which).setEnabled(not busy)
        self.admin_page.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.WaitCursor)
        else:
            self.unsetCursor()

    @Slot(object)
    def _on_task_finished(self, _admin_id: object) -> None:
        self._task = None
        self._set_busy(False)
        self._finished = True
        self.office_set_up.emit(normalize_username(self.admin_page.username.text()))
        self.accept()

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        if isinstance(error, ValidationFailed):
            office = [p for p in error.problems if p.field in OFFICE_FIELDS]
            admin = [p for p in error.problems if p.field not in OFFICE_FIELDS]
            self.admin_page.show_problems(admin)
            if office:
                self.back()
                self.office_page.clear_problems()
                self.office_page.show_problems(office)
        elif isinstance(error, DomainError):
            self.admin_page.show_general(error.message.render())
        else:
            self.admin_page.show_general(error_text(error))

    def reject(self) -> None:
        if self._task is None:  # not while the office is being set up
            super().reject()
