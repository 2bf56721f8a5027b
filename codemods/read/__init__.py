"""Readers: one module per hand-written hook shape, each turning a hook into
part of a class's policy, or into the reason it cannot."""
