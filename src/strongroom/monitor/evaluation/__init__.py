"""Evaluation of the detectors on synthetic staff activity with labelled insider scenarios.

``generator`` simulates a staff population as audit entries, ``scenarios`` injects labelled
insider behaviour into it, ``metrics`` scores alerts at a fixed alert budget, ``baselines`` holds
the naive detector the benchmark compares against, and ``detectors`` adapts the monitor's
detector registry to the alerts the metrics read. Pure: no I/O, no storage.
"""
