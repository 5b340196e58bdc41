"""The dock's answers to the table model's events: a map trained, re-clustered or opened, another
label column, the selection, hovering (a mixin of gui/table_workflow.TableWorkflow).

    ws.events.map_changed -> wf._map_changed(tm)         # every view of the map again
    ws.events.labels_changed -> wf._labels_changed(col)
    ws.events.selection_changed -> wf._rows_selected(rows)

The state is the session's TableWorkspace (`ws`); these only redraw widgets from it.
"""
from __future__ import annotations

from somdesk.core.options import count_text
from somdesk.gui.table_dock import NO_SELECTION
from somdesk.io.names import display_basename, display_name
from somdesk.session.table_size import trained_rows

__all__ = ["TableMapEvents"]


class TableMapEvents:
    """Redraws on the model's map, label and selection events (see module docstring)."""

    def _map_changed(self, tm) -> None:
        """A map trained, re-clustered or opened (or None: gone): every view of it again."""
        if not self._alive():
            return
        ws = self.ws
        if tm is None:
            self._clear_map_widgets()
            if ws.table is not None:
                self._estimate_auto()
            self.refresh()
            return
        self._scale_installed()
        self.auto_line.cancel()             # an "auto" asked for before the map came must not replace its line
        cfg = tm.config
        self.segment_choice.clear()
        self.segment_choice.addItem("—", None)
        pics = ws.shown_pictures()         # made by the map's task: only shown here (testerW #3)
        self.rows_model.set_columns(ws.row_columns(), pics.get("row_formats"))
        if ws.assigned is not None:
            for i, s in enumerate(ws.profiles["segments"]):
                self.segment_choice.addItem(f"segment {s} ({count_text(int(ws.profiles['size'][i]), 'row')})", s)
        else:      # a saved map without its table: hits of the rows the map keeps
            for s in range(tm.k):
                self.segment_choice.addItem(f"segment {s}", s)
        if ws.loaded and ws.table is not None and ws.spec is not None:
            self._show_spec(ws.spec)                # a reopened map: its recipe in the Setup tab
        elif ws.loaded and ws.spec is not None:
            self._show_map_choices(ws.spec)         # without its table: its k and label at least
        i = self.setup.label.findData(ws.label_column)
        if i >= 0 and i != self.setup.label.currentIndex():       # the map's label column, shown
            self.setup.label.blockSignals(True)
            self.setup.label.setCurrentIndex(i)
            self.setup.label.blockSignals(False)
        self.setup.show_curve(tm.curve, tm.k)
        # rows trained on: known for a run of this window; a saved map keeps only its inputs (an
        # out-of-core map's are its sample), so a reopened one does not say
        ooc = ws.out_of_core or {}
        rows = ooc.get("rows") or (None if ws.loaded or tm.inputs is None else trained_rows(len(tm.inputs)))
        self.setup.show_trained(cfg.height, cfg.width, cfg.iterations, rows)
        self.profiles_view.show_profiles(ws.profiles, ws.top_items, picture=pics.get("profiles"),
                                         top_note=self._zeros_note(tm))
        if ws.profiles is None and ws.table is None:     # not "Train the table map…" on a trained map
            self.profiles_view.note.setText(self.profiles_missing())
        self._fill_views()
        self.draw_map()
        # the model's labels_changed follows at once with this label: drawn already (testerW #3:
        # the views list and the map were made twice per map, 0.3 s for a 500-column table)
        self._drawn_with = (tm, ws.label_column)
        self.show_planes()                  # drawn when its tab shows (gui/planes_sheet.py)
        self.map_view.select_nodes(ws.selected, emit=False)
        self._rows_selected(ws.selected_rows)
        what = "Opened table map" if ws.loaded else "Table map"
        if ws.stopped:
            what += f" (stopped after epoch {tm.epochs_done} of {cfg.iterations}: Train continues it)"
        note = self._show_warnings()
        epochs = "" if ws.stopped else f", {count_text(cfg.iterations, 'epoch')}"     # stopped: said in `what` (tester8 #15)
        self._map_message = (f"{what} {cfg.height} × {cfg.width}{epochs}: quantization error "
                             f"{tm.quantization_error:.4f}, topographic error {tm.topographic_error:.3f}; "
                             f"{count_text(tm.k, 'segment')}.{note}")
        runner = self.win.runner
        if not (ws.loaded and runner.busy and runner.kind == "open"):
            # a map opened by File › Open: said once, after the window's "Opened x (map)" when the
            # open ends (gui/table_runs._finished), not also before it (testerG #12: shown twice)
            self.win.statusBar().showMessage(self._map_message, 15000)
        if not self.dock.isVisible():
            self.show_dock()
        if self.tabs.currentIndex() == 0:
            self.tabs.setCurrentIndex(1)
        self.refresh()
        self.win.refresh()

    def _show_spec(self, spec) -> None:
        """The Setup tab shows `spec` (TableWorkspace.spec of a reopened map), so Train repeats it;
        no edit signal fires (no re-clustering, no estimate)."""
        su = self.setup
        widgets = (su.label, su.k, su.normalise, su.missing, su.topology, su.height, su.width, su.epochs)
        su._updating = True
        for w in widgets:
            w.blockSignals(True)
        try:
            for c in [r.name for r in su.columns.choices()]:
                used = c in (spec.columns or ())
                su.set_column(c, use=used, passive=c in spec.passive, weight=spec.weights.get(c, 1.0),
                              categorical=(c in spec.categorical) if used else None)
            su.label.setCurrentIndex(max(0, su.label.findData(spec.label)))
            for combo, text in ((su.normalise, spec.normalise), (su.missing, spec.missing),
                                (su.topology, spec.topology)):
                if combo.findText(str(text)) >= 0:
                    combo.setCurrentText(str(text))
            su.height.setValue(spec.height or 0)
            su.width.setValue(spec.width or 0)
            su.epochs.setValue(spec.epochs or 0)
            su.k.setValue(spec.clusters or 0)
        finally:
            for w in widgets:
                w.blockSignals(False)
            su._updating = False

    def profiles_missing(self) -> str:
        """Why a reopened map shows no profiles: they are of its rows, and its table is not open."""
        tm = self.ws.tm
        name = display_basename((tm.source or tm.source_path or "") if tm is not None else "") or "its table"
        why = f" ({self.ws.map_note})" if self.ws.map_note else ""
        return f"Profiles need the map's table {name}{why}: open it (File › Open) to see them."

    def _show_map_choices(self, spec) -> None:
        """A reopened map without its table: the Setup tab shows its number of segments and its
        label column (tester8 #8: "suggested" and "(none)" for a map saved with k = 4 and a label),
        no edit signal fires."""
        su = self.setup
        su._updating = True
        for w in (su.label, su.k):
            w.blockSignals(True)
        try:
            su.k.setValue(spec.clusters or 0)
            label = self.ws.label_column
            if label is not None and su.label.findData(label) < 0:
                su.label.addItem(display_name(label), label)
            su.label.setCurrentIndex(max(0, su.label.findData(label)))
        finally:
            for w in (su.label, su.k):
                w.blockSignals(False)
            su._updating = False

    def _show_warnings(self) -> str:
        """The map's note and warnings in the dock's wrapping label; returns that note (the
        status bar says it too)."""
        ws = self.ws
        note = f"  Rows not shown: {ws.map_note}." if ws.loaded and ws.map_note else ""
        reason = ws.untrainable_reason() if ws.tm is not None else None
        note += f"  {reason} to train it again." if reason else ""    # testerW #5
        warned = "; ".join(ws.warnings)
        note += f"  Warning: {warned}." if warned else ""
        # also in the dock's wrapping label: the status bar cuts a long note (a changed table's
        # reason and advice) at the window's width and drops it after 15 s (tester12 #3)
        self.warnings_label.setText(note.strip())
        self.warnings_label.setVisible(bool(note))
        self.locate_button.setVisible(self.may_locate())
        return note

    def may_locate(self) -> bool:
        """Does Locate table… apply: a reopened map shown without its table (ws.map_note says why)?"""
        ws = self.ws
        return bool(ws.loaded and ws.tm is not None and ws.table is None and ws.map_note)

    def _labels_changed(self, column) -> None:
        """Another label column (from the Setup tab or the model: Session.set_label_column): the
        Setup tab's combo shows it, the views list and the map follow (no retraining)."""
        if not self._alive():
            return
        combo = self.setup.label
        i = combo.findData(column)
        if i >= 0 and i != combo.currentIndex():
            combo.blockSignals(True)          # the model changed it: no "edited" back to the model
            combo.setCurrentIndex(i)
            combo.blockSignals(False)
        drawn, self._drawn_with = getattr(self, "_drawn_with", None), None
        if self.ws.tm is not None:
            if drawn is None or drawn[0] is not self.ws.tm or drawn[1] != column:
                self._fill_views()
                self.draw_map()
            # a label picked again after training: its numeric-label warning, as training shows it
            self._show_warnings()
            from somdesk.session.table_columns import NUMERIC_LABEL
            numeric = [w for w in self.ws.warnings if w.startswith(NUMERIC_LABEL)]
            if numeric:
                self.win.statusBar().showMessage(f"Warning: {numeric[-1]}.", 15000)

    def _pick_segment(self, _i: int) -> None:
        s = self.segment_choice.currentData()
        if s is not None and self.ws.tm is not None:
            self.select_segment(int(s))

    def select_segment(self, s: int) -> None:
        i = self.segment_choice.findData(int(s))
        if i >= 0 and i != self.segment_choice.currentIndex():
            self.segment_choice.setCurrentIndex(i)
        self.map_view.select_nodes(self.ws.segment_nodes(s))

    def _selected(self, nodes) -> None:
        """The map view's selection (clicks, drags, a segment) goes to the model."""
        if self.ws.tm is not None:
            self.ws.select_nodes(nodes)

    def _zeros_note(self, tm) -> str | None:
        """The top items' warning when zeros of the map's numeric columns may mean "not rated"
        (session.unrated; judged on the table's read, so cheap here), or None without the table."""
        from somdesk.session.unrated import map_zero_warning

        return map_zero_warning(tm, self.ws.table)

    def _rows_selected(self, rows) -> None:
        if not self._alive():
            return
        ws = self.ws
        if ws.whole_segment() is None:
            self.segment_choice.setCurrentIndex(0 if self.segment_choice.count() else -1)
        self.rows_model.set_rows(rows)
        n = len(ws.selected)
        self.selection_label.setText(f"{count_text(n, 'node')} selected: {count_text(len(rows), 'row')}"
                                     if n else NO_SELECTION)
        self.refresh()

    def _row_hovered(self, i: int) -> None:
        ws = self.ws
        node = ws.node_of(i) if i >= 0 else -1
        self.map_view.highlight(node)
        text = ws.describe_row(i) if node >= 0 else ""
        self.hover_label.setText(text)
        self.win.hover.setText(text)
