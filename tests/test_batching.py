"""Inference batches: padding against per-call cost, computed by hand."""

from model.batching import pack_batch, pack_rows, plan_batches


def test_a_jump_in_length_starts_a_new_batch():
    # Together: 64 + 4 * 100 = 464 padded-token units; apart: 64 + 3 * 10 + 64 + 100 = 258.
    assert plan_batches([10, 100, 10, 10], max_batch=16, call_overhead=64) == [[0, 2, 3], [1]]


def test_close_lengths_share_a_batch_when_a_call_costs_more_than_the_padding():
    # Together: 64 + 3 * 12 = 100; apart: 64 + 2 * 10 + 64 + 12 = 160.
    assert plan_batches([12, 10, 10], max_batch=16, call_overhead=64) == [[1, 2, 0]]


def test_no_batch_is_larger_than_max_batch():
    batches = plan_batches([7] * 10, max_batch=4, call_overhead=64)
    assert [len(b) for b in batches] == [2, 4, 4]
    assert sorted(i for b in batches for i in b) == list(range(10))


def test_no_windows_no_batches():
    assert plan_batches([], max_batch=16) == []


def test_windows_are_packed_longest_first_into_the_first_row_with_room():
    # 70 alone (longer than a row); 50 opens a row (14 left); 30 opens one (34 left);
    # 20 fits the third (14 left); 10 fits the second.
    assert pack_rows([50, 30, 20, 10, 70], capacity=64) == [[4], [0, 3], [1, 2]]


def test_a_packed_batch_numbers_windows_from_one_and_pads_short_rows():
    windows = [[5, 6], [7], [8, 9, 10]]
    ids, segments, placed = pack_batch(windows, [[2], [0, 1]], pad_id=1)
    assert ids.tolist() == [[8, 9, 10], [5, 6, 7]]
    assert segments.tolist() == [[1, 1, 1], [2, 2, 3]]
    assert placed == [(2, 0, 0), (0, 1, 0), (1, 1, 2)]
    ids, segments, _ = pack_batch(windows, [[2], [1]], pad_id=1)
    assert ids.tolist() == [[8, 9, 10], [7, 1, 1]] and segments.tolist() == [[1, 1, 1], [2, 0, 0]]
