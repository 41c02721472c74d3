#!/usr/bin/python3
"""Reference of the landmark-driven image warp (lib/image), in numpy float64.

Written independently from the documented semantics of TensorFlow Addons'
`sparse_image_warp`, `interpolate_spline` and `dense_image_warp` (see docs/warp.md), in TF's own
conventions — points are (y, x) here — so that the C library's (x, y) API is checked against a
different path. The linear system is solved directly in pixel coordinates with
numpy.linalg.solve (the C code normalises coordinates and uses its own LU), and the dense flow is
evaluated with plain numpy broadcasting.

Library use:   from warp_ref import warp_xy       (x, y) points, like the C API
Command line:  warp_ref.py IMAGE.npy SRC_XY.npy DST_XY.npy OUT.npy [--order K]
                           [--regularization L] [--boundary-points N]
"""
import argparse
import sys

import numpy as np


def phi(squared_distance, order):
    """Polyharmonic RBF of the distance r, from r²: r, r² log r, r³ (0 at r = 0)."""
    r2 = np.asarray(squared_distance, dtype=np.float64)
    if order == 1:
        return np.sqrt(r2)
    if order == 2:
        safe = np.where(r2 > 0.0, r2, 1.0)
        return np.where(r2 > 0.0, 0.5 * r2 * np.log(safe), 0.0)
    if order == 3:
        return r2 * np.sqrt(r2)
    raise ValueError(f"order {order} is not 1, 2 or 3")


def squared_distances(a, b):
    """[n, d] x [m, d] -> [n, m] squared Euclidean distances."""
    diff = a[:, None, :] - b[None, :, :]
    return np.sum(diff * diff, axis=-1)


def interpolate_spline(train_points, train_values, query_points, order, regularization_weight=0.0):
    """f(x) = sum_i w_i phi(|x - c_i|) + v^T [x, 1], fitted with (A + lambda I) w + B v = f,
    B^T w = 0, evaluated at query_points. Shapes: [n, d], [n, k], [m, d] -> [m, k]."""
    c = np.asarray(train_points, dtype=np.float64)
    f = np.asarray(train_values, dtype=np.float64)
    q = np.asarray(query_points, dtype=np.float64)
    n, d = c.shape
    a = phi(squared_distances(c, c), order) + regularization_weight * np.eye(n)
    b = np.concatenate([c, np.ones((n, 1))], axis=1)
    lhs = np.block([[a, b], [b.T, np.zeros((d + 1, d + 1))]])
    rhs = np.concatenate([f, np.zeros((d + 1, f.shape[1]))], axis=0)
    solution = np.linalg.solve(lhs, rhs)
    w, v = solution[:n], solution[n:]
    rbf = phi(squared_distances(q, c), order) @ w
    affine = np.concatenate([q, np.ones((q.shape[0], 1))], axis=1) @ v
    return rbf + affine


def boundary_locations(height, width, num_boundary_points):
    """TF's zero-flow points as (y, x): of the grid linspace(0, H-1, n+1) x linspace(0, W-1, n+1)
    keep the points on the image border (n = 1: the 4 corners; 4n points in all)."""
    if num_boundary_points == 0:
        return np.zeros((0, 2))
    ys = np.linspace(0.0, height - 1.0, num_boundary_points + 1)
    xs = np.linspace(0.0, width - 1.0, num_boundary_points + 1)
    gy, gx = np.meshgrid(ys, xs, indexing="ij")
    on_border = (gx == 0) | (gx == width - 1) | (gy == 0) | (gy == height - 1)
    return np.stack([gy[on_border], gx[on_border]], axis=-1)


def dense_image_warp(image, flow):
    """output[j, i] = image[j - flow[j, i, 0], i - flow[j, i, 1]], bilinear, clamped to the
    image edge (the neighbour cell clipped to [0, size-2], the fraction to [0, 1])."""
    image = np.asarray(image, dtype=np.float64)
    height, width = image.shape[:2]
    gy, gx = np.meshgrid(np.arange(height, dtype=np.float64),
                         np.arange(width, dtype=np.float64), indexing="ij")
    qy, qx = gy - flow[..., 0], gx - flow[..., 1]

    def cell(q, size):
        lower = np.clip(np.floor(q), 0, size - 2)
        alpha = np.clip(q - lower, 0.0, 1.0)
        return lower.astype(np.int64), alpha

    y0, ay = cell(qy, height)
    x0, ax = cell(qx, width)
    ay, ax = ay[..., None], ax[..., None]
    top_left, top_right = image[y0, x0], image[y0, x0 + 1]
    bottom_left, bottom_right = image[y0 + 1, x0], image[y0 + 1, x0 + 1]
    top = top_left + ax * (top_right - top_left)
    bottom = bottom_left + ax * (bottom_right - bottom_left)
    return top + ay * (bottom - top)


def dense_flow_yx(height, width, source_yx, dest_yx, order=2, regularization_weight=0.0,
                  num_boundary_points=0):
    """The [H, W, 2] (dy, dx) flow that sparse_image_warp samples with."""
    source_yx = np.asarray(source_yx, dtype=np.float64)
    dest_yx = np.asarray(dest_yx, dtype=np.float64)
    flows = dest_yx - source_yx
    boundary = boundary_locations(height, width, num_boundary_points)
    train = np.concatenate([dest_yx, boundary], axis=0)
    values = np.concatenate([flows, np.zeros_like(boundary)], axis=0)
    gy, gx = np.meshgrid(np.arange(height, dtype=np.float64),
                         np.arange(width, dtype=np.float64), indexing="ij")
    query = np.stack([gy.ravel(), gx.ravel()], axis=-1)
    flow = interpolate_spline(train, values, query, order, regularization_weight)
    return flow.reshape(height, width, 2)


def sparse_image_warp(image, source_yx, dest_yx, order=2, regularization_weight=0.0,
                      num_boundary_points=0):
    """[H, W, C] image warped so that source_yx[t] moves to dest_yx[t]; TF conventions."""
    image = np.asarray(image, dtype=np.float64)
    flow = dense_flow_yx(image.shape[0], image.shape[1], source_yx, dest_yx, order,
                         regularization_weight, num_boundary_points)
    return dense_image_warp(image, flow)


def warp_xy(image, src_xy, dst_xy, order=2, regularization=0.0, boundary_points=2):
    """The C API's conventions: (x, y) points, the library's default boundary_points = 2."""
    image = np.asarray(image, dtype=np.float64)
    squeeze = image.ndim == 2
    if squeeze:
        image = image[..., None]
    out = sparse_image_warp(image, np.asarray(src_xy, dtype=np.float64)[:, ::-1],
                            np.asarray(dst_xy, dtype=np.float64)[:, ::-1], order,
                            regularization, boundary_points)
    return out[..., 0] if squeeze else out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("image")
    parser.add_argument("src_xy")
    parser.add_argument("dst_xy")
    parser.add_argument("out")
    parser.add_argument("--order", type=int, default=2)
    parser.add_argument("--regularization", type=float, default=0.0)
    parser.add_argument("--boundary-points", type=int, default=2)
    args = parser.parse_args(argv)
    out = warp_xy(np.load(args.image), np.load(args.src_xy), np.load(args.dst_xy), args.order,
                  args.regularization, args.boundary_points)
    np.save(args.out, out.astype(np.float32))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def landmark_layout(size):
    """68 (x, y) points arranged like the iBUG 68-landmark face (jaw, brows, nose, eyes, mouth),
    scaled to a size x size image. Not a detector's output, just a plausible configuration."""
    c = size / 2.0
    s = size / 64.0
    points = []
    for t in np.linspace(np.pi * 0.05, np.pi * 0.95, 17):            # jaw, 17
        points.append((c - 22 * s * np.cos(t), c + 2 * s + 24 * s * np.sin(t) * 0.9))
    for side in (-1, 1):                                              # brows, 2 x 5
        for t in np.linspace(0, 1, 5):
            x = c + side * (6 + 14 * t) * s if side > 0 else c - (20 - 14 * t) * s
            points.append((x, c - 12 * s - 3 * s * np.sin(np.pi * t)))
    for t in np.linspace(0, 1, 4):                                    # nose bridge, 4
        points.append((c, c - 8 * s + 12 * s * t))
    for t in np.linspace(-1, 1, 5):                                   # nostrils, 5
        points.append((c + 5 * s * t, c + 6 * s - 1.5 * s * (1 - t * t)))
    for side in (-1, 1):                                              # eyes, 2 x 6
        ex = c + side * 12 * s
        for a in np.linspace(0, 2 * np.pi, 7)[:-1]:
            points.append((ex - 5 * s * np.cos(a), c - 6 * s - 2 * s * np.sin(a)))
    for a in np.linspace(0, 2 * np.pi, 13)[:-1]:                      # outer lips, 12
        points.append((c - 10 * s * np.cos(a), c + 14 * s - 4 * s * np.sin(a)))
    for a in np.linspace(0, 2 * np.pi, 9)[:-1]:                       # inner lips, 8
        points.append((c - 6 * s * np.cos(a), c + 14 * s - 1.5 * s * np.sin(a)))
    points = np.asarray(points, dtype=np.float32)
    assert points.shape == (68, 2)
    return points
