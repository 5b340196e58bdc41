"""Undo and redo of the workspace's own edits: palette edits and Reset weights.

Each undoable action records the whole workspace state before it (`capture`):
dataset, config, SOM, image phase, map shown, clusters, quantised picture,
measures and the dirty flag.  Everything recorded is immutable or no longer
touched by the session (an action that records a SOM replaces it with a new
one), so a record is cheap: references, not copies.

Training is not undoable: starting a run clears both stacks, so Undo never
silently throws away epochs trained after the action it undoes.  Opening a
file clears them too.  At most UNDO_LIMIT steps are kept.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

UNDO_LIMIT = 50


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
    dirty: bool


def capture(session, label: str) -> State:
    return State(label, session.dataset, session.config, session.som, session.image_phase, session.recovery_round,
                 session.map, session.clusters, session.quantised, session.measures, session.dirty)


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
    session._set_dirty(state.dirty)
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

    def clear(self) -> None:
        self.undo.clear()
        self.redo.clear()
