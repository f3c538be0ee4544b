"""A small training loop: `fit` (epochs of minibatch updates with a progress display), `evaluate`, `accuracy`.

fit() records a History of loss (and accuracy, for classification losses) per epoch. Progress shows as an
ipywidgets bar inside Jupyter and as one text line per epoch elsewhere; progress=False keeps it silent.
"""
from __future__ import annotations

import time

import numpy as np

from .data import DataLoader
from .grad_mode import no_grad
from .nn import functional as F
from .nn.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss
from .progress import Progress
from .tensor import Tensor
from .validate import positive_int

__all__ = ["fit", "evaluate", "accuracy", "History", "Progress"]


class History(dict):
    """Per-epoch records: history['loss'], ['accuracy'], ['val_loss'], ['val_accuracy'], ['lr'], ['time']."""

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.get("loss", []))

    def __repr__(self) -> str:
        last = {k: (round(v[-1], 4) if v and isinstance(v[-1], float) else v[-1] if v else None)
                for k, v in self.items()}
        return f"History(epochs={self.epochs}, last={last})"


def _array(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def accuracy(output, target, threshold: float = 0.5) -> float:
    """Fraction of correct predictions. (N, C) scores with C > 1: the argmax class; a single score per row:
    class 1 where score > threshold (0.5 for probabilities, use 0.0 for logits)."""
    out, t = _array(output), _array(target)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
    else:
        pred = (out.reshape(len(out)) > threshold).astype(np.int64)
    t = t.reshape(len(t))
    if len(pred) != len(t):
        raise ValueError(f"accuracy: {len(pred)} predictions but {len(t)} targets")
    return float((pred == t).mean()) if len(t) else float("nan")


def _accuracy_rule(loss_fn):
    """How to read class predictions off the model output for this loss, or None for regression losses."""
    name = getattr(loss_fn, "__name__", "")
    if isinstance(loss_fn, (CrossEntropyLoss, NLLLoss)) or loss_fn in (F.cross_entropy, F.nll_loss):
        return lambda out, t: accuracy(out, t)
    if isinstance(loss_fn, BCEWithLogitsLoss) or loss_fn is F.binary_cross_entropy_with_logits:
        return lambda out, t: accuracy(out, t, threshold=0.0)
    if isinstance(loss_fn, BCELoss) or loss_fn is F.binary_cross_entropy or name == "binary_cross_entropy":
        return lambda out, t: accuracy(out, t, threshold=0.5)
    return None


def _as_loader(data, batch_size: int) -> DataLoader:
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return DataLoader(data[0], data[1], batch_size=batch_size, shuffle=False)
    raise TypeError(f"expected a DataLoader or an (X, y) pair, got {type(data).__name__}")


def evaluate(model, loss_fn, data, batch_size: int = 512) -> dict:
    """Loss (and accuracy, for classification losses) of model on data (a DataLoader or (X, y)), in eval mode
    and without building a graph. Returns {'loss': ..., 'accuracy': ...}."""
    loader = _as_loader(data, batch_size)
    rule = _accuracy_rule(loss_fn)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    total, correct, count = 0.0, 0.0, 0
    try:
        with no_grad():
            for xb, yb in loader:
                out = model(xb)
                n = len(_array(yb))
                total += float(loss_fn(out, yb).item()) * n
                if rule is not None:
                    correct += rule(out, yb) * n
                count += n
    finally:
        if was_training and hasattr(model, "train"):
            model.train()
    result = {"loss": total / max(count, 1)}
    if rule is not None:
        result["accuracy"] = correct / max(count, 1)
    return result


_Progress = Progress  # the old private name (kept for notebooks written against it)


def fit(model, loss_fn, optimizer, loader, epochs: int = 1, val=None, scheduler=None,
        clip_grad_norm: float | None = None, progress: bool = True) -> History:
    """Train model for `epochs` passes over loader (zero_grad, forward, loss, backward, optional gradient
    clipping, step), stepping `scheduler` once per epoch; evaluate on `val` (DataLoader or (X, y)) after each
    epoch. Returns the History."""
    positive_int("fit", "epochs", epochs)
    for name, value in (("model", model), ("loss_fn", loss_fn), ("optimizer", optimizer)):
        if isinstance(value, type):
            raise TypeError(f"fit: {name} is the class {value.__name__}, not an instance; "
                            f"create one first, e.g. {value.__name__}(...)")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(f"fit: optimizer must be an optimizer such as optim.SGD(model.parameters(), lr=0.1), "
                        f"got {type(optimizer).__name__}")
    loader = _as_loader(loader, 64)
    rule = _accuracy_rule(loss_fn)
    history = History(loss=[], lr=[], time=[])
    if rule is not None:
        history["accuracy"] = []
    if val is not None:
        history["val_loss"] = []
        if rule is not None:
            history["val_accuracy"] = []
    params = model.parameters()
    bar = Progress(epochs, progress)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        total, correct, count = 0.0, 0.0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            if clip_grad_norm is not None:
                from .nn.utils import clip_grad_norm_

                clip_grad_norm_(params, clip_grad_norm)
            optimizer.step()
            n = len(_array(yb))
            value = float(loss.item())
            if not np.isfinite(value):
                raise FloatingPointError(f"fit: the loss became {value} in epoch {epoch}; the learning rate "
                                         f"({optimizer.lr}) is probably too high, or the inputs contain nan/inf")
            total += value * n
            if rule is not None:
                correct += rule(out, yb) * n
            count += n
        logs = {"loss": total / max(count, 1)}
        if rule is not None:
            logs["accuracy"] = correct / max(count, 1)
        if val is not None:
            for key, value in evaluate(model, loss_fn, val).items():
                logs["val_" + key] = value
        logs["lr"] = optimizer.lr
        if scheduler is not None:
            scheduler.step()
        logs["time"] = time.perf_counter() - start
        for key, value in logs.items():
            history[key].append(value)
        bar.update(epoch, logs)
    return history
