"""The instructor's grader: ``python -m book grade`` (see instructors.md)."""
