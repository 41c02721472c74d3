"""Differentiable (PyTorch) versions of the two fixed steps between the face decoder's network
and the face encoder, for the identity loss of Cole et al. (the rendered image must give back the
input descriptor):

- `spline_warp`: the decoder's polyharmonic spline warp (TF `sparse_image_warp` semantics, as
  tools/reference/warp_ref.py and lib/image), batched, differentiable in the texture and the landmarks;
- `face_encoder_input`: the canonical face's fixed face box, padded to a square and resampled to
  the face encoder's input size, as tools/train/precompute.py frames the descriptors' images.

Both are checked against the numpy references by tools/train/check_differentiable.py.
"""
import math

import torch
import torch.nn.functional as F


def _phi(r2, order):
    """Polyharmonic RBF of the distance r, from r^2 (warp_ref.phi, differentiable at r = 0)."""
    if order == 1:
        return torch.sqrt(r2.clamp_min(1e-20))
    if order == 2:
        return 0.5 * r2 * torch.log(r2.clamp_min(1e-20))
    if order == 3:
        return r2 * torch.sqrt(r2.clamp_min(1e-20))
    raise ValueError(f"order {order} is not 1, 2 or 3")


def _squared_distances(a, b):
    """[B, n, 2] x [B, m, 2] -> [B, n, m] squared distances, as |a|^2 + |b|^2 - 2 a.b (float64:
    exact enough for pixel coordinates; torch.cdist's backward pass is many times slower)."""
    return ((a * a).sum(-1, keepdim=True) + (b * b).sum(-1).unsqueeze(1)
            - 2.0 * a @ b.transpose(1, 2)).clamp_min(0.0)


def _boundary_yx(height, width, count, dtype):
    """TF's zero-flow points (warp_ref.boundary_locations) as (y, x)."""
    if count == 0:
        return torch.zeros(0, 2, dtype=dtype)
    ys = torch.linspace(0.0, height - 1.0, count + 1, dtype=dtype)
    xs = torch.linspace(0.0, width - 1.0, count + 1, dtype=dtype)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    border = (gx == 0) | (gx == width - 1) | (gy == 0) | (gy == height - 1)
    return torch.stack([gy[border], gx[border]], dim=-1)


def spline_warp(image, source_xy, dest_xy, order=2, regularization=1e-3, boundary_points=2,
                flow_grid=None):
    """image [B, H, W, C] drawn at `source_xy` [L, 2] (the mean landmarks) -> warped so that
    they move to `dest_xy` [B, L, 2]; (x, y) points, pixel units. The spline is solved and the
    flow evaluated in float64 (the system mixes r^2 log r ~ 1e5 with ones), the sampling in the
    image's dtype.

    flow_grid = G evaluates the spline's flow on a G x G lattice spanning the pixel centres and
    interpolates it bilinearly to every pixel: the spline is smooth, so a lattice of 3-pixel
    spacing moves pixels by well under a pixel from the exact flow, at a tenth of the cost
    (evaluating a 76-centre spline at every pixel of a batch dominates a training step).
    None: exact, as the references."""
    batch, height, width, channels = image.shape
    dest_yx = dest_xy.double().flip(-1)
    source_yx = source_xy.double().flip(-1).expand_as(dest_yx)
    boundary = _boundary_yx(height, width, boundary_points, torch.float64).expand(batch, -1, -1)
    centres = torch.cat([dest_yx, boundary], dim=1)                      # [B, n, 2]
    values = torch.cat([dest_yx - source_yx, torch.zeros_like(boundary)], dim=1)
    n = centres.shape[1]
    a = _phi(_squared_distances(centres, centres), order) + regularization * torch.eye(
        n, dtype=torch.float64)
    b = torch.cat([centres, torch.ones(batch, n, 1, dtype=torch.float64)], dim=2)
    top = torch.cat([a, b], dim=2)
    bottom = torch.cat([b.transpose(1, 2), torch.zeros(batch, 3, 3, dtype=torch.float64)], dim=2)
    rhs = torch.cat([values, torch.zeros(batch, 3, 2, dtype=torch.float64)], dim=1)
    solution = torch.linalg.solve(torch.cat([top, bottom], dim=1), rhs)
    w, v = solution[:, :n], solution[:, n:]
    rows, cols = (height, width) if flow_grid is None else (flow_grid, flow_grid)
    gy, gx = torch.meshgrid(torch.linspace(0, height - 1.0, rows, dtype=torch.float64),
                            torch.linspace(0, width - 1.0, cols, dtype=torch.float64), indexing="ij")
    lattice = torch.stack([gy.reshape(-1), gx.reshape(-1)], dim=-1).expand(batch, -1, -1)
    flow = _phi(_squared_distances(lattice, centres), order) @ w
    flow = flow + torch.cat([lattice, torch.ones(batch, lattice.shape[1], 1, dtype=torch.float64)], 2) @ v
    flow = flow.to(image.dtype)
    if flow_grid is not None:
        flow = F.interpolate(flow.reshape(batch, rows, cols, 2).permute(0, 3, 1, 2),
                             size=(height, width), mode="bilinear", align_corners=True)
        flow = flow.permute(0, 2, 3, 1).reshape(batch, height * width, 2)
    py, px = torch.meshgrid(torch.arange(height, dtype=image.dtype),
                            torch.arange(width, dtype=image.dtype), indexing="ij")
    qy = py.reshape(1, -1) - flow[..., 0]
    qx = px.reshape(1, -1) - flow[..., 1]

    def cell(q, size):  # warp_ref.dense_image_warp: edge-clamped bilinear
        lower = torch.clamp(torch.floor(q.detach()), 0, size - 2)
        return lower.long(), torch.clamp(q - lower, 0.0, 1.0)

    y0, ay = cell(qy, height)
    x0, ax = cell(qx, width)
    flat = image.reshape(batch, height * width, channels)

    def at(y, x):
        index = (y * width + x).unsqueeze(-1).expand(-1, -1, channels)
        return torch.gather(flat, 1, index)

    ay, ax = ay.unsqueeze(-1), ax.unsqueeze(-1)
    top_row = at(y0, x0) + ax * (at(y0, x0 + 1) - at(y0, x0))
    bottom_row = at(y0 + 1, x0) + ax * (at(y0 + 1, x0 + 1) - at(y0 + 1, x0))
    return (top_row + ay * (bottom_row - top_row)).reshape(batch, height, width, channels)


def gaussian_blur(image, sigma):
    """[B, H, W, C] image blurred by a separable Gaussian of `sigma` pixels (edges replicated)."""
    if sigma <= 0:
        return image
    radius = int(math.ceil(3 * sigma))
    taps = torch.arange(-radius, radius + 1, dtype=image.dtype)
    kernel = torch.exp(-taps * taps / (2 * sigma * sigma))
    kernel = kernel / kernel.sum()
    x = image.permute(0, 3, 1, 2)
    channels = x.shape[1]
    x = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"),
                 kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)
    x = F.conv2d(F.pad(x, (0, 0, radius, radius), mode="replicate"),
                 kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)
    return x.permute(0, 2, 3, 1)


def face_encoder_input(image, box, size):
    """image [B, H, W, 3] in 0..1, a canonical face at any resolution; box (x, y, w, h) in
    224-pixel units (compare_face_api.F2F_BOX) -> [B, size, size, 3] in 0..255: the box padded
    to a centred square with black and resampled bilinearly (half-pixel centres), the framing
    the descriptors of the training targets were computed with."""
    x, y, w, h = box
    side = max(w, h)
    left, top = x - (side - w) / 2.0, y - (side - h) / 2.0
    steps = (torch.arange(size, dtype=image.dtype) + 0.5) * (side / size)
    xs, ys = left + steps, top + steps                                   # 224-unit coordinates
    inside_x = ((xs >= x) & (xs <= x + w)).to(image.dtype)
    inside_y = ((ys >= y) & (ys <= y + h)).to(image.dtype)
    gy, gx = torch.meshgrid(ys / 224.0 * 2 - 1, xs / 224.0 * 2 - 1, indexing="ij")
    grid = torch.stack([gx, gy], dim=-1).expand(image.shape[0], -1, -1, -1)
    sampled = F.grid_sample(image.permute(0, 3, 1, 2), grid, mode="bilinear",
                            padding_mode="border", align_corners=False)
    mask = (inside_y[:, None] * inside_x[None, :])[None, None]
    return (sampled * mask * 255.0).permute(0, 2, 3, 1)
