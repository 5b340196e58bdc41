"""Run the batch map's per-partition work on a Dask cluster (optional extra).

    pip install "somdesk[cluster]"
    somdesk train --table "s3-or-shared/*.parquet" --mode batch --dask local:2 ...
    somdesk train --table "/shared/events/*.parquet" --mode batch --dask tcp://scheduler:8786 ...

One task per partition (file, first row, end row) computes that partition's
per-node sums with the same kernel as one process
(`somdesk.session.outofcore.partition_sums`); the codebook is scattered to every
worker once per epoch; the partial results are added pairwise in a fixed
binary tree over the partition order, on the workers, so only one (M, D)
result comes back and the sum does not depend on which worker finished first.
If a worker dies mid-epoch, Dask's scheduler reruns its tasks elsewhere; the
task is a pure function of (partition, codebook), so the epoch's result is the
same.  Workers must see the data at the same path (a shared filesystem or an
object-store URL DuckDB can read) and have somdesk installed.
"""
from __future__ import annotations

from somdesk.core.cancel import CancelToken, check
from somdesk.errors import OptionError, SomdeskError


def _distributed():
    try:
        import distributed
    except ImportError:
        raise SomdeskError("--dask needs the cluster extra: pip install \"somdesk[cluster]\"") from None
    return distributed


def parse_address(spec: str) -> tuple[str, int | str]:
    """'local' / 'local:N' -> ('local', N); 'tcp://host:port' -> ('remote', spec)."""
    spec = spec.strip()
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2] or "2"
        if not n.isdigit() or not 1 <= int(n) <= 256:
            raise OptionError(f"--dask {spec!r}: the number of local workers must be 1-256")
        return "local", int(n)
    if spec.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
        return "remote", spec
    raise OptionError(f"--dask {spec!r}: give local, local:N or a scheduler address such as tcp://host:8786")


class DaskExecutor:
    """map_reduce over partitions on a Dask client; owns a LocalCluster it started."""

    name = "dask"

    def __init__(self, spec: str = "local:2", client=None):
        distributed = _distributed()
        self._cluster = None
        if client is not None:
            self.client = client
            return
        kind, arg = parse_address(spec)
        if kind == "local":
            self._cluster = distributed.LocalCluster(n_workers=arg, threads_per_worker=1, processes=True,
                                                     dashboard_address=":0", silence_logs=40)
            self.client = distributed.Client(self._cluster)
        else:
            try:
                self.client = distributed.Client(arg, timeout=30)
            except (OSError, TimeoutError) as exc:
                raise SomdeskError(f"cannot reach the Dask scheduler at {arg}: {exc}") from None

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def map_reduce(self, func, parts, reduce, cancel: CancelToken | None = None, **kwargs):
        check(cancel)
        shared = {k: (self.client.scatter(v, broadcast=True) if k == "codebook" else v)
                  for k, v in kwargs.items()}
        level = [self.client.submit(func, part, pure=False, **shared) for part in parts]
        while len(level) > 1:   # fixed pairwise tree over the partition order
            nxt = [self.client.submit(reduce, level[i], level[i + 1], pure=False)
                   for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        future = level[0]
        distributed = _distributed()
        while not future.done():   # wait in slices so a stop request is seen
            if cancel is not None and cancel.cancelled:
                self.client.cancel(level)
                check(cancel)
            try:
                distributed.wait(future, timeout=0.1)
            except TimeoutError:
                pass
        try:
            return future.result()
        except SomdeskError:
            raise
        except Exception as exc:
            raise SomdeskError(f"a Dask task failed: {exc}") from None

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
