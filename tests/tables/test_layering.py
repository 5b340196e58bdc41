"""core.clustering is core: importing it must not pull in somdesk.io (or Qt)."""
import subprocess
import sys


def test_clustering_does_not_import_io():
    code = ("import sys, somdesk.core.clustering\n"
            "bad = sorted(m for m in sys.modules if m.startswith(('somdesk.io', 'PySide6', 'pyqtgraph')))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
