"""The worker pool of index/trace: results in input order, input read a window at a time."""

from __future__ import annotations

from unspin.trace import engine


def _noop() -> None:
    pass


def test_bounded_imap_keeps_order_and_reads_the_input_lazily() -> None:
    pulled = 0
    n = 5 * engine._WINDOW + 17

    def items():
        nonlocal pulled
        for i in range(n):
            pulled += 1
            yield -i

    pool = engine.make_pool(2, _noop, ())
    try:
        out = engine.bounded_imap(pool, abs, items(), 64)
        first = next(out)
        # plain pool.imap would have read all n items by now
        assert pulled <= 2 * engine._WINDOW
        assert [first, *out] == list(range(n))
    finally:
        pool.terminate()
        pool.join()
    assert pulled == n


def test_bounded_imap_on_empty_and_short_inputs() -> None:
    pool = engine.make_pool(2, _noop, ())
    try:
        assert list(engine.bounded_imap(pool, abs, [], 8)) == []
        assert list(engine.bounded_imap(pool, abs, [-1, -2, 3], 8)) == [1, 2, 3]
    finally:
        pool.terminate()
        pool.join()
