// Building DOM nodes. Every value from the API goes in as text (textContent), never as HTML,
// so nothing a sweep or a trial reports can run as markup.

// el('a', {href: '/', class: 'x'}, 'text', child): an element with attributes and children;
// strings become text nodes.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

// Sets a node's text only when it changed, so that an unchanged cell keeps the user's text
// selection and costs no layout.
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function clear(node) {
  node.replaceChildren();
}
