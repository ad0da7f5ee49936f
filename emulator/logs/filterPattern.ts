/**
 * CloudWatch Logs filter patterns (FilterLogEvents, metric and subscription filters), parsed to an AST and
 * compiled to a matcher over the raw message.
 *
 * Supported forms (CloudWatch "Filter pattern syntax"):
 * - empty / whitespace only: every event.
 * - Unstructured terms, case-sensitive, matched as substrings: `ERROR`, `"exact phrase"`, `%regex%`;
 *   every plain term must match, `-term` must not, and when `?term`s are present at least one must.
 * - JSON: `{ $.a.b = "str*" }`, `=`/`!=` on strings (`*` wildcard, quoted or bare) and numbers,
 *   `< > <= >=` on numbers, `%regex%` values, `&&`, `||` (`&&` binds tighter), parentheses, array
 *   indexes `$.arr[0].x`, and `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`. A selector that is missing
 *   or names an object/array makes its comparison false (`!=` included). A message that is not JSON never
 *   matches.
 * - Space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]`; fields split on spaces with `"…"`
 *   and `[…]` kept whole; `...` stands for any number of fields; a field's conditions (joined by `&&`/`||`)
 *   may refer to that field only.
 * Anything else is an invalid pattern (FilterPatternError).
 */

export class FilterPatternError extends Error {
  constructor(detail: string) {
    super(`Invalid filter pattern: ${detail}`);
    this.name = "FilterPatternError";
  }
}

// ---------------------------------------------------------------- AST

export type TermAst = { kind: "text"; text: string } | { kind: "regex"; source: string };

export type LiteralAst =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number; text: string }
  | { kind: "regex"; source: string };

export type CompareOp = "=" | "!=" | "<" | ">" | "<=" | ">=";

export type JsonExpr =
  | { kind: "and" | "or"; left: JsonExpr; right: JsonExpr }
  | { kind: "compare"; selector: (string | number)[]; op: CompareOp; value: LiteralAst }
  | { kind: "test"; selector: (string | number)[]; test: "NULL" | "TRUE" | "FALSE" | "NOT EXISTS" };

export type FieldCondition =
  | { kind: "and" | "or"; left: FieldCondition; right: FieldCondition }
  | { kind: "compare"; op: CompareOp; value: LiteralAst };

export type SpaceField = { kind: "ellipsis" } | { kind: "field"; name: string; condition?: FieldCondition };

export type FilterAst =
  | { kind: "all" }
  | { kind: "terms"; required: TermAst[]; optional: TermAst[]; excluded: TermAst[] }
  | { kind: "json"; expr: JsonExpr }
  | { kind: "space"; fields: SpaceField[] };

// ---------------------------------------------------------------- lexer helpers

class Cursor {
  pos = 0;
  constructor(readonly src: string) {}
  get done(): boolean {
    return this.pos >= this.src.length;
  }
  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? "";
  }
  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }
  skipSpace(): void {
    while (!this.done && /\s/.test(this.peek())) this.pos++;
  }
  fail(what: string): never {
    throw new FilterPatternError(`${what} at position ${this.pos}`);
  }
  /** A `"…"` string with `\"` and `\\` escapes; the cursor is on the opening quote. */
  readQuoted(): string {
    this.pos++;
    let out = "";
    while (!this.done) {
      const c = this.peek();
      if (c === "\\" && (this.peek(1) === '"' || this.peek(1) === "\\")) {
        out += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (c === '"') {
        this.pos++;
        return out;
      }
      out += c;
      this.pos++;
    }
    return this.fail("unterminated quoted string");
  }
  /** A `%regex%` body; the cursor is on the opening `%`. */
  readRegex(): string {
    const end = this.src.indexOf("%", this.pos + 1);
    if (end < 0) this.fail("unterminated regular expression");
    const source = this.src.slice(this.pos + 1, end);
    if (!source) this.fail("empty regular expression");
    this.pos = end + 1;
    compileRegex(source);
    return source;
  }
  /** Characters up to whitespace or one of `stops`. */
  readBare(stops: string): string {
    const start = this.pos;
    while (!this.done && !/\s/.test(this.peek()) && !stops.includes(this.peek())) this.pos++;
    return this.src.slice(start, this.pos);
  }
}

function compileRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new FilterPatternError(`invalid regular expression ${source}`);
  }
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// ---------------------------------------------------------------- parser

export function parseFilterPattern(pattern: string): FilterAst {
  const c = new Cursor(pattern);
  c.skipSpace();
  if (c.done) return { kind: "all" };
  let ast: FilterAst;
  if (c.peek() === "{") ast = parseJson(c);
  else if (c.peek() === "[") ast = parseSpaceDelimited(c);
  else ast = parseTerms(c);
  c.skipSpace();
  if (!c.done) c.fail("unexpected trailing input");
  return ast;
}

function parseTerms(c: Cursor): FilterAst {
  const required: TermAst[] = [];
  const optional: TermAst[] = [];
  const excluded: TermAst[] = [];
  while (true) {
    c.skipSpace();
    if (c.done) break;
    let bucket = required;
    if (c.peek() === "?") {
      bucket = optional;
      c.pos++;
    } else if (c.peek() === "-") {
      bucket = excluded;
      c.pos++;
    }
    const ch = c.peek();
    if (ch === '"') bucket.push({ kind: "text", text: c.readQuoted() });
    else if (ch === "%") bucket.push({ kind: "regex", source: c.readRegex() });
    else {
      const word = c.readBare('"{}[]()');
      if (!word) c.fail("expected a term");
      bucket.push({ kind: "text", text: word });
    }
    if (!c.done && !/\s/.test(c.peek())) c.fail("expected whitespace between terms");
  }
  return { kind: "terms", required, optional, excluded };
}

// JSON: '{' or '}' ; or := and ('||' and)* ; and := unary ('&&' unary)* ; unary := '(' or ')' | comparison
function parseJson(c: Cursor): FilterAst {
  c.pos++; // {
  const expr = parseOr(c);
  c.skipSpace();
  if (c.peek() !== "}") c.fail("expected }");
  c.pos++;
  return { kind: "json", expr };
}

function parseOr(c: Cursor): JsonExpr {
  let left = parseAnd(c);
  while (true) {
    c.skipSpace();
    if (!c.startsWith("||")) return left;
    c.pos += 2;
    left = { kind: "or", left, right: parseAnd(c) };
  }
}

function parseAnd(c: Cursor): JsonExpr {
  let left = parseUnary(c);
  while (true) {
    c.skipSpace();
    if (!c.startsWith("&&")) return left;
    c.pos += 2;
    left = { kind: "and", left, right: parseUnary(c) };
  }
}

function parseUnary(c: Cursor): JsonExpr {
  c.skipSpace();
  if (c.peek() === "(") {
    c.pos++;
    const inner = parseOr(c);
    c.skipSpace();
    if (c.peek() !== ")") c.fail("expected )");
    c.pos++;
    return inner;
  }
  const selector = parseSelector(c);
  c.skipSpace();
  const word = /^[A-Za-z]+/.exec(c.src.slice(c.pos))?.[0] ?? "";
  if (word === "IS") {
    c.pos += 2;
    c.skipSpace();
    const what = c.readBare("(){}&|");
    if (what !== "NULL" && what !== "TRUE" && what !== "FALSE")
      c.fail("expected NULL, TRUE or FALSE after IS");
    return { kind: "test", selector, test: what };
  }
  if (word === "NOT") {
    c.pos += 3;
    c.skipSpace();
    if (c.readBare("(){}&|") !== "EXISTS") c.fail("expected EXISTS after NOT");
    return { kind: "test", selector, test: "NOT EXISTS" };
  }
  const op = parseOp(c);
  c.skipSpace();
  const value = parseLiteral(c, "(){}&|");
  checkOperands(c, op, value);
  return { kind: "compare", selector, op, value };
}

function parseSelector(c: Cursor): (string | number)[] {
  if (c.peek() !== "$") c.fail("expected a $ selector");
  c.pos++;
  const path: (string | number)[] = [];
  while (true) {
    if (c.peek() === ".") {
      c.pos++;
      const name = /^[A-Za-z0-9_\-@:]+/.exec(c.src.slice(c.pos))?.[0];
      if (!name) c.fail("expected a property name");
      path.push(name);
      c.pos += name.length;
    } else if (c.peek() === "[") {
      const m = /^\[(\d+)\]/.exec(c.src.slice(c.pos));
      if (!m) c.fail("expected an array index");
      path.push(Number(m[1]));
      c.pos += m[0].length;
    } else break;
  }
  if (path.length === 0) c.fail("expected a property after $");
  return path;
}

function parseOp(c: Cursor): CompareOp {
  for (const op of ["!=", "<=", ">=", "=", "<", ">"] as const) {
    if (c.startsWith(op)) {
      c.pos += op.length;
      return op;
    }
  }
  return c.fail("expected a comparison operator");
}

function parseLiteral(c: Cursor, stops: string): LiteralAst {
  const ch = c.peek();
  if (ch === '"') return { kind: "string", value: c.readQuoted() };
  if (ch === "%") return { kind: "regex", source: c.readRegex() };
  const bare = c.readBare(`${stops}=!<>",`);
  if (!bare) c.fail("expected a value");
  if (NUMBER.test(bare)) return { kind: "number", value: Number(bare), text: bare };
  return { kind: "string", value: bare };
}

function checkOperands(c: Cursor, op: CompareOp, value: LiteralAst): void {
  if (
    (op === "=" || op === "!=") &&
    value.kind !== "number" &&
    value.kind !== "string" &&
    value.kind !== "regex"
  )
    c.fail("bad value");
  if (op !== "=" && op !== "!=" && value.kind !== "number") c.fail(`${op} needs a number`);
}

function parseSpaceDelimited(c: Cursor): FilterAst {
  c.pos++; // [
  const fields: SpaceField[] = [];
  const names = new Set<string>();
  while (true) {
    c.skipSpace();
    if (c.startsWith("...")) {
      c.pos += 3;
      fields.push({ kind: "ellipsis" });
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(c.src.slice(c.pos))?.[0];
      if (!name) c.fail("expected a field name");
      if (names.has(name)) c.fail(`duplicate field ${name}`);
      names.add(name);
      c.pos += name.length;
      c.skipSpace();
      const field: SpaceField = { kind: "field", name };
      if (/^(!=|<=|>=|=|<|>)/.test(c.src.slice(c.pos))) field.condition = parseFieldOr(c, name);
      fields.push(field);
    }
    c.skipSpace();
    if (c.peek() === ",") {
      c.pos++;
      continue;
    }
    if (c.peek() === "]") {
      c.pos++;
      break;
    }
    c.fail("expected , or ]");
  }
  return { kind: "space", fields };
}

function parseFieldOr(c: Cursor, name: string): FieldCondition {
  let left = parseFieldAnd(c, name);
  while (true) {
    c.skipSpace();
    if (!c.startsWith("||")) return left;
    c.pos += 2;
    left = { kind: "or", left, right: parseFieldAnd(c, name) };
  }
}

function parseFieldAnd(c: Cursor, name: string): FieldCondition {
  let left = parseFieldCompare(c, name, false);
  while (true) {
    c.skipSpace();
    if (!c.startsWith("&&")) return left;
    c.pos += 2;
    left = { kind: "and", left, right: parseFieldCompare(c, name, true) };
  }
}

/** `op value`, or after `&&`/`||` the repeated form `name op value`. */
function parseFieldCompare(c: Cursor, name: string, allowName: boolean): FieldCondition {
  c.skipSpace();
  if (allowName || c.startsWith(name)) {
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(c.src.slice(c.pos))?.[0];
    if (word) {
      if (word !== name) c.fail(`a condition on ${name} cannot refer to ${word}`);
      c.pos += word.length;
      c.skipSpace();
    }
  }
  const op = parseOp(c);
  c.skipSpace();
  const value = parseLiteral(c, ",[]&|");
  checkOperands(c, op, value);
  return { kind: "compare", op, value };
}

// ---------------------------------------------------------------- compiler

export type MessageMatcher = (message: string) => boolean;

export interface CompiledFilter {
  readonly ast: FilterAst;
  /** True when the pattern selects every event (no need to call `matches`). */
  readonly matchesAll: boolean;
  readonly matches: MessageMatcher;
}

/** Parse and compile; throws FilterPatternError on an invalid pattern. */
export function compileFilterPattern(pattern: string | undefined): CompiledFilter {
  const ast = parseFilterPattern(pattern ?? "");
  switch (ast.kind) {
    case "all":
      return { ast, matchesAll: true, matches: () => true };
    case "terms":
      return { ast, matchesAll: false, matches: compileTerms(ast) };
    case "json":
      return { ast, matchesAll: false, matches: compileJson(ast.expr) };
    case "space":
      return { ast, matchesAll: false, matches: compileSpace(ast.fields) };
  }
}

function termMatcher(t: TermAst): MessageMatcher {
  if (t.kind === "regex") {
    const re = compileRegex(t.source);
    return (m) => re.test(m);
  }
  const text = t.text;
  return (m) => m.includes(text);
}

function compileTerms(ast: Extract<FilterAst, { kind: "terms" }>): MessageMatcher {
  const required = ast.required.map(termMatcher);
  const optional = ast.optional.map(termMatcher);
  const excluded = ast.excluded.map(termMatcher);
  if (optional.length === 0 && excluded.length === 0 && ast.required.length === 1) {
    const only = ast.required[0]!;
    if (only.kind === "text") {
      const text = only.text;
      return (m) => m.includes(text);
    }
  }
  return (m) => {
    for (const f of required) if (!f(m)) return false;
    for (const f of excluded) if (f(m)) return false;
    if (optional.length === 0) return true;
    for (const f of optional) if (f(m)) return true;
    return false;
  };
}

/** Match a string against a value with `*` wildcards. */
function stringMatcher(pattern: string): (s: string) => boolean {
  if (!pattern.includes("*")) return (s) => s === pattern;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegex).join("[\\s\\S]*")}$`);
  return (s) => re.test(s);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

type Resolved = { found: false } | { found: true; value: unknown };

function resolve(root: unknown, selector: readonly (string | number)[]): Resolved {
  let cur = root;
  for (const step of selector) {
    if (typeof step === "number") {
      if (!Array.isArray(cur) || step >= cur.length) return { found: false };
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return { found: false };
      if (!Object.hasOwn(cur, step)) return { found: false };
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: cur };
}

type ValueTest = (value: unknown) => boolean;

/** A comparison of one scalar (JSON value or space-delimited field) against a literal. */
function compareTest(op: CompareOp, lit: LiteralAst, fieldsAreText: boolean): ValueTest {
  if (lit.kind === "number") {
    const n = lit.value;
    const asNumber = (v: unknown): number | undefined => {
      if (typeof v === "number") return v;
      if (fieldsAreText && typeof v === "string" && NUMBER.test(v)) return Number(v);
      return undefined;
    };
    const cmp: (a: number) => boolean =
      op === "="
        ? (a) => a === n
        : op === "!="
          ? (a) => a !== n
          : op === "<"
            ? (a) => a < n
            : op === ">"
              ? (a) => a > n
              : op === "<="
                ? (a) => a <= n
                : (a) => a >= n;
    return (v) => {
      const a = asNumber(v);
      if (a === undefined) {
        // a non-numeric scalar differs from any number
        return op === "!=" && isScalar(v);
      }
      return cmp(a);
    };
  }
  const match: (s: string) => boolean =
    lit.kind === "regex"
      ? (
          (re) => (s: string) =>
            re.test(s)
        )(compileRegex(lit.source))
      : stringMatcher(lit.value);
  if (op === "=") return (v) => typeof v === "string" && match(v);
  return (v) => isScalar(v) && !(typeof v === "string" && match(v));
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function compileJsonExpr(expr: JsonExpr): (root: unknown) => boolean {
  switch (expr.kind) {
    case "and": {
      const l = compileJsonExpr(expr.left);
      const r = compileJsonExpr(expr.right);
      return (root) => l(root) && r(root);
    }
    case "or": {
      const l = compileJsonExpr(expr.left);
      const r = compileJsonExpr(expr.right);
      return (root) => l(root) || r(root);
    }
    case "test": {
      const sel = expr.selector;
      switch (expr.test) {
        case "NOT EXISTS":
          return (root) => !resolve(root, sel).found;
        case "NULL":
          return (root) => {
            const r = resolve(root, sel);
            return r.found && r.value === null;
          };
        case "TRUE":
        case "FALSE": {
          const want = expr.test === "TRUE";
          return (root) => {
            const r = resolve(root, sel);
            return r.found && r.value === want;
          };
        }
      }
      break;
    }
    case "compare": {
      const sel = expr.selector;
      const test = compareTest(expr.op, expr.value, false);
      return (root) => {
        const r = resolve(root, sel);
        return r.found && isScalar(r.value) && test(r.value);
      };
    }
  }
  throw new FilterPatternError("unreachable");
}

/** Characters that JSON encoders emit verbatim inside strings (no escaping), so a raw substring test is exact. */
const VERBATIM = /^[A-Za-z0-9 _.,:;@#$%^()+=~'!?|{}[\]-]+$/;

/** Literals every matching message must contain (from `=` string comparisons joined by `&&`). */
export function requiredLiterals(expr: JsonExpr): string[] {
  switch (expr.kind) {
    case "and":
      return [...requiredLiterals(expr.left), ...requiredLiterals(expr.right)];
    case "compare":
      if (expr.op === "=" && expr.value.kind === "string" && VERBATIM.test(expr.value.value))
        return [expr.value.value];
      return [];
    default:
      return [];
  }
}

function compileJson(expr: JsonExpr): MessageMatcher {
  const evaluate = compileJsonExpr(expr);
  const literals = requiredLiterals(expr);
  return (m) => {
    // A JSON text starts with { or [ after optional whitespace; anything else is not JSON.
    let i = 0;
    while (
      i < m.length &&
      (m.charCodeAt(i) === 32 || m.charCodeAt(i) === 9 || m.charCodeAt(i) === 10 || m.charCodeAt(i) === 13)
    )
      i++;
    const first = m.charCodeAt(i);
    if (first !== 123 && first !== 91) return false;
    // Cheap rejection: a required literal must appear verbatim, unless the message uses \u escapes.
    if (literals.length > 0) {
      for (const lit of literals) if (!m.includes(lit) && !m.includes("\\u")) return false;
    }
    let root: unknown;
    try {
      root = JSON.parse(m);
    } catch {
      return false;
    }
    return evaluate(root);
  };
}

// ---- space-delimited

/** Split a message into fields: whitespace-separated, with `"…"` and `[…]` kept as single fields. */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = message.length;
  while (i < n) {
    while (i < n && /\s/.test(message[i]!)) i++;
    if (i >= n) break;
    const ch = message[i]!;
    if (ch === '"' || ch === "[") {
      const close = ch === '"' ? '"' : "]";
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    const start = i;
    while (i < n && !/\s/.test(message[i]!)) i++;
    out.push(message.slice(start, i));
  }
  return out;
}

function compileFieldCondition(cond: FieldCondition): ValueTest {
  if (cond.kind === "compare") return compareTest(cond.op, cond.value, true);
  const l = compileFieldCondition(cond.left);
  const r = compileFieldCondition(cond.right);
  return cond.kind === "and" ? (v) => l(v) && r(v) : (v) => l(v) || r(v);
}

function compileSpace(fields: SpaceField[]): MessageMatcher {
  const tests: (ValueTest | "ellipsis" | undefined)[] = fields.map((f) =>
    f.kind === "ellipsis" ? "ellipsis" : f.condition ? compileFieldCondition(f.condition) : undefined,
  );
  return (m) => {
    const values = splitFields(m);
    // reachable[j]: the first i pattern fields can consume exactly j message fields
    let reachable = new Array<boolean>(values.length + 1).fill(false);
    reachable[0] = true;
    for (const test of tests) {
      const next = new Array<boolean>(values.length + 1).fill(false);
      if (test === "ellipsis") {
        let any = false;
        for (let j = 0; j <= values.length; j++) {
          any = any || reachable[j]!;
          next[j] = any;
        }
      } else {
        for (let j = 0; j < values.length; j++) {
          if (reachable[j] && (test === undefined || test(values[j]))) next[j + 1] = true;
        }
      }
      reachable = next;
    }
    return reachable[values.length]!;
  };
}
