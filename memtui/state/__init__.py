"""The cockpit's state: typed snapshots, bounded history, incident clock, units. No backend, no Textual."""
