"""Start-up of the desktop client: the command line routing, first run, sign-in, refusals, crashes."""

from __future__ import annotations

import gc
import hashlib
import logging
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget, QWizard

from models.database import Database, open_database
from models.i18n import current_language
from models.settings import office_is_set_up

from ui.context import AppContext
from ui.crash import CrashDialog
from ui.login import LoginDialog
from ui.mainwindow import MainWindow
from ui.preferences import LANGUAGE_KEY, install_qt_translations, remove_qt_translations
from ui.setup_wizard import SetupWizard

from desktop import gui, session
from desktop.main import main

from tests.conftest import ADMIN_PASSWORD, TEST_DISTRICT
from tests.ui.test_mainwindow import fake_factory

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def data(qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data directory (UI state, log) of the test, never the user's."""
    folder = tmp_path / "data"
    monkeypatch.setattr(gui, "data_dir", lambda: folder)
    monkeypatch.setattr(gui, "log_file", lambda: folder / "logs" / "bala-korgoo.log")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test whatever happens
    return folder


def visible(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


# --- from the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "lang"), [([], None), (["--lang", "ky"], "ky"), (["--lang", "en"], "en")])
def test_without_a_command_the_program_starts_the_gui(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], lang: str | None
) -> None:
    calls: list[tuple[str | None, str | None]] = []

    def fake_run_gui(db_target: str | None, language: str | None) -> int:
        calls.append((db_target, language))
        return 7

    monkeypatch.setattr(gui, "run_gui", fake_run_gui)

    assert main(["--db", str(tmp_path / "office.sqlite"), *args]) == 7
    assert calls == [(str(tmp_path / "office.sqlite"), lang)]
    assert not (tmp_path / "office.sqlite").exists()


def test_what_starts_the_window_loads_no_database_code() -> None:
    """The sign-in window shows before SQLAlchemy, Alembic, Babel or ReportLab is loaded (they are
    loaded in the background while the user types): start-up time is mostly those imports."""
    code = (
        "import sys; import desktop.main, desktop.gui; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', 'babel', "
        "'reportlab', 'argon2'}), 'desktop.cli' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[] False"


def test_the_windows_carry_the_programs_icon(qapp: QApplication) -> None:
    app = gui.application()

    assert not app.windowIcon().isNull()
    assert app.windowIcon().availableSizes()  # the picture was read, not only named


# --- run_gui --------------------------------------------------------------------------------------


class EventLoop:
    """Runs *action* once run_gui's event loop has started; ends the loop if the action does not."""

    def __init__(self, action: Callable[[], None]) -> None:
        self.ran = False
        self._action = action
        self._safety = QTimer()
        self._safety.setSingleShot(True)
        self._safety.timeout.connect(lambda: QCoreApplication.exit(99))

    def __enter__(self) -> EventLoop:
        QTimer.singleShot(0, self._run)
        self._safety.start(20_000)  # never hang the suite
        return self

    def __exit__(self, *_exc: object) -> None:
        self._safety.stop()

    def _run(self) -> None:
        self.ran = True
        self._action()


def test_a_file_that_is_not_a_database_is_refused_with_a_message(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = tmp_path / "budget.sqlite"
    budget.write_text("Budget 2026;Q1;Q2\n", encoding="utf-8")
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(f"{box.text()}\n{box.informativeText()}")
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)

    with EventLoop(lambda: None) as loop:
        assert gui.run_gui(str(budget), "ru") == 1

    assert not loop.ran
    assert len(shown) == 1
    assert str(budget) in shown[0]
    assert budget.read_text(encoding="utf-8") == "Budget 2026;Q1;Q2\n"
    assert "database refused" in (data / "logs" / "bala-korgoo.log").read_text(encoding="utf-8")


def test_a_new_database_starts_with_the_setup_wizard(data: Path, tmp_path: Path) -> None:
    seen: list[QWidget] = []

    def look_and_cancel() -> None:
        seen.extend(visible(SetupWizard))
        for wizard in seen:
            assert isinstance(wizard, QWizard)
            wizard.reject()

    with EventLoop(look_and_cancel):
        assert gui.run_gui(str(tmp_path / "new.sqlite"), "ru") == 0

    assert len(seen) == 1
    assert (tmp_path / "new.sqlite").exists()
    assert (data / "logs" / "bala-korgoo.log").exists()


def test_the_saved_language_is_used_unless_one_is_given(
    data: Path, sqlite_db: Database, sqlite_admin: object
) -> None:
    state = QSettings(str(data / gui.UI_STATE_FILE), QSettings.Format.IniFormat)
    state.setValue(LANGUAGE_KEY, "ky")
    state.sync()
    languages: list[str] = []

    def look_and_cancel() -> None:
        languages.append(current_language())
        for login in visible(LoginDialog):
            assert isinstance(login, LoginDialog)
            login.reject()

    target = str(sqlite_db.describe())
    for lang in (None, "en"):
        with EventLoop(look_and_cancel):
            assert gui.run_gui(target, lang) == 0

    assert languages == ["ky", "en"]


def test_an_existing_database_opens_behind_the_sign_in_window_which_signs_in_once_it_is_open(
    data: Path, sqlite_db: Database, sqlite_admin: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    opening_may_end = threading.Event()
    real_open = gui.open_in_background

    def slow_open(target: str | Path | None, opened: list[Database]) -> Database:
        assert opening_may_end.wait(20)
        return real_open(target, opened)

    monkeypatch.setattr(gui, "open_in_background", slow_open)
    monkeypatch.setattr(session, "MainWindow", _window_with_plain_pages)
    windows: list[QWidget] = []

    def close_once_shown() -> None:
        windows.extend(visible(MainWindow))
        if windows:
            windows[0].close()
        else:
            QTimer.singleShot(20, close_once_shown)

    def sign_in_while_it_opens() -> None:
        [login] = visible(LoginDialog)
        assert isinstance(login, LoginDialog)
        login.username.setText("admin")
        login.password.setText(ADMIN_PASSWORD)
        login.sign_in_button.click()
        opening_may_end.set()
        close_once_shown()

    try:
        with EventLoop(sign_in_while_it_opens) as loop:
            assert gui.run_gui(sqlite_db.describe(), "ru") == 0
    finally:
        gc.unfreeze()

    assert loop.ran
    assert len(windows) == 1


def test_a_database_of_a_newer_version_closes_the_sign_in_window_with_a_message(
    data: Path, sqlite_db: Database, sqlite_admin: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    sqlite_db.dispose()
    path = Path(sqlite_db.describe())
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    shown: list[str] = []
    logins: list[QWidget] = []

    def fake_exec(box: QMessageBox) -> int:
        logins.extend(visible(LoginDialog))
        shown.append(f"{box.text()}\n{box.informativeText()}")
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)

    with EventLoop(lambda: logins.extend(visible(LoginDialog))):
        assert gui.run_gui(str(path), "ru") == 1

    assert len(logins) == 1  # shown at once, and closed before the message
    assert len(shown) == 1
    assert "более новой версией" in shown[0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# --- the launcher: wizard, sign-in, main window, sign-out ----------------------------------------------


@pytest.fixture
def launcher(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[session.Launcher]:
    database = open_database(tmp_path / "new.sqlite")
    state = QSettings(str(tmp_path / "ui-state.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(session, "MainWindow", _window_with_plain_pages)
    result = session.Launcher(database, state)
    yield result
    for widget in (result.wizard, result.login, result.window):
        if widget is not None:
            widget.close()
    database.dispose()
    gc.unfreeze()


def _window_with_plain_pages(ctx: AppContext) -> MainWindow:
    return MainWindow(ctx, page_factory=fake_factory)


def test_first_run_leads_from_the_wizard_to_sign_in_to_the_main_window(
    qtbot: QtBot, launcher: session.Launcher
) -> None:
    launcher.start()
    wizard = launcher.wizard
    assert wizard is not None and wizard.isVisible()
    wizard.office_page.choose_district(TEST_DISTRICT)
    wizard.office_page.department_name_ky.setText("Сокулук райондук балдарды коргоо бөлүмү")
    wizard.office_page.department_name_ru.setText("Отдел защиты детей Сокулукского района")
    wizard.next()
    admin = wizard.admin_page
    admin.username.setText("usenova")
    admin.full_name.setText("Үсөнбаева Ңурзат")
    admin.password.setText(ADMIN_PASSWORD)
    admin.password_again.setText(ADMIN_PASSWORD)

    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.wait_until(lambda: launcher.login is not None)

    login = launcher.login
    assert login is not None and login.isVisible()
    assert login.username.text() == "usenova"
    with launcher.db.reading() as session:
        assert office_is_set_up(session)

    login.password.setText(ADMIN_PASSWORD)
    login.sign_in_button.click()
    qtbot.wait_until(lambda: launcher.window is not None)

    window = launcher.window
    assert window is not None and window.isVisible()
    assert launcher.ctx is not None and launcher.ctx.actor.username == "usenova"
    assert "admin" in [section.key for section in window.sections]
    # What start-up made stays out of full collections that would stall the window.
    assert gc.get_freeze_count() > 0

    window.sign_out_action.trigger()
    assert launcher.window is None
    assert launcher.login is not None and launcher.login.isVisible()

    with qtbot.wait_signal(launcher.finished) as blocker:
        launcher.login.reject()
    assert blocker.args == [0]


def test_cancelling_the_first_setup_ends_the_session(qtbot: QtBot, launcher: session.Launcher) -> None:
    launcher.start()
    assert launcher.wizard is not None

    with qtbot.wait_signal(launcher.finished) as blocker:
        launcher.wizard.reject()

    assert blocker.args == [0]
    with launcher.db.reading() as session:
        assert not office_is_set_up(session)


# --- unexpected errors ------------------------------------------------------------------------------


def test_an_unexpected_error_is_logged_and_the_log_is_named(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "bala-korgoo.log"
    handler = gui.start_logging(path)
    shown: list[Path] = []
    hook: Callable[..., None] = gui.make_excepthook(path, show=shown.append)
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError as error:
        hook(type(error), error, error.__traceback__)
    finally:
        gui.stop_logging(handler)

    assert shown == [path]
    text = path.read_text(encoding="utf-8")
    assert "RuntimeError: disk on fire" in text
    assert "Traceback" in text
    assert not logging.getLogger("bala_korgoo").handlers


def test_the_crash_dialog_names_the_log(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "logs" / "bala-korgoo.log"
    dialog = CrashDialog(path)
    qtbot.add_widget(dialog)

    assert str(path) in dialog.text()
    assert dialog.open_folder.text()


@pytest.mark.parametrize(("lang", "catalogue"), [("ru", "ru"), ("ky", "ru"), ("en", "en")])
def test_qt_dialogs_are_translated_with_a_russian_fallback_for_kyrgyz(
    qapp: QApplication, lang: str, catalogue: str
) -> None:
    try:
        assert install_qt_translations(lang) == catalogue
    finally:
        remove_qt_translations()
