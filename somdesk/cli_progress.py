"""Progress lines on stderr for a long `somdesk train --table` run (tester13 #3).

A 2,000,000-row table trained for 28 minutes printing nothing: the analyst could
not tell the run from a hang.  `RunProgress` names the phase the run is in
(reading, preparing, training epoch i of N, measuring, finding segments,
assigning rows, writing) with the time since the start:

    somdesk: training, epoch 4 of 30 (3 min 20 s)

The rule (README, "Command line"): nothing before the run has lasted
FIRST_AFTER_TERMINAL seconds when stderr is a terminal (someone is watching), or
FIRST_AFTER seconds when it is not (a log, a script, a test: quick runs keep the
stderr they had); after that a line at each new phase, at most one every EVERY
seconds, and the phase under way repeated every REPEAT seconds while it lasts
(one epoch of a big map can take minutes; the repeated line shows the run is
alive).  Plain lines in both cases (no carriage returns: a redirected stderr
stays readable).  `-q` prints none.  In memory and out of core use this one
class.
"""
from __future__ import annotations

import sys
import threading
import time

__all__ = ["RunProgress", "elapsed_text"]


def elapsed_text(seconds: float) -> str:
    """'12 s', '3 min 05 s', '1 h 02 min' for a duration in seconds (>= 0)."""
    s = int(max(0.0, seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class RunProgress:
    """Phase lines on `stream` (stderr) under the rule of the module docstring.

    Use as a context manager (a daemon thread repeats the phase while a long call runs);
    `phase(text)` from the working thread when a part starts, `epoch(done, total)` as a
    `progress` callback of the training, `stage(text)` as its `stage` callback.  `quiet`
    (-q): every call does nothing.
    """

    FIRST_AFTER_TERMINAL = 5.0     # seconds before the first line when stderr is a terminal
    FIRST_AFTER = 60.0             # seconds before the first line when it is not
    EVERY = 5.0           # seconds: at most one line this often
    REPEAT = 30.0         # seconds: the phase under way said again this often

    def __init__(self, quiet: bool = False, stream=None, clock=time.monotonic):
        self.quiet = quiet
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self._phase = ""
        self._said = ""          # the phase of the last line printed
        self._last = None        # clock() of the last line printed
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        out = stream if stream is not None else sys.stderr
        try:
            terminal = out.isatty()
        except (AttributeError, ValueError):       # no isatty, or a closed stream
            terminal = False
        self.first_after = self.FIRST_AFTER_TERMINAL if terminal else self.FIRST_AFTER

    def __enter__(self) -> "RunProgress":
        if not self.quiet:
            self._thread = threading.Thread(target=self._beat, name="somdesk-progress")  # joined in __exit__; never a daemon (tests/cli/test_exit_orderly.py)
            try:
                self._thread.start()
            except BaseException:
                # a Ctrl+C inside start() (it waits for the thread to run) leaves the thread
                # running with no __exit__ to stop it: the interpreter then waited for it at
                # exit forever (a quantize stopped at start-up hung, tests/cli/test_sigint.py)
                self._stop.set()
                raise
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _beat(self) -> None:
        # and never past the main thread's end (an exception between __enter__ and the `with`
        # body skips __exit__; the interpreter's exit would wait for this thread for ever)
        main = threading.main_thread()
        while not self._stop.wait(1.0) and main.is_alive():
            self.tick()

    def phase(self, text: str) -> None:
        """The run now does `text` (plain words, e.g. "reading big.csv"); a line if the rule allows.
        It is also what an out-of-memory error names (core.memory: what needed the memory)."""
        from somdesk.core import memory

        self._phase = text
        memory.set_phase(text.replace("training, epoch", "training the map, epoch"))
        self.tick()

    def epoch(self, done: int, total: int) -> None:
        """The `progress(done, total)` of a training: `done` epochs of `total` are finished."""
        from somdesk.core.options import count_text

        self.phase(f"training, epoch {done + 1} of {total}" if done < total else f"trained {count_text(total, 'epoch')}")

    def stage(self, text: str) -> None:
        """The `stage(text)` of train_table_map / measure_table_map ("measuring the map on ...")."""
        self.phase(text)

    def tick(self) -> None:
        """Print the phase if the rule says a line is due now (called each second and at each phase)."""
        if self.quiet or not self._phase:
            return
        with self._lock:
            now = self.clock()
            if now - self.start < self.first_after:
                return
            if self._last is not None:
                since = now - self._last
                if since < self.EVERY or (self._phase == self._said and since < self.REPEAT):
                    return
            self._last, self._said = now, self._phase
            from somdesk.io.names import one_line

            stream = self.stream if self.stream is not None else sys.stderr
            print(one_line(f"somdesk: {self._phase} ({elapsed_text(now - self.start)})"), file=stream,
                  flush=True)
