// The editor of "your own network": an ONNX file dropped on the page or picked, or one of the
// shipped examples, read by the page's own engines (gradsign.loadModel; nothing is uploaded).
// It shows the model's structure as the engine runs it, a node a row with its op, output
// shape and parameters, the weight layers coloured by their agreement once a score names
// them; and whether the file's weights or fresh ones drawn from the seed are scored. The
// engine checks the file and says what it cannot read; an eval-mode export (its BatchNorms
// folded away) is scored only when the person asks, labelled.

import { el, fmt } from './dom.js';

// EXAMPLES ship with the page (testdata/onnx, exported from PyTorch by tools/onnxref).
const EXAMPLES = [
  { file: 'resnet20.onnx', title: 'ResNet-20' },
  { file: 'vgg.onnx', title: 'VGG (max pools)' },
  { file: 'mobilenetv2.onnx', title: 'MobileNetV2 (depthwise, ReLU6)' },
];

const EXPORT = `import torch
model = MyNet()  # your CNN, for 32x32 RGB images
torch.onnx.export(model.train(), torch.randn(1, 3, 32, 32), 'model.onnx',
                  training=torch.onnx.TrainingMode.TRAINING)`;

// createModelEditor builds the editor into root; onChange({space: 'onnx', arch: id, init}) is
// called when a model is read or the weights choice changes, onError(message) when a file
// cannot be scored.
export function createModelEditor({ root, onChange, onError }) {
  const st = { info: null, name: '', bytes: null, init: false };
  const status = el('p', { id: 'model-status', class: 'hint', 'aria-live': 'polite' }, 'No model yet: drop an .onnx file here, pick one, or load an example.');
  const file = el('input', { id: 'model-file', type: 'file', accept: '.onnx,application/octet-stream' });
  const examples = el('div', { class: 'row', id: 'model-examples' },
    el('span', {}, 'Examples:'),
    ...EXAMPLES.map((x) => {
      const b = el('button', { type: 'button', 'data-file': x.file }, x.title);
      b.addEventListener('click', () => fetchExample(x));
      return b;
    }));
  const weights = el('select', { id: 'model-weights' },
    el('option', { value: 'file' }, "the file's weights"),
    el('option', { value: 'init' }, 'fresh weights from the seed'));
  const folded = el('div', { id: 'model-folded', hidden: '' });
  const nodes = el('table', { id: 'model-nodes', class: 'model-nodes' });
  const structure = el('details', { id: 'model-structure', hidden: '' }, el('summary', {}, 'Structure'), el('div', { class: 'scroll' }, nodes));
  root.replaceChildren(
    el('p', { class: 'hint' }, 'Score your own convolutional network: its ONNX file is read by this page\'s engines, on your machine. Nothing is uploaded.'),
    el('div', { class: 'row dropzone', id: 'model-drop' }, el('label', { for: 'model-file' }, 'ONNX file'), file),
    examples,
    el('div', { class: 'row' }, el('label', { for: 'model-weights' }, 'Score with'), weights),
    el('p', { class: 'hint' }, 'The file\'s weights show the network as it is now (trained, perhaps); fresh ones, drawn with PyTorch\'s default initialisation per layer, are GradSign\'s own setting: the architecture at initialisation.'),
    status,
    folded,
    structure,
    el('details', { id: 'model-export' },
      el('summary', {}, 'Export your own from PyTorch'),
      el('pre', {}, EXPORT),
      el('p', { class: 'hint' }, 'Export in training mode: the default (eval-mode) export folds every BatchNorm into the convolution before it, and GradSign\'s per-sample BatchNorm cannot be recovered from such a file. The page reads RGB inputs (CIFAR\'s 32×32 images, resized where a model takes another size) and the ops of ordinary CNNs (convolutions, grouped and depthwise; BatchNorm; ReLU, ReLU6, leaky ReLU, ELU, GELU, SiLU, sigmoid, hard sigmoid, hard swish; pools; means over positions; sums, products, concatenations, channel shuffles; linear layers); anything else is named with its node and what to use instead.'),
      el('p', { class: 'hint', id: 'model-export-random' }, 'Random layers: dropout is read and run as identity, but stochastic depth (torchvision\'s EfficientNet and ConvNeXt) cannot be exported in training mode at all: build such a model with its probability at 0 (stochastic_depth_prob=0.0), which is also what GradSign measures, the network without its regularisers. Input size: export at the size the model is built for, 32×32 or 64×64 for small-image networks; AlexNet and VGG want 224×224 (their pools shrink a smaller image to nothing).')));

  async function read(bytes, name, allowFolded = false) {
    st.bytes = bytes;
    st.name = name;
    folded.hidden = true;
    status.textContent = `Reading ${name}…`;
    try {
      const info = await window.gradsign.loadModel(bytes, { allowFolded });
      st.info = info;
      status.textContent = `${name}: ${info.ops} ONNX nodes, ${info.nodes.length} in the engine's graph${info.notes?.length ? `. ${info.notes.join('. ')}` : ''}.`;
      showStructure(info);
      onChange(net());
    } catch (err) {
      st.info = null;
      structure.hidden = true;
      status.textContent = `${name} cannot be scored.`;
      onError(err.message);
      if (/training mode/.test(err.message) && !allowFolded) {
        const anyway = el('button', { type: 'button', id: 'model-anyway' }, 'Score it as it is anyway');
        anyway.addEventListener('click', () => read(st.bytes, st.name, true));
        folded.replaceChildren(el('p', { class: 'hint' }, 'Its score would not be GradSign\'s: each image goes through the folded convolutions without its own BatchNorm.'), anyway);
        folded.hidden = false;
      }
    }
  }

  async function fetchExample(x) {
    status.textContent = `Fetching ${x.file}…`;
    const r = await fetch(`assets/models/${x.file}`);
    if (!r.ok) { onError(`${x.file}: ${r.status} ${r.statusText}`); return; }
    await read(new Uint8Array(await r.arrayBuffer()), x.file);
  }

  async function readFile(f) {
    if (!f) return;
    await read(new Uint8Array(await f.arrayBuffer()), f.name);
  }

  file.addEventListener('change', () => readFile(file.files[0]));
  root.addEventListener('dragover', (e) => { e.preventDefault(); root.classList.add('dragging'); });
  root.addEventListener('dragleave', () => root.classList.remove('dragging'));
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('dragging');
    readFile(e.dataTransfer.files[0]);
  });
  weights.addEventListener('change', () => {
    st.init = weights.value === 'init';
    if (st.info) onChange(net());
  });

  function showStructure(info) {
    nodes.replaceChildren(
      el('thead', {}, el('tr', {}, ...['node', 'output', 'parameters', 'agreement'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...info.nodes.map((n) => el('tr', n.layer ? { 'data-layer': n.layer, class: 'weight-layer' } : {},
        el('td', {}, el('span', { class: 'op' }, n.op), n.detail ? ` ${n.detail}` : '', ...(n.layer ? [el('br'), el('span', { class: 'layer-name' }, n.layer)] : [])),
        el('td', {}, n.shape), el('td', { class: 'num' }, n.params ? fmt(n.params) : ''), el('td', { class: 'agreement num' }, '')))));
    structure.hidden = false;
    structure.open = info.nodes.length <= 40;
  }

  function net() { return { space: 'onnx', arch: st.info.id, channels: 0, ...(st.init ? { init: true } : {}) }; }

  return {
    // net is the model's architecture as gradsign.score takes it, or null before one is read.
    net: () => (st.info ? net() : null),
    // name is the file's name for a model id ('' for one this page did not read).
    name: (id) => (st.info?.id === id ? st.name : ''),
    // colour marks each weight layer's row with its agreement (score per weight per image) of a
    // result: darker the more the images agree.
    colour(result) {
      if (result.arch !== st.info?.id) return;
      const by = new Map(result.layers.map((l) => [l.name, l.agreement]));
      for (const row of nodes.querySelectorAll('tr[data-layer]')) {
        const a = by.get(row.dataset.layer);
        const cell = row.querySelector('.agreement');
        cell.textContent = a == null ? '' : fmt(a, 3);
        row.style.setProperty('--agreement', a == null ? '0' : String(a));
      }
    },
  };
}
