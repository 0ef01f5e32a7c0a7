"""Deriving the stand-off texts from their public origins.

The repository holds no text of the Syrian Archive, Wikinews or UN sources. For
each stand-off text it holds a recipe (``annotations/standoff/origins/``): the
origin file (pinned repository, commit and path, with the file's sha256), how
that file is normalised, and the edit operations that turn the normalised
origin into the text: ranges copied and at most a few inserted characters.
``arabic-events corpus fetch`` downloads the origin files (or reads a local
copy), applies the recipes and checks every text's sha256.
"""
