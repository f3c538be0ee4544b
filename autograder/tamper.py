"""Find things in a submission an instructor should look at: edited or deleted test cells, suspicious code.

nbgrader restores edited locked cells and (with add_missing_cells) re-inserts deleted test cells, so these do
not change the score; they are recorded as flags. Monkeypatching inside the kernel is not something nbgrader
can see, so student-editable cells are scanned for assignments to imported modules, builtins, sys.modules,
``__class__`` tricks, stack inspection and the like, and flagged for manual review.
"""
import ast
import re

import nbformat
from nbgrader import utils

SUSPICIOUS_NAMES = {
    "builtins": "uses the builtins module",
    "__builtins__": "uses __builtins__",
    "__class__": "touches __class__",
    "__subclasses__": "walks __subclasses__",
    "_getframe": "inspects the call stack (sys._getframe)",
    "settrace": "installs a trace function",
    "setprofile": "installs a profile function",
    "get_objects": "walks the garbage collector's objects",
    "get_referrers": "walks the garbage collector's referrers",
    "reload": "reloads a module",
    "_exit": "exits the kernel (os._exit)",
    "ctypes": "uses ctypes",
}
SUSPICIOUS_MODULES = {"inspect": "imports inspect", "ctypes": "imports ctypes", "gc": "imports gc",
                      "builtins": "imports builtins", "importlib": "imports importlib",
                      "subprocess": "imports subprocess", "signal": "imports signal", "sqlite3": "imports sqlite3"}
SUSPICIOUS_TEXT = [(re.compile(r"gradebook|\.db\b"), "mentions the gradebook"),
                   (re.compile(r"sys\s*\.\s*modules"), "uses sys.modules"),
                   (re.compile(r"\bsource/|/source\b|solutions/|autograded"), "mentions instructor folders")]


def _strip_magics(source):
    """Drop IPython magics and shell escapes so the cell parses as Python (they are flagged separately)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def scan_source(source):
    """Reasons a piece of student code looks like tampering with the grader (empty list when it looks fine)."""
    reasons = []
    if any(line.lstrip().startswith("!") for line in source.splitlines()):
        reasons.append("runs shell commands (!)")
    for pattern, why in SUSPICIOUS_TEXT:
        if pattern.search(source):
            reasons.append(why)
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        return sorted(set(reasons))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported.add((alias.asname or alias.name).split(".")[0])
                if alias.name.split(".")[0] in SUSPICIOUS_MODULES:
                    reasons.append(SUSPICIOUS_MODULES[alias.name.split(".")[0]])
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in SUSPICIOUS_MODULES:
                reasons.append(SUSPICIOUS_MODULES[node.module.split(".")[0]])
            for alias in node.names:
                imported.add(alias.asname or alias.name)
    known_modules = imported | {"np", "numpy", "math", "checks", "backprop", "plt", "sys", "os", "random"}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute):
                    base = sub.value
                    while isinstance(base, ast.Attribute):
                        base = base.value
                    if isinstance(base, ast.Name) and base.id in known_modules:
                        reasons.append(f"assigns to {ast.unparse(sub)} (an attribute of an imported module)")
                    if sub.attr == "__class__":
                        reasons.append("assigns __class__")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            if node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in known_modules:
                reasons.append(f"calls {node.func.id} on the module {node.args[0].id}")
        if isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            reasons.append(SUSPICIOUS_NAMES[node.id])
        if isinstance(node, ast.Attribute) and node.attr in SUSPICIOUS_NAMES:
            reasons.append(SUSPICIOUS_NAMES[node.attr])
        if isinstance(node, ast.Global):
            pass
    return sorted(set(reasons))


def _cells_by_id(nb):
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells
            if "nbgrader" in cell.get("metadata", {}) and "grade_id" in cell.metadata["nbgrader"]}


def inspect_submission(submitted_path, released_path):
    """Flags (strings) for one submitted notebook compared with the released one."""
    flags = []
    submitted = nbformat.read(str(submitted_path), as_version=4)
    released = nbformat.read(str(released_path), as_version=4)
    submitted_cells = _cells_by_id(submitted)
    for grade_id, cell in _cells_by_id(released).items():
        if not (utils.is_grade(cell) or utils.is_locked(cell)):
            continue
        kind = "test cell" if utils.is_grade(cell) else "read-only cell"
        mine = submitted_cells.get(grade_id)
        if mine is None:
            flags.append(f"{kind} {grade_id} deleted (re-inserted for grading)")
        elif mine.source != cell.source or mine.cell_type != cell.cell_type:
            flags.append(f"{kind} {grade_id} edited (restored for grading)")
    locked_ids = {gid for gid, cell in _cells_by_id(released).items() if utils.is_locked(cell)}
    for index, cell in enumerate(submitted.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in locked_ids:
            continue  # restored from the gradebook before it runs
        for reason in scan_source(cell.source):
            flags.append(f"suspicious code in cell {grade_id or index}: {reason}")
    return flags
