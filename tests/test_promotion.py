"""When `retrain` promotes its candidate: never on all-zero scores, never when the merge lost spans unasked."""

import pytest

from training.retrain import promotion_verdict


def scores(event_f1: float) -> dict:
    """The part of ``training.metrics.score``'s result that the promotion reads."""
    return {"events": {"events": {"f1": event_f1}}}


@pytest.mark.parametrize("force", [False, True])
def test_a_candidate_scoring_zero_like_the_reference_is_never_promoted(force):
    assert promotion_verdict(scores(0.0), scores(0.0), 94, 94, tolerance=0.01, force=force) == (
        False, "event F1 0.000 on the evaluation split, as the reference: nothing shows that it works")


def test_a_candidate_scoring_zero_is_not_promoted_when_nothing_was_served():
    promoted, reason = promotion_verdict(scores(0.0), None, 94, 94, tolerance=0.01)
    assert not promoted and reason.endswith("and no model was served before: nothing shows that it works")


def test_a_candidate_trained_on_data_that_lost_spans_is_not_promoted():
    assert promotion_verdict(scores(0.8), scores(0.7), 287, 286, tolerance=0.01) == (
        False, "the training data lost spans (287 before the merge, 286 after); give --allow-emptying if that was meant")


def test_losing_spans_was_asked_for_so_the_scores_decide():
    assert promotion_verdict(scores(0.8), scores(0.7), 287, 238, tolerance=0.01, allow_emptying=True) == (
        True, "event F1 0.800 vs 0.700: within the tolerance 0.01")


def test_a_candidate_within_the_tolerance_is_promoted():
    assert promotion_verdict(scores(0.695), scores(0.7), 287, 294, tolerance=0.01) == (
        True, "event F1 0.695 vs 0.700: within the tolerance 0.01")


def test_a_candidate_beyond_the_tolerance_is_not_promoted():
    assert promotion_verdict(scores(0.6), scores(0.7), 287, 294, tolerance=0.01) == (
        False, "event F1 0.600 vs 0.700: beyond the tolerance 0.01")
