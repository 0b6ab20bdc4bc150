"""Read a bank's YAML into plain Python data plus the line of every value (for error messages)."""

import re
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path_ = tuple[str | int, ...]
_KEY_LINE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:")


@dataclass
class LoadedYaml:
    """The data of a YAML document, the line of each path in it, and problems found on the way."""

    data: object = None
    lines: dict[Path_, int] = field(default_factory=dict)
    # (line, path, message) for duplicate mapping keys and keys that are not plain scalars.
    problems: list[tuple[int, Path_, str]] = field(default_factory=list)
    open_nodes: set[int] = field(default_factory=set, repr=False)

    def line_of(self, path: Path_) -> int:
        """Return the line of the longest prefix of the path that has one (1 if none)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


class YamlSyntaxError(Exception):
    """The text is not valid YAML; carries the 1-based line and the nearest key name."""

    def __init__(self, line: int, key: str | None, message: str):
        super().__init__(message)
        self.line, self.key, self.message = line, key, message


def load(text: str) -> LoadedYaml:
    """Parse YAML safely (no Python objects) and record the line of every mapping value."""
    try:
        # The reader refuses control characters as soon as it is made.
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, None, f"YAML syntax: {error}") from None
    try:
        root = loader.get_single_node()
        result = LoadedYaml()
        if root is not None:
            result.data = _convert(loader, root, (), result)
        return result
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or str(error)
        context = f" ({error.context})" if error.context else ""
        message = f"YAML syntax: {problem}{context}"
        raise YamlSyntaxError(line, _nearest_key(text, line), message) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, None, f"YAML syntax: {error}") from None
    finally:
        loader.dispose()


def _nearest_key(text: str, line: int) -> str | None:
    """Return the mapping key written on the given line or the closest line above it."""
    lines = text.split("\n")
    for number in range(min(line, len(lines)), 0, -1):
        match = _KEY_LINE.match(lines[number - 1])
        if match:
            return match.group(1)
    return None


def _convert(loader: yaml.SafeLoader, node: Node, path: Path_, result: LoadedYaml) -> object:
    """Turn a node into dicts, lists and scalars, recording lines and duplicate keys."""
    result.lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in result.open_nodes:
        result.problems.append((node.start_mark.line + 1, path, "an alias may not contain itself"))
        return None
    if isinstance(node, MappingNode | SequenceNode):
        result.open_nodes.add(id(node))
        try:
            return _convert_collection(loader, node, path, result)
        finally:
            result.open_nodes.discard(id(node))
    return loader.construct_object(node)


def _convert_collection(
    loader: yaml.SafeLoader, node: MappingNode | SequenceNode, path: Path_, result: LoadedYaml
) -> dict | list:
    """Convert a mapping or sequence node (see _convert)."""
    if isinstance(node, MappingNode):
        loader.flatten_mapping(node)
        mapping: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                result.problems.append((key_line, path, "a key must be a plain name"))
                continue
            key = loader.construct_object(key_node)
            if not isinstance(key, str | int) or isinstance(key, bool):
                key = str(key_node.value)
            child = (*path, key)
            if key in mapping:
                result.problems.append(
                    (key_line, child, f"duplicate key '{key}' (first on line {first_line[key]})")
                )
                continue
            first_line[key] = key_line
            # A value is reported on its key's line: block scalars start on the next one.
            result.lines[child] = key_line
            mapping[key] = _convert(loader, value_node, child, result)
        return mapping
    return [_convert(loader, item, (*path, index), result) for index, item in enumerate(node.value)]
