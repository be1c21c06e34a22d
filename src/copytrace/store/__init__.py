"""Store: the workspace, a folder of Parquet tables every stage reads and writes.

:mod:`.workspace` holds the tables and their schemas; :mod:`.blocks` streams documents through a
scan a block at a time; :mod:`.export` writes the site and document graphs for other tools.
"""
