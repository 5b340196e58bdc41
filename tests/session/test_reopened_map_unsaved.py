"""A reopened map that trains on is unsaved from its first epoch (testerW #1).

A fresh map is dirty from the start, so its run was caught by the close prompt; a map
opened from a .somz stayed clean until the run ended, and a close during the run lost
its epochs without a word.  Every path that changes the trained map must mark it.
"""
from __future__ import annotations

from somdesk.session import Session


def _saved_and_reopened(palette_file, tmp_path, epochs=8, iterations=40):
    s = Session()
    s.open(palette_file)
    s.update_config(height=4, width=4, iterations=iterations, seed=3)
    task = s.train_task()
    for _ in range(epochs):
        next(task)
    task.close()
    path = tmp_path / "run.somz"
    s.save(path)
    again = Session()
    again.open(path)
    assert not again.dirty and not again.unsaved and again.som.iteration == epochs
    return again


def test_a_reopened_map_is_unsaved_at_its_first_epoch(palette_file, tmp_path):
    s = _saved_and_reopened(palette_file, tmp_path)
    seen = []
    s.events.dirty_changed.connect(seen.append)
    task = s.train_task()
    next(task)                      # one epoch, the run still going
    assert s.running and s.dirty and s.unsaved and seen == [True]
    task.close()
    assert s.dirty and s.unsaved


def test_step_marks_a_reopened_map_unsaved(palette_file, tmp_path):
    s = _saved_and_reopened(palette_file, tmp_path)
    s.step()
    assert s.dirty and s.unsaved


def test_a_finished_reopened_map_stays_clean_when_nothing_trains(palette_file, tmp_path):
    s = _saved_and_reopened(palette_file, tmp_path, epochs=40, iterations=40)
    s.train()                       # already done: no epoch, nothing changed
    assert not s.dirty and not s.unsaved


def test_clusters_of_a_reopened_map_are_unsaved(palette_file, tmp_path):
    s = _saved_and_reopened(palette_file, tmp_path)
    s.cluster(3)
    assert s.dirty and s.unsaved


def test_training_kept_only_in_undo_after_a_reset_is_unsaved(palette_file, tmp_path):
    """Reset weights is undoable without a question, so the trained map it replaced lives
    on in the undo history: a close would lose it (fresh runs and reopened runs alike)."""
    s = _saved_and_reopened(palette_file, tmp_path)
    s.step()
    s.reset_weights()
    assert s.som is None or s.som.iteration == 0
    assert s.unsaved
    s.undo()
    assert s.unsaved and s.som.iteration > 8


def test_a_reset_of_a_clean_reopened_map_loses_nothing(palette_file, tmp_path):
    s = _saved_and_reopened(palette_file, tmp_path)
    s.reset_weights()
    assert not s.unsaved            # the saved file still holds those epochs
