"""Jobs: the pipeline's stages wired together, one module per command that runs them.

:mod:`.compare` (two documents, in memory), :mod:`.scan` (a corpus into a workspace), :mod:`.add`
(new documents into a workspace) and :mod:`.spark` (a scan's stages as Spark jobs).
"""
