/**
 * The HTML pages' shared shell: one self-contained file each, with inline CSS and SVG only, so a report
 * opens from a CI artifact or an e-mail without fetching anything.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template that escapes every interpolated value unless it is already markup (`raw`). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return new Markup(
    strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ""), ""),
  );
}

/** Text that is already HTML. */
export class Markup {
  constructor(readonly text: string) {}
}

export function raw(text: string): Markup {
  return new Markup(text);
}

function render(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/** A status word in its colour: pass, fail, error, skipped, met, partial, ... */
export function pill(status: string): Markup {
  return html`<span class="pill ${status.replace(/\s+/g, "-")}">${status}</span>`;
}

export function page(title: string, body: Markup): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.text}
</body>
</html>
`;
}

const CSS = `
:root {
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --error: #bc4c00;
  --error-bg: #fff1e5; --skipped: #59636e; --skipped-bg: #eaeef2; --partial: #9a6700; --partial-bg: #fff8c5;
  --border: #d0d7de; --muted: #59636e; --text: #1f2328; --surface: #f6f8fa;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--text); background: #fff; }
header.banner { padding: 28px 40px 24px; color: #fff; background: #24292f; }
header.banner.pass { background: var(--pass); } header.banner.fail { background: var(--fail); }
header.banner.error { background: var(--error); } header.banner.not-tested { background: var(--skipped); }
header.banner .eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; opacity: .85; }
header.banner h1 { margin: 4px 0 6px; font-size: 26px; line-height: 1.25; }
header.banner .sub { opacity: .92; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 40px 48px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 20px 0 8px; }
p.note, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { background: var(--surface); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.pill.pass, .pill.met, .pill.passed { color: var(--pass); background: var(--pass-bg); }
.pill.fail, .pill.failed { color: var(--fail); background: var(--fail-bg); }
.pill.error, .pill.undefined, .pill.pending, .pill.ambiguous { color: var(--error); background: var(--error-bg); }
.pill.skipped, .pill.not-tested, .pill.not-run { color: var(--skipped); background: var(--skipped-bg); }
.pill.partial { color: var(--partial); background: var(--partial-bg); }
tr.requirement > td { border-bottom: none; padding-top: 10px; }
tr.requirement.fail > td:first-child { box-shadow: inset 4px 0 var(--fail); }
tr.requirement.error > td:first-child { box-shadow: inset 4px 0 var(--error); }
tr.requirement.pass > td:first-child { box-shadow: inset 4px 0 var(--pass); }
tr.requirement.skipped > td:first-child { box-shadow: inset 4px 0 #afb8c1; }
tr.evidence > td { padding-top: 0; }
.req-id { font-weight: 700; white-space: nowrap; display: block; }
.reason { margin-top: 3px; font-size: 13px; }
.reason.fail { color: var(--fail); } .reason.error { color: var(--error); } .reason.skipped { color: var(--muted); }
table#requirements { table-layout: fixed; }
table#requirements col.req { width: 30%; } table#requirements col.verdict { width: 88px; }
table#requirements col.compliance { width: 190px; }
.check { overflow-wrap: anywhere; } .check .kind { color: var(--muted); margin-right: 6px; }
.check.bad { color: var(--fail); font-weight: 600; }
.chip { display: inline-block; margin: 1px 4px 1px 0; padding: 0 6px; border: 1px solid var(--border); border-radius: 4px; font-size: 12px; white-space: nowrap; background: #fff; }
details > summary { cursor: pointer; color: #0969da; font-size: 13px; }
details[open] > summary { margin-bottom: 6px; }
details .inner { padding: 8px 12px 12px; background: var(--surface); border: 1px solid var(--border); border-radius: 6px; }
details table th, details table td { padding: 4px 8px; font-size: 12px; }
details table th { background: #fff; }
details table + table { margin-top: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 20px 0 4px; }
.card { flex: 1 1 140px; border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; }
.card .n { font-size: 26px; font-weight: 700; line-height: 1.1; }
.card.pass .n { color: var(--pass); } .card.fail .n { color: var(--fail); } .card.error .n { color: var(--error); } .card.skipped .n { color: var(--skipped); }
.callout { margin: 20px 0; padding: 12px 16px; border-radius: 6px; border: 1px solid #d4a72c; background: var(--partial-bg); }
figure { margin: 12px 0 8px; } figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-bottom: 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { header.banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; } details { break-inside: avoid; } }
`;
