import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  compileFilterPattern,
  FilterPatternError,
  parseFilterPattern,
  requiredLiterals,
  splitFields,
} from "../../emulator/logs/filterPattern";

type Row = [pattern: string, message: string, expected: boolean];

function table(name: string, rows: Row[]) {
  describe(name, () => {
    for (const [pattern, message, expected] of rows) {
      test(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(message)}`, () => {
        assert.equal(compileFilterPattern(pattern).matches(message), expected);
      });
    }
  });
}

const agentEvent = JSON.stringify({
  eventVersion: "1.0",
  eventTime: "2024-10-21T18:08:11Z",
  awsRegion: "us-east-1",
  target: { id: "i-0123456789abcdef0" },
  userIdentity: { arn: "arn:aws:iam::000000000000:user/tester" },
  runAsUser: "ssm-user",
  sessionId: "tester-0a1b2c3d4e5f",
  sessionData: ["$ echo MARK-42", "MARK-42"],
  latency: 250,
  ratio: 0.5,
  flag: true,
  off: false,
  nothing: null,
  objectList: [{ id: 1 }, { id: 2, email: "John.Doe@example.com" }],
});

describe("filter pattern: empty", () => {
  for (const p of ["", "   ", "\t\n"]) {
    test(`${JSON.stringify(p)} matches everything`, () => {
      const f = compileFilterPattern(p);
      assert.equal(f.matchesAll, true);
      assert.equal(f.matches("anything"), true);
      assert.equal(f.matches(""), true);
    });
  }
  test("undefined is the empty pattern", () =>
    assert.equal(compileFilterPattern(undefined).matchesAll, true));
});

table("filter pattern: terms", [
  ["ERROR", "2024 ERROR disk full", true],
  ["ERROR", "2024 error disk full", false], // case-sensitive
  ["ERROR", "ERRORS everywhere", true], // contains, not whole word
  ["ERROR", "[ERROR]", true],
  ["ERROR disk", "disk ERROR", true], // all terms, any order
  ["ERROR disk", "ERROR memory", false],
  ['"disk full"', "ERROR disk full now", true],
  ['"disk full"', "ERROR disk is full", false],
  ['"say \\"hi\\""', 'they say "hi" loudly', true],
  ['""', "anything", true],
  ["ERROR -disk", "ERROR memory", true],
  ["ERROR -disk", "ERROR disk", false],
  ['-"disk full"', "memory", true],
  ['-"disk full"', "the disk full", false],
  ["?ERROR ?WARN", "a WARN here", true],
  ["?ERROR ?WARN", "an ERROR here", true],
  ["?ERROR ?WARN", "an INFO here", false],
  ["?ERROR ?WARN disk", "WARN disk", true],
  ["?ERROR ?WARN disk", "WARN memory", false],
  ["?ERROR ?WARN -ignore", "ERROR ignore", false],
  ['?"disk full" ?OOM', "disk full", true],
  ["MARK-42", "echo MARK-42", true],
  ["tester-0a1b2c3d4e5f", agentEvent, true],
  ["%ERR(OR)?%", "ERR 1", true],
  ["%^INFO%", "xINFO", false],
  ["%^INFO%", "INFO x", true],
  ["-%[0-9]%", "no digits", true],
  ["-%[0-9]%", "digit 7", false],
]);

table("filter pattern: JSON", [
  ["{ $.sessionId = tester-0a1b2c3d4e5f }", agentEvent, true],
  ['{ $.sessionId = "tester-0a1b2c3d4e5f" }', agentEvent, true],
  ['{$.sessionId="tester-0a1b2c3d4e5f"}', agentEvent, true],
  ['{ $.sessionId = "tester-0a1b2c3d4e5F" }', agentEvent, false],
  ['{ $.sessionId = "tester-*" }', agentEvent, true],
  ["{ $.sessionId = *4e5f }", agentEvent, true],
  ['{ $.sessionId = "*0a1b*" }', agentEvent, true],
  ['{ $.sessionId = "other*" }', agentEvent, false],
  ['{ $.sessionId != "other" }', agentEvent, true],
  ['{ $.sessionId != "tester-*" }', agentEvent, false],
  ['{ $.missing != "x" }', agentEvent, false],
  ['{ $.target.id = "i-0123456789abcdef0" }', agentEvent, true],
  ['{ $.userIdentity.arn = "arn:aws:iam::000000000000:user/tester" }', agentEvent, true],
  ['{ $.sessionData[1] = "MARK-42" }', agentEvent, true],
  ['{ $.sessionData[0] = "MARK-42" }', agentEvent, false],
  ['{ $.sessionData[5] = "MARK-42" }', agentEvent, false],
  ['{ $.sessionData[0] = "*MARK-42" }', agentEvent, true],
  ["{ $.objectList[1].id = 2 }", agentEvent, true],
  ['{ $.objectList[1].email = "John.Doe@example.com" }', agentEvent, true],
  ["{ $.latency = 250 }", agentEvent, true],
  ["{ $.latency = 250.0 }", agentEvent, true],
  ["{ $.latency != 250 }", agentEvent, false],
  ["{ $.latency > 200 }", agentEvent, true],
  ["{ $.latency >= 250 }", agentEvent, true],
  ["{ $.latency < 250 }", agentEvent, false],
  ["{ $.latency <= 250 }", agentEvent, true],
  ["{ $.ratio < 1e0 }", agentEvent, true],
  ["{ $.ratio > -1 }", agentEvent, true],
  ['{ $.latency = "250" }', agentEvent, false], // a string literal never equals a number
  ["{ $.runAsUser > 3 }", agentEvent, false], // numeric comparison on a string
  ["{ $.target = 1 }", agentEvent, false], // objects never match
  ['{ $.sessionData = "MARK-42" }', agentEvent, false], // arrays never match
  ["{ $.flag IS TRUE }", agentEvent, true],
  ["{ $.off IS TRUE }", agentEvent, false],
  ["{ $.off IS FALSE }", agentEvent, true],
  ["{ $.nothing IS NULL }", agentEvent, true],
  ["{ $.flag IS NULL }", agentEvent, false],
  ["{ $.missing IS NULL }", agentEvent, false],
  ["{ $.missing NOT EXISTS }", agentEvent, true],
  ["{ $.nothing NOT EXISTS }", agentEvent, false],
  ['{ $.runAsUser = "ssm-user" && $.latency > 100 }', agentEvent, true],
  ['{ $.runAsUser = "ssm-user" && $.latency > 300 }', agentEvent, false],
  ['{ $.runAsUser = "root" || $.latency > 100 }', agentEvent, true],
  ['{ $.runAsUser = "root" || $.latency > 300 }', agentEvent, false],
  // && binds tighter than ||
  ['{ $.runAsUser = "root" && $.latency > 300 || $.flag IS TRUE }', agentEvent, true],
  ['{ $.runAsUser = "root" && ($.latency > 300 || $.flag IS TRUE) }', agentEvent, false],
  ['{ ($.runAsUser = "ssm-user") && ($.objectList[0].id = 1) }', agentEvent, true],
  ['{ (($.runAsUser = "x") || ($.runAsUser = "ssm-user")) && $.nothing IS NULL }', agentEvent, true],
  ["{ $.sessionId = %^tester-[0-9a-f]+$% }", agentEvent, true],
  ["{ $.sessionId = %^other% }", agentEvent, false],
  ['{ $.a = "x" }', "not json at all", false],
  ['{ $.a = "x" }', '{"a": "x"', false], // truncated JSON
  ['{ $.a = "x" }', '  {"a":"x"}', true],
  ['{ $.a = "x" }', '{"a":"\\u0078"}', true], // escaped in the message, still found
  ["{ $[0] = 1 }", "[1,2]", true], // a top-level array
  ["{ $.a.b = 1 }", '{"a":[{"b":1}]}', false],
  ['{ $.a-b = "v" }', '{"a-b":"v"}', true],
]);

table("filter pattern: space-delimited", [
  [
    "[ip, user, username, timestamp, request, status_code = 404, bytes]",
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a.gif HTTP/1.0" 404 1534',
    true,
  ],
  [
    "[ip, user, username, timestamp, request, status_code = 4*, bytes]",
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a.gif HTTP/1.0" 403 1534',
    true,
  ],
  [
    "[ip, user, username, timestamp, request, status_code = 5*, bytes]",
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a.gif HTTP/1.0" 403 1534',
    false,
  ],
  ["[..., status_code = 404, bytes > 1000]", '1.2.3.4 - - [x] "GET / HTTP/1.0" 404 1534', true],
  ["[..., status_code = 404, bytes > 2000]", '1.2.3.4 - - [x] "GET / HTTP/1.0" 404 1534', false],
  ["[a, b]", "one two", true],
  ["[a, b]", "one two three", false], // field count must match without ...
  ["[a, ...]", "one two three", true],
  ["[a = one, ...]", "one two three", true],
  ["[level = ERROR || level = WARN, ...]", "WARN disk", true],
  ["[level = ERROR || level = WARN, ...]", "INFO disk", false],
  ["[level != INFO && level != DEBUG, msg]", "ERROR disk", true],
  ["[level != INFO && level != DEBUG, msg]", "DEBUG disk", false],
  ['[method = "GET", ...]', "GET /", true],
]);

describe("filter pattern: invalid patterns", () => {
  for (const p of [
    "{",
    "{ }",
    "{ $.a }",
    "{ $.a = }",
    "{ $.a = 1",
    "{ a = 1 }",
    "{ $. = 1 }",
    "{ $.a > abc }",
    '{ $.a < "5" }',
    "{ $.a IS MAYBE }",
    "{ $.a NOT THERE }",
    "{ $.a = 1 && }",
    "{ ($.a = 1 }",
    "{ $.a = 1 } trailing",
    '"unterminated',
    "?",
    "-",
    "ERROR ?",
    "foo)",
    'foo"bar"',
    "%unterminated",
    "%(%",
    "{ $.a = %[% }",
    "[",
    "[a b]",
    "[a, a]",
    "[a = ]",
    "[a = 1 && b = 2]",
  ]) {
    test(JSON.stringify(p), () => {
      assert.throws(() => parseFilterPattern(p), FilterPatternError);
      assert.throws(() => compileFilterPattern(p), /Invalid filter pattern/);
    });
  }
});

describe("filter pattern: internals", () => {
  test("AST of a JSON pattern", () => {
    assert.deepEqual(parseFilterPattern('{ $.a[0].b = "x*" || $.n >= 2 }'), {
      kind: "json",
      expr: {
        kind: "or",
        left: { kind: "compare", selector: ["a", 0, "b"], op: "=", value: { kind: "string", value: "x*" } },
        right: { kind: "compare", selector: ["n"], op: ">=", value: { kind: "number", value: 2, text: "2" } },
      },
    });
  });

  test("AST of terms", () => {
    assert.deepEqual(parseFilterPattern('ERROR ?a ?"b c" -d'), {
      kind: "terms",
      required: [{ kind: "text", text: "ERROR" }],
      optional: [
        { kind: "text", text: "a" },
        { kind: "text", text: "b c" },
      ],
      excluded: [{ kind: "text", text: "d" }],
    });
  });

  test("required literals: equality terms under && only, verbatim-safe values only", () => {
    const ast = parseFilterPattern('{ $.s = "sess-1" && $.n > 1 && $.w = "a*" && $.q = "a/b" }');
    assert.equal(ast.kind, "json");
    if (ast.kind === "json") assert.deepEqual(requiredLiterals(ast.expr), ["sess-1"]);
    const or = parseFilterPattern('{ $.s = "a" || $.s = "b" }');
    if (or.kind === "json") assert.deepEqual(requiredLiterals(or.expr), []);
  });

  test("splitFields keeps quoted and bracketed fields whole", () => {
    assert.deepEqual(splitFields('1.2.3.4 - [10/Oct/2000:13:25:15 -0700] "GET / HTTP/1.0"  200'), [
      "1.2.3.4",
      "-",
      "10/Oct/2000:13:25:15 -0700",
      "GET / HTTP/1.0",
      "200",
    ]);
  });
});
