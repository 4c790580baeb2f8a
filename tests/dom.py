"""The one HTML parser of the tests: a small DOM built with the standard library's HTMLParser,
enough to ask what a reader or a crawler sees (elements, attributes, classes, visible text)."""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class Node:
    def __init__(self, tag: str, pairs: list[tuple[str, str]], parent: Node | None = None) -> None:
        self.tag, self.parent = tag, parent
        # Every attribute as written, a repeated name included (a scanner must see them all);
        # ``attrs`` keeps the first of each name, as a browser does.
        self.pairs = pairs
        self.attrs: dict[str, str] = {}
        for name, value in pairs:
            self.attrs.setdefault(name, value)
        self.children: list[Node | str] = []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Elements below (and including) this one; ``data_x=`` stands for ``data-x=``."""
        wanted = {key.replace("_", "-"): value for key, value in attrs.items()}
        return [node for node in self.iter()
                if (tag is None or node.tag == tag) and (cls is None or cls in node.classes)
                and all(node.attrs.get(key) == value for key, value in wanted.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}>"
        return found[0]

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        """The only element that matches (fails when there are none or several)."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag or '*'} class={cls!r} {attrs}>, found {len(found)}"
        return found[0]

    def hrefs(self) -> list[str]:
        """The targets of the links below this element, in document order."""
        return [a.attrs["href"] for a in self.find_all("a") if a.attrs.get("href")]

    def text(self) -> str:
        """Visible text, spaces collapsed, without the "¶" of heading permalinks."""
        # Collapsed once, at the end: an element holding only a space still separates words.
        return " ".join(self.raw_text().split())

    def raw_text(self) -> str:
        """The text as written, spaces kept (a script's source, say); permalinks left out."""
        return "".join(child if isinstance(child, str) else child.raw_text()
                       for child in self.children
                       if isinstance(child, str) or "headerlink" not in child.classes)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [])
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, [(key, value or "") for key, value in attrs], self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, [(k, v or "") for k, v in attrs], self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
