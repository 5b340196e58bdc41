"""What the window's task is doing, in words, and the one sentence that asks the user to wait for it.

    runner.start("segment", factory, what="measure")   # gui/tasks.TaskRunner keeps `what`
    wait_message(runner, "opening another file")
    # "The training is stopping: opening another file can start once it has ended."
    # "Wait for the measuring of the stopped map to end (or Stop it: Train continues the run) ..."

Every message that refuses something because a task is under way comes from here, so it
describes the task in its present state: a table run that was stopped and whose map is being
measured is not "the training" (the window said "Stop the training ..." for a run already
stopped), and a task told to stop is "stopping", not something to stop again.
"""
from __future__ import annotations

#: The words for a runner task `kind` (gui/tasks.TaskRunner.start); a task started with its
#: own `what` is named by that instead (a table "segment" task trains, re-segments or measures).
WORDS = {
    "train": "training", "segment": "training", "measure": "measuring of the stopped map",
    "resegment": "re-segmenting", "score": "scoring", "report": "report", "export": "export of rows",
    "locate": "reading of the map's table",
    "open": "opening", "read table": "reading of the table", "quantise": "quantising",
    "export-image": "image export", "export-timelapse": "time-lapse export", "sort": "sorting",
    "save": "saving of the map", "write": "writing of the palette",
}

#: After "Stop it": what a Stop of such a task keeps (said where it is not obvious).
_STOP_KEEPS = {"measure": ": Train continues the run from its epochs"}


def task_words(kind: str | None, what: str | None = None) -> str:
    """The task as a noun phrase ("training", "measuring of the stopped map", "scoring")."""
    return WORDS.get(what or "", what) or WORDS.get(kind or "", kind or "task")


def wait_message(runner, before: str) -> str:
    """One sentence: `before` (e.g. "opening another file", "exporting") has to wait for the
    task `runner` (gui/tasks.TaskRunner) is running, as true for its state:

    - told to stop and still ending: it is stopping, there is nothing to stop;
    - training (a palette's or picture's map, or a table map): Stop it;
    - anything else (measuring a stopped table run, scoring, a report, an export, reading): wait
      for it to end or Stop it.

    "" when the runner is idle."""
    if not runner.busy:
        return ""
    kind, what = runner.kind, getattr(runner, "what", None)
    words = task_words(kind, what)
    if runner.stopping:
        return f"The {words} is stopping: {before} can start once it has ended."
    if words == "training":
        return f"Stop the training before {before}."
    keeps = _STOP_KEEPS.get(what or kind or "", "")
    return f"Wait for the {words} to end (or Stop it{keeps}) before {before}."


#: what to do when a task of this kind runs out of memory (out_of_memory_text); "" -> _MEMORY_ADVICE
_MEMORY_ADVICE_FOR = {
    "train": "train a smaller map or close other programs",
    "segment": "train a smaller map, or tick \"Train on every row out of core\" on the Setup tab to read the "
               "table in chunks",
    "read table": "open the table with a row filter or a sample on the import page, or close other programs",
    "open": "close other programs, or open a smaller file",
    "score": "score the rows with `somdesk assign MAP DATA --out-of-core`, which reads them in chunks",
    "export": "close other programs, or export fewer rows",
    "export-timelapse": "record fewer frames or a smaller picture, or close other programs",
}
_MEMORY_ADVICE = "close other programs and try again"


def out_of_memory_text(kind: str | None, what: str | None = None) -> str:
    """The window's one sentence for a task that ran out of memory (any shape: core.memory),
    naming the task and what to do for its kind: "Out of memory during the training (the
    process may use 1.5 GB: ulimit -v): train a smaller map ..."."""
    from somdesk.core import memory

    advice = _MEMORY_ADVICE_FOR.get(kind or "", _MEMORY_ADVICE)
    return f"Out of memory during the {task_words(kind, what)}{memory.limit_clause()}: {advice}"
