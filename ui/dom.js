// Small DOM and number-writing helpers the page's modules share.

export const $ = (id) => document.getElementById(id);

const SVG_TAGS = ['svg', 'path', 'circle', 'text', 'g', 'title', 'rect'];

// el makes an element (SVG ones in SVG's namespace) with attributes and children; style is an
// object set through the CSSOM, as the page's Content-Security-Policy forbids style attributes.
export function el(tag, attrs = {}, ...children) {
  const node = SVG_TAGS.includes(tag) ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

// fmt writes a number with thousands separators and the given decimals.
export function fmt(x, digits = 0) {
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// compact writes an axis tick: 1.5M, 250k.
export function compact(v) {
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return String(v);
}
