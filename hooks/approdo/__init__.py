"""Approdo's domain logic: pure functions with no MkDocs import.

The hooks in the parent folder are thin MkDocs event handlers over these modules; the lead
receiver (``leads``) imports the form contract from here, so the page and the server share one
definition of every field.
"""
