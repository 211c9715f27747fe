/** Escaping for the report's HTML, SVG and DOT output. Every user string goes through one of these. */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values (double- or single-quoted) in HTML and SVG/XML. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/** JSON for an inline `<script type="application/json">`: no `</script>`, `<!--`, or JS line separators. */
export function scriptJSON(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
