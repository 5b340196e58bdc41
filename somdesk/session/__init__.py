"""The workspace model, no Qt: dataset, config, SOM, map shown, run state, file, events.

    from somdesk.session import Session
    s = Session()
    s.open("palette.gpl")          # or new_colours / new_image / new_table
    outcome = s.train()            # or drive s.train_task(cancel=token) from a worker
    s.save("palette.somz")
    s.open("rows.csv")             # a table: s.kind == "table", its state in s.table (TableWorkspace)

See session.session for the threading rules and docs/architecture.md for the layers.
"""
from somdesk.session.datasets import KINDS, ColourData, ImageData, QuantiserSettings
from somdesk.session.mapstate import MapState, map_state
from somdesk.session.progress import ClusterResult, Progress, QuantisedPicture, RunOutcome, TrainProgress
from somdesk.session.session import RUN_STATES, Session, run_to_end
from somdesk.session.table_workspace import TableWorkspace

__all__ = ["Session", "RUN_STATES", "KINDS", "ColourData", "ImageData", "TableWorkspace",
           "QuantiserSettings", "MapState", "map_state", "Progress", "TrainProgress", "RunOutcome",
           "QuantisedPicture", "ClusterResult", "run_to_end"]
