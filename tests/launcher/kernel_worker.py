"""One process of tests/launcher/test_kernel_sockets.py: start a kernel the way a class's server does, have the kernel
report its own sockets, keep it alive until the test says go, then shut it down.

    python kernel_worker.py server|validate CONFIG_DIR REPORT_DIR NAME

``server``: JupyterLab's route, the server's kernel manager classes with the config folder's
jupyter_server_config.json. ``validate``: nbgrader's Validate route, the config loaded as its handler loads it
(every nbgrader_config.py on the Jupyter config path) and a ``Validator`` run on a notebook in the current folder.
The kernel itself writes REPORT_DIR/NAME.json (its connection info, as ipykernel knows it) and then waits for
REPORT_DIR/go, so that every worker's kernel is alive at the same time when the test looks at the sockets.
"""
import asyncio
import sys
from pathlib import Path

WAIT_S = 600  # the kernel waits at most this long for the test's go

KERNEL_CODE = """
import ipykernel, json, os, time
from pathlib import Path
info = ipykernel.get_connection_info(unpack=True)
info.pop("key", None)
report = Path({report_dir!r})
(report / {tmp!r}).write_text(json.dumps(dict(info, connection_file=ipykernel.get_connection_file(),
                                               pid=os.getpid(), cwd=os.getcwd())))
(report / {tmp!r}).rename(report / {done!r})
deadline = time.monotonic() + {wait}
while not (report / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.1)
print("go" if (report / "go").exists() else "no go")
"""


def kernel_code(report_dir: Path, name: str) -> str:
    return KERNEL_CODE.format(report_dir=str(report_dir), tmp=f".{name}.tmp", done=f"{name}.json", wait=WAIT_S)


async def run_server_kernel(config_dir: Path, code: str) -> str:
    """Start a kernel through the server's AsyncMappingKernelManager under the class's server config; run code."""
    from jupyter_core.paths import jupyter_runtime_dir
    from jupyter_core.utils import ensure_dir_exists
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from traitlets.config.loader import JSONFileConfigLoader

    config = JSONFileConfigLoader("jupyter_server_config.json", path=str(config_dir)).load_config()
    ensure_dir_exists(jupyter_runtime_dir(), mode=0o700)  # as the server does at start
    manager = AsyncMappingKernelManager(config=config, connection_dir=jupyter_runtime_dir())
    kernel_id = await manager.start_kernel()
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=WAIT_S)
        output = []
        reply = await client.execute_interactive(code, timeout=WAIT_S + 60,
                                                 output_hook=lambda msg: output.append(msg["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(output)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(kernel_id)


def run_validate_kernel(code: str) -> str:
    """Run a one-cell notebook in the current folder through nbgrader's Validator, configured as Validate is."""
    import nbformat
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader
    from nbgrader.validator import Validator

    app = NbGrader()
    app.config_file_paths.append(jupyter_config_path())   # what nbgrader's Validate handler does
    app.load_config_file()
    app.config.Execute.timeout = WAIT_S + 60               # the cell waits for the test's go
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbformat.write(notebook, "worker.ipynb")
    result = Validator(config=app.config).validate(str(Path("worker.ipynb").resolve()))
    assert result == {}, result
    return "validated"


def main(argv):
    kind, config_dir, report_dir, name = argv
    code = kernel_code(Path(report_dir), name)
    if kind == "server":
        print(asyncio.run(run_server_kernel(Path(config_dir), code)))
    elif kind == "validate":
        print(run_validate_kernel(code))
    else:
        raise SystemExit(f"unknown kind {kind!r}: server or validate")


if __name__ == "__main__":
    main(sys.argv[1:])
