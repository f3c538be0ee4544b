"""The backward pass: order the graph, then push gradients from the output back to the leaves.

Two steps, as in micrograd: (1) an iterative depth-first search lists the nodes so that every node comes
after its parents (a topological order; no recursion, so deep graphs are fine); (2) walking that list in
reverse, each node hands its incoming gradient to its `_backward` function, which returns one gradient per
parent (the chain rule); gradients arriving at the same node from several paths are added up.
Leaf tensors (created by you with requires_grad=True) ACCUMULATE into `.grad`, as in PyTorch.
"""
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


def run_backward(root, gradient: np.ndarray) -> None:
    """Propagate `gradient` (d output / d root, an array we own) from `root` to every leaf that requires grad."""
    order = topological_order(root)
    pending = {id(root): gradient}  # id(node) -> gradient summed so far; popped (freed) once used
    kept = set()  # ids of arrays that stay visible after the pass (retained grads, leaf grads)
    leaves = []
    for node in reversed(order):
        backward = node._backward
        if backward is None:  # a leaf: assign after the loop
            leaves.append(node)
            continue
        grad = pending.pop(id(node), None)
        if grad is None:
            continue
        if node._retain_grad:  # a retained non-leaf gradient ACCUMULATES over backward() calls, as a leaf's
            if node.grad is None:
                node.grad = grad
                kept.add(id(grad))
            else:
                node.grad = node.grad + grad  # a new array: `grad` itself goes on to the parents
        parent_grads = backward(grad)
        parents = node._parents
        if len(parent_grads) != len(parents):
            raise RuntimeError(f"backward of '{node._op}' returned {len(parent_grads)} gradients for "
                               f"{len(parents)} inputs: return exactly one (an array or None) per input.")
        for parent, pgrad in zip(parents, parent_grads):
            if pgrad is None or not parent.requires_grad:
                continue
            if type(pgrad) is not np.ndarray:
                pgrad = np.asarray(pgrad, dtype=parent.data.dtype)
            if pgrad.shape != parent.data.shape:
                raise _shape_error(node, parents.index(parent), parent, pgrad)
            key = id(parent)
            previous = pending.get(key)
            # a sum makes a new array: never add in place into an array another node may also hold
            pending[key] = pgrad if previous is None else previous + pgrad
    for leaf in leaves:
        grad = pending.pop(id(leaf), None)
        if grad is None:
            continue
        if leaf.grad is None:
            # Keep the array itself only if nobody else can see it: it owns its memory (not a view of
            # another gradient) and no other leaf or retained grad got the same array (a + b hands both
            # parents one array). Otherwise copy, so that changing one .grad in place never changes another.
            if grad.base is not None or id(grad) in kept or not grad.flags.writeable:
                grad = grad.copy()
            leaf.grad = grad
            kept.add(id(grad))
        elif leaf.grad.flags.writeable and leaf.grad.shape == grad.shape:
            leaf.grad += grad
        else:
            leaf.grad = leaf.grad + grad
