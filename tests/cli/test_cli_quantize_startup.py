"""`somdesk quantize`'s start-up: the parser and the option checks import no fitting code."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env=env).stdout.strip()


def test_a_usage_error_answers_before_numpy_loads(tmp_path):
    code = ("import sys\nfrom somdesk.cli import main\n"
            f"rc = main(['quantize', 'in.png', {str(tmp_path / 'out.png')!r}, '--colors', '300'])\n"
            "print(rc, 'numpy' in sys.modules, 'somdesk.core.palette_fit' in sys.modules)\n")
    assert _run(code) == "2 False False"


def test_the_parser_knows_the_spaces_without_the_fitting_code():
    code = ("import sys\nfrom somdesk.cli import _sub_parser\n"
            "a = _sub_parser('quantize').parse_args(['quantize', 'a.png', 'b.png', '--space', 'oklab'])\n"
            "print(a.space, 'numpy' in sys.modules)\n")
    assert _run(code) == "oklab False"
    from somdesk.core import palette_fit, palette_spaces
    assert palette_fit.SPACES == palette_spaces.SPACES and palette_fit.DEFAULT_SPACE == "blend"
