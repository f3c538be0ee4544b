"""A Jupyter kernel client that cannot sleep through a message that has already arrived.

pyzmq's asyncio sockets learn of new messages from an edge-triggered file descriptor. Now and then (about one
notebook run in ten on a busy 2-core machine, seen with pyzmq 27.3 / jupyter_client 8.10) that edge is lost: the
execute_reply sits in the client's shell socket (``zmq.EVENTS`` says POLLIN) while the event loop waits on a
descriptor that never becomes readable, so nbclient waits for the whole cell timeout (30 s for Validate, minutes
for grading) although the kernel finished long ago. Waking up every WAKE_S seconds to look at the socket itself
bounds that wait, whatever the cause. The grader (autograder/execute.py) and the Validate button use this client.
"""
from queue import Empty
from time import monotonic

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

WAKE_S = 0.5  # longest a message that has arrived can wait unread
CLIENT_CLASS = "backprop.steady_client.SteadyKernelClient"  # what a Jupyter config sets (scripts/lab.py writes it)


class SteadySocketChannel(AsyncZMQSocketChannel):
    """get_msg that waits in slices of WAKE_S and, after each, asks the socket (not its descriptor) for a message."""

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            wait = WAKE_S if deadline is None else min(WAKE_S, max(0.0, deadline - monotonic()))
            # a poll that ends by its timeout asks libzmq directly (zmq_poll), which sees a message whose edge was lost
            if await self.socket.poll(max(1, int(wait * 1000))):
                return await self._recv()
            if deadline is not None and monotonic() >= deadline:
                raise Empty


class SteadyKernelClient(AsyncKernelClient):
    """AsyncKernelClient whose shell, iopub, control and stdin channels use SteadySocketChannel."""

    shell_channel_class = Type(SteadySocketChannel)
    iopub_channel_class = Type(SteadySocketChannel)
    control_channel_class = Type(SteadySocketChannel)
    stdin_channel_class = Type(SteadySocketChannel)


def kernel_config():
    """A traitlets Config under which nbclient, nbgrader's Execute and its Validator start SteadyKernelClients."""
    from traitlets.config import Config

    return Config({"AsyncKernelManager": {"client_class": CLIENT_CLASS}})
