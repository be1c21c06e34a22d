"""Match: documents into aligned passage pairs, with a verdict.

Text is normalized with a map back to the user's characters (:mod:`.normalize`), hashed into words
and winnowed n-gram fingerprints (:mod:`.fingerprint`); site templates and extraction artifacts are
set aside (:mod:`.boilerplate`, :mod:`.artifacts`); an inverted index of fingerprints proposes
candidate pairs (:mod:`.candidates`), which are aligned into passages (:mod:`.align`) and scored
(:mod:`.score`).
"""
