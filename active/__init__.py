"""Active learning: which unlabelled articles an annotator should label next."""
