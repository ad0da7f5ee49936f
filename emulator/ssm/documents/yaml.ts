/**
 * A small YAML subset, enough for SSM documents written by hand or by the AWS console, parsed without a
 * YAML library (none is installed) and without any feature that can run away (no anchors, aliases, tags).
 *
 * Supported: block mappings and sequences (including `- key: value` items and sequences at the same
 * indent as their key), plain / 'single' / "double" quoted one-line scalars, literal `|` and folded `>`
 * block scalars with `-`/`+` chomping, one-line flow collections (`[a, b]`, `{a: 1}`), comments, a leading
 * `---`. Plain scalars resolve by the YAML 1.2 core schema (null, booleans, numbers, else string).
 * Anything else is refused with a YamlError naming the line, never guessed at.
 */

export class YamlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`YAML line ${line}: ${message}`);
    this.name = "YamlError";
  }
}

interface Line {
  /** 1-based, for messages. */
  no: number;
  text: string;
}

export function parseYaml(source: string): unknown {
  return new Parser(source).parseDocument();
}

class Parser {
  private readonly lines: Line[];
  private pos = 0;
  /** Past the optional leading `---`: any further document marker starts a second document. */
  private started = false;

  constructor(source: string) {
    this.lines = source.split(/\r?\n/).map((text, i) => ({ no: i + 1, text }));
  }

  parseDocument(): unknown {
    const first = this.peek();
    if (first && /^---(\s|$)/.test(first.text)) {
      if (stripComment(first.text.slice(3)).trim() !== "")
        fail(first, "content after '---' is not supported");
      this.pos++;
    }
    this.started = true;
    if (!this.peek()) return null;
    const value = this.parseNode(-1);
    const rest = this.peek();
    if (rest) fail(rest, "unexpected content (check the indentation)");
    return value;
  }

  /** The next line holding content, skipping blank and comment-only lines. */
  private peek(): Line | undefined {
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos]!;
      const body = line.text.trimStart();
      if (body !== "" && !body.startsWith("#")) {
        if (/^ *\t/.test(line.text)) fail(line, "tabs are not allowed in indentation");
        if (body.startsWith("%")) fail(line, "directives are not supported");
        if (this.started && /^(---|\.\.\.)(\s|$)/.test(line.text))
          fail(line, "multiple documents are not supported");
        return line;
      }
      this.pos++;
    }
    return undefined;
  }

  /** A node whose lines are indented more than `parentIndent`. */
  private parseNode(parentIndent: number): unknown {
    const line = this.peek()!;
    const indent = indentOf(line.text);
    if (indent <= parentIndent) return null;
    const body = line.text.slice(indent);
    if (isSequenceItem(body)) return this.parseSequence(indent);
    if (splitMappingEntry(body, line) !== undefined) return this.parseMapping(indent);
    this.pos++;
    return this.inlineValue(body, line, indent);
  }

  private parseMapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (let line = this.peek(); line; line = this.peek()) {
      const lineIndent = indentOf(line.text);
      if (lineIndent < indent) break;
      if (lineIndent > indent) fail(line, "unexpected indentation");
      const body = line.text.slice(indent);
      if (isSequenceItem(body)) break;
      const entry = splitMappingEntry(body, line);
      if (!entry) fail(line, "expected 'key: value'");
      if (Object.hasOwn(map, entry.key)) fail(line, `duplicate key '${entry.key}'`);
      this.pos++;
      define(map, entry.key, this.entryValue(entry.rest, line, indent, true));
    }
    return map;
  }

  private parseSequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.peek(); line; line = this.peek()) {
      const lineIndent = indentOf(line.text);
      if (lineIndent < indent) break;
      if (lineIndent > indent) fail(line, "unexpected indentation");
      const body = line.text.slice(indent);
      if (!isSequenceItem(body)) break;
      const rest = body.slice(1).trimStart();
      const restIndent = line.text.length - rest.length;
      if (rest !== "" && !rest.startsWith("#") && (isSequenceItem(rest) || splitMappingEntry(rest, line))) {
        // A compact nested block (`- key: v` or `- - v`): re-read this line as if the dash were a space.
        line.text = " ".repeat(restIndent) + rest;
        items.push(isSequenceItem(rest) ? this.parseSequence(restIndent) : this.parseMapping(restIndent));
        continue;
      }
      this.pos++;
      items.push(this.entryValue(rest, line, indent, false));
    }
    return items;
  }

  /** The value after `key:` or `-`: inline, a block scalar, or a nested block on the following lines. */
  private entryValue(rest: string, line: Line, indent: number, inMapping: boolean): unknown {
    if (stripComment(rest).trim() === "") {
      const next = this.peek();
      if (!next) return null;
      const nextIndent = indentOf(next.text);
      if (nextIndent > indent) return this.parseNode(indent);
      // YAML lets a mapping's sequence value sit at the key's own indent.
      if (inMapping && nextIndent === indent && isSequenceItem(next.text.slice(indent))) {
        return this.parseSequence(indent);
      }
      return null;
    }
    return this.inlineValue(rest, line, indent);
  }

  private inlineValue(text: string, line: Line, indent: number): unknown {
    const c = text[0]!;
    if (c === "|" || c === ">") return this.blockScalar(text, line, indent);
    if (c === "[" || c === "{") {
      const flow = new FlowParser(text, line);
      const value = flow.value();
      flow.end();
      return value;
    }
    if (c === '"' || c === "'") {
      const { value, end } = quoted(text, 0, line);
      if (stripComment(text.slice(end)).trim() !== "") fail(line, "unexpected text after a quoted scalar");
      return value;
    }
    const plain = stripComment(text).trim();
    checkPlain(plain, line);
    if (/:(\s|$)/.test(plain)) fail(line, "a mapping is not allowed here (quote the value)");
    return resolvePlain(plain);
  }

  private blockScalar(header: string, line: Line, parentIndent: number): string {
    const m = /^([|>])([-+]?)(\s+#.*)?\s*$/.exec(header);
    if (!m) fail(line, "unsupported block scalar header (indentation indicators are not supported)");
    const [, style, chomp] = m;
    const raw: string[] = [];
    let contentIndent = -1;
    while (this.pos < this.lines.length) {
      const text = this.lines[this.pos]!.text;
      if (text.trim() === "") {
        raw.push("");
        this.pos++;
        continue;
      }
      const lineIndent = indentOf(text);
      if (contentIndent < 0) {
        if (lineIndent <= parentIndent) break;
        contentIndent = lineIndent;
      }
      if (lineIndent < contentIndent) break;
      raw.push(text.slice(contentIndent));
      this.pos++;
    }
    // Trailing blank lines are consumed (they hold no nodes) and only count for `+` (keep) chomping.
    let trailing = 0;
    while (raw.length > 0 && raw[raw.length - 1] === "") {
      raw.pop();
      trailing++;
    }
    if (raw.length === 0) return chomp === "+" ? "\n".repeat(trailing) : "";
    const body = style === "|" ? raw.join("\n") : fold(raw);
    if (chomp === "-") return body;
    return chomp === "+" ? `${body}\n${"\n".repeat(trailing)}` : `${body}\n`;
  }
}

/** Folded style: single line breaks between normal lines become spaces; more-indented lines keep theirs. */
function fold(lines: string[]): string {
  let out = lines[0]!;
  let blanks = 0;
  let prev = lines[0]!;
  for (const line of lines.slice(1)) {
    if (line === "") {
      blanks++;
      continue;
    }
    const moreIndented = /^\s/.test(line) || /^\s/.test(prev);
    out += moreIndented ? "\n".repeat(blanks + 1) : blanks > 0 ? "\n".repeat(blanks) : " ";
    out += line;
    blanks = 0;
    prev = line;
  }
  return out;
}

/** One-line flow collections: `[a, 'b', {c: 1}]`. */
class FlowParser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly line: Line,
  ) {}

  value(): unknown {
    this.space();
    const c = this.text[this.i];
    if (c === "[") return this.collection("]", () => this.value());
    if (c === "{") {
      const map: Record<string, unknown> = {};
      this.collection("}", () => {
        const key = String(this.scalar(true));
        this.space();
        let value: unknown = null;
        if (this.text[this.i] === ":") {
          this.i++;
          value = this.value();
        }
        if (Object.hasOwn(map, key)) fail(this.line, `duplicate key '${key}'`);
        define(map, key, value);
      });
      return map;
    }
    return this.scalar(false);
  }

  end(): void {
    if (stripComment(this.text.slice(this.i)).trim() !== "") {
      fail(this.line, "unexpected text after a flow collection");
    }
  }

  private collection<T>(close: string, item: () => T): T[] {
    const items: T[] = [];
    this.i++;
    for (;;) {
      this.space();
      if (this.i >= this.text.length)
        fail(this.line, "unterminated flow collection (flow must fit on one line)");
      if (this.text[this.i] === close) {
        this.i++;
        return items;
      }
      items.push(item());
      this.space();
      if (this.text[this.i] === ",") this.i++;
      else if (this.i < this.text.length && this.text[this.i] !== close)
        fail(this.line, `expected ',' or '${close}'`);
    }
  }

  private scalar(isKey: boolean): unknown {
    this.space();
    const c = this.text[this.i];
    if (c === '"' || c === "'") {
      const { value, end } = quoted(this.text, this.i, this.line);
      this.i = end;
      return value;
    }
    const start = this.i;
    while (this.i < this.text.length) {
      const ch = this.text[this.i]!;
      if (",[]{}".includes(ch)) break;
      if (ch === ":" && (isKey || /[\s,\]}]/.test(this.text[this.i + 1] ?? " "))) break;
      this.i++;
    }
    const plain = this.text.slice(start, this.i).trim();
    checkPlain(plain, this.line);
    return isKey ? plain : resolvePlain(plain);
  }

  private space(): void {
    while (this.text[this.i] === " ") this.i++;
  }
}

function fail(line: Line, message: string): never {
  throw new YamlError(message, line.no);
}

/** An own property even for `__proto__` (plain assignment would replace the prototype instead). */
function define(map: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

function isSequenceItem(body: string): boolean {
  return body === "-" || body.startsWith("- ");
}

/** `key: rest` (plain or quoted key), or undefined when the text is not a mapping entry. */
function splitMappingEntry(body: string, line: Line): { key: string; rest: string } | undefined {
  if (body.startsWith("? ")) fail(line, "complex keys are not supported");
  if (body[0] === '"' || body[0] === "'") {
    const { value, end } = quoted(body, 0, line);
    const after = /^\s*:(\s|$)/.exec(body.slice(end));
    return after ? { key: value, rest: body.slice(end + after[0].length).trimStart() } : undefined;
  }
  if ("[{".includes(body[0]!)) return undefined;
  const uncommented = stripComment(body);
  const colon = uncommented.search(/:(\s|$)/);
  if (colon <= 0) return undefined;
  const key = uncommented.slice(0, colon).trim();
  checkPlain(key, line);
  return { key, rest: body.slice(colon + 1).trimStart() };
}

/** A quoted scalar starting at `start`; `end` is the index after the closing quote. */
function quoted(text: string, start: number, line: Line): { value: string; end: number } {
  const q = text[start];
  let out = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (q === "'") {
      if (c !== "'") out += c;
      else if (text[i + 1] === "'") {
        out += "'";
        i++;
      } else return { value: out, end: i + 1 };
    } else if (c === '"') {
      return { value: out, end: i + 1 };
    } else if (c === "\\") {
      const { char, length } = escapeSequence(text, i, line);
      out += char;
      i += length - 1;
    } else {
      out += c;
    }
  }
  return fail(line, "unterminated quoted scalar (quoted scalars must fit on one line)");
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0",
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

function escapeSequence(text: string, at: number, line: Line): { char: string; length: number } {
  const c = text[at + 1] ?? "";
  if (Object.hasOwn(SIMPLE_ESCAPES, c)) return { char: SIMPLE_ESCAPES[c]!, length: 2 };
  const digits = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
  const hex = text.slice(at + 2, at + 2 + digits);
  if (digits > 0 && hex.length === digits && /^[0-9a-fA-F]+$/.test(hex)) {
    const code = Number.parseInt(hex, 16);
    if (code <= 0x10ffff) return { char: String.fromCodePoint(code), length: 2 + digits };
  }
  return fail(line, `unsupported escape '\\${c}' in a double-quoted scalar`);
}

/** A `#` at the start or after whitespace starts a comment (for plain text; quoted scalars are cut first). */
function stripComment(text: string): string {
  const m = /(^|\s)#/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

function checkPlain(plain: string, line: Line): void {
  const c = plain[0];
  if (c === "&" || c === "*") fail(line, "anchors and aliases are not supported");
  if (c === "!") fail(line, "tags are not supported");
  if (c === "@" || c === "`" || c === "%") fail(line, `a plain scalar cannot start with '${c}' (quote it)`);
}

/** YAML 1.2 core schema resolution of a plain scalar. */
function resolvePlain(plain: string): unknown {
  if (plain === "" || plain === "~" || /^(null|Null|NULL)$/.test(plain)) return null;
  if (/^(true|True|TRUE)$/.test(plain)) return true;
  if (/^(false|False|FALSE)$/.test(plain)) return false;
  if (/^0o[0-7]+$/.test(plain)) return Number.parseInt(plain.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(plain)) return Number.parseInt(plain.slice(2), 16);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return Number(plain);
  return plain;
}

/** Block-style YAML for a JSON value; parseYaml(emitYaml(v)) deep-equals v. */
export function emitYaml(value: unknown): string {
  return `${isBlock(value) ? emitBlock(value, 0) : emitScalar(value)}\n`;
}

function isBlock(value: unknown): value is object {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === "object" && value !== null && Object.keys(value).length > 0;
}

function emitBlock(value: object, indent: number): string {
  const pad = " ".repeat(indent);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v) => ["-", v])
    : Object.entries(value).map(([k, v]) => [`${emitString(k)}:`, v]);
  return entries
    .map(([lead, v]) => {
      if (!isBlock(v)) return `${pad}${lead} ${emitScalar(v)}`;
      const block = emitBlock(v, indent + 2);
      // A collection inside a sequence starts on the dash's line: `- key: value`, `- - item`.
      return lead === "-" ? `${pad}- ${block.slice(indent + 2)}` : `${pad}${lead}\n${block}`;
    })
    .join("\n");
}

function emitScalar(value: unknown): string {
  if (typeof value === "string") return emitString(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "[]";
  if (typeof value === "object" && value !== null) return "{}";
  return "null";
}

function emitString(s: string): string {
  if (/^[A-Za-z_][\w./-]*( [\w./-]+)*$/.test(s) && resolvePlain(s) === s) return s;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters force double quotes
  if (!/[\x00-\x1f\x7f]/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return JSON.stringify(s);
}
