const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small static page: no script, so the CSP can forbid everything but inline style. */
export function installPage(title: string, lines: readonly string[]): string {
  const body = lines.map((l) => `<p>${escape(l)}</p>`).join('');
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(title)}</title><body style="font-family:system-ui;max-width:40rem;margin:3rem auto"><h1>${escape(title)}</h1>${body}</body></html>`;
}
