"""`cluster`: spins of one text form one family, even without the original present."""

from __future__ import annotations

import lzma
import sys

from unspin.resources.paths import REPO_ROOT, shared_data_dir
from unspin.trace import cluster

sys.path.insert(0, str(REPO_ROOT))
from benchmarks.spinner import Spinner, load_dictionary  # noqa: E402


def _articles(n: int) -> list[str]:
    """The first `n` held-out articles with at least 80 words, one string each."""
    out: list[str] = []
    path = shared_data_dir() / "enwiki-slices/enwiki2021slice_part01.txt.xz"
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for block in f.read(3_000_000).split("\n\n")[:-1]:
            body = "\n".join(line for line in block.splitlines() if not line.startswith("= "))
            if len(body.split()) >= 80:
                out.append(body)
    return out[:n]


def test_spun_variants_group_into_families() -> None:
    arts = _articles(40)
    moby = load_dictionary("moby")
    docs = []
    for k, seed in enumerate((1, 2, 3)):  # three spins of article 0, no original
        docs.append((f"a{k}", Spinner(moby, 0.2, seed).spin(arts[0]).text))
    docs.append(("b-original", arts[1]))
    docs.append(("b-spun", Spinner(moby, 0.3, 7).spin(arts[1]).text))
    docs += [(f"other{i}", arts[i]) for i in range(2, 40)]
    docs.append(("b-exact", arts[1]))
    docs.append(("empty", ""))
    families = cluster(docs, jobs=2)
    members = {tuple(f.members) for f in families}
    assert ("a0", "a1", "a2") in members
    assert ("b-original", "b-spun", "b-exact") in members
    assert sum(len(f.members) for f in families) == len(docs)  # everything accounted for
    assert all(len(f.members) == 1 for f in families if f.representative.startswith("other"))
