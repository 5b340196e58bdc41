"""The PySide6 + pyqtgraph window.  Entry point: `somdesk.gui.app.main(files, smoke_test)`."""
from somdesk.gui import _compat

_compat.apply()  # before any signal is emitted: see _compat for the PySide6 6.12 bug
