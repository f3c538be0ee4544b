"""The kernel client of grading and Validate reads a reply that has arrived even when its wake-up was lost.

The lost wake-up is made on purpose: a reply is sent to the client's DEALER socket, and the socket's
edge-triggered descriptor is drained behind the event loop's back (reading ZMQ_EVENTS through a plain shadow
socket, as a stray libzmq call does), so the reply waits in the socket while the descriptor says nothing.
"""
import asyncio
import select
import time
from pathlib import Path
from queue import Empty

import pytest
import zmq
import zmq.asyncio
from jupyter_client.session import Session

from backprop.steady_client import CLIENT_CLASS, SteadyKernelClient, SteadySocketChannel, kernel_config


async def _reply_with_lost_wakeup(channel_class):
    """Send one reply to a channel waiting with no timeout, after draining its descriptor; return what it read.

    Only a poll that ends asks libzmq itself, so a channel that waits on the descriptor alone never returns: the
    60 s bound below only turns that hang into a failure (a steady channel reads the reply within WAKE_S).
    """
    context = zmq.asyncio.Context()
    router, dealer = context.socket(zmq.ROUTER), context.socket(zmq.DEALER)
    try:
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer.connect(f"tcp://127.0.0.1:{port}")
        session = Session(key=b"")
        await dealer.send_multipart([b"hello"])
        identity, _ = await router.recv_multipart()
        channel = channel_class(dealer, session)
        waiting = asyncio.ensure_future(channel.get_msg(timeout=None))
        await asyncio.sleep(0.2)  # get_msg now waits on the dealer's descriptor
        sent = session.send(zmq.Socket.shadow(router.underlying), "execute_reply", {"status": "ok"}, ident=identity)
        raw = zmq.Socket.shadow(dealer.underlying)  # no await from here on: the event loop cannot look meanwhile
        for _ in range(1000):
            if raw.get(zmq.EVENTS) & zmq.POLLIN:  # this read also drains the descriptor: the wake-up is lost
                break
            time.sleep(0.01)
        assert raw.get(zmq.EVENTS) & zmq.POLLIN, "the reply never reached the client socket"
        readable, _, _ = select.select([dealer.FD], [], [], 0)
        assert not readable, "precondition: the descriptor must say nothing although a reply is waiting"
        return sent, await asyncio.wait_for(waiting, 60)
    finally:
        router.close(linger=0)
        dealer.close(linger=0)
        context.term()


def test_a_reply_whose_wakeup_was_lost_is_still_read():
    sent, got = asyncio.run(_reply_with_lost_wakeup(SteadySocketChannel))
    assert got["msg_type"] == "execute_reply" and got["header"]["msg_id"] == sent["header"]["msg_id"]
    assert got["content"] == {"status": "ok"}


def test_get_msg_still_times_out_when_nothing_comes():
    async def main():
        context = zmq.asyncio.Context()
        dealer = context.socket(zmq.DEALER)
        dealer.connect("tcp://127.0.0.1:9")  # nobody there: nothing ever arrives
        try:
            with pytest.raises(Empty):
                await SteadySocketChannel(dealer, Session(key=b"")).get_msg(timeout=0.3)
        finally:
            dealer.close(linger=0)
            context.term()

    asyncio.run(main())


def test_grading_and_validate_use_the_steady_client(tmp_path, lab):
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.execute import MAX_MESSAGE_BYTES, capped_client


    assert issubclass(capped_client(MAX_MESSAGE_BYTES), SteadyKernelClient)  # grading and the self-check
    config_file = lab.write_student_config(tmp_path, str(tmp_path / "exchange")) / "nbgrader_config.py"
    loaded = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    assert loaded.AsyncKernelManager.client_class == CLIENT_CLASS  # Validate

    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(config=Config(loaded))
    assert manager.client_factory is SteadyKernelClient
    assert AsyncKernelManager(config=kernel_config()).client_factory is SteadyKernelClient  # tests, benchmarks
    client = manager.client()
    assert isinstance(client, SteadyKernelClient) and client.shell_channel_class is SteadySocketChannel


def test_the_student_config_runs_validate_and_lab_kernels_over_private_ipc_sockets(tmp_path, short_runtime, lab):
    """Validate's kernel and JupyterLab's get IPC sockets (no TCP ports to collide on) in the private runtime folder,
    a fresh name for every Validate (nbgrader reads its config file anew each time), and a startup timeout."""
    import json

    from jupyter_client.manager import AsyncKernelManager
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.kernel_sockets import IPCKernelManager, is_private

    runtime = short_runtime
    config_dir = lab.write_student_config(tmp_path / "config", str(tmp_path / "exchange"))

    def validate_config():
        return PyFileConfigLoader("nbgrader_config.py", path=str(config_dir)).load_config()
    first, second = validate_config(), validate_config()
    assert first.KernelManager.transport == "ipc"
    assert first.KernelManager.ip != second.KernelManager.ip                      # one name per Validate
    assert first.KernelManager.connection_file == first.KernelManager.ip + ".json"
    assert 0 < first.Execute.startup_timeout < 60                                 # nbclient's default is 60 s
    manager = AsyncKernelManager(config=Config(first))                             # what nbclient builds
    assert manager.transport == "ipc" and Path(manager.ip).parent == runtime and is_private(runtime)  # not the cwd

    server = json.loads((config_dir / "jupyter_server_config.json").read_text())
    assert server["KernelManager"]["transport"] == "ipc"
    assert server["MappingKernelManager"]["kernel_manager_class"] == "autograder.kernel_sockets.IPCKernelManager"
    lab_kernel = IPCKernelManager(config=Config(server), connection_file=str(runtime / "kernel-x.json"))
    assert lab_kernel.transport == "ipc" and Path(lab_kernel.ip).parent == runtime
