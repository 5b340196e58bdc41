"""The session's events: one psygnal signal per field, named after what changed (napari's way).

    s = Session()
    s.events.map_changed.connect(canvas.show)      # MapState | None
    s.events.run_state_changed.connect(print)      # "idle" | "running" | "paused" | "finished"

Each carries the field's new value.  Events fire in the thread where the state
changes: the owner's thread, or the thread that `Session(post=...)` hands work
to (the GUI passes a function that queues onto its main thread, so every state
change and every event happens there; tests leave the default, which runs
immediately).
"""
from __future__ import annotations

from psygnal import Signal, SignalGroup


class SessionEvents(SignalGroup):
    dataset_changed = Signal(object)     # the new dataset (ColourData | ImageData | None; tables: Session.table.events)
    config_changed = Signal(object)      # SOMConfig
    map_changed = Signal(object)         # MapState | None
    run_state_changed = Signal(str)      # one of session.RUN_STATES
    dirty_changed = Signal(bool)         # unsaved changes?
    path_changed = Signal(object)        # the .somz file (str) or None
    clusters_changed = Signal(object)    # ClusterResult | None
    labels_changed = Signal(object)      # the label column (str) or None
    quantised_changed = Signal(object)   # QuantisedPicture | None
    measures_changed = Signal(object)    # tuple of (iteration, QE, TE)
