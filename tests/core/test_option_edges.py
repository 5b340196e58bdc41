"""Numbers at the edges of every SOM option, in the library (issue 10 item 4)."""
import math

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core.options import (MAX_ITERATIONS, MAX_NODES, MAX_SIDE, MAX_SIGMA, MIN_LEARNING_RATE, MIN_SIGMA,
                                  NEIGHBOURHOODS, DECAYS)
from somdesk.core.schedules import SCHEDULES, SIGMA_FLOOR, schedule
from somdesk.errors import OptionError

TINY = 5e-324          # the smallest positive float64 (subnormal)
HUGE = 1.7976931348623157e308

BAD = {
    "width": [0, -1, MAX_SIDE + 1, 10 ** 30, 1e300, 2.5, math.nan, math.inf, -math.inf, True, "5", None, 1 + 1e-9j],
    "height": [0, -7, MAX_SIDE + 1, 2 ** 64, math.nan, math.inf, False, "x"],
    "iterations": [0, -1, MAX_ITERATIONS + 1, 10 ** 40, 1e300, 0.5, math.nan, math.inf, True, "10"],
    "learning_rate": [0, -0.0, -0.1, TINY, 1e-300, MIN_LEARNING_RATE / 2, 1 + 1e-12, 2, HUGE, math.inf, math.nan,
                      True, "0.1", None],
    "sigma": [0, -0.0, -1, TINY, 1e-300, 1e-154, MIN_SIGMA / 2, MAX_SIGMA * 1.001, HUGE, math.inf, -math.inf,
              math.nan, True, "3"],
    "seed": [-1, 2 ** 63, 10 ** 40, 1.5, math.nan, math.inf, -math.inf, True, "7"],
    "toroidal": ["yes", 2, None, 0.5],
}
GOOD = {
    "width": [1, MAX_SIDE // 2, 7.0, np.int64(9), np.float32(4.0)],
    "height": [1, 2, np.uint16(3)],
    "iterations": [1, MAX_ITERATIONS, 1e3, np.int32(5)],
    "learning_rate": [MIN_LEARNING_RATE, 1, 1.0, 0.5, np.float32(0.25), np.float64(1e-6)],
    "sigma": [MIN_SIGMA, MAX_SIGMA, None, 0.1, np.float32(2.5), 7],
    "seed": [0, 2 ** 63 - 1, 12.0, np.uint64(2 ** 63 - 1), np.int8(3)],
    "toroidal": [True, False, 0, 1, np.bool_(True)],
}


@pytest.mark.parametrize("field,value", [(f, v) for f, vs in BAD.items() for v in vs])
def test_every_numeric_option_refuses_its_extremes_with_a_clear_option_error(field, value):
    with pytest.raises(OptionError) as err:
        SOMConfig(**{field: value, **({"height": 1} if field == "width" and value == MAX_SIDE // 2 else {})})
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 300
    assert field.replace("_", " ") in msg or field in msg or "grid" in msg, msg


@pytest.mark.parametrize("field,value", [(f, v) for f, vs in GOOD.items() for v in vs])
def test_the_legal_extremes_are_accepted_and_normalised(field, value):
    extra = {"height": 1} if field == "width" and value == MAX_SIDE // 2 else {}
    c = SOMConfig(**{field: value, **extra})
    got = getattr(c, field)
    if value is None:
        assert got is None
    elif field in ("width", "height", "iterations", "seed"):
        assert type(got) is int and got == int(value)
    elif field == "toroidal":
        assert type(got) is bool
    else:
        assert type(got) is float and got == float(value)


def test_node_count_limit_is_checked_in_python_integers():
    with pytest.raises(OptionError, match="nodes"):
        SOMConfig(width=MAX_SIDE, height=MAX_NODES // MAX_SIDE + 1)


@pytest.mark.parametrize("decay", DECAYS)
@pytest.mark.parametrize("sigma0,alpha0", [(MIN_SIGMA, MIN_LEARNING_RATE), (MIN_SIGMA, 1.0),
                                           (MAX_SIGMA, 1.0), (MAX_SIGMA, MIN_LEARNING_RATE), (1.0, 1.0),
                                           (1.0 + 1e-15, 0.5)])
@pytest.mark.parametrize("T", [1, 2, MAX_ITERATIONS])
def test_schedules_stay_finite_positive_and_above_the_floor_at_every_legal_edge(decay, sigma0, alpha0, T):
    for t in sorted({0, 1, T // 2, T - 1, T}):
        if t > T:
            continue
        sigma, alpha = schedule(decay, t, T, sigma0, alpha0)
        assert math.isfinite(sigma) and sigma >= SIGMA_FLOOR and sigma <= sigma0 * (1 + 1e-12) + SIGMA_FLOOR
        assert math.isfinite(alpha) and 0 <= alpha <= alpha0
        if t < T:          # every iteration that runs moves the weights
            assert alpha > 0 and (alpha >= 1e-300)
        # 2 sigma^2, the kernels' divisor, never underflows
        assert 2.0 * sigma * sigma > 0


@pytest.mark.parametrize("decay", DECAYS)
def test_direct_schedule_calls_with_underflowing_radii_are_floored_not_divided_by_zero(decay):
    for sigma0 in (1e-300, TINY):
        sigma, _ = SCHEDULES[decay](3, 10, sigma0, 0.1)
        assert sigma == SIGMA_FLOOR


@pytest.mark.parametrize("args", [("classic", 0, 10, 0.0, 0.1), ("classic", 0, 10, math.nan, 0.1),
                                  ("linear", 0, 10, 1.0, math.inf), ("inverse", 11, 10, 1.0, 0.1),
                                  ("inverse", -1, 10, 1.0, 0.1), ("classic", 0, 0, 1.0, 0.1),
                                  ("classic", 0.5, 10, 1.0, 0.1), ("nope", 0, 10, 1.0, 0.1)])
def test_schedule_refuses_arguments_outside_the_run(args):
    with pytest.raises(OptionError):
        schedule(*args)


@pytest.mark.parametrize("nb", [n for n in NEIGHBOURHOODS if n != "mexican-hat"])
@pytest.mark.parametrize("decay", DECAYS)
@pytest.mark.parametrize("sigma,lr", [(MIN_SIGMA, 1.0), (MIN_SIGMA, MIN_LEARNING_RATE), (MAX_SIGMA, 1.0)])
@pytest.mark.parametrize("mode", ["classic", "batch"])
def test_training_at_the_edges_gives_finite_weights(nb, decay, sigma, lr, mode):
    data = np.random.default_rng(1).random((12, 3))
    som = SOM(data, SOMConfig(width=4, height=4, iterations=6, sigma=sigma, learning_rate=lr, neighbourhood=nb,
                              decay=decay, mode=mode, seed=3, topology="hexagonal", toroidal=True, init="random-samples"))
    som.train()
    assert np.all(np.isfinite(som.weights))
    assert som.weights.min() >= data.min() - 1e-12 and som.weights.max() <= data.max() + 1e-12


def test_the_smallest_radius_is_winner_take_all():
    # at sigma 0.01 only the BMU moves: exactly what any smaller radius would do
    data = np.array([[1.0, 0.0, 0.0]])
    w0 = np.full((3, 3, 3), 0.5)
    som = SOM(data, SOMConfig(width=3, height=3, iterations=1, sigma=MIN_SIGMA, learning_rate=0.5, seed=1), weights=w0)
    som.train()
    moved = np.any(som.weights != 0.5, axis=2)
    assert moved.sum() == 1


# -- the library's other numeric inputs: time-lapse frames and frame rate -----------------------
@pytest.mark.parametrize("frames", [0, 1, 2001, 10 ** 30, 2.5, math.nan, math.inf, "10", None, True])
def test_frame_recorder_refuses_every_bad_frame_count_with_a_clear_error(frames):
    from somdesk.errors import SomdeskError
    from somdesk.io.timelapse import FrameRecorder
    with pytest.raises(SomdeskError) as err:
        FrameRecorder(frames)
    assert "\n" not in str(err.value) and len(str(err.value)) < 200


@pytest.mark.parametrize("fps", [0, 0.999, 50.001, -1, math.nan, math.inf, -math.inf, "20", None, 1e308])
def test_animation_frame_rate_extremes_are_clear_errors(fps):
    from somdesk.errors import SomdeskError
    from somdesk.io.timelapse import animation_bytes
    frame = np.zeros((2, 2, 3), dtype=np.uint8)
    with pytest.raises(SomdeskError, match="frame rate"):
        animation_bytes([frame, frame], fps)


@pytest.mark.parametrize("fps", [1, 50, 12.5, np.float32(3)])
def test_animation_frame_rate_legal_edges(fps):
    from somdesk.io.timelapse import animation_bytes
    frame = np.zeros((2, 2, 3), dtype=np.uint8)
    assert animation_bytes([frame, frame], fps)[:3] == b"GIF"
