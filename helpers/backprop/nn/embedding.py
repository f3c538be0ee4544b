"""Embedding: a trainable lookup table from integer ids to vectors, as torch.nn.Embedding."""
from __future__ import annotations

from ..validate import positive_int
from . import functional as F
from .init import get_rng
from .module import Module
from .parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """weight (num_embeddings, embedding_dim), initialised N(0, 1) like PyTorch; input: integer ids of any shape."""

    def __init__(self, num_embeddings: int, embedding_dim: int, rng=None):
        super().__init__()
        self.num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        self.weight = Parameter(get_rng(rng).standard_normal((num_embeddings, embedding_dim)))

    def forward(self, indices):
        return F.embedding(indices, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
