"""Undo and redo of the workspace's own edits: palette edits and Reset weights.

A palette edit over a trained map keeps that map here too: its Undo brings the training
back (a window's edit records it with Session.record_step).

Each undoable action records the whole workspace state before it (`capture`):
dataset, config, SOM, image phase, map shown, clusters, quantised picture,
measures and the version of the work shown (Session._version: Undo and Redo bring the
version back, and the work is unsaved when that version is not the one in the file --
a stored dirty flag went stale when a Save came between, so Undo of a Reset saved over
its training said the training was saved).  Everything recorded is immutable or no longer
touched by the session (an action that records a SOM replaces it with a new
one), so a record is cheap: references, not copies.

Training is not undoable: starting a run clears both stacks, so Undo never
silently throws away epochs trained after the action it undoes.  Opening a
file clears them too.  At most UNDO_LIMIT steps are kept.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from somdesk.errors import SomdeskError

UNDO_LIMIT = 50


class InitialVersion:
    """The version (Session._version) of the initial weights of `dataset` under `config`:
    equal for every Reset of them, since the seed makes the same weights (Reset, Save, Undo,
    Redo shows what the file holds).  Any other version is a plain object, equal only to itself."""

    __slots__ = ("dataset", "config")

    def __init__(self, dataset, config) -> None:
        self.dataset, self.config = dataset, config

    def __eq__(self, other) -> bool:
        return isinstance(other, InitialVersion) and other.dataset is self.dataset and other.config == self.config

    __hash__ = None      # compared, never a key


@dataclass(frozen=True)
class State:
    label: str
    dataset: object
    config: object
    som: object
    image_phase: str
    recovery_round: int
    map: object
    clusters: object
    quantised: object
    measures: tuple
    version: object          # Session._version: identity of the work, compared with the file's

    @property
    def trained(self) -> bool:
        """Does this state's map hold trained epochs?"""
        return self.som is not None and (self.som.iteration > 0 or self.image_phase != "ordering")


def capture(session, label: str) -> State:
    return State(label, session.dataset, session.config, session.som, session.image_phase, session.recovery_round,
                 session.map, session.clusters, session.quantised, session.measures, session._version)


def restore(session, state: State) -> None:
    """Put `state` back, emitting an event for every field, as a new dataset generation
    (results of tasks started before are dropped)."""
    session.generation += 1
    session.som, session.image_phase, session.recovery_round = state.som, state.image_phase, state.recovery_round
    changed_data = state.dataset is not session.dataset
    session.dataset = state.dataset
    if changed_data:
        session.events.dataset_changed.emit(state.dataset)
    session._set("config", state.config)
    shown = None if state.map is None else replace(state.map, generation=session.generation)
    session._set("map", shown)
    session._set("clusters", state.clusters)
    session._set("quantised", state.quantised)
    session._set("measures", state.measures)
    session._changed(state.version)     # unsaved unless this very version is the file's
    session._set_run_state(session._derived_run_state())


class History:
    """Two stacks of `State`s."""

    def __init__(self) -> None:
        self.undo: list[State] = []
        self.redo: list[State] = []

    def record(self, state: State) -> None:
        self.undo.append(state)
        del self.undo[:-UNDO_LIMIT]
        self.redo.clear()

    def holds_unsaved_training(self, saved=()) -> bool:
        """Does a step Undo can bring back hold trained epochs in no file (a Reset weights
        over an unsaved run: a close would lose them)?  `saved`: the versions written to or
        read from a file (Session._on_disk's values)."""
        saved = tuple(saved)
        return any(s.trained and s.version not in saved for s in self.undo)

    def unsaved_training_label(self, saved=()) -> str | None:
        """The label of the newest step holding trained epochs in no file (see
        `holds_unsaved_training`), or None."""
        saved = tuple(saved)
        return next((s.label for s in reversed(self.undo) if s.trained and s.version not in saved), None)

    def clear(self) -> None:
        self.undo.clear()
        self.redo.clear()

    def can_undo(self, session, label: str | None = None) -> bool:
        return bool(self.undo) and not session.running and (label is None or self.undo[-1].label == label)

    def can_redo(self, session) -> bool:
        return bool(self.redo) and not session.running

    @property
    def undo_text(self) -> str:
        return self.undo[-1].label if self.undo else ""

    @property
    def redo_text(self) -> str:
        return self.redo[-1].label if self.redo else ""

    def step_back(self, session, label: str | None = None) -> None:
        """Undo: restore the last record (only if it is a `label` step, when given)."""
        session._require_idle("undo")
        if not self.can_undo(session, label):
            raise SomdeskError(f"there is no {label or 'step'} to undo")
        state = self.undo.pop()
        self.redo.append(capture(session, state.label))
        restore(session, state)

    def step_forward(self, session) -> None:
        """Redo what `step_back` undid."""
        session._require_idle("redo")
        if not self.redo:
            raise SomdeskError("there is nothing to redo")
        state = self.redo.pop()
        self.undo.append(capture(session, state.label))
        restore(session, state)
