"""The import graph keeps the shape that CONVENTIONS.md describes.

Every module under portal/ is parsed with `ast` (nothing is imported), and
each `import` and `from ... import` becomes an edge, at module level and
inside functions alike: a function-level import is still a dependency, it
only runs later. `from portal.x import y` points at the submodule
`portal.x.y` when `y` is one, else at `portal.x` (its __init__). Imports
under `if TYPE_CHECKING:` never run: they are left out of the cycle checks
but still count for the layer rules, because naming another layer's type is
still depending on it. Dynamic imports (`importlib.import_module(...)`, used
by the app factory to find each area's blueprint) are not seen.

Cycles, and packages that register their children
--------------------------------------------------
Importing `portal.routes.agreements.blueprint` runs
`portal/routes/agreements/__init__.py` first, and that __init__ imports
`views` and `actions` to register them; `views` in turn imports
`blueprint`. If "importing a submodule runs its parent packages" were an
edge, every package that registers its children would be a cycle with each
of them, and every module would depend on `portal/__init__.py` and so on the
whole app factory. That is normal Python, not a defect, so:

* the implicit edge child -> ancestor package is NOT drawn: a module
  depends on its parent package only when it imports something that the
  package's __init__ itself defines (`from portal.routes.agreements import bp`
  where `bp` is not a submodule, or `import portal.routes.agreements` to use
  its attributes);
* the explicit edge package -> its own child (the registration import) IS
  drawn, like any other edge.

So a package whose __init__ only imports its own children is never part of
a cycle, while a child that needs a name from its parent's half-run __init__
(the old "blueprint in __init__, views imported at the bottom" shape) is
reported, because that really is a cycle that only works by import order.

Each cycle is reported as a path `a -> b -> a`, with the line of every
import in it; the strongly connected components are found with Tarjan's
algorithm, and each is reported as the shortest cycle through each of its
modules (one per distinct cycle).

Areas and layers
----------------
A module's area is the name after `portal.services.`, `portal.routes.` or
`portal.forms.`; `auth` and `admin` are `accounts`, `maps` and `regions` are
`coverage`; `main` and `api` are view-only areas; `portal.forms.boundary`, `portal.forms.choices`,
`portal.forms.helpers`, `portal.forms.submission` and `portal.forms.attachments` are shared by all areas
(no area). The rules:

* an area imports no other area's views (`portal.routes.*`) or forms
  (`portal.forms.<area>`);
* no module imports a `_private` name from another portal module
  (`from x import _y`, or `x._y` where `x` names an imported portal module);
* `portal.core`, `portal.domain`, `portal.models` and `portal.web` import no
  area (`portal.services`, `portal.routes`, `portal.forms`, `portal.devdata`,
  `portal.cli`), and `portal.domain` imports neither Flask nor SQLAlchemy
  (nor the portal modules made of them: models, extensions, web);
* services import nothing above them: `portal.routes`, `portal.web`,
  `portal.forms`;
* the area graph (an edge when a module of one area imports a module of
  another) has no cycle.

The checker functions take the root directory that holds `portal/`; the
control cases at the bottom run them on small fake packages to show that
each rule can fail.
"""
from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "portal"

AREA_LAYERS = ("services", "routes", "forms")
AREA_ALIASES = {"auth": "accounts", "admin": "accounts", "maps": "coverage", "regions": "coverage"}
SHARED_FORMS = frozenset({"attachments", "boundary", "choices", "helpers", "submission"})
LOWER_LAYERS = ("core", "domain", "models", "web")
AREA_PACKAGES = ("services", "routes", "forms", "devdata", "cli")
ABOVE_SERVICES = ("routes", "web", "forms")
FRAMEWORKS = frozenset({"flask", "flask_login", "flask_migrate", "flask_sqlalchemy", "flask_wtf", "sqlalchemy",
                        "werkzeug", "wtforms"})
NOT_PURE = ("models", "extensions", "web")  # portal modules that are Flask or SQLAlchemy


# --- reading the imports --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # a portal module (resolved to the submodule), or an external top-level package
    line: int
    names: tuple[str, ...] = ()  # what a from-import takes from `target` (checked for _private names)
    external: bool = False
    in_function: bool = False
    type_checking: bool = False

    def where(self, modules: dict[str, Path], root: Path) -> str:
        path = modules[self.source].relative_to(root).as_posix()
        return f"{path}:{self.line}" + (" (in a function)" if self.in_function else "")


@dataclass(frozen=True)
class PrivateUse:
    source: str
    module: str  # the portal module whose private name is used
    name: str
    line: int


def discover(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under root/package."""
    modules: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of a dotted name that is a portal module."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, modules: dict[str, Path], package: str):
        self.module, self.is_package, self.modules, self.package = module, is_package, modules, package
        self.imports: list[Import] = []
        self.bindings: dict[str, str] = {}  # local name -> portal module it is bound to
        self.functions = 0
        self.type_checking = 0

    def _add(self, target: str, line: int, names: tuple[str, ...] = (), external: bool = False) -> None:
        self.imports.append(Import(self.module, target, line, names, external, self.functions > 0,
                                   self.type_checking > 0))

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.module.split(".")
        if not self.is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        return ".".join(parts + ([node.module] if node.module else []))

    def _internal(self, name: str) -> bool:
        return name == self.package or name.startswith(self.package + ".")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions += 1
        self.generic_visit(node)
        self.functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.type_checking += 1
        for child in node.body:
            self.visit(child)
        self.type_checking -= 1
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not self._internal(alias.name):
                self._add(alias.name.split(".")[0], node.lineno, external=True)
                continue
            target = _known(alias.name, self.modules)
            if target is None:
                continue
            self._add(target, node.lineno)
            if alias.asname:
                self.bindings[alias.asname] = target
            else:  # `import portal.x.y` binds `portal`; attribute chains are followed from there
                self.bindings[alias.name.split(".")[0]] = self.package

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node)
        if not self._internal(base):
            self._add(base.split(".")[0], node.lineno, external=True)
            return
        target = _known(base, self.modules)
        if target is None:
            return
        names: list[str] = []
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in self.modules:
                self._add(submodule, node.lineno, (alias.name,) if _is_private(alias.name) else ())
                self.bindings[alias.asname or alias.name] = submodule
            else:
                names.append(alias.name)
        if names:
            self._add(target, node.lineno, tuple(names))


def _private_uses(tree: ast.AST, module: str, bindings: dict[str, str], modules: dict[str, Path]) -> set[PrivateUse]:
    """`x._y` where `x` is a name bound to a portal module by an import."""
    found: set[PrivateUse] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain: list[str] = []
        value: ast.expr = node
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if not isinstance(value, ast.Name) or value.id not in bindings:
            continue
        chain.reverse()
        current = bindings[value.id]
        for attr in chain:
            if f"{current}.{attr}" in modules:
                current = f"{current}.{attr}"
                continue
            if _is_private(attr) and current != module:
                found.add(PrivateUse(module, current, attr, node.lineno))
            break
    return found


@dataclass
class Graph:
    root: Path
    modules: dict[str, Path]
    imports: list[Import]
    private_uses: list[PrivateUse]

    def internal(self) -> Iterable[Import]:
        return (i for i in self.imports if not i.external and i.target != i.source)


def read_graph(root: Path, package: str = PACKAGE) -> Graph:
    modules = discover(root, package)
    imports: list[Import] = []
    private_uses: set[PrivateUse] = set()
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        collector = _Collector(module, path.name == "__init__.py", modules, package)
        collector.visit(tree)
        imports.extend(collector.imports)
        private_uses |= _private_uses(tree, module, collector.bindings, modules)
    return Graph(root, modules, imports, sorted(private_uses, key=lambda u: (u.source, u.line, u.name)))


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def area_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 3 or parts[1] not in AREA_LAYERS:
        return None
    if parts[1] == "forms" and parts[2] in SHARED_FORMS:
        return None
    return AREA_ALIASES.get(parts[2], parts[2])


# --- cycles ---------------------------------------------------------------------------------------------------

def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm; the components with more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def shortest_cycles(graph: dict[str, set[str]], component: list[str]) -> list[list[str]]:
    """The shortest cycle through each node of a component, without repeats
    (rotated to start at its smallest node)."""
    members = set(component)
    cycles: dict[tuple[str, ...], list[str]] = {}
    for start in component:
        parent: dict[str, str] = {}
        queue = deque([start])
        end = None
        while queue and end is None:
            node = queue.popleft()
            for nxt in sorted(graph.get(node, set()) & members):
                if nxt == start:
                    end = node
                    break
                if nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        if end is None:
            continue
        path = [end]
        while path[-1] != start:
            path.append(parent[path[-1]])
        path.reverse()
        turn = path.index(min(path))
        key = tuple(path[turn:] + path[:turn])
        cycles.setdefault(key, list(key))
    return list(cycles.values())


def _edges(imports: Iterable[Import]) -> dict[tuple[str, str], Import]:
    """One import per (source, target): the module-level one where there is one."""
    edges: dict[tuple[str, str], Import] = {}
    for imp in imports:
        key = (imp.source, imp.target)
        if key not in edges or (edges[key].in_function and not imp.in_function):
            edges[key] = imp
    return edges


def find_cycles(graph: Graph) -> list[str]:
    edges = _edges(i for i in graph.internal() if not i.type_checking)
    adjacency: dict[str, set[str]] = {}
    for source, target in edges:
        adjacency.setdefault(source, set()).add(target)
    found = []
    for component in strongly_connected(adjacency):
        for cycle in shortest_cycles(adjacency, component):
            path = cycle + [cycle[0]]
            lines = [edges[pair].where(graph.modules, graph.root) for pair in pairwise(path)]
            found.append(" -> ".join(path) + "\n      via " + ", ".join(lines))
    return found


def find_area_cycles(graph: Graph) -> list[str]:
    examples: dict[tuple[str, str], Import] = {}
    for imp in graph.internal():
        a, b = area_of(imp.source), area_of(imp.target)
        if a and b and a != b and not imp.type_checking:
            examples.setdefault((a, b), imp)
    adjacency: dict[str, set[str]] = {}
    for a, b in examples:
        adjacency.setdefault(a, set()).add(b)
    found = []
    for component in strongly_connected(adjacency):
        for cycle in shortest_cycles(adjacency, component):
            path = cycle + [cycle[0]]
            lines = [f"{examples[pair].source} imports {examples[pair].target} "
                     f"({examples[pair].where(graph.modules, graph.root)})" for pair in pairwise(path)]
            found.append(" -> ".join(path) + "\n      e.g. " + "\n           ".join(lines))
    return found


# --- layer and area rules -------------------------------------------------------------------------------------

def _message(graph: Graph, imp: Import, what: str) -> str:
    return f"{imp.where(graph.modules, graph.root)}: {imp.source} {what}"


def find_area_violations(graph: Graph) -> list[str]:
    """Another area's views or forms; anyone's private names."""
    found = []
    for imp in graph.internal():
        source_area, target_area = area_of(imp.source), area_of(imp.target)
        if source_area and target_area and source_area != target_area:
            if layer_of(imp.target) == "routes":
                found.append(_message(graph, imp, f"imports another area's views: {imp.target} (area {target_area})"))
            elif layer_of(imp.target) == "forms":
                found.append(_message(graph, imp, f"imports another area's forms: {imp.target} (area {target_area})"))
        private = [n for n in imp.names if _is_private(n)]
        if private:
            found.append(_message(graph, imp, f"imports private {', '.join(private)} from {imp.target}"))
    lines: dict[tuple[str, str, str], list[int]] = {}
    for use in graph.private_uses:
        lines.setdefault((use.source, use.module, use.name), []).append(use.line)
    for (source, module, name), numbers in lines.items():
        path = graph.modules[source].relative_to(graph.root).as_posix()
        found.append(f"{path}:{','.join(map(str, numbers))}: {source} uses private {module}.{name}")
    return found


def find_lower_layer_violations(graph: Graph) -> list[str]:
    found = []
    for imp in graph.imports:
        layer = layer_of(imp.source)
        if layer not in LOWER_LAYERS or imp.target == imp.source:
            continue
        if imp.external:
            if layer == "domain" and imp.target in FRAMEWORKS:
                found.append(_message(graph, imp, f"imports {imp.target} (the domain is pure Python)"))
        elif layer_of(imp.target) in AREA_PACKAGES:
            found.append(_message(graph, imp, f"imports an area: {imp.target}"))
        elif layer == "domain" and layer_of(imp.target) in NOT_PURE:
            found.append(_message(graph, imp, f"imports {imp.target} (the domain is pure Python)"))
    return found


def find_upward_service_imports(graph: Graph) -> list[str]:
    return [_message(graph, imp, f"imports {imp.target}, a layer above the services")
            for imp in graph.internal()
            if layer_of(imp.source) == "services" and layer_of(imp.target) in ABOVE_SERVICES]


def _fail_on(title: str, found: list[str]) -> None:
    if found:
        pytest.fail(f"{title} ({len(found)}):\n  " + "\n  ".join(found), pytrace=False)


# --- the portal -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def portal_graph() -> Graph:
    return read_graph(ROOT)


def test_the_reader_sees_the_whole_portal(portal_graph):
    """Guards the checks below against passing on an empty graph."""
    assert {"portal", "portal.core.audit", "portal.routes.agreements.views"} <= portal_graph.modules.keys()
    targets = {(i.source, i.target) for i in portal_graph.imports}
    # A from-import of a submodule points at the submodule, not at its package.
    assert ("portal.routes.agreements", "portal.routes.agreements.views") in targets
    # (imports inside functions are read too: the planted-cycle control uses one; the portal has none left)


def test_no_import_cycles(portal_graph):
    _fail_on("Import cycles between portal modules", find_cycles(portal_graph))


def test_the_area_graph_has_no_cycle(portal_graph):
    _fail_on("Cycles between areas (CONVENTIONS rule 2)", find_area_cycles(portal_graph))


def test_areas_use_only_public_service_and_domain_names_of_others(portal_graph):
    _fail_on("Another area's views or forms, or another module's private names", find_area_violations(portal_graph))


def test_core_domain_models_and_web_import_no_area(portal_graph):
    _fail_on("Lower layers importing an area, or the domain importing Flask/SQLAlchemy",
             find_lower_layer_violations(portal_graph))


def test_services_import_nothing_above_them(portal_graph):
    _fail_on("Services importing routes, web or forms", find_upward_service_imports(portal_graph))


# --- control cases: the checker on planted violations ----------------------------------------------------------

def _plant(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for directory in {p.parent for p in root.rglob("*.py")}:
        (directory / "__init__.py").touch()
    return root


CLEAN = {
    # A package that registers its children, whose children import a sibling:
    # normal Python, no cycle.
    "portal/__init__.py": "def create_app():\n    from portal.routes.agreements import blueprint\n",
    "portal/routes/agreements/__init__.py": "from portal.routes.agreements import views  # registers\n",
    "portal/routes/agreements/blueprint.py": "bp = object()\n",
    "portal/routes/agreements/views.py": (
        "from portal.routes.agreements.blueprint import bp\n"
        "from portal.services.agreements import operations\n"
        "from portal.forms.agreements import AgreementForm\n"
        "from portal.forms.helpers import first_error\n"),
    "portal/forms/agreements.py": "AgreementForm = object\n",
    "portal/forms/helpers.py": "def first_error(): ...\n",
    "portal/services/agreements/operations.py": (
        "from portal.core import audit\n"
        "from portal.domain.agreements import check\n"
        "from portal.services.learning_routes.queries import visible_routes\n"),
    "portal/services/learning_routes/queries.py": "def visible_routes(): ...\n",
    "portal/core/audit.py": (
        "from typing import TYPE_CHECKING\n"
        "from portal.models import user\n"
        "if TYPE_CHECKING:\n"
        "    from portal.core.settings import Setting\n"),
    "portal/core/settings.py": "from portal.core.audit import record\n",
    "portal/models/user.py": "from sqlalchemy.orm import Mapped\n",
    "portal/domain/agreements.py": "from decimal import Decimal\nfrom portal.domain import vocab\n",
    "portal/domain/vocab.py": "",
}


def _all_findings(root: Path) -> list[str]:
    graph = read_graph(root)
    return (find_cycles(graph) + find_area_cycles(graph) + find_area_violations(graph)
            + find_lower_layer_violations(graph) + find_upward_service_imports(graph))


def test_control_a_clean_fake_portal_has_no_findings(tmp_path):
    """Registration packages, siblings, shared forms, TYPE_CHECKING imports
    and lazy imports in the app factory are not reported."""
    assert _all_findings(_plant(tmp_path, CLEAN)) == []


def test_control_a_planted_two_module_cycle_is_reported(tmp_path):
    root = _plant(tmp_path, {
        **CLEAN,
        "portal/services/agreements/a.py": "from portal.services.agreements import b\n",
        "portal/services/agreements/b.py": "def f():\n    from .a import g  # relative imports resolve too\n",
    })
    found = find_cycles(read_graph(root))
    assert len(found) == 1
    assert found[0].startswith("portal.services.agreements.a -> portal.services.agreements.b "
                               "-> portal.services.agreements.a\n")
    assert "portal/services/agreements/b.py:2 (in a function)" in found[0]


def test_control_a_child_needing_its_parents_init_is_a_cycle(tmp_path):
    """The old shape: bp defined in the package's __init__, views imported at
    its bottom, views importing bp from the package."""
    root = _plant(tmp_path, {
        **CLEAN,
        "portal/routes/practices/__init__.py": "bp = object()\nfrom portal.routes.practices import views\n",
        "portal/routes/practices/views.py": "from portal.routes.practices import bp\n",
    })
    found = find_cycles(read_graph(root))
    assert [f.split("\n")[0] for f in found] == [
        "portal.routes.practices -> portal.routes.practices.views -> portal.routes.practices"]


def test_control_a_core_module_importing_a_service_is_reported(tmp_path):
    root = _plant(tmp_path, {
        **CLEAN, "portal/core/uploads.py": "def f():\n    from portal.services.agreements import operations\n"})
    found = find_lower_layer_violations(read_graph(root))
    assert found == ["portal/core/uploads.py:2 (in a function): portal.core.uploads imports an area: "
                     "portal.services.agreements.operations"]


def test_control_the_domain_importing_flask_or_sqlalchemy_is_reported(tmp_path):
    root = _plant(tmp_path, {**CLEAN, "portal/domain/routes.py": "import flask\nfrom sqlalchemy import select\n"
                                                                 "from portal.models.user import User\n"})
    found = find_lower_layer_violations(read_graph(root))
    assert [f.split(": ", 1)[1] for f in found] == [
        "portal.domain.routes imports flask (the domain is pure Python)",
        "portal.domain.routes imports sqlalchemy (the domain is pure Python)",
        "portal.domain.routes imports portal.models.user (the domain is pure Python)",
    ]


def test_control_a_cross_area_private_import_is_reported(tmp_path):
    root = _plant(tmp_path, {**CLEAN,
                             "portal/services/agreements/funding.py": "def _rows(): ...\n_rows()\n",
                             "portal/services/coverage/figures.py": (
                                 "from portal.services.agreements.funding import _rows, __doc__\n"
                                 "from portal.services.agreements import funding\n"
                                 "from portal.services import agreements as ag\n"
                                 "funding._rows()\n"
                                 "ag.funding._rows()\n")})
    found = find_area_violations(read_graph(root))
    assert found == [
        "portal/services/coverage/figures.py:1: portal.services.coverage.figures imports private _rows "
        "from portal.services.agreements.funding",
        "portal/services/coverage/figures.py:4,5: portal.services.coverage.figures uses private "
        "portal.services.agreements.funding._rows",
    ]


def test_control_another_areas_views_and_forms_are_reported(tmp_path):
    root = _plant(tmp_path, {**CLEAN,
                             "portal/routes/auth.py": "from portal.routes.agreements.views import show\n",
                             "portal/routes/coverage/maps.py": "from portal.forms import agreements\n"
                                                               "from portal.forms.auth import LoginForm\n",
                             "portal/forms/auth.py": "LoginForm = object\n"})
    found = find_area_violations(read_graph(root))
    assert [f.split(": ", 1)[1] for f in found] == [
        "portal.routes.auth imports another area's views: portal.routes.agreements.views (area agreements)",
        "portal.routes.coverage.maps imports another area's forms: portal.forms.agreements (area agreements)",
        "portal.routes.coverage.maps imports another area's forms: portal.forms.auth (area accounts)",
    ]


def test_control_a_service_importing_web_or_routes_is_reported(tmp_path):
    root = _plant(tmp_path, {**CLEAN,
                             "portal/web/templating.py": "",
                             "portal/services/practices/operations.py": "from portal.web.templating import x\n"
                                                                        "import portal.routes.agreements.views\n"})
    found = find_upward_service_imports(read_graph(root))
    assert [f.split(": ", 1)[1] for f in found] == [
        "portal.services.practices.operations imports portal.web.templating, a layer above the services",
        "portal.services.practices.operations imports portal.routes.agreements.views, a layer above the services",
    ]


def test_control_an_area_cycle_without_a_module_cycle_is_reported(tmp_path):
    root = _plant(tmp_path, {**CLEAN,
                             "portal/services/learning_routes/operations.py":
                                 "from portal.services.agreements.operations import terminate\n"})
    graph = read_graph(root)
    assert find_cycles(graph) == []
    found = find_area_cycles(graph)
    assert [f.split("\n")[0] for f in found] == ["agreements -> learning_routes -> agreements"]
