"""The UI shell: the Textual app, its keys, polling and the process around it (crash, signals)."""
