"""Unsaved work before the window's data is replaced or closed (a mixin of gui/window.Window).

    win.unsaved()                 # training, a table map or palette edits not saved?
    win.may_discard_training()    # Save / Discard / Cancel first; True: go ahead

Needs the window's `session`, `runner`, `undo`, `confirm_unsaved`, `save()`, `saving` and
`after_save()` (gui/window_save.py: a Save answered here is a task the close or open waits for).  A table
task that has no map to save yet (training, measuring a stopped run, re-segmenting) asks
Discard / Cancel in words true for that task (DROP_TABLE_RUN).  So does training that lives
only in Undo after a Reset weights: Save writes the map shown (the reset one), so a Save
button would have "saved" and lost the training (ONLY_IN_UNDO); so does training a palette
edit took off the map (its Undo brings it back: gui/window_tasks.ColourEdit).
"""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from somdesk.gui.window_tasks import palette_edited

__all__ = ["WindowUnsaved", "DROP_TABLE_RUN", "discard_training"]

# the close prompt during a table task (gui/tasks.TaskRunner.what -> question, what to do)
DROP_TABLE_RUN = {
    None: ("A table map is being trained in this window.",
           "Closing now loses the epochs trained so far. To keep them, cancel, use Training > Stop, "
           "then save the map."),
    "measure": ("The map of a stopped table run is being measured in this window.",
                "Closing now loses its epochs. To keep them, cancel, let the measuring end, then save the map."),
    "resegment": ("The table map is being re-segmented in this window.",
                  "Closing now loses the new segments. To keep them, cancel, let it end, then save the map."),
}


# the close prompt when the unsaved training is only in Undo (Session.training_only_in_undo)
ONLY_IN_UNDO = ("This window has training that is not saved: Reset weights took it off the map, "
                "and only Undo brings it back.",
                "To keep it, cancel, use Edit › Undo until the training is back, then save the map.")


# the same, when a palette edit took the training off the map (gui/window_tasks.ColourEdit)
ONLY_IN_UNDO_AFTER_EDIT = (ONLY_IN_UNDO[0].replace("Reset weights", "a palette edit"), ONLY_IN_UNDO[1])


def discard_training(parent, why: str) -> bool:
    """Ask whether `why` ("New settings start a fresh map.") may discard the unsaved training:
    True for Discard, False for Cancel (the default button)."""
    answer = QMessageBox.question(parent, "somdesk", f"{why} Discard the unsaved training?",
                                  QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


class WindowUnsaved:
    """What a close or another file would lose, and the prompts (see module docstring)."""

    def unsaved(self) -> bool:
        """Would a close or another file lose work: the session's unsaved training or table
        map, or palette edits not saved as a palette or a map since (tester6 F39)?"""
        return bool(self.session.unsaved) or self.palette_edited()

    def table_run_unsaved(self) -> bool:
        """Is a table task under way (training, measuring a stopped run, re-segmenting) whose
        map is not saved yet?  A close then asks Discard / Cancel (DROP_TABLE_RUN), so the
        title's unsaved mark shows from the run's start, a saved map's retraining included
        (testerW #6: the mark stayed off while close asked)."""
        return (self.session.kind == "table" and self.runner.kind == "segment"
                and self.runner.busy and not self.runner.stopping)

    def shows_unsaved(self) -> bool:
        """The title's unsaved mark: True exactly when a close would ask something."""
        return self.unsaved() or self.table_run_unsaved()

    def palette_edited(self) -> bool:
        return self.session.kind == "colours" and palette_edited(self.undo)

    def unsaved_text(self) -> str:
        """The unsaved prompt's question: training, training only in Undo, or palette edits
        alone (tester6 F39)."""
        if self.palette_edited() and not self.session.unsaved:
            return "This window has palette edits that are not saved."
        if self.only_in_undo():
            return self._only_in_undo_words()[0]
        return "This window has training that is not saved."

    def only_in_undo(self) -> bool:
        """Is the unsaved training only in Undo (the map shown is untrained): a Save would
        write the reset map and keep nothing of it?"""
        s = self.session
        return bool(s.unsaved and not s.would_discard_training and s.training_only_in_undo)

    def _only_in_undo_words(self) -> tuple[str, str]:
        """ONLY_IN_UNDO, naming the step that took the training off the map."""
        step = self.session.undo_training_step
        return ONLY_IN_UNDO if step in (None, "Reset weights") else ONLY_IN_UNDO_AFTER_EDIT

    def unsaved_question(self, edits: bool) -> str:
        """The prompt's second line: what Discard leads to (closing, or another file replacing
        the work: "Save it before closing?" was asked when nothing closed, testerW #7)."""
        them = "them" if edits else "it"
        where = " in a map (.somz)" if edits else ""
        if getattr(self, "_unsaved_for", "close") == "open":
            text = f"Opening another file replaces {them}. Save {them}{where} first?"
        else:
            text = f"Save {them}{where} before closing?"
        return text + (" (File › Save palette as… writes a palette file.)" if edits else "")

    def ask_unsaved(self) -> str:
        """"save", "discard" or "cancel" for unsaved training (the prompt, at once).

        Mnemonics: Alt+S saves, Alt+D discards, Esc cancels.  The default button
        is Save only when saving cannot overwrite a saved map with a run restarted
        from scratch; otherwise it is Cancel."""
        s = self.session
        edits = self.palette_edited() and not s.unsaved
        box = QMessageBox(QMessageBox.Icon.Question, "somdesk", self.unsaved_text(), parent=self)
        if not edits and self.only_in_undo():
            # no Save: it writes the reset map shown, and the training would still be lost
            lose = "Opening another file loses it." if getattr(self, "_unsaved_for", "close") == "open" \
                else "Closing now loses it."
            box.setInformativeText(f"{lose} {self._only_in_undo_words()[1]}")
            save = None
        else:
            box.setInformativeText(self.unsaved_question(edits))
            save = box.addButton("&Save", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(cancel)
        restarted = s.path is not None and s.map is not None and s.map.iteration == 0
        box.setDefaultButton(cancel if restarted or save is None else save)
        box.setObjectName("unsaved-prompt")
        self._prompt = box
        box.exec()
        self._prompt = None
        clicked = box.clickedButton()
        return "save" if save is not None and clicked is save else "discard" if clicked is discard else "cancel"

    def _may_drop_table_run(self) -> bool:
        """A table map still being trained, measured after a Stop or re-segmented has no map to
        save yet: closing loses it, so ask Discard / Cancel (the window closed without a word:
        tester6 F15), in words true for the task (a stopped run's measuring is not training)."""
        text, more = DROP_TABLE_RUN.get(self.runner.what, DROP_TABLE_RUN[None])
        box = QMessageBox(QMessageBox.Icon.Question, "somdesk", text, parent=self)
        box.setInformativeText(more)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(cancel)
        box.setDefaultButton(cancel)
        box.setObjectName("unsaved-prompt")
        self._prompt = box
        box.exec()
        self._prompt = None
        return box.clickedButton() is discard

    def may_discard_training(self, opening: bool = False, then=None) -> bool:
        """Before something replaces the workspace (close, or another file when `opening`):
        unsaved training asks Save / Discard / Cancel first.  True when it may go ahead now.

        Save writes the map as a task (gui/window_save.py): this returns False at once, the
        event loop runs on, and `then()` -- the close or the open asked for -- runs once the
        file is written; a failed or stopped save drops it (the window stays, with the
        message).  `then=None`: nothing waits for the save."""
        self._unsaved_for = "open" if opening else "close"
        s = self.session
        if self.confirm_unsaved and self.table_run_unsaved():
            return self._may_drop_table_run()
        if not (self.confirm_unsaved and self.unsaved()):   # the session's work or palette edits
            return True
        was_running = self.runner.state == "running"
        self.runner.pause()                    # the pass under way stops at once
        answer = self.ask_unsaved()
        if answer == "cancel" or (answer == "save" and not self.save()):
            if was_running:
                self.runner.resume()
            return False
        if answer == "save" and self.saving:        # written by a task: go ahead when it is
            if then is not None:
                self.after_save(then)
            return False
        return True
