"""The mapping config (`.github/tmsaction.yml`): `load.py` reads it, `keys*.py` declare every key,
`model.py` holds the frozen result, `schema.py` writes the JSON Schema. Pure after the file is read.
"""
