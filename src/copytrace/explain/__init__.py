"""Explain: what was changed, whether the source was credited, and who copied whom.

:mod:`.edits` labels the edit script between aligned passages; :mod:`.credit` reads attribution
statements (with :mod:`.outlets`, the names outlets go by); :mod:`.provenance` gives every pair a
direction and builds the copy trees; :mod:`.site_stats` counts them per site.
"""
