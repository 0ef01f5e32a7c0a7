"""Event records: one normalised, deduplicated record per incident, across articles.

The tagger finds mentions (``model.predictor`` response objects); this package turns
them into what conflict-data coders work with (ACLED-style rows):

* ``arabic``: folding Arabic spelling variants and clitics for lookups (never for output).
* ``numbers``, ``dates``, ``places``, ``actors``, ``weapons``: one normaliser each.
* ``mentions``: one event of a response object, with its normalised fields.
* ``merge``: mentions into records within an article, records across articles, retaliation links.
* ``records``: the record schema and ``build_records``, the one entry point.
* ``export``: JSONL, CSV (ACLED column order) and GeoJSON.

Everything here is a pure function of the response objects and the articles' metadata:
no model is needed to test it.
"""
