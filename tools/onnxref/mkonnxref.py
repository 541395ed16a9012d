#!/usr/bin/python3
"""Exports small CNNs from PyTorch to ONNX (training mode, so every BatchNorm stays) and writes,
beside each model.onnx, a reference file model.safetensors in the format of the oracle's
(testdata/oracle/README.md, metadata space "onnx"): the input images, labels, per-sample
logits and losses (each sample alone, BatchNorm in train mode), sample 0's gradients of the
first and last three weight layers, and GradSign in float32 and float64, per layer under the
ONNX node names the engine gives its layers (the weights are the model file's). No
mini-batch proxies ("proxies" is empty). The engine's reference tests read both
(internal/oracle).

Models: a network of ELU and GELU, a network whose BatchNorms use epsilon 0.001 (as torchvision's MobileNetV3), a ResNet with 2x2 maps in its last stage and squeeze-and-excitation after BatchNorms
(exact zeros that depend on the data and on the graph: its reference is the float64 score with
them at sign 0), a CIFAR ResNet-20 (1x1 projection shortcuts), a VGG-style network with max pools, a
small MobileNetV2 (depthwise convolutions, ReLU6), a network of the other nonlinearities
(leaky ReLU, hard swish, sigmoid, hard sigmoid), one with squeeze-and-excitation (biased
convolutions, a per-channel product, SiLU), a small ResNeXt (grouped convolutions: a layer
per group to the engine, NODE#i), and
NAS-Bench-201's TinyNetwork (index 0's cell, C=8, N=1), whose score must also equal the
native nb201 front-end's on the same weights. And two model files without a reference:
tiny_folded.onnx, a small network exported the default (eval-mode) way, its BatchNorm folded
away (the case the engine detects), and darts_629_c16l5.onnx, DARTS's NetworkCIFAR of an
NAS-Bench-301 genotype, whose score must equal the native darts front-end's on its weights.

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
from gradsign_ref import Logits, TinyNetwork, official_network, parse_arch, read_cifar  # noqa: E402


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


class InvertedResidual(nn.Module):
    """MobileNetV2's block: 1x1 expansion, 3x3 depthwise, 1x1 projection, ReLU6 after the
    first two, a skip when the shape stays."""
    def __init__(self, c_in, c_out, stride, expand):
        super().__init__()
        hidden = c_in * expand
        self.skip = stride == 1 and c_in == c_out
        self.conv = nn.Sequential(
            nn.Conv2d(c_in, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, c_out, 1, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        return x + self.conv(x) if self.skip else self.conv(x)


class MobileNetV2(nn.Module):
    """A small MobileNetV2 for CIFAR: a stem, inverted residual blocks (expansion 4) at 16, 24
    and 32 channels, a 1x1 head of 128 with ReLU6, global pool, linear."""
    def __init__(self, classes=10):
        super().__init__()
        blocks, c = [], 16
        for width, stride in [(16, 1), (24, 2), (24, 1), (32, 2), (32, 1)]:
            blocks.append(InvertedResidual(c, width, stride, 4))
            c = width
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6(), *blocks,
                                      nn.Conv2d(c, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU6())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(128, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class Activations(nn.Module):
    """Every nonlinearity the engine reads besides ReLU, one per stage: leaky ReLU, hard
    swish, sigmoid, hard sigmoid; a classifier without a bias (ONNX's MatMul)."""
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn(3, 16), nn.LeakyReLU(0.1), *conv_bn(16, 16), nn.Hardswish(), nn.MaxPool2d(2),
            *conv_bn(16, 32), nn.Sigmoid(), *conv_bn(32, 32), nn.Hardsigmoid(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(32 * 8 * 8, classes, bias=False)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class SE(nn.Module):
    """Squeeze-and-excitation: a per-channel gate from the pooled image, through two biased
    1x1 convolutions, multiplied in."""
    def __init__(self, c):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, c // 4, 1)
        self.fc2 = nn.Conv2d(c // 4, c, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(self.pool(x)))))


class SENet(nn.Module):
    """Conv-BN-SiLU stages with squeeze-and-excitation and 2x2 average pools between them."""
    def __init__(self, classes=10):
        super().__init__()
        layers, c = [], 3
        for width in [16, 32, 64]:
            layers += conv_bn(c, width) + [nn.SiLU(), SE(width), nn.AvgPool2d(2)]
            c = width
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class ResNeXtBlock(nn.Module):
    """A ResNeXt bottleneck: 1x1, a grouped 3x3 (cardinality 4), 1x1, and the skip."""
    def __init__(self, c, width, groups, stride):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(c, width, 1)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3, self.bn3 = conv_bn(width, c, 1)
        self.stride = stride
        self.shortcut = nn.Sequential(*conv_bn(c, c, 1, stride)) if stride > 1 else nn.Sequential()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(self.bn3(self.conv3(out)) + self.shortcut(x))


class ResNeXt(nn.Module):
    """A small ResNeXt: grouped convolutions (4 groups of 8 channels), two blocks."""
    def __init__(self, classes=10):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(3, 32)
        self.blocks = nn.Sequential(ResNeXtBlock(32, 32, 4, 1), ResNeXtBlock(32, 32, 4, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class SmallMapsBlock(nn.Module):
    """A basic residual block with squeeze-and-excitation after its last BatchNorm, where
    SE-ResNet places it, and a 1x1 projection shortcut where the shape changes (else the
    identity)."""
    def __init__(self, c_in, c, stride):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(c_in, c, 3, stride)
        self.conv2, self.bn2 = conv_bn(c, c)
        self.se = SE(c)
        self.shortcut = nn.Sequential(*conv_bn(c_in, c, 1, stride)) if stride > 1 or c_in != c else nn.Sequential()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.se(self.bn2(self.conv2(out))) + self.shortcut(x))


class SmallMaps(nn.Module):
    """A ResNet whose last stage runs on 2x2 maps (four stride-2 blocks from 32x32), with
    squeeze-and-excitation: its exact zeros depend on the data (a channel whose ReLU after the
    sum is on at all four positions passes the pooled gradient unchanged to the BatchNorm
    before it, and per-sample BatchNorm then gives back exactly zero) and on the graph (each
    SE pools a BatchNorm's output, whose mean is its bias, zero: the gradients of the SE's first
    convolution are exactly zero). Its reference score is the float64 one with those at sign 0."""
    exact = True

    def __init__(self, classes=10):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(3, 8)
        self.blocks = nn.Sequential(SmallMapsBlock(8, 8, 2), SmallMapsBlock(8, 16, 2), SmallMapsBlock(16, 32, 2),
                                    SmallMapsBlock(32, 64, 2), SmallMapsBlock(64, 64, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class EluGelu(nn.Module):
    """conv-BN-ELU (alpha 0.5), conv-BN-GELU (exported before opset 20 as Div, Erf, Add, Mul),
    2x2 average pools, a linear layer."""
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(*conv_bn(3, 8), nn.ELU(0.5), nn.AvgPool2d(2), *conv_bn(8, 16), nn.GELU(), nn.AvgPool2d(2))
        self.fc = nn.Linear(16 * 8 * 8, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class Eps(nn.Module):
    """BatchNorms with torchvision's MobileNetV3 epsilon (0.001) and hard swish, 2x2 max pools."""
    def __init__(self, classes=10):
        super().__init__()
        layers, c = [], 3
        for width in [8, 16]:
            layers += [nn.Conv2d(c, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width, eps=0.001), nn.Hardswish(), nn.MaxPool2d(2)]
            c = width
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(16 * 8 * 8, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class Wide(nn.Module):
    """For 64x64 images and 5 classes: the engine resizes the 32x32 images (bilinear, as
    F.interpolate) and takes labels modulo 5."""
    size, classes = 64, 5

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*conv_bn(3, 8), nn.ReLU(), nn.MaxPool2d(4), *conv_bn(8, 16), nn.ReLU(), nn.MaxPool2d(4))
        self.fc = nn.Linear(16 * 4 * 4, self.classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


MODELS = {
    'small_maps': (SmallMaps, 10),
    'bn_eps': (Eps, 11),
    'elu_gelu': (EluGelu, 12),
    'wide64_5classes': (Wide, 9),
    'senet': (SENet, 6),
    'resnext': (ResNeXt, 7),
    'mobilenetv2': (MobileNetV2, 4),
    'activations': (Activations, 5),
    'resnet20': (ResNet20, 1),
    'vgg': (VGG, 2),
    'nb201_index0': (lambda: TinyNetwork(parse_arch('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'), 8, 1, 10), 3),
}


def tiny():
    """A network small enough to ship in an eval-mode export (tiny_folded.onnx): PyTorch's
    default export folds its BatchNorm into the convolution, which the engine refuses."""
    return nn.Sequential(*conv_bn(3, 8), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(8 * 8 * 8, 10))


def weight_layers(model_onnx):
    """Maps each Conv or Gemm weight's initialiser name to its node's name and group count
    (a grouped convolution that is not depthwise is a layer per group to the engine:
    NODE#0, NODE#1, ...)."""
    inits = {t.name: t for t in model_onnx.graph.initializer}
    transposed = {n.output[0]: n.input[0] for n in model_onnx.graph.node if n.op_type == 'Transpose'}
    out = {}
    for n in model_onnx.graph.node:
        if n.op_type == 'MatMul' and len(n.input) > 1 and transposed.get(n.input[1]) in inits:
            out[transposed[n.input[1]]] = (n.name, 1)  # x·Wᵀ: a linear layer without a bias
        elif n.op_type in ('Conv', 'Gemm') and len(n.input) > 1 and n.input[1] in inits:
            groups = next((a.i for a in n.attribute if a.name == 'group'), 1)
            cout, cin = inits[n.input[1]].dims[:2]
            depthwise = cin == 1 and cout == groups
            out[n.input[1]] = (n.name, 1 if depthwise else groups)
    return out


def layer_sums(names, signs):
    """Per engine layer, the summed signs [weights]: a grouped weight split by its output rows."""
    out = {}
    for k, (node, groups) in names.items():
        total = signs[k].sum(0)
        if groups == 1:
            out[node] = total
            continue
        for i, part in enumerate(np.split(total.reshape(groups, -1), groups)):
            out[f'{node}#{i}'] = part.reshape(-1)
    return out


def per_sample_signs(net, x, y, names, zero_below=None):
    """Each sample alone (a batch of one, train-mode BatchNorm): the signs of its gradient of
    every Conv and Linear weight, [n, weights] per layer; and sample 0's gradients. With
    zero_below (in float64), a gradient at most zero_below times the sample's largest |gradient|
    gets sign 0: the gradients that are zero in exact arithmetic, which float64 leaves below
    1e-16 of the largest (real ones in these models are above 1e-11)."""
    params = dict(net.named_parameters())
    signs, grad0 = {k: [] for k in names}, {}
    for i in range(x.shape[0]):
        net.zero_grad()
        F.cross_entropy(net(x[[i]]), y[[i]]).backward()
        largest = max(float(params[k].grad.abs().max()) for k in names)
        for k in names:
            g = params[k].grad.detach().clone()
            if zero_below is not None:
                g[g.abs() <= zero_below * largest] = 0
            signs[k].append(torch.sign(g).numpy().reshape(-1).astype(np.int64))
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
    x32, y32 = read_cifar(a.data, 0, a.n, 1)
    torch.manual_seed(4)
    torch.onnx.export(tiny().eval(), torch.randn(1, 3, 32, 32), os.path.join(a.outdir, 'tiny_folded.onnx'))
    # A DARTS network (NAS-Bench-301 genotype of testdata/oracle/darts_nb301_629_c16l5, C=16,
    # 5 cells): model file only, its score checked against the native darts front-end's on the
    # same weights (it has structural zeros, whose PyTorch float32 signs are noise).
    raw = open(os.path.join(here, '..', '..', 'testdata', 'oracle', 'darts_nb301_629_c16l5.safetensors'), 'rb').read()
    meta = json.loads(raw[8:8 + struct.unpack('<Q', raw[:8])[0]])['__metadata__']
    torch.manual_seed(8)
    darts = official_network(argparse.Namespace(space='darts', genotype=meta['genotype'], channels=16, classes=10, layers=5))
    torch.onnx.export(Logits(darts).train(), torch.randn(1, 3, 32, 32), os.path.join(a.outdir, 'darts_629_c16l5.onnx'),
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False, opset_version=14)
    for name, (make, seed) in MODELS.items():
        torch.manual_seed(seed)
        net = make().train()
        size = getattr(net, 'size', 32)
        x, y = x32, y32
        if size != 32:
            x = F.interpolate(x32, size=(size, size), mode='bilinear', align_corners=False)
        y = y32 % getattr(net, 'classes', 10)
        path = os.path.join(a.outdir, name + '.onnx')
        torch.onnx.export(net, torch.randn(1, 3, size, size), path, training=torch.onnx.TrainingMode.TRAINING,
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
        exact = getattr(net, 'exact', False)
        s64, grad0_64 = per_sample_signs(net.double(), x.double(), y, names, 1e-15 if exact else None)
        per_layer = {name: float(np.abs(v).sum()) for name, v in layer_sums(names, s64 if exact else s32).items()}
        total = lambda s: float(sum(np.abs(v.sum(0)).sum() for v in s.values()))
        flips = int(sum((s32[k] != s64[k]).sum() for k in names))
        meta = {
            'space': 'onnx', 'model': name, 'onnx': name + '.onnx', 'n': str(a.n), 'offset': '0', 'seed': str(seed),
            'num_classes': str(logits.shape[1]), 'params': str(sum(p.numel() for p in net.parameters())),
            'gradsign_f32': str(total(s32)), 'gradsign_f64': str(total(s64)), 'sign_flips_f32_vs_f64': str(flips),
            'gradsign_per_layer_f32': json.dumps(per_layer), 'proxies': '{}',
            'torch': torch.__version__, 'onnx_version': onnx.__version__,
        }
        if exact:
            # The float32 score counts the exact zeros' rounding noise: the reference is the
            # float64 one with them at sign 0 (per layer too), which gradsign_f64 is here.
            meta['gradsign_exact_f64'] = meta['gradsign_f64']
            meta['gradsign_per_layer_exact_f64'] = meta.pop('gradsign_per_layer_f32')
            # Sample 0's gradient tensors that are exact zeros throughout (noise in any float).
            largest = max(float(np.abs(g).max()) for g in grad0_64.values())
            meta['noise_tensors'] = json.dumps(sorted('grad0.' + names[k][0] + '.weight' for k, g in grad0_64.items()
                                                      if names[k][1] == 1 and np.abs(g).max() <= 1e-15 * largest))
        # Sample 0's gradients of the first three and last three weight layers, under the
        # engine's parameter names (the ONNX node's name + ".weight").
        keys = list(names)
        tensors = {'input': x.numpy(), 'labels': y.numpy(), 'logits': logits.float().numpy(), 'loss': loss.float().numpy()}
        for k in keys[:3] + keys[-3:]:
            node, groups = names[k]
            for i, g in enumerate(np.split(grad0[k], groups)):
                tensors['grad0.' + (node if groups == 1 else f'{node}#{i}') + '.weight'] = g
        write_safetensors(os.path.join(a.outdir, name + '.safetensors'), tensors, meta)
        print(name, meta['params'], 'parameters, GradSign', meta['gradsign_f32'], '(f64', meta['gradsign_f64'] + ')')


if __name__ == '__main__':
    main()
