#!/usr/bin/python3
"""Regenerates tests/index/data: a small gallery with exact ties and the float64 numpy top-k of
every metric under the library's documented order (score, then id ascending).
usage: tools/goldens/gen_index_goldens.py [OUT_DIR]"""
import os
import sys

import numpy as np

K = 12


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "index", "data")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(77)
    d = 70  # not a multiple of 16: the kernels' tails run too
    g = rng.standard_normal((300, d)).astype(np.float32)
    g[200:240] = g[0:40]          # exact duplicates under other ids: ties resolved by id
    ids = rng.choice(10**6, 300, replace=False).astype(np.int64)
    q = np.concatenate([g[[0, 5, 17, 250]] + 0.001 * rng.standard_normal((4, d)),
                        rng.standard_normal((4, d))]).astype(np.float32)
    np.save(os.path.join(out, "gallery.npy"), g)
    np.save(os.path.join(out, "gallery_ids.npy"), ids)
    np.save(os.path.join(out, "queries.npy"), q)
    g64, q64 = g.astype(np.float64), q.astype(np.float64)
    for metric in ("cosine", "ip", "l2", "l1"):
        if metric == "cosine":
            gn = g64 / np.linalg.norm(g64, axis=1, keepdims=True)
            qn = q64 / np.linalg.norm(q64, axis=1, keepdims=True)
            s = qn @ gn.T
        elif metric == "ip":
            s = q64 @ g64.T
        elif metric == "l2":
            s = ((q64[:, None] - g64[None]) ** 2).sum(-1)
        else:
            s = np.abs(q64[:, None] - g64[None]).sum(-1)
        key = -s if metric in ("cosine", "ip") else s
        order = np.lexsort((np.broadcast_to(ids, s.shape), key), axis=1)[:, :K]
        np.save(os.path.join(out, f"expected_{metric}_ids.npy"), ids[order])
        np.save(os.path.join(out, f"expected_{metric}_scores.npy"),
                np.take_along_axis(s, order, axis=1).astype(np.float32))


if __name__ == "__main__":
    main()
