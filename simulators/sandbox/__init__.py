"""Running candidate programs (hostile until proven otherwise) away from the trusted parent.

``protocol``: the one JSON report a child may send back, size-capped and validated.
``candidate``: what runs inside the child (compile, find the entry point, call the kind).
``runner``: the parent side (spawn, time out, kill the process group, read the report).
"""
