#!/usr/bin/python3
"""Exports small CNNs from PyTorch to ONNX (training mode, so every BatchNorm stays) and writes,
beside each model.onnx, a reference file model.safetensors in the format of the oracle's
(testdata/oracle/README.md, metadata space "onnx"): the input images, labels, per-sample
logits and losses (each sample alone, BatchNorm in train mode), sample 0's gradients of the
first and last three weight layers, and GradSign in float32 and float64, per layer under the
ONNX node names the engine gives its layers (the weights are the model file's). No
mini-batch proxies ("proxies" is empty). The engine's reference tests read both
(internal/oracle).

Models: a CIFAR ResNet-20 (1x1 projection shortcuts), a VGG-style network with max pools, and
NAS-Bench-201's TinyNetwork (index 0's cell, C=8, N=1), whose score must also equal the
native nb201 front-end's on the same weights. And tiny_folded.onnx, a small network exported
the default (eval-mode) way, its BatchNorm folded away: the case the engine detects.

usage: mkonnxref.py OUTDIR [--data assets/cifar10_test_first1000.bin] [--n 8]
Needs Debian's python3-torch (PyTorch 1.13) and python3-onnx.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'pyref'))
from gradsign_ref import TinyNetwork, parse_arch, read_cifar  # noqa: E402


def conv_bn(c_in, c_out, k=3, stride=1):
    return [nn.Conv2d(c_in, c_out, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(c_out)]


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(c_in, c_out, 3, stride)
        self.conv2, self.bn2 = conv_bn(c_out, c_out, 3, 1)
        self.shortcut = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(*conv_bn(c_in, c_out, 1, stride))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet20(nn.Module):
    """He et al.'s CIFAR ResNet-20: three stages of three basic blocks (16, 32, 64 channels)."""
    def __init__(self, classes=10):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(3, 16)
        blocks, c = [], 16
        for stage, width in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(BasicBlock(c, width, 2 if stage > 0 and b == 0 else 1))
                c = width
        self.layers = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class VGG(nn.Module):
    """A small VGG: two conv-BN-ReLU per stage, a 2x2 max pool after each, two linear layers."""
    def __init__(self, classes=10):
        super().__init__()
        layers, c = [], 3
        for width in [16, 32, 64]:
            for _ in range(2):
                layers += conv_bn(c, width) + [nn.ReLU()]
                c = width
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Linear(64 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


MODELS = {
    'resnet20': (ResNet20, 1),
    'vgg': (VGG, 2),
    'nb201_index0': (lambda: TinyNetwork(parse_arch('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'), 8, 1, 10), 3),
}


def tiny():
    """A network small enough to ship in an eval-mode export (tiny_folded.onnx): PyTorch's
    default export folds its BatchNorm into the convolution, which the engine refuses."""
    return nn.Sequential(*conv_bn(3, 8), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(8 * 8 * 8, 10))


def weight_layers(model_onnx):
    """Maps each Conv or Gemm weight's initialiser name to its node's name."""
    inits = {t.name for t in model_onnx.graph.initializer}
    out = {}
    for n in model_onnx.graph.node:
        if n.op_type in ('Conv', 'Gemm') and len(n.input) > 1 and n.input[1] in inits:
            out[n.input[1]] = n.name
    return out


def per_sample_signs(net, x, y, names):
    """Each sample alone (a batch of one, train-mode BatchNorm): the signs of its gradient of
    every Conv and Linear weight, [n, weights] per layer; and sample 0's gradients."""
    params = dict(net.named_parameters())
    signs, grad0 = {k: [] for k in names}, {}
    for i in range(x.shape[0]):
        net.zero_grad()
        F.cross_entropy(net(x[[i]]), y[[i]]).backward()
        for k in names:
            signs[k].append(torch.sign(params[k].grad).detach().numpy().reshape(-1).astype(np.int64))
            if i == 0:
                grad0[k] = params[k].grad.detach().float().numpy().copy()
    return {k: np.stack(v) for k, v in signs.items()}, grad0


def write_safetensors(path, tensors, metadata):
    header, body = {'__metadata__': metadata}, b''
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dtype = {np.dtype(np.float32): 'F32', np.dtype(np.int64): 'I64'}[arr.dtype]
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [len(body), len(body) + arr.nbytes]}
        body += arr.tobytes()
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + body)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('outdir')
    p.add_argument('--data', default=os.path.join(here, '..', '..', 'assets', 'cifar10_test_first1000.bin'))
    p.add_argument('--n', type=int, default=8)
    a = p.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    torch.set_num_threads(1)
    x, y = read_cifar(a.data, 0, a.n, 1)
    torch.manual_seed(4)
    torch.onnx.export(tiny().eval(), torch.randn(1, 3, 32, 32), os.path.join(a.outdir, 'tiny_folded.onnx'))
    for name, (make, seed) in MODELS.items():
        torch.manual_seed(seed)
        net = make().train()
        path = os.path.join(a.outdir, name + '.onnx')
        torch.onnx.export(net, torch.randn(1, 3, 32, 32), path, training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False, opset_version=14)
        model = onnx.load(path)
        onnx.checker.check_model(model)
        names = weight_layers(model)
        missing = [k for k, m in net.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear)) and k + '.weight' not in names]
        if missing:
            sys.exit(f'{name}: weights without an ONNX node: {missing}')
        with torch.no_grad():
            logits = torch.cat([net(x[[i]]) for i in range(a.n)])
            loss = F.cross_entropy(logits, y, reduction='none')
        s32, grad0 = per_sample_signs(net, x, y, names)
        s64, _ = per_sample_signs(net.double(), x.double(), y, names)
        per_layer = {names[k]: float(np.abs(v.sum(0)).sum()) for k, v in s32.items()}
        total = lambda s: float(sum(np.abs(v.sum(0)).sum() for v in s.values()))
        flips = int(sum((s32[k] != s64[k]).sum() for k in names))
        meta = {
            'space': 'onnx', 'model': name, 'onnx': name + '.onnx', 'n': str(a.n), 'offset': '0', 'seed': str(seed),
            'num_classes': str(logits.shape[1]), 'params': str(sum(p.numel() for p in net.parameters())),
            'gradsign_f32': str(total(s32)), 'gradsign_f64': str(total(s64)), 'sign_flips_f32_vs_f64': str(flips),
            'gradsign_per_layer_f32': json.dumps(per_layer), 'proxies': '{}',
            'torch': torch.__version__, 'onnx_version': onnx.__version__,
        }
        # Sample 0's gradients of the first three and last three weight layers, under the
        # engine's parameter names (the ONNX node's name + ".weight").
        keys = list(names)
        tensors = {'input': x.numpy(), 'labels': y.numpy(), 'logits': logits.float().numpy(), 'loss': loss.float().numpy()}
        for k in keys[:3] + keys[-3:]:
            tensors['grad0.' + names[k] + '.weight'] = grad0[k]
        write_safetensors(os.path.join(a.outdir, name + '.safetensors'), tensors, meta)
        print(name, meta['params'], 'parameters, GradSign', meta['gradsign_f32'], '(f64', meta['gradsign_f64'] + ')')


if __name__ == '__main__':
    main()
