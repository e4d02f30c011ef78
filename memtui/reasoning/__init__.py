"""Reasoning over the evidence: which of the runbook's causes this is, and what to do about it.

Pure functions over snapshots and history: no I/O, no Textual.  The sources gather the evidence
(``memtui/sources/evidence.py``); this package weighs it.
"""
