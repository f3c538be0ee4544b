"""The backward pass: order the graph, then push gradients from the output back to the leaves.

Two steps, as in micrograd: (1) order the nodes so that every node comes after its parents (a topological
order); (2) walking that order in reverse, each node hands its incoming gradient to its `_backward` function,
which returns one gradient per parent (the chain rule); gradients arriving at the same node from several paths
are added up. Leaf tensors (created by you with requires_grad=True) ACCUMULATE into `.grad`, as in PyTorch.

`topological_order` finds the order by a depth-first search (no recursion, so deep graphs are fine): it is what
Value.backward uses and what you can print to see the recorded graph. Tensor.backward (`run_backward`) needs
no search: every op output is numbered when it is created, after its inputs, so the newest node first is
already a reverse topological order (PyTorch's engine orders its nodes the same way). The gradient a node has
received so far waits on the node itself (`_pending`, None outside a pass), as PyTorch's nodes hold their input
buffers: no lookup table per pass.
"""
from heapq import heappop, heappush, heapreplace
from threading import get_ident

import numpy as np


def _inputs_needing_grad(node):
    """A Tensor's parents that require grad (the only ones backward() visits)."""
    return [parent for parent in node._parents if parent.requires_grad]


def topological_order(root, inputs=_inputs_needing_grad):
    """Nodes of the graph that ends at `root`, parents before children: the one topological sort of backprop.

    `inputs(node)` lists a node's parents (default: a Tensor's parents that require grad; Value passes its
    `_prev`). Depth-first search with an explicit stack of (node, iterator over its parents): a node is appended
    once all of its parents have been, which is exactly a topological order. No recursion.
    """
    order = []
    visited = {id(root)}
    stack = [(root, iter(inputs(root)))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(inputs(parent))))
                break
        else:  # every parent is done
            stack.pop()
            order.append(node)
    return order


def _shape_error(node, index, parent, grad):
    """A clear message when a backward function returns a gradient of the wrong shape."""
    msg = (f"backward of '{node._op}' returned a gradient of shape {grad.shape} for its input {index}, "
           f"which has shape {parent.data.shape}. A gradient must have exactly the shape of its input")
    if grad.shape == parent.data.shape[::-1]:
        msg += " (the shapes are reversed: is a transpose missing?)"
    elif grad.size != parent.data.size:
        msg += " (did you forget to sum over a broadcast axis?)"
    return RuntimeError(msg + ".")


def _count_error(node, grads) -> RuntimeError:
    """A clear message when a backward function returns the wrong number of gradients."""
    return RuntimeError(f"backward of '{node._op}' returned {len(grads)} gradients for {len(node._parents)} "
                        f"inputs: return exactly one (an array or None) per input.")


def _as_gradient(node, parent, grad) -> np.ndarray:
    """A gradient that is not an ndarray of its input's shape (a number, a list, a numpy scalar) as an array of
    that shape, or the clear error if its shape is wrong."""
    grad = np.asarray(grad, dtype=parent.data.dtype)
    if grad.shape != parent.data.shape:
        index = next(i for i, p in enumerate(node._parents) if p is parent)
        raise _shape_error(node, index, parent, grad)
    return grad


def _store_leaf_grad(leaf, grad, kept: set) -> None:
    """ADD `grad` to a leaf's .grad, making sure no two .grad arrays are one array."""
    if leaf.grad is None:
        # Keep the array itself only if nobody else can see it: it owns its memory (not a view of another
        # gradient) and no other leaf or retained grad got the same array (a + b hands both parents one
        # array). Otherwise copy, so that changing one .grad in place never changes another.
        if grad.base is not None or id(grad) in kept or not grad.flags.writeable:
            grad = grad.copy()
        leaf.grad = grad
        kept.add(id(grad))
    elif leaf.grad.flags.writeable and leaf.grad.shape == grad.shape:
        leaf.grad += grad
    else:
        leaf.grad = leaf.grad + grad


_PASSES: dict = {}  # id(heap) -> (thread, heap, leaves) of every backward pass under way


def _set_aside(thread: int) -> list:
    """Take the waiting gradients of this thread's passes under way off their nodes: (node, gradient) pairs.

    Only a nested pass (backward() called inside a backward function) finds one under way in its thread. It
    may reach nodes that hold a gradient of the outer pass: it must start from clean nodes, and the outer pass
    must find its gradients again afterwards (run_backward puts them back).
    """
    aside = []
    for owner, heap, leaves in list(_PASSES.values()):
        if owner == thread:
            for node in [entry[2] for entry in heap] + leaves:
                if node._pending is not None:
                    aside.append((node, node._pending))
                    node._pending = None
    return aside


def run_backward(root, gradient: np.ndarray) -> None:
    """Propagate `gradient` (d output / d root, an array we own) from `root` to every leaf that requires grad.

    The order is the nodes' creation order, newest first (`_seq`): a node is always created after its inputs,
    so by the time a node's turn comes every node that uses it has passed its gradient on, and its gradient is
    complete. This is the same reverse topological order as topological_order gives, found without a graph
    search (as PyTorch's engine does); only nodes that receive a gradient are visited. The pass is registered
    in _PASSES while it runs, so that a backward() called from inside a backward function can set this pass's
    waiting gradients aside (_set_aside) and this pass finds them again when it resumes.
    """
    heap, leaves = [], []
    thread = get_ident()
    aside = _set_aside(thread) if _PASSES else None
    _PASSES[id(heap)] = (thread, heap, leaves)
    try:
        _propagate(root, gradient, heap, leaves)
    finally:
        del _PASSES[id(heap)]
        if aside:
            for node, grad in aside:
                node._pending = grad


def _propagate(root, gradient: np.ndarray, heap: list, leaves: list) -> None:
    """run_backward's walk: the chain rule node by node, newest first, then the leaves' .grad.

    The next node is the newest op output holding a gradient: the newest parent the current node reached for
    the first time (`newest`, usually the only candidate: a layer's input) or the top of the heap of the
    others, whichever was created later. Chains of layers thus never touch the heap.
    """
    root._pending = gradient
    if root._backward is None:
        leaves.append(root)
        node = None
    else:
        node = root
    ndarray = np.ndarray
    kept = set()  # ids of arrays that stay visible after the pass (retained grads, leaf grads)
    newest = None
    try:
        while node is not None:
            grad = node._pending
            node._pending = None  # freed once used
            if node._retain_grad:  # a retained non-leaf gradient ACCUMULATES over backward() calls, as a leaf's
                if node.grad is None:
                    node.grad = grad
                    kept.add(id(grad))
                else:
                    node.grad = node.grad + grad  # a new array: `grad` itself goes on to the parents
            grads = node._backward(grad)
            parents = node._parents
            if len(grads) != len(parents):
                raise _count_error(node, grads)
            newest = None
            for parent, pgrad in zip(parents, grads):
                if pgrad is not None and parent.requires_grad:  # a gradient handed to a constant is dropped
                    if type(pgrad) is not ndarray or pgrad.shape != parent.data.shape:
                        pgrad = _as_gradient(node, parent, pgrad)
                    previous = parent._pending
                    if previous is None:
                        parent._pending = pgrad
                        if parent._backward is None:
                            leaves.append(parent)
                        elif newest is None:
                            newest = parent
                        elif parent._seq > newest._seq:  # (the id: two heap entries never compare Tensors)
                            heappush(heap, (-newest._seq, id(newest), newest))
                            newest = parent
                        else:
                            heappush(heap, (-parent._seq, id(parent), parent))
                    else:  # a sum makes a new array: never add in place into an array another node may also hold
                        parent._pending = previous + pgrad
            if newest is None:
                node = heappop(heap)[2] if heap else None
            elif heap and -heap[0][0] > newest._seq:  # a node waiting on the heap is newer: it goes first
                node = heapreplace(heap, (-newest._seq, id(newest), newest))[2]
            else:
                node = newest
        for leaf in leaves:  # last, so that every retained gradient is already in `kept`
            grad = leaf._pending
            leaf._pending = None
            key = id(grad)
            if leaf.grad is None and grad.base is None and key not in kept and grad.flags.writeable:
                leaf.grad = grad  # the usual case, inline: an array nobody else sees becomes the leaf's .grad
                kept.add(key)
            else:
                _store_leaf_grad(leaf, grad, kept)
    except BaseException:  # no gradient of a failed pass may wait on a node for the next pass to pick up
        for waiting in [entry[2] for entry in heap] + leaves + [node, newest]:
            if waiting is not None:
                waiting._pending = None
        raise
