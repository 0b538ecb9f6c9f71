"""The graph half of TextRank: sparse sentence and word graphs, and PageRank by power iteration.

Sentence similarity is textrank4zh's: shared distinct words / (log|Si| + log|Sj|), |S| counting
repeats. It is built from a sentence x word incidence matrix B: B·Bᵀ holds the shared-word
counts of exactly the pairs that share a word, so the cost follows real overlaps instead of
n² comparisons. `pagerank` does what networkx 2.x's scipy PageRank does (same start vector,
dangling-node mass to the personalisation vector, L1 stop test err < n·tol, the same order of
floating-point operations), so textrank4zh's rankings come out identical, ties included.
"""

from __future__ import annotations

from math import log

import numpy as np
import scipy.sparse as sp

DAMPING = 0.85


def incidence(bags: list[list[int]], vocabulary: int) -> sp.csr_array:
    """Binary sentence x word matrix: B[i, w] = 1 when word w occurs in sentence i."""
    rows: list[int] = []
    cols: list[int] = []
    for i, bag in enumerate(bags):
        distinct = set(bag)
        rows.extend([i] * len(distinct))
        cols.extend(distinct)
    data = np.ones(len(rows))
    return sp.csr_array((data, (rows, cols)), shape=(len(bags), vocabulary))


def shared_words(bags: list[list[int]], vocabulary: int) -> sp.csr_array:
    """Sentence x sentence counts of shared distinct words (B·Bᵀ), diagonal included."""
    b = incidence(bags, vocabulary)
    shared = b @ b.T
    shared.sort_indices()
    return shared


def similarity_graph(
    bags: list[list[int]], vocabulary: int, self_loops: bool, shared: sp.csr_array | None = None
) -> sp.csr_array:
    """Symmetric sentence graph with textrank4zh's similarity as edge weights.

    `bags` are the word ids of each sentence, repeats included (they count in |S|).
    `self_loops` keeps the diagonal (shared words with itself), as textrank4zh does.
    `shared` may pass in `shared_words(bags, vocabulary)` when the caller has it already.
    """
    n = len(bags)
    if n == 0:
        return sp.csr_array((0, 0))
    counts = (shared if shared is not None else shared_words(bags, vocabulary)).tocoo()
    logs = np.array([log(float(len(bag))) if bag else 0.0 for bag in bags])
    denominator = logs[counts.row] + logs[counts.col]
    keep = (counts.data > 0) & (np.abs(denominator) >= 1e-12)
    if not self_loops:
        keep &= counts.row != counts.col
    graph = sp.csr_array(
        (counts.data[keep] / denominator[keep], (counts.row[keep], counts.col[keep])),
        shape=(n, n),
    )
    graph.sum_duplicates()
    graph.sort_indices()
    return graph


def cooccurrence_graph(sequences: list[list[int]], vocabulary: int, window: int, binary: bool) -> sp.csr_array:
    """Symmetric word graph: an edge between vertices at most `window - 1` apart in a sequence.

    Sequence items are vertex ids, or -1 for words that hold a position but are no vertex.
    `binary` gives textrank4zh's 0/1 weights (a word next to itself makes a self-loop);
    otherwise edges count co-occurrences and self-loops are dropped.
    """
    gap = max(window, 2) - 1
    flat: list[int] = []
    for seq in sequences:
        flat.extend(seq)
        flat.extend([-1] * gap)  # no window spans two sentences
    ids = np.array(flat, dtype=np.int64)
    rows, cols = [], []
    for d in range(1, gap + 1):
        a, b = ids[:-d], ids[d:]
        mask = (a >= 0) & (b >= 0)
        if not binary:
            mask &= a != b
        rows += [a[mask], b[mask]]
        cols += [b[mask], a[mask]]
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    graph = sp.csr_array((np.ones(len(r)), (r, c)), shape=(vocabulary, vocabulary))
    graph.sum_duplicates()
    graph.sort_indices()
    if binary:
        graph.data[:] = 1.0
    return graph


def pagerank(
    graph: sp.csr_array,
    damping: float = DAMPING,
    personalization: np.ndarray | None = None,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> np.ndarray:
    """PageRank scores (summing to 1) of a weighted graph given as a square sparse matrix.

    Rows are normalised to transition probabilities; rows with no weight (dangling nodes) send
    their mass along the personalisation vector (uniform when None), as does the teleport.
    Stops when the L1 change is below n·tol; after max_iter returns the last iterate.
    """
    n = graph.shape[0]
    if n == 0:
        return np.zeros(0)
    out_weight = graph.sum(axis=1)
    nonzero = out_weight != 0
    out_weight[nonzero] = 1.0 / out_weight[nonzero]
    transition = sp.csr_array(sp.spdiags(out_weight.T, 0, n, n)) @ graph
    x = np.repeat(1.0 / n, n)
    if personalization is None:
        p = np.repeat(1.0 / n, n)
    else:
        p = np.asarray(personalization, dtype=float)
        p = p / p.sum()
    dangling = np.where(out_weight == 0)[0]
    for _ in range(max_iter):
        last = x
        # builtin sum on purpose: the same summation order as networkx, bit for bit
        x = damping * (x @ transition + sum(x[dangling]) * p) + (1 - damping) * p
        if np.absolute(x - last).sum() < n * tol:
            break
    return x


def rank(scores: np.ndarray) -> list[int]:
    """Indices by descending score; equal scores keep their original order."""
    return [int(i) for i in np.argsort(-scores, kind="stable")]
