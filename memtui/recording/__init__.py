"""The flight recorder: every fold the cockpit made, in a SQLite file, for replay and the postmortem.

A recording is the cockpit's input, not its pictures: the sources' expectations, each applied
snapshot, each failed poll, the ranking as it changed and each audit entry, in the order the
main thread folded them.  Folding the frames into a fresh ``CockpitState`` (``fold.apply_frame``)
gives back the state the operator had on screen at any frame.  Pure storage: no Textual, no
backend client; what is handed in is already redacted (audit entries) or holds no secret.
"""
