"""No import cycles anywhere in desktop/: every module can be read (and split) on its own."""

from __future__ import annotations

import grimp


def test_no_module_in_desktop_imports_itself_back():
    graph = grimp.build_graph("desktop")
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                cycles.add(" -> ".join((module, *chain)))
    assert not cycles, "import cycles: " + "; ".join(sorted(cycles))
