#!/usr/bin/python3
"""GradSign the way the official code computes it, in PyTorch: the comparison side of
`make crosscheck` (same score?) and `make bench` (how fast?). Not part of the product.

It builds NAS-Bench-201's TinyNetwork (InferCell cells, ResNetBasicblock reductions, module
names as in NAS-Bench-201, so a state dict written by `gradsign score --save-weights` loads
as is), reads images from a CIFAR binary batch, and for each sample alone runs forward and
backward in train mode, stacks the Conv2d and Linear weight gradients, and returns
nansum(|sum_i sign(g_i)|), as zero-cost-nas's grad_conflict measure does.

With --method vmap it computes the same per-sample gradients the strongest way PyTorch 1.13
has, functorch's vmap(grad(...)) over the samples (BatchNorm per sample, as a batch of one in
train mode has it), in chunks of --chunk samples: the peer to beat for speed.

With --space nb101 (--matrix DIGITS --ops A,B,...) or --space darts (--genotype
'Genotype(...)' --layers L) it builds the official models instead, copied unchanged into
tools/pyref/official (its README): the GradSign code's NAS-Bench-101 Network and DARTS's
NetworkCIFAR; --channels is then the stem's channels or DARTS's C. (Where a network has
structural zeros, DARTS's do, this loop counts their rounding noise as the official code does;
the engine counts them as 0.)

usage: gradsign_ref.py WEIGHTS.safetensors --arch ARCH [--n 128] [--offset 0]
                       [--data FILE] [--channels 16] [--cells 5] [--classes 10]
                       [--threads 1] [--repeat 1] [--method loop|vmap] [--chunk 32]
       gradsign_ref.py WEIGHTS.safetensors --space nb101 --matrix DIGITS --ops A,B,... [...]
       gradsign_ref.py WEIGHTS.safetensors --space darts --genotype G [--layers 8] [...]
Prints one JSON object: {"gradsign": ..., "seconds": [...], "params": ...}.
"""
import contextlib
import io
import os
import sys
import argparse
import json
import struct
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)


class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out, k, stride, pad):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False),
                                nn.Conv2d(c_in, c_out, k, stride=stride, padding=pad, bias=False),
                                nn.BatchNorm2d(c_out))

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.)


def make_op(name, c):
    if name == 'none':
        return Zero()
    if name == 'skip_connect':
        return nn.Identity()
    if name == 'nor_conv_1x1':
        return ReLUConvBN(c, c, 1, 1, 0)
    if name == 'nor_conv_3x3':
        return ReLUConvBN(c, c, 3, 1, 1)
    if name == 'avg_pool_3x3':
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError('unknown op ' + name)


def parse_arch(s):
    """Returns, per node j = 1..3, the list of (op name, input node)."""
    nodes = []
    for part in s.strip().split('+'):
        edges = [e.split('~') for e in part.strip('|').split('|')]
        nodes.append([(op, int(i)) for op, i in edges])
    return nodes


class InferCell(nn.Module):
    def __init__(self, arch, c):
        super().__init__()
        self.layers = nn.ModuleList()
        self.node_in = []
        for node in arch:
            ix = []
            for op, i in node:
                self.layers.append(make_op(op, c))
                ix.append((len(self.layers) - 1, i))
            self.node_in.append(ix)

    def forward(self, x):
        nodes = [x]
        for ix in self.node_in:
            nodes.append(sum(self.layers[l](nodes[i]) for l, i in ix))
        return nodes[-1]


class ResNetBasicblock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                                        nn.Conv2d(c_in, c_out, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class TinyNetwork(nn.Module):
    def __init__(self, arch, c, n, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        cells = []
        for stage in range(3):
            if stage > 0:
                cells.append(ResNetBasicblock(c, 2 * c))
                c *= 2
            cells += [InferCell(arch, c) for _ in range(n)]
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        x = self.global_pooling(self.lastact(x))
        return self.classifier(x.view(x.size(0), -1))


def read_safetensors(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    body = data[8 + n:]
    kinds = {'F32': np.float32, 'F64': np.float64, 'I64': np.int64}
    out = {}
    for name, e in header.items():
        b, end = e['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(body[b:end], dtype=kinds[e['dtype']]).reshape(e['shape']).copy())
    return out


def read_cifar(path, offset, n, label_bytes):
    rec = label_bytes + 3072
    raw = np.frombuffer(open(path, 'rb').read(), dtype=np.uint8).reshape(-1, rec)[offset:offset + n]
    x = torch.from_numpy(raw[:, label_bytes:].astype(np.float32)).view(-1, 3, 32, 32).div(255)
    x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    y = torch.from_numpy(raw[:, label_bytes - 1].astype(np.int64))
    return x, y


def gradsign(net, x, y, zero_below=None):
    """zero-cost-nas grad_conflict: per-sample gradients, their signs summed. The official
    code stacks every sample's gradient before summing their signs (N x params floats: 25 GB
    for NAS-Bench-101's largest network at N=128); this sums them as they come, the same
    arithmetic in O(params) memory. With zero_below (--exact, in float64), a sample's gradient
    at most zero_below times its largest |gradient| is given sign 0: the gradients that are
    zero in exact arithmetic, which float64 leaves below 1e-16 of the largest (real gradients in
    the models tried are above 1e-12: a clean gap)."""
    weights = [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    total = None
    for i in range(x.shape[0]):
        net.zero_grad()
        loss = F.cross_entropy(net(x[[i]]), y[[i]])
        loss.backward()
        g = np.concatenate([(w.grad if w.grad is not None else torch.zeros_like(w)).numpy().reshape(-1)
                            for w in weights])
        if zero_below is not None:
            g[np.abs(g) <= zero_below * np.abs(g).max()] = 0
        row = np.sign(g)
        total = row if total is None else total + row
    return float(np.nansum(np.abs(total)))


def gradsign_vmap(net, x, y, chunk):
    """The same score from functorch's per-sample gradients, vmap(grad(loss of one sample))."""
    from functorch import make_functional_with_buffers, vmap, grad
    from functorch.experimental import replace_all_batch_norm_modules_
    replace_all_batch_norm_modules_(net)  # no running statistics: batch (here: sample) statistics
    fnet, params, buffers = make_functional_with_buffers(net)
    keep = [isinstance(m, (nn.Conv2d, nn.Linear)) for m in net.modules() for _ in m.parameters(recurse=False)]
    names = [n for n, _ in net.named_parameters()]
    weights = [i for i, n in enumerate(names) if n.endswith('weight') and keep[i]]

    def loss(params, buffers, xi, yi):
        return F.cross_entropy(fnet(params, buffers, xi[None]), yi[None])

    per_sample = vmap(grad(loss), in_dims=(None, None, 0, 0))
    total = None
    for s in range(0, x.shape[0], chunk):
        g = per_sample(params, buffers, x[s:s + chunk], y[s:s + chunk])
        signs = torch.cat([torch.sign(g[i]).reshape(g[i].shape[0], -1) for i in weights], dim=1).sum(dim=0)
        total = signs if total is None else total + signs
    return float(np.nansum(np.abs(total.detach().numpy())))


def official_network(a):
    """The official NAS-Bench-101 or DARTS model of the request (tools/pyref/official)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    if a.space == 'nb101':
        from official.nasbench1.nasbench1 import Network
        from official.nasbench1.nasbench1_spec import ModelSpec
        digits = a.matrix
        v = int(round(len(digits) ** 0.5))
        matrix = np.array([int(d) for d in digits]).reshape(v, v)
        ops = a.ops.split(',')
        if ops[0] != 'input':
            ops = ['input'] + ops + ['output']
        matrix = matrix[:len(ops), :len(ops)]
        return Network(ModelSpec(matrix, ops), a.channels, 3, 3, a.classes)
    sys.path.insert(0, os.path.join(here, 'official', 'darts'))
    from model import NetworkCIFAR
    from genotypes import Genotype
    genotype = eval(a.genotype, {'Genotype': Genotype, 'range': range})
    with contextlib.redirect_stdout(io.StringIO()):  # its cells print their channels
        net = NetworkCIFAR(a.channels, a.classes, a.layers, False, genotype)
    net.drop_path_prob = 0.0
    return net


class Logits(nn.Module):
    """DARTS's NetworkCIFAR returns (logits, auxiliary logits): the logits only."""
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)[0]


def torchvision_network(a):
    """A torchvision model with fresh weights (seed 0, 10 classes; EfficientNet and ConvNeXt without
    stochastic depth, which a training-mode export cannot hold; no dropout), exported to ONNX
    at --export in training mode (opset 13) for the engine to read the same weights."""
    import torchvision
    torch.manual_seed(0)
    kwargs = {'num_classes': a.classes}
    if a.model.startswith(('efficientnet', 'convnext')):
        kwargs['stochastic_depth_prob'] = 0.0
    if a.model in ('googlenet', 'inception_v3'):
        kwargs.update(aux_logits=False, init_weights=True)  # logits only, as the engine's graph
    net = getattr(torchvision.models, a.model)(**kwargs)
    # Dropout (MobileNet's and EfficientNet's classifiers) is left out, so that the loop, vmap
    # (which refuses random operations) and the engine (which runs a training-mode export's
    # Dropout as identity) compute one function.
    for parent in list(net.modules()):
        for name, child in parent.named_children():
            if isinstance(child, nn.Dropout):
                setattr(parent, name, nn.Identity())
    if a.export:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            torch.onnx.export(net.train(), torch.randn(2, 3, a.size, a.size), a.export, opset_version=13,
                              training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    return net


def main():
    p = argparse.ArgumentParser()
    p.add_argument('weights', nargs='?', help='safetensors weights (not for --space torchvision)')
    p.add_argument('--space', choices=['nb201', 'nb101', 'darts', 'torchvision'], default='nb201')
    p.add_argument('--model', help='torchvision: the model (resnet18, mobilenet_v2, ...)')
    p.add_argument('--size', type=int, default=64, help='torchvision: the images are resized to size×size')
    p.add_argument('--export', help='torchvision: write the model as ONNX here first')
    p.add_argument('--arch')
    p.add_argument('--matrix')
    p.add_argument('--ops')
    p.add_argument('--genotype')
    p.add_argument('--layers', type=int, default=8)
    p.add_argument('--n', type=int, default=128)
    p.add_argument('--offset', type=int, default=0)
    p.add_argument('--data', default='assets/cifar10_test_first1000.bin')
    p.add_argument('--channels', type=int, default=16)
    p.add_argument('--cells', type=int, default=5)
    p.add_argument('--classes', type=int, default=10)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--repeat', type=int, default=1)
    p.add_argument('--method', choices=['loop', 'vmap'], default='loop')
    p.add_argument('--exact', action='store_true',
                   help='float64, and each sample\'s gradients at most 1e-15 of its largest given sign 0 (the exact '
                        'score: such gradients are zero in exact arithmetic); also prints the float64 score counting them')
    p.add_argument('--chunk', type=int, default=32)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.space == 'torchvision':
        net = torchvision_network(a)
    else:
        net = TinyNetwork(parse_arch(a.arch), a.channels, a.cells, a.classes) if a.space == 'nb201' else official_network(a)
        missing, unexpected = net.load_state_dict(read_safetensors(a.weights), strict=False)
        missing = [k for k in missing if not k.endswith('num_batches_tracked')]
        if missing:
            raise SystemExit('weights lack ' + ', '.join(missing))
    if a.space == 'darts':
        net = Logits(net)
    net.train()
    x, y = read_cifar(a.data, a.offset, a.n, 1 if a.classes == 10 else 2)
    if a.space == 'torchvision' and a.size != 32:
        # As the engine fits the 32×32 images to a model's input (cifar.Fit).
        x = F.interpolate(x, size=(a.size, a.size), mode='bilinear', align_corners=False)
    if a.exact:
        net, x = net.double(), x.double()
        exact, raw = gradsign(net, x, y, zero_below=1e-15), gradsign(net, x, y)
        print(json.dumps({'gradsign_exact_f64': exact, 'gradsign_f64': raw, 'torch': torch.__version__}))
        return
    seconds = []
    for _ in range(a.repeat):
        start = time.perf_counter()
        score = gradsign(net, x, y) if a.method == 'loop' else gradsign_vmap(net, x, y, a.chunk)
        seconds.append(time.perf_counter() - start)
    params = sum(p.numel() for p in net.parameters())
    print(json.dumps({'gradsign': score, 'seconds': seconds, 'params': params, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
