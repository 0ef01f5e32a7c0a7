"""The inference precisions, in a module of their own so that the command line lists them without importing torch."""

PRECISIONS = ("auto", "fp32", "bf16", "int8")
