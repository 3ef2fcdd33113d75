"""Developer tools: the process-file generator and diagram renderer (not part of the installed package)."""
