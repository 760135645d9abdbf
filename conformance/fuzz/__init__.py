"""Hypothesis-driven search for disagreements between adapters and the oracle.

- ``space``: the strategy over valid configurations (case specs, written back as YAML);
- ``classes``: what counts as one disagreement class, and when an expectation explains it;
- ``search``: explore one adapter, then shrink each new class to a minimal case;
- ``writer``: one case file per (adapter, class), valid per the schema;
- ``progress``: the terminal progress line.

``conformance fuzz`` (``conformance.commands.fuzz``) drives them per adapter.
"""
