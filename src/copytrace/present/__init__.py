"""Present: what users read, from a workspace.

:mod:`.views` gives each view as plain data; :mod:`.pages` renders it (Jinja2, escaped); the static
:mod:`.report` and the web app (:mod:`.serve`, with :mod:`.search`) share them; :mod:`.trace` is one
article's story for the terminal.
"""
