"""`--engine ray` gives byte-identical output to the local engine, also when resuming."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from scan_corpus import write_corpus

from unspin.corpus.readers import expand_inputs
from unspin.corpus.scan import (
    Parts,
    ScanOptions,
    cut_shards,
    fingerprint,
    group_records,
    make_analyzer,
    plan_groups,
    process_shard,
    scan,
    shard_id,
)

ray = pytest.importorskip("ray")  # the `ray` extra; `make test` installs it


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield
    ray.shutdown()


def test_ray_matches_local_and_resumes(tmp_path: Path, local_ray: None) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, docs=60, seed=3)
    opts = ScanOptions(id_field="doc_id", max_bytes=2000, shard_size=25, fmt="parquet")
    local = tmp_path / "local.parquet"
    scan([str(corpus)], str(local), opts, progress=False)

    via_ray = tmp_path / "ray.parquet"
    m = scan([str(corpus)], str(via_ray), opts, engine="ray", jobs=2, progress=False)
    assert m["engine"] == "ray" and m["records_in"] > 100 and m["errors"] > 3
    assert via_ray.read_bytes() == local.read_bytes()

    # An interrupted earlier run left the first shard done: Ray redoes only the rest.
    resumed = tmp_path / "resumed.parquet"
    files = expand_inputs([str(corpus)])
    parts = Parts(str(resumed), "parquet", fingerprint(files, opts), restart=False)
    first = next(cut_shards(group_records(plan_groups(files, opts.shard_size)[0], opts), opts))
    parts.write_shard(shard_id(0, 0), *process_shard(make_analyzer(opts), first, opts))
    m = scan([str(corpus)], str(resumed), opts, engine="ray", jobs=2, progress=False)
    assert m["resumed_records"] == 25
    assert resumed.read_bytes() == local.read_bytes()
