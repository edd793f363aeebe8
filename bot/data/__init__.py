"""Word lists and tables the text rules read: one entry a line, «#» opens a comment."""

from importlib import resources


def data_lines(name: str) -> list[str]:
    text = resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
