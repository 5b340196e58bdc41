"""The table mode's work, run in worker threads through `jobs.JobRunner`: prepare the
chosen columns, cluster the codebook (with a per-cluster summary), write the
assignments CSV.  No widgets here.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from somdesk.core.clustering import cluster_codebook, row_assignments
from somdesk.io.tables.assignments import write_assignments_csv


def prepare_job(table, key):
    def run(job):
        prep = table.prepare(*key)
        names = sorted({s for s in prep.labels if s}) if prep.labels is not None else []
        return key, prep, names
    return run


def cluster_job(weights, bmus, labels, k, method, topology):
    def run(job):
        clusters = cluster_codebook(weights, k, seed=1, method=method, topology=topology)
        of_row = clusters[bmus[:, 0], bmus[:, 1]]
        lines = []
        for c in range(int(clusters.max()) + 1):
            rows = np.flatnonzero(of_row == c)
            line = f"{c}: {len(rows):,} rows"
            if labels is not None and len(rows):
                top = Counter(labels[i] for i in rows if labels[i]).most_common(1)
                if top:
                    line += f" · {top[0][1] / len(rows):.0%} {top[0][0]}"
            lines.append(line)
        return clusters, lines
    return run


def export_job(path, prep, weights, clusters):
    def run(job):
        rows = row_assignments(prep, weights, clusters)
        write_assignments_csv(path, rows)
        return path, len(rows)
    return run
