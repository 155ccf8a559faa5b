"""storyreader: a keyboard-driven terminal feed reader."""

__version__ = "0.1.0"
