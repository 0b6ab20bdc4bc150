"""Reduce HTML (from Moodle files) to the plain text our questions hold."""

from html.parser import HTMLParser


class _TextOnly(HTMLParser):
    """Collect the text of HTML, with paragraph and line breaks as newlines."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
    HIDDEN = {"script", "style"}  # their content is not text

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """A block or break starts a new line; script and style hide what they hold."""
        if tag in self.BREAKS:
            self.parts.append("\n")
        elif tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        """The end of a script or style."""
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        """Keep text (a line break in HTML source is a space)."""
        if not self.hidden:
            self.parts.append(data.replace("\n", " "))


def html_to_text(text: str) -> str:
    """Reduce HTML to its text: tags dropped, entities resolved, blocks on their own lines."""
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
