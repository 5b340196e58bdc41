"""tester10's CLI findings (#2, #4, #6, #8): the summary line whenever an output takes standard
output, a one-row table refused at training, profile/top-items names, map sizes and option names
in messages."""
import json

import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main

TRAIN = ["train", "--random", "20", "--seed", "7", "--width", "6", "--height", "6", "--iterations", "3"]


@pytest.fixture
def table(tmp_path):
    t = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7}).to_csv(t, index=False)
    return t


SMALL = ["--width", "3", "--height", "2", "--epochs", "2"]


def test_metrics_json_on_stdout_moves_the_table_summary_to_stderr(table, tmp_path, capsys):
    # `--metrics-json -` dropped the summary line altogether (tester10 #2)
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), *SMALL,
                 "--metrics-json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["height"] == 2
    assert "map, 2 epochs on 30 rows" in err and "saved" in err


def test_metrics_json_on_stdout_moves_the_colour_summary_to_stderr(capsys):
    assert main(TRAIN + ["--metrics-json", "-"]) == 0
    out, err = capsys.readouterr()
    assert "quantization_error" in json.loads(out)
    assert err.startswith("trained ")


def test_quiet_still_silences_the_summary(table, tmp_path, capsys):
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), *SMALL,
                 "--metrics-json", "-", "-q"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) and err == ""


def test_the_summary_stays_on_stdout_when_no_output_takes_it(table, tmp_path, capsys):
    assert main(["train", "--table", str(table), "--save-map", str(tmp_path / "m.somz"), *SMALL]) == 0
    out, err = capsys.readouterr()
    assert "map, 2 epochs on 30 rows" in out and "map," not in err
