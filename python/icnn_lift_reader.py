#!/usr/bin/env python3
"""Reads an icnn-lift model (model.safetensors, or `icnn-lift export --format safetensors`) with NumPy alone and
evaluates its log-density.

    python3 icnn_lift_reader.py MODEL.safetensors POINTS.csv   # prints log p, one line a point

As a module: `model = load(path)`, then `model.log_density(x)` for x of shape [n, d]. The file holds each network as
the affine maps one pass uses (names and equations: the README's "Use the models from Python"); everything is
evaluated in float64.
"""
import json
import math
import struct
import sys

import numpy as np

_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "U8": np.uint8}
_FORMAT = "icnn-lift-portable/1"


def read_safetensors(path):
    """The tensors (float64 NumPy arrays) and the metadata (a dict of strings) of a safetensors file."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=_DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = array.astype(np.float64)
    return tensors, metadata


class Activation:
    """s, s' and s'' of an activation by its command-line name ("softplus", "leaky_relu:0.01", ...)."""

    def __init__(self, name):
        kind, _, parameter = name.partition(":")
        self.kind = kind
        self.parameter = float(parameter) if parameter else {"leaky_relu": 0.01, "elu": 1.0}.get(kind, 0.0)
        if kind not in ("softplus", "relu", "leaky_relu", "elu", "gaussian_softplus"):
            raise ValueError(f"unknown activation '{name}'")

    def value(self, u):
        k, p = self.kind, self.parameter
        if k == "softplus":
            return np.logaddexp(0.0, u)
        if k == "relu":
            return np.maximum(u, 0.0)
        if k == "leaky_relu":
            return np.where(u > 0, u, p * u)
        if k == "elu":
            return np.where(u > 0, u, p * np.expm1(np.minimum(u, 0.0)))
        return u * _normal_cdf(u) + _normal_pdf(u) - _normal_pdf(0.0)

    def slope(self, u):
        k, p = self.kind, self.parameter
        if k == "softplus":
            return _sigmoid(u)
        if k == "relu":
            return (u > 0).astype(np.float64)
        if k == "leaky_relu":
            return np.where(u > 0, 1.0, p)
        if k == "elu":
            return np.where(u > 0, 1.0, p * np.exp(np.minimum(u, 0.0)))
        return _normal_cdf(u)

    def curvature(self, u):
        k, p = self.kind, self.parameter
        if k == "softplus":
            return _sigmoid(u) * _sigmoid(-u)
        if k in ("relu", "leaky_relu"):
            return np.zeros_like(u)
        if k == "elu":
            return np.where(u > 0, 0.0, p * np.exp(np.minimum(u, 0.0)))
        return _normal_pdf(u)


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


def _normal_pdf(u):
    return np.exp(-0.5 * np.square(u)) / math.sqrt(2.0 * math.pi)


def _normal_cdf(u):
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(u) / math.sqrt(2.0)))


class ConvexNetwork:
    """E(x) = w_L a_(L-1) + a_L x + c + (alpha/2)|x|^2 (+ the Gaussian base), with u_0 = A_0 x + b_0,
    u_l = W_l a_(l-1) + A_l x + b_l and a_l = s(u_l) - (symmetric_l / 2) u_l."""

    def __init__(self, tensors, prefix, depth, activation):
        t = lambda name: tensors[prefix + name]
        self.depth = depth
        self.activation = activation
        self.input_weights = [t(f"input_weight.{l}") for l in range(depth + 1)]
        self.input_biases = [t(f"input_bias.{l}") for l in range(depth + 1)]
        self.hidden = [None] + [t(f"hidden_weight.{l}") for l in range(1, depth + 1)]
        self.symmetric = [t(f"symmetric.{l}") for l in range(depth)]
        self.alpha = float(t("alpha"))
        self.base = (t("base_mean"), t("base_precision")) if prefix + "base_mean" in tensors else None

    def _pre_activations(self, x):
        a, b, w, s = self.input_weights, self.input_biases, self.hidden, self.symmetric
        pre = [x @ a[0].T + b[0]]
        for l in range(1, self.depth):
            units = self.activation.value(pre[-1]) - 0.5 * s[l - 1] * pre[-1]
            pre.append(units @ w[l].T + x @ a[l].T + b[l])
        return pre

    def energy(self, x):
        pre = self._pre_activations(x)
        last = self.activation.value(pre[-1]) - 0.5 * self.symmetric[-1] * pre[-1]
        e = (last @ self.hidden[self.depth].T)[:, 0] + (x @ self.input_weights[self.depth].T)[:, 0] + self.input_biases[self.depth][0]
        e = e + 0.5 * self.alpha * np.sum(x * x, axis=1)
        if self.base is not None:
            centred = x - self.base[0]
            e = e + 0.5 * np.einsum("ni,ij,nj->n", centred, self.base[1], centred)
        return e

    def gradient_and_hessian(self, x):
        """grad E [n, d] and Hess E [n, d, d] in closed form: J_0 = A_0, J_l = W_l diag(s'(u_(l-1))) J_(l-1) + A_l,
        grad E = J_(L-1)^T (w_L * s'(u_(L-1))) + a_L + alpha x, Hess E = alpha I + sum_l J_l^T diag(g_l s''(u_l)) J_l
        with g_(L-1) = w_L and g_(l-1) = W_l^T (g_l * s'(u_l))."""
        n, d = x.shape
        pre = self._pre_activations(x)
        slopes = [self.activation.slope(u) - 0.5 * s for u, s in zip(pre, self.symmetric)]
        jacobians = [np.broadcast_to(self.input_weights[0], (n,) + self.input_weights[0].shape)]
        for l in range(1, self.depth):
            jacobians.append(np.einsum("hk,nkd->nhd", self.hidden[l], slopes[l - 1][:, :, None] * jacobians[-1]) + self.input_weights[l])
        readout = self.hidden[self.depth][0]
        gradient = np.einsum("nh,nhd->nd", readout * slopes[-1], jacobians[-1]) + self.input_weights[self.depth][0] + self.alpha * x
        hessian = np.broadcast_to(self.alpha * np.eye(d), (n, d, d)).copy()
        if self.base is not None:
            gradient = gradient + (x - self.base[0]) @ self.base[1]
            hessian = hessian + self.base[1]
        adjoint = np.broadcast_to(readout, (n, readout.shape[0]))
        for l in range(self.depth - 1, -1, -1):
            c = adjoint * self.activation.curvature(pre[l])
            hessian = hessian + np.einsum("nhi,nh,nhj->nij", jacobians[l], c, jacobians[l])
            if l > 0:
                adjoint = (adjoint * slopes[l]) @ self.hidden[l]
        return gradient, hessian


class Model:
    """A model file read back: log_density(x) for x [n, d]."""

    def __init__(self, tensors, metadata):
        if metadata.get("format") != _FORMAT:
            raise ValueError(f"not an icnn-lift model (format {metadata.get('format')!r}, expected {_FORMAT!r})")
        self.metadata = metadata
        self.task = metadata["task"]
        self.dimension = int(metadata["dimension"])
        depth, activation = int(metadata["depth"]), Activation(metadata["activation"])
        if self.task == "ebm":
            self.energy = ConvexNetwork(tensors, "", depth, activation)
            self.log_normalizer = float(metadata["log_normalizer"])
        else:
            blocks = int(metadata["blocks"])
            self.norms = [(tensors[f"block{k}.actnorm_loc"], tensors[f"block{k}.actnorm_log_scale"]) for k in range(blocks)]
            self.potentials = [ConvexNetwork(tensors, f"block{k}.", depth, activation) for k in range(blocks)]
            self.base_scale = float(metadata["base_scale"])

    def log_density(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.dimension:
            raise ValueError(f"points must have shape [n, {self.dimension}], got {list(x.shape)}")
        if self.task == "ebm":
            return -self.energy.energy(x) - self.log_normalizer
        log_det = np.zeros(x.shape[0])
        for (loc, log_scale), potential in zip(self.norms, self.potentials):
            x = (x - loc) * np.exp(-log_scale)
            log_det -= np.sum(log_scale)
            x, hessian = potential.gradient_and_hessian(x)
            log_det += np.linalg.slogdet(hessian)[1]
        s, d = self.base_scale, self.dimension
        return -0.5 * np.sum(x * x, axis=1) / (s * s) - d * (0.5 * math.log(2.0 * math.pi) + math.log(s)) + log_det


def load(path):
    """The model in a safetensors file written by icnn-lift."""
    return Model(*read_safetensors(path))


def read_points(path):
    """Rows of a CSV file of numbers; a first row that is not numbers is a header."""
    rows = []
    with open(path) as f:
        for i, line in enumerate(f):
            cells = line.strip().split(",")
            if not line.strip():
                continue
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                if i > 0 or rows:
                    raise
    return np.array(rows, dtype=np.float64)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: icnn_lift_reader.py MODEL.safetensors POINTS.csv")
    for value in load(sys.argv[1]).log_density(read_points(sys.argv[2])):
        print(repr(float(value)))
