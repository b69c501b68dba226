/**
 * A small XML reader for the SFDX metadata tests: checks well-formedness (one root, matched and
 * properly nested tags, quoted unique attributes, known entities, no stray `<` or `&`) and returns
 * the element tree. No DTDs, CDATA or processing instructions other than the XML declaration:
 * Salesforce metadata uses none, so meeting one is reported as an error.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own character data, entities decoded (children's text excluded). */
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;\s&<]*);|&/g, (match, name: string | undefined, offset: number) => {
    if (name === undefined) throw new Error(`bare '&' at ${where + offset}`);
    const numeric = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(name);
    if (numeric?.[1] !== undefined) {
      const n = numeric[1];
      return String.fromCodePoint(n.startsWith('x') ? parseInt(n.slice(1), 16) : parseInt(n, 10));
    }
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity ${match} at ${where + offset}`);
    return value;
  });
}

/** Parses `source`, throwing an Error that names the offset of the first well-formedness problem. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? source.length : lt;
    const raw = source.slice(i, textEnd);
    const top = stack.at(-1);
    if (top === undefined) {
      if (raw.trim() !== '') throw new Error(`text outside the root element at ${i}`);
    } else {
      top.text += decode(raw, i);
    }
    if (lt < 0) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      if (source.slice(i + 4, end).includes('--')) throw new Error(`'--' inside a comment at ${i}`);
      i = end + 3;
      continue;
    }
    if (source.startsWith('<!', i) || source.startsWith('<?', i)) {
      throw new Error(`unsupported markup at ${i}`);
    }
    if (source.startsWith('</', i)) {
      const name = NAME.exec(source.slice(i + 2))?.[0];
      const close = source.indexOf('>', i);
      if (name === undefined || close < 0 || source.slice(i + 2 + name.length, close).trim() !== '') {
        throw new Error(`malformed end tag at ${i}`);
      }
      const open = stack.pop();
      if (open?.name !== name)
        throw new Error(`</${name}> at ${i} does not close <${open?.name ?? '(none)'}>`);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(source.slice(i + 1))?.[0];
    if (name === undefined) throw new Error(`malformed start tag at ${i}`);
    i += 1 + name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const space = /^\s*/.exec(source.slice(i))?.[0].length ?? 0;
      i += space;
      if (source.startsWith('/>', i) || source.startsWith('>', i)) break;
      if (space === 0) throw new Error(`expected whitespace, '>' or '/>' at ${i}`);
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(source.slice(i));
      if (attr?.[1] === undefined) throw new Error(`malformed attribute at ${i}`);
      if (attr[1] in attributes) throw new Error(`duplicate attribute ${attr[1]} at ${i}`);
      attributes[attr[1]] = decode(attr[3] ?? attr[4] ?? '', i);
      i += attr[0].length;
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new Error(`second root element <${name}>`);
    else root = element;
    if (source.startsWith('/>', i)) {
      i += 2;
    } else {
      stack.push(element);
      i += 1;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.map((e) => e.name).join('> <')}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** The first child element named `name`, or undefined. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** The trimmed text of the first child named `name`, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text.trim();
}
