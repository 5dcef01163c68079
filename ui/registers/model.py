"""The table model of a register: rows fetched in blocks, in the background, as the view scrolls.

The model never holds the whole register's rows, only their ids. Filtering and sorting happen in
SQL: a new query is read in the background and replaces the shown one (model reset) when its
first block (:func:`models.registers.fetch_page`) and count have arrived. Then, as Anki's
browser does, the model reads the ordered ids of every matching record once, in the background
(:func:`models.registers.ordered_ids`): from then on the row count is the number of those ids,
and any block of :data:`BLOCK_SIZE` rows is read by its ids (:func:`models.registers.rows_by_ids`),
as fast at the end of the register as at its start; until the ids arrive, blocks are read by
their offset. Blocks are read in a worker thread when the view first asks for one of their rows,
and the last :data:`MAX_BLOCKS` blocks read stay cached; until a block arrives its cells show a
placeholder. A record deleted after the ids were read has an empty row until the next reload.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from models.database import Database
from models.i18n import current_language
from models.registers import (
    ColumnSpec,
    RegisterPage,
    RegisterQuery,
    RegisterRow,
    columns,
    count,
    fetch_page,
    ordered_ids,
    rows_by_ids,
)

from ui.tasks import Progress, Task

T = TypeVar("T")

BLOCK_SIZE = 200
MAX_BLOCKS = 25  # 5,000 rows
# Blocks asked for while another is being read; older wishes are dropped (the view scrolled on).
MAX_WANTED = 4
PLACEHOLDER = "…"

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGNMENT, _FOREGROUND, ID_ROLE, ROW_ROLE})


class RegisterSource(Protocol):
    """Where the rows come from; called in worker threads."""

    def fetch(self, query: RegisterQuery) -> RegisterPage: ...

    def count(self, query: RegisterQuery) -> int: ...

    def ids(self, query: RegisterQuery) -> Sequence[uuid.UUID]: ...

    def rows(self, query: RegisterQuery, ids: Sequence[uuid.UUID]) -> list[RegisterRow]: ...


class DatabaseSource:
    """Rows read from the database, one short reading session per call."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def fetch(self, query: RegisterQuery) -> RegisterPage:
        with self._db.reading() as session:
            return fetch_page(session, query)

    def count(self, query: RegisterQuery) -> int:
        with self._db.reading() as session:
            return count(session, query)

    def ids(self, query: RegisterQuery) -> Sequence[uuid.UUID]:
        with self._db.reading() as session:
            return ordered_ids(session, query)

    def rows(self, query: RegisterQuery, ids: Sequence[uuid.UUID]) -> list[RegisterRow]:
        with self._db.reading() as session:
            return rows_by_ids(session, query, ids)


@dataclass(frozen=True)
class _Block:
    """Rows of one block and their cells as shown (rendered in the worker thread).

    A row is None where a record of the ids snapshot is gone (deleted since): its cells are empty.
    """

    rows: list[RegisterRow | None]
    texts: list[tuple[str, ...]]

    @classmethod
    def of(cls, rows: Sequence[RegisterRow | None], specs: Sequence[ColumnSpec], lang: str) -> _Block:
        empty = ("",) * len(specs)
        texts = [
            empty if row is None else tuple(spec.text(getattr(row, spec.key), lang) for spec in specs)
            for row in rows
        ]
        return cls(list(rows), texts)

    @classmethod
    def by_ids(
        cls, ids: Sequence[uuid.UUID], rows: Iterable[RegisterRow], specs: Sequence[ColumnSpec], lang: str
    ) -> _Block:
        """The block of *ids*, in their order, from the *rows* found for them."""
        found = {row.id: row for row in rows}
        return cls.of([found.get(record_id) for record_id in ids], specs, lang)

    def ids(self) -> list[uuid.UUID | None]:
        return [None if row is None else row.id for row in self.rows]


@dataclass(frozen=True)
class _ReadBlock:
    """A block read in the background, for the query of *generation*, by its ids or by its offset."""

    generation: int
    number: int
    block: _Block
    by_ids: bool


@dataclass(frozen=True)
class _Loaded:
    """A query read in the background: its count, the blocks read, the unfiltered count, its ids if read."""

    generation: int
    query: RegisterQuery
    total: int
    blocks: dict[int, _Block]
    unfiltered: int
    ids: Sequence[uuid.UUID] | None = None


class RegisterTableModel(QAbstractTableModel):
    """A register as a table: one row per record, columns from :func:`models.registers.columns`.

    :data:`ID_ROLE` gives the record's id, :data:`ROW_ROLE` the whole row tuple (None while its
    block is being read).

    Signals:
        loaded(): a new or refreshed query replaced the rows (after the model reset).
        ids_loaded(): the ordered ids of the shown query arrived: the row count is now their
            number (rows were inserted or removed at the end if it changed meanwhile), and
            blocks are read by their ids.
        block_loaded(int): the rows of one more block arrived (the block's number).
        failed(object): reading failed (the exception).
    """

    loaded = Signal()
    ids_loaded = Signal()
    block_loaded = Signal(int)
    failed = Signal(object)

    def __init__(self, register: str, source: RegisterSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = columns(register)
        self._alignments = [
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter if spec.type == "int" else None
            for spec in self._columns
        ]
        self._tooltips = [spec.type == "text" for spec in self._columns]
        self._source = source
        self._query = RegisterQuery(register, limit=BLOCK_SIZE)  # the latest one asked for
        self._shown = self._query  # the one whose rows are shown
        self._generation = 0  # of the latest query asked for
        self._shown_generation = 0
        self._total = 0
        self._unfiltered: int | None = None
        self._ids: Sequence[uuid.UUID] | None = None  # of the shown query, once read
        self._blocks: OrderedDict[int, _Block] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._reading_block: int | None = None
        self._tasks: set[Task[Any]] = set()
        self._query_task: Task[_Loaded] | None = None
        self._ids_task: Task[tuple[int, Sequence[uuid.UUID]]] | None = None

    # --- what the page asks -----------------------------------------------------------

    @property
    def register(self) -> str:
        return self._query.register

    def query(self) -> RegisterQuery:
        """The latest query asked for (it may still be being read)."""
        return self._query

    def total(self) -> int:
        """The number of rows of the shown query."""
        return self._total

    def unfiltered_total(self) -> int | None:
        """The number of rows of the whole register, None until first read."""
        return self._unfiltered

    def is_busy(self) -> bool:
        return bool(self._tasks)

    def has_ids(self) -> bool:
        """Whether the ordered ids of the shown query have arrived (blocks are read by their ids)."""
        return self._ids is not None

    def set_query(self, query: RegisterQuery, *, keep_row: int | None = None, recount: bool = False) -> None:
        """Read *query* in the background; its rows replace the shown ones when they arrive.

        *keep_row* also reads the block of that row (to find the current record again): past the
        first block, the query's ids are read first and the blocks by their ids, rather than
        walking the register up to that row; *recount* reads the count of the whole register again.
        """
        query = replace(query, offset=0, limit=BLOCK_SIZE)
        self._query = query
        self._generation += 1
        generation = self._generation
        blocks = {0} if keep_row is None else {0, keep_row // BLOCK_SIZE}
        unfiltered = None if recount else self._unfiltered
        source, specs, lang = self._source, self._columns, query.lang or current_language()

        def work(progress: Progress) -> _Loaded:
            read: dict[int, _Block] = {}
            total = 0
            ids = source.ids(query) if len(blocks) > 1 else None
            for block in sorted(blocks):
                progress.check()
                if ids is None:
                    page = source.fetch(replace(query, offset=block * BLOCK_SIZE))
                    read[block] = _Block.of(page.rows, specs, lang)
                    total = page.total if block == 0 else total
                else:
                    chunk = ids[block * BLOCK_SIZE : (block + 1) * BLOCK_SIZE]
                    read[block] = _Block.by_ids(
                        chunk, source.rows(query, chunk) if chunk else [], specs, lang
                    )
                    total = len(ids)
            if not query.used_filters():
                whole = total
            else:
                whole = unfiltered if unfiltered is not None else source.count(RegisterQuery(query.register))
            return _Loaded(generation, query, total, read, whole, ids)

        for task in (self._query_task, self._ids_task):
            if task is not None:
                task.cancel()
        self._ids_task = None
        self._query_task = self._start(work, self._on_query_loaded)

    def reload(self, *, keep_row: int | None = None) -> None:
        """Read the latest query again (after data changed), with the whole register's count."""
        self.set_query(self._query, keep_row=keep_row, recount=True)

    def record_id(self, row: int) -> uuid.UUID | None:
        """The id of the record in *row*, None while its block is being read."""
        record = self._row(row)
        return None if record is None else record.id

    def find_loaded(self, record_id: uuid.UUID) -> int | None:
        """The row of a record among the rows read so far."""
        for block, loaded in self._blocks.items():
            for offset, record in enumerate(loaded.rows):
                if record is not None and record.id == record_id:
                    return block * BLOCK_SIZE + offset
        return None

    def find(self, record_id: uuid.UUID) -> int | None:
        """The row of a record in the ids of the shown query or, until they arrive, among the rows read."""
        if self._ids is None:
            return self.find_loaded(record_id)
        try:
            return self._ids.index(record_id)
        except ValueError:
            return None

    def loaded_rows(self) -> int:
        return sum(len(loaded.rows) for loaded in self._blocks.values())

    def loaded_texts(self, column: int, limit: int) -> list[str]:
        """Up to *limit* cells of *column* as shown, from the rows read so far (to size the column)."""
        texts: list[str] = []
        for loaded in self._blocks.values():
            texts.extend(cells[column] for cells in loaded.texts[: limit - len(texts)])
        return texts

    # --- Qt model -----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            spec = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return spec.title()
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every cell and role on each paint: the roles not answered return first.
        if role not in _ROLES:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < self._total and 0 <= column < len(self._columns)):
            return None  # also an invalid index (row -1)
        number = row // BLOCK_SIZE
        block = self._blocks.get(number)
        if block is None:
            self._want(number)
            if role == _DISPLAY:
                return PLACEHOLDER if column == 0 else ""
            if role == _FOREGROUND:
                return QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        self._blocks.move_to_end(number)
        offset = row - number * BLOCK_SIZE
        if offset >= len(block.rows):
            return None  # the register shrank since it was counted
        record = block.rows[offset]
        if role == _DISPLAY:
            return block.texts[offset][column]
        if record is None:
            return None  # deleted since the ids were read: an empty row
        if role == _ALIGNMENT:
            return self._alignments[column]
        if role == _TOOLTIP:
            text = block.texts[offset][column]
            return text if text and self._tooltips[column] else None
        if role == ID_ROLE:
            return record.id
        if role == ROW_ROLE:
            return record
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by a sortable column; other columns cannot be sorted and nothing happens."""
        if not 0 <= column < len(self._columns) or not self._columns[column].sortable:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(replace(self._query, sort=self._columns[column].key, descending=descending))

    # --- reading ----------------------------------------------------------------------

    def _row(self, row: int) -> RegisterRow | None:
        block = self._blocks.get(row // BLOCK_SIZE)
        offset = row % BLOCK_SIZE
        return block.rows[offset] if block is not None and offset < len(block.rows) else None

    def _agrees(self, number: int, block: _Block) -> bool:
        """Whether a block read by its offset holds the records the ids put there (or no ids yet)."""
        if self._ids is None:
            return True
        first = number * BLOCK_SIZE
        return block.ids() == list(self._ids[first : first + BLOCK_SIZE])

    def _want(self, block: int) -> None:
        if block == self._reading_block:
            return
        self._wanted[block] = None
        self._wanted.move_to_end(block)
        while len(self._wanted) > MAX_WANTED:
            self._wanted.popitem(last=False)
        if self._reading_block is None:
            self._read_next_block()

    def _read_next_block(self) -> None:
        while self._wanted:
            block, _ = self._wanted.popitem(last=True)  # the newest wish first
            if block not in self._blocks and block * BLOCK_SIZE < self._total:
                break
        else:
            return
        self._reading_block = block
        first = block * BLOCK_SIZE
        query = replace(self._shown, offset=first)
        generation = self._shown_generation
        source, specs, lang = self._source, self._columns, query.lang or current_language()
        ids = None if self._ids is None else self._ids[first : first + BLOCK_SIZE]

        def work(progress: Progress) -> _ReadBlock:
            if ids is None:
                return _ReadBlock(generation, block, _Block.of(source.fetch(query).rows, specs, lang), False)
            return _ReadBlock(
                generation, block, _Block.by_ids(ids, source.rows(query, ids), specs, lang), True
            )

        self._start(work, self._on_block_loaded)

    def _start(self, work: Callable[[Progress], T], on_done: Callable[[T], None]) -> Task[T]:
        task: Task[T] = Task(work)
        task.finished.connect(on_done)
        task.failed.connect(self._on_task_failed)
        task.ended.connect(lambda: self._tasks.discard(task))
        self._tasks.add(task)
        task.start()
        return task

    def _store(self, blocks: Iterable[tuple[int, _Block]]) -> None:
        for number, block in blocks:
            self._blocks[number] = block
            self._blocks.move_to_end(number)
        while len(self._blocks) > MAX_BLOCKS:
            self._blocks.popitem(last=False)

    @Slot(object)
    def _on_query_loaded(self, loaded: _Loaded) -> None:
        if loaded.generation != self._generation:
            return  # a newer query was asked for meanwhile
        self.beginResetModel()
        self._shown = loaded.query
        self._shown_generation = loaded.generation
        self._total = loaded.total
        self._unfiltered = loaded.unfiltered
        self._blocks.clear()
        self._wanted.clear()
        self._reading_block = None
        self._ids = loaded.ids
        self._store(loaded.blocks.items())
        self.endResetModel()
        if loaded.ids is None:
            self._read_ids(loaded.generation, loaded.query)
        self.loaded.emit()
        if loaded.ids is not None:
            self.ids_loaded.emit()

    def _read_ids(self, generation: int, query: RegisterQuery) -> None:
        source = self._source

        def work(progress: Progress) -> tuple[int, Sequence[uuid.UUID]]:
            return generation, source.ids(query)

        self._ids_task = self._start(work, self._on_ids_loaded)

    @Slot(object)
    def _on_ids_loaded(self, result: tuple[int, Sequence[uuid.UUID]]) -> None:
        generation, ids = result
        if generation != self._shown_generation or generation != self._generation:
            return  # a newer query is shown or asked for
        self._ids_task = None
        self._ids = ids
        stale = [number for number, block in self._blocks.items() if not self._agrees(number, block)]
        for number in stale:
            del self._blocks[number]
        total = len(ids)
        if total > self._total:
            self.beginInsertRows(QModelIndex(), self._total, total - 1)
            self._total = total
            self.endInsertRows()
        elif total < self._total:
            self.beginRemoveRows(QModelIndex(), total, self._total - 1)
            self._total = total
            self.endRemoveRows()
        if not self._shown.used_filters():
            self._unfiltered = total
        for number in stale:
            self._changed(number * BLOCK_SIZE, (number + 1) * BLOCK_SIZE)  # the view asks for them again
        self.ids_loaded.emit()

    @Slot(object)
    def _on_block_loaded(self, result: _ReadBlock) -> None:
        if result.generation != self._shown_generation:
            return
        self._reading_block = None
        number, block = result.number, result.block
        if result.by_ids or self._agrees(number, block):
            self._store([(number, block)])
            self._changed(number * BLOCK_SIZE, number * BLOCK_SIZE + len(block.rows))
            self.block_loaded.emit(number)
        else:  # read by its offset, and the ids that arrived meanwhile put other records there
            self._wanted[number] = None
        self._read_next_block()

    def _changed(self, first: int, end: int) -> None:
        """Tell the view that the rows from *first* up to *end* (excluded), as far as they exist, changed."""
        last = min(end, self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._columns) - 1))

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._reading_block = None
        self.failed.emit(error)
