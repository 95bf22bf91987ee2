"""The dependency direction: config ← index ← index.sources ← bot.core ← bot, checked on every module in the tree.

The module list is read from the folders, not written here, so a new module is
checked from its first commit. Imports are read from the source (every
`import`, also those under `if TYPE_CHECKING:` or inside a function), so an
import made lazy to dodge a cycle still counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "index", "bot")

LAYERS = ("config", "index", "index.sources", "bot.core", "bot")
"""Lowest first: a module may import its own layer and the layers before it, never one after it.
A module belongs to the layer with the longest name that prefixes its own."""
NEVER_BELOW_BOT = ("discord", "apscheduler")
"""Only the Discord edge (`bot`, outside `bot.core`) talks to Discord or schedules jobs."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def _layer(module: str) -> int:
    matches = [i for i, name in enumerate(LAYERS) if module == name or module.startswith(name + ".")]
    return max(matches, key=lambda i: len(LAYERS[i]))


def _imports(module: str) -> set[str]:
    """Absolute names of everything `module` imports (relative imports resolved)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                names.add(node.module)
    return names


def _project_module(name: str) -> str | None:
    """The project module an imported name refers to (`index.store.Store` → `index.store`), or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def test_the_module_list_comes_from_the_tree() -> None:
    assert {"config.settings", "index.ingest", "index.sources.monitor", "bot.core.answering", "bot.cli"} <= set(MODULES)
    assert all(_layer(module) >= 0 for module in MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_layer_above_its_own(module: str) -> None:
    offences = []
    for name in sorted(_imports(module)):
        target = _project_module(name)
        if target is not None and _layer(target) > _layer(module):
            offences.append(f"{module} ({LAYERS[_layer(module)]}) imports {name} ({LAYERS[_layer(target)]})")
        if _layer(module) < LAYERS.index("bot") and name.split(".")[0] in NEVER_BELOW_BOT:
            offences.append(f"{module} imports {name}")
    assert offences == []


ASSEMBLERS = ("bot.client", "bot.assembly", "bot.runner", "bot.cli")
"""What builds and runs the bot: no cog may import them."""


def test_each_cog_stands_alone_and_the_client_knows_none() -> None:
    """Cogs get their collaborators from `bot.assembly`: a cog imports no other cog and nothing that
    assembles the bot, and the client imports no cog, so no import cycle has to be hidden."""
    offences = []
    for module in sorted(MODULES):
        targets = {target for name in _imports(module) if (target := _project_module(name))}
        if module.startswith("bot.cogs."):
            offences += [f"{module} imports {t}" for t in sorted(targets)
                         if (t.startswith("bot.cogs.") and t != module)
                         or any(t == a or t.startswith(a + ".") for a in ASSEMBLERS)]
        if module == "bot.client":
            offences += [f"{module} imports {t}" for t in sorted(targets) if t.startswith("bot.cogs")]
    assert offences == []


def test_package_inits_and_the_feed_worker_import_nothing_of_the_project() -> None:
    """The feed parser's child runs `python -I -m index.sources.feed_worker`: it must load feedparser only."""
    for module in ("index", "index.sources", "index.sources.feed_worker"):
        assert {n for n in _imports(module) if _project_module(n) or n.split(".")[0] in ("numpy", "faiss")} == set()


def _declared_all(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [ast.literal_eval(element) for element in node.value.elts]  # type: ignore[attr-defined]
    return None


@pytest.mark.parametrize("package", sorted(m for m, path in MODULES.items() if path.name == "__init__.py"))
def test_every_package_names_its_public_surface(package: str) -> None:
    """`__all__` in every package; a package that imports nothing names exactly its modules."""
    declared = _declared_all(MODULES[package])
    assert declared is not None, f"{package} has no __all__"
    if not _imports(package):
        children = sorted(m.rpartition(".")[2] for m in MODULES if m.rpartition(".")[0] == package)
        assert sorted(declared) == children


MAX_MODULE_LINES = 450
"""Past this a module usually holds more than one responsibility: split it by what each part is for."""


def test_no_module_outgrows_one_responsibility() -> None:
    sizes = {module: len(path.read_text(encoding="utf-8").splitlines()) for module, path in MODULES.items()}
    assert {module: lines for module, lines in sizes.items() if lines > MAX_MODULE_LINES} == {}


def test_no_grab_bag_modules() -> None:
    names = {module.rpartition(".")[2] for module in MODULES}
    assert not names & {"utils", "helpers", "misc", "common"}
