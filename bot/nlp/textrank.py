"""The graph half of TextRank: sparse sentence and word graphs, and PageRank by power iteration.

Sentence similarity is textrank4zh's: shared distinct words / (log|Si| + log|Sj|), |S| counting
repeats. It is built from a sentence x word incidence matrix B: B·Bᵀ holds the shared-word
counts of exactly the pairs that share a word, so the cost follows real overlaps instead of
n² comparisons. A word in k sentences makes k² pairs, so on huge inputs (a 10,000-paragraph
page, a book-length paragraph) the most widespread words would still fill an n x n matrix:
`shared_words` keeps the pair count under `pair_budget(n)` (linear in n) by leaving out of the
pairs the words found in the most sentences, which say least about which sentences belong
together. Normal articles are far below the budget and get the exact graph.

`pagerank` does what networkx 2.x's scipy PageRank does (same start vector, dangling-node mass
to the personalisation vector, L1 stop test err < n·tol, the same order of floating-point
operations: the transpose is built once and multiplied with its column indices sorted, which
is what `x @ M` does inside scipy on every iteration), so textrank4zh's rankings come out
identical, ties included.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain, combinations
from math import log

import numpy as np
import scipy.sparse as sp

DAMPING = 0.85
PAIRS_FIXED = 200_000  # no normal article comes near this ...
PAIRS_PER_SENTENCE = 32  # ... and beyond it the graph grows with the sentences, not their square
SMALL_PAIRS = 20_000  # below this many candidate pairs, plain Python beats building sparse matrices


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


def pair_budget(n: int) -> int:
    """How many sentence pairs the similarity graph may hold: linear in the sentence count."""
    return PAIRS_FIXED + PAIRS_PER_SENTENCE * n


def widespread_words(bags: list[list[int]], vocabulary: int, budget: int) -> np.ndarray:
    """Boolean mask of the words to leave out of the pairs so that sum(k²) over the words kept
    (k = sentences holding the word) stays within `budget`: the most widespread go first."""
    flat = [w for bag in bags for w in set(bag)]
    df = np.bincount(np.array(flat, dtype=np.int64), minlength=vocabulary) if flat else np.zeros(vocabulary, np.int64)
    drop = np.zeros(vocabulary, dtype=bool)
    total = int((df * df).sum())
    if total <= budget:
        return drop
    for w in np.argsort(-df, kind="stable"):
        if total <= budget:
            break
        drop[w] = True
        total -= int(df[w]) ** 2
    return drop


def shared_words(bags: list[list[int]], vocabulary: int, budget: int | None = None) -> sp.csr_array:
    """Sentence x sentence counts of shared distinct words (B·Bᵀ), diagonal included, within
    `budget` pairs (default `pair_budget(n)`; see the module docstring)."""
    budget = pair_budget(len(bags)) if budget is None else budget
    drop = widespread_words(bags, vocabulary, budget)
    if drop.any():
        bags = [[w for w in bag if not drop[w]] for bag in bags]
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


@dataclass
class Edges:
    """A symmetric sentence graph as edge lists (both directions, grouped by source: the edges of
    sentence i are start[i]:start[i+1]), with each pair's shared distinct words and similarity."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    shared: np.ndarray
    weight: np.ndarray
    start: np.ndarray
    distinct: np.ndarray  # distinct words per sentence (all of them, kept or not)


def _postings(bags: list[list[int]], budget: int) -> tuple[dict[int, list[int]], list[int], set[int]]:
    """word -> the sentences holding it, distinct words per sentence, and the words left out of
    the pairs to stay within `budget` (the most widespread first: see `widespread_words`)."""
    postings: dict[int, list[int]] = {}
    distinct: list[int] = []
    for i, bag in enumerate(bags):
        words = set(bag)
        distinct.append(len(words))
        for w in words:
            postings.setdefault(w, []).append(i)
    load = sum(len(p) * len(p) for p in postings.values())
    dropped: set[int] = set()
    if load > budget:
        for w in sorted(postings, key=lambda w: (-len(postings[w]), w)):
            if load <= budget:
                break
            load -= len(postings[w]) ** 2
            dropped.add(w)
    return postings, distinct, dropped


def _pairs_small(postings: dict[int, list[int]]) -> tuple[list[int], list[int], list[int]]:
    # each word's sentences are in increasing order, so its pairs come out (earlier, later)
    counts: Counter[tuple[int, int]] = Counter(
        chain.from_iterable(combinations(sentences, 2) for sentences in postings.values() if len(sentences) > 1)
    )
    rows = [i for i, _ in counts]
    cols = [j for _, j in counts]
    return rows, cols, list(counts.values())


def sentence_edges(bags: list[list[int]], vocabulary: int, budget: int | None = None) -> Edges:
    """The similarity graph of `similarity_graph(..., self_loops=False)` as edge lists, within
    the pair budget; plain Python for small articles, sparse matrices for large ones."""
    n = len(bags)
    budget = pair_budget(n) if budget is None else budget
    postings, distinct, dropped = _postings(bags, budget)
    for w in dropped:
        del postings[w]
    if sum(len(p) * len(p) for p in postings.values()) <= SMALL_PAIRS:
        rows, cols, counts = _pairs_small(postings)
        i, j, c = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(counts, dtype=float)
    else:
        kept = [[w for w in bag if w not in dropped] for bag in bags] if dropped else bags
        upper = sp.triu(shared_words(kept, vocabulary, budget=1 << 62), k=1).tocoo()
        i, j, c = upper.row.astype(np.int64), upper.col.astype(np.int64), upper.data.astype(float)
    logs = np.array([log(float(len(bag))) if bag else 0.0 for bag in bags])
    denominator = logs[i] + logs[j]
    keep = (c > 0) & (np.abs(denominator) >= 1e-12)
    i, j, c, w = i[keep], j[keep], c[keep], c[keep] / denominator[keep]
    src, dst = np.concatenate([i, j]), np.concatenate([j, i])
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    shared, weight = np.concatenate([c, c])[order], np.concatenate([w, w])[order]
    start = np.searchsorted(src, np.arange(n + 1))
    return Edges(n, src, dst, shared, weight, start, np.array(distinct, dtype=float))


def pagerank_edges(
    edges: Edges,
    damping: float = DAMPING,
    personalization: np.ndarray | None = None,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> np.ndarray:
    """PageRank as `pagerank` computes it (dangling mass and teleport to the personalisation
    vector, the same stop test), on an edge-list graph: numpy only, linear in the edges."""
    n = edges.n
    if n == 0:
        return np.zeros(0)
    out = np.bincount(edges.src, weights=edges.weight, minlength=n)
    share = edges.weight / np.where(out[edges.src] > 0, out[edges.src], 1.0)
    p = np.repeat(1.0 / n, n) if personalization is None else np.asarray(personalization, dtype=float)
    p = p / p.sum()
    dangling = out == 0
    x = np.repeat(1.0 / n, n)
    for _ in range(max_iter):
        last = x
        flow = np.bincount(edges.dst, weights=share * x[edges.src], minlength=n)
        x = damping * (flow + x[dangling].sum() * p) + (1 - damping) * p
        if np.absolute(x - last).sum() < n * tol:
            break
    return x


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
    # x @ transition, as networkx writes it, makes scipy transpose the matrix on every
    # iteration; the transpose with sorted indices sums in the same order, bit for bit
    transposed = transition.T.tocsr()
    transposed.sort_indices()
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
        x = damping * (transposed @ x + sum(x[dangling]) * p) + (1 - damping) * p
        if np.absolute(x - last).sum() < n * tol:
            break
    return x


def rank(scores: np.ndarray) -> list[int]:
    """Indices by descending score; equal scores keep their original order."""
    return [int(i) for i in np.argsort(-scores, kind="stable")]
