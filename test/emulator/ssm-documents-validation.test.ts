import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { AwsServiceError } from "../../emulator/api/provider";
import { DocumentStore, type InputStrictness } from "../../emulator/ssm/documents";
import { emitYaml, parseYaml, YamlError } from "../../emulator/ssm/documents/yaml";

const scope = { accountId: "000000000000", region: "us-east-1" };

let counter = 0;
function createSession(
  content: unknown,
  options: { inputs?: InputStrictness; format?: "JSON" | "YAML" } = {},
) {
  const store = new DocumentStore({ inputs: options.inputs ?? "strict" });
  return store.create(scope, {
    name: `Doc-${counter++}`,
    type: "Session",
    format: options.format ?? "JSON",
    content: typeof content === "string" ? content : JSON.stringify(content),
  });
}

const doc = (inputs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  schemaVersion: "1.0",
  sessionType: "Standard_Stream",
  inputs,
  ...extra,
});

/** The documented preferences document (DOCS getting-started-create-preferences-cli.md). */
const DOCUMENTED = doc({
  s3BucketName: "",
  s3KeyPrefix: "",
  s3EncryptionEnabled: true,
  cloudWatchLogGroupName: "",
  cloudWatchEncryptionEnabled: true,
  cloudWatchStreamingEnabled: true,
  idleSessionTimeout: "20",
  maxSessionDuration: "60",
  kmsKeyId: "",
  runAsEnabled: false,
  runAsDefaultUser: "",
  shellProfile: { windows: "", linux: "" },
});

describe("Session document validation: accepted", () => {
  const valid: [string, unknown][] = [
    ["the documented preferences document", DOCUMENTED],
    ["empty strings for the timeouts", doc({ idleSessionTimeout: "", maxSessionDuration: "" })],
    ["range ends", doc({ idleSessionTimeout: "1", maxSessionDuration: "1440" })],
    ["other end", doc({ idleSessionTimeout: "60", maxSessionDuration: "1" })],
    [
      "booleans as strings",
      doc({ s3EncryptionEnabled: "true", cloudWatchEncryptionEnabled: "false", runAsEnabled: "true" }),
    ],
    ["empty inputs", doc({})],
    ["only one shell profile", doc({ shellProfile: { linux: "exec bash" } })],
    ["description", doc({}, { description: "d" })],
    [
      "Port document without inputs",
      { schemaVersion: "1.0", sessionType: "Port", properties: { portNumber: "22" } },
    ],
    [
      "InteractiveCommands with parameters in properties",
      {
        schemaVersion: "1.0",
        sessionType: "InteractiveCommands",
        parameters: { logpath: { type: "String", default: "/var/log/x" } },
        properties: { linux: { commands: "tail -f {{ logpath }}", runAsElevated: false } },
      },
    ],
    [
      "parameterised inputs (documented variant)",
      doc(
        {
          s3BucketName: "{{s3BucketName}}",
          s3EncryptionEnabled: "{{s3EncryptionEnabled}}",
          cloudWatchStreamingEnabled: "{{streaming}}",
          idleSessionTimeout: "{{idle}}",
          shellProfile: { linux: "cd {{dir}}" },
        },
        {
          parameters: {
            s3BucketName: { type: "String", default: "" },
            s3EncryptionEnabled: { type: "Boolean", default: "false" },
            streaming: { type: "Boolean", default: true },
            idle: { type: "String", default: "20", allowedPattern: "^[0-9]+$" },
            dir: { type: "String", default: "~", description: "start directory", displayType: "textarea" },
          },
        },
      ),
    ],
    ["Parameter Store references", doc({ s3BucketName: "{{ssm:/logging/bucket}}" })],
    [
      "StringList parameter",
      doc({}, { parameters: { hosts: { type: "StringList", default: ["a", "b"], maxItems: 3 } } }),
    ],
  ];
  for (const [why, content] of valid) {
    test(why, () => {
      const { version } = createSession(content);
      assert.equal(version.schemaVersion, "1.0");
    });
  }
});

describe("Session document validation: refused (strict)", () => {
  const invalid: [string, unknown, string, string | RegExp][] = [
    [
      "schemaVersion 2.0",
      { ...DOCUMENTED, schemaVersion: "2.0" },
      "InvalidDocumentSchemaVersion",
      "2.0 is not a valid schema version for Session document type",
    ],
    [
      "schemaVersion as a number",
      { ...DOCUMENTED, schemaVersion: 1 },
      "InvalidDocumentSchemaVersion",
      /must be a string/,
    ],
    [
      "no schemaVersion",
      { sessionType: "Standard_Stream", inputs: {} },
      "InvalidDocumentContent",
      /missing schemaVersion/,
    ],
    [
      "bad sessionType",
      { ...DOCUMENTED, sessionType: "Shell" },
      "InvalidDocumentContent",
      /sessionType "Shell" is not valid/,
    ],
    [
      "no sessionType",
      { schemaVersion: "1.0", inputs: {} },
      "InvalidDocumentContent",
      /sessionType is missing/,
    ],
    [
      "Standard_Stream without inputs",
      { schemaVersion: "1.0", sessionType: "Standard_Stream" },
      "InvalidDocumentContent",
      "inputs is required for sessionType Standard_Stream.",
    ],
    [
      "inputs not an object",
      { ...DOCUMENTED, inputs: [] },
      "InvalidDocumentContent",
      "inputs must be an object.",
    ],
    [
      "unknown input",
      doc({ idleTimeout: "20" }),
      "InvalidDocumentContent",
      /^Unknown input 'idleTimeout' in Session document/,
    ],
    [
      "unknown top-level key",
      { ...DOCUMENTED, mainSteps: [] },
      "InvalidDocumentContent",
      /Unknown top-level key 'mainSteps'/,
    ],
    [
      "idleSessionTimeout 0",
      doc({ idleSessionTimeout: "0" }),
      "InvalidDocumentContent",
      /idleSessionTimeout .* from 1 to 60/,
    ],
    [
      "idleSessionTimeout 61",
      doc({ idleSessionTimeout: "61" }),
      "InvalidDocumentContent",
      /idleSessionTimeout .*; got "61"\.$/,
    ],
    [
      "idleSessionTimeout non-numeric",
      doc({ idleSessionTimeout: "ten" }),
      "InvalidDocumentContent",
      /idleSessionTimeout/,
    ],
    [
      "idleSessionTimeout fractional",
      doc({ idleSessionTimeout: "1.5" }),
      "InvalidDocumentContent",
      /idleSessionTimeout/,
    ],
    [
      "idleSessionTimeout as a number",
      doc({ idleSessionTimeout: 20 }),
      "InvalidDocumentContent",
      /got 20\.$/,
    ],
    [
      "maxSessionDuration 1441",
      doc({ maxSessionDuration: "1441" }),
      "InvalidDocumentContent",
      /maxSessionDuration .* from 1 to 1440/,
    ],
    [
      "maxSessionDuration negative",
      doc({ maxSessionDuration: "-5" }),
      "InvalidDocumentContent",
      /maxSessionDuration/,
    ],
    [
      "cloudWatchStreamingEnabled as a string",
      doc({ cloudWatchStreamingEnabled: "true" }),
      "InvalidDocumentContent",
      /cloudWatchStreamingEnabled must be a JSON boolean/,
    ],
    [
      "boolean as yes",
      doc({ runAsEnabled: "yes" }),
      "InvalidDocumentContent",
      /runAsEnabled must be a boolean/,
    ],
    [
      "string input as a number",
      doc({ s3BucketName: 5 }),
      "InvalidDocumentContent",
      /s3BucketName must be a string/,
    ],
    [
      "shellProfile not an object",
      doc({ shellProfile: "bash" }),
      "InvalidDocumentContent",
      /shellProfile must be an object/,
    ],
    [
      "shellProfile unknown key",
      doc({ shellProfile: { macos: "" } }),
      "InvalidDocumentContent",
      /unknown key 'macos'/,
    ],
    [
      "shellProfile non-string",
      doc({ shellProfile: { linux: 1 } }),
      "InvalidDocumentContent",
      /shellProfile \.linux must be/,
    ],
    [
      "undeclared parameter reference",
      doc({ s3BucketName: "{{bucket}}" }),
      "InvalidDocumentContent",
      "inputs.s3BucketName references parameter {{bucket}}, which is not declared in parameters.",
    ],
    [
      "undeclared reference in properties",
      { schemaVersion: "1.0", sessionType: "Port", properties: { portNumber: "{{port}}" } },
      "InvalidDocumentContent",
      /properties\.portNumber references parameter \{\{port\}\}/,
    ],
    [
      "parameter without type",
      doc({}, { parameters: { p: {} } }),
      "InvalidDocumentContent",
      /Parameter p type must be one of/,
    ],
    [
      "parameter type Integer",
      doc({}, { parameters: { p: { type: "Integer" } } }),
      "InvalidDocumentContent",
      /type must be/,
    ],
    [
      "default of the wrong type",
      doc({}, { parameters: { p: { type: "Boolean", default: "maybe" } } }),
      "InvalidDocumentContent",
      "Parameter p default does not match type Boolean.",
    ],
    [
      "unknown parameter attribute",
      doc({}, { parameters: { p: { type: "String", secret: 1 } } }),
      "InvalidDocumentContent",
      /'secret'/,
    ],
    [
      "bad allowedPattern",
      doc({}, { parameters: { p: { type: "String", allowedPattern: "(" } } }),
      "InvalidDocumentContent",
      /allowedPattern/,
    ],
    [
      "bad parameter name",
      doc({}, { parameters: { "a b": { type: "String" } } }),
      "InvalidDocumentContent",
      /invalid name/,
    ],
    [
      "properties not an object",
      { schemaVersion: "1.0", sessionType: "Port", properties: 1 },
      "InvalidDocumentContent",
      /properties/,
    ],
    ["not JSON", "{ nope", "InvalidDocumentContent", /^The content for the document isn't valid JSON\./],
    ["a JSON array", "[]", "InvalidDocumentContent", /must be an object/],
  ];
  for (const [why, content, code, message] of invalid) {
    test(why, () => {
      assert.throws(
        () => createSession(content),
        (err: AwsServiceError) => {
          assert.equal(err.code, code, err.message);
          if (typeof message === "string") assert.equal(err.message, message);
          else assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});

describe("Session document validation: lenient inputs", () => {
  for (const [why, inputs] of [
    ["idleSessionTimeout 0", { idleSessionTimeout: "0" }],
    ["maxSessionDuration 5000", { maxSessionDuration: "5000" }],
    ["numbers", { idleSessionTimeout: 20, maxSessionDuration: 90 }],
    ["non-numeric", { idleSessionTimeout: "soon" }],
    ["streaming as a string", { cloudWatchStreamingEnabled: "true" }],
  ] as const) {
    test(`accepts ${why}`, () => {
      assert.equal(createSession(doc(inputs), { inputs: "lenient" }).version.schemaVersion, "1.0");
    });
  }
  test("still refuses unknown inputs and wrong kinds", () => {
    assert.throws(() => createSession(doc({ idle: "1" }), { inputs: "lenient" }), {
      code: "InvalidDocumentContent",
    });
    assert.throws(() => createSession(doc({ idleSessionTimeout: true }), { inputs: "lenient" }), {
      code: "InvalidDocumentContent",
    });
  });
});

describe("YAML documents", () => {
  test("the documented preferences document in YAML", () => {
    const yaml = [
      "---",
      "schemaVersion: '1.0'",
      "description: Document to hold regional settings for Session Manager",
      "sessionType: Standard_Stream",
      "inputs:",
      "  s3BucketName: ''",
      "  s3EncryptionEnabled: true  # a comment",
      "  cloudWatchStreamingEnabled: true",
      '  idleSessionTimeout: "20"',
      "  maxSessionDuration: ''",
      "  shellProfile:",
      "    windows: ''",
      "    linux: |",
      "      cd ~",
      "      exec bash -l",
      "parameters:",
      "  hosts:",
      "    type: StringList",
      "    default:",
      "    - a",
      "    - b",
      "  flag: {type: Boolean, default: 'false'}",
      "",
    ].join("\n");
    const { version } = createSession(yaml, { format: "YAML" });
    assert.deepEqual(version.body["inputs"], {
      s3BucketName: "",
      s3EncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      idleSessionTimeout: "20",
      maxSessionDuration: "",
      shellProfile: { windows: "", linux: "cd ~\nexec bash -l\n" },
    });
    assert.deepEqual(version.body["parameters"], {
      hosts: { type: "StringList", default: ["a", "b"] },
      flag: { type: "Boolean", default: "false" },
    });
    assert.equal(version.format, "YAML");
  });

  test("an unquoted number is a number, refused in strict mode", () => {
    assert.throws(
      () =>
        createSession(
          "schemaVersion: '1.0'\nsessionType: Standard_Stream\ninputs:\n  idleSessionTimeout: 20\n",
          { format: "YAML" },
        ),
      { code: "InvalidDocumentContent", message: /got 20\.$/ },
    );
  });

  const unsupported: [string, string, RegExp][] = [
    ["anchor", "a: &x 1\nb: *x\n", /YAML line 1: anchors and aliases are not supported/],
    ["tag", "a: !!str 1\n", /tags are not supported/],
    ["two documents", "a: 1\n---\nb: 2\n", /YAML line 2: multiple documents are not supported/],
    ["tab indentation", "a:\n\tb: 1\n", /tabs are not allowed/],
    ["duplicate key", "a: 1\na: 2\n", /duplicate key 'a'/],
    ["multi-line flow", "a: [1,\n  2]\n", /unterminated flow collection/],
    ["complex key", "? a\n: 1\n", /complex keys are not supported/],
    ["bad indentation", "a:\n    b: 1\n  c: 2\n", /YAML line 3/],
    ["plain multi-line scalar", "a: one\n  two\n", /unexpected indentation/],
  ];
  for (const [why, yaml, message] of unsupported) {
    test(`refuses ${why} with InvalidDocumentContent naming the line`, () => {
      assert.throws(
        () => createSession(yaml, { format: "YAML" }),
        (err: AwsServiceError) => {
          assert.equal(err.code, "InvalidDocumentContent");
          assert.match(err.message, /^The content for the document isn't valid YAML\. YAML line \d+: /);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  test("scalars: quoting, escapes, core-schema resolution, block scalars", () => {
    assert.deepEqual(
      parseYaml(
        [
          "plain: hello world",
          "single: 'it''s'",
          'double: "tab\\there \\u00e9 \\"q\\""',
          "int: 42",
          "neg: -7",
          "float: 1.5e3",
          "hex: 0x1f",
          "yes: true",
          "no: False",
          "nil: ~",
          "empty:",
          "url: http://example.com/a#frag",
          "hash: value # comment",
          "keep: |+",
          "  kept",
          "",
          "strip: >-",
          "  folded",
          "  line",
          "",
          "  next para",
          "seq: [a, 'b c', [1, 2], {k: v}]",
          "map: {}",
        ].join("\n"),
      ),
      {
        plain: "hello world",
        single: "it's",
        double: 'tab\there é "q"',
        int: 42,
        neg: -7,
        float: 1500,
        hex: 31,
        yes: true,
        no: false,
        nil: null,
        empty: null,
        url: "http://example.com/a#frag",
        hash: "value",
        keep: "kept\n\n",
        strip: "folded line\nnext para",
        seq: ["a", "b c", [1, 2], { k: "v" }],
        map: {},
      },
    );
  });

  test("YamlError carries the line", () => {
    assert.throws(
      () => parseYaml("a: 1\nb: *ref\n"),
      (err: unknown) => err instanceof YamlError && err.line === 2,
    );
  });

  const jsonValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.string({ unit: "grapheme" }),
      fc.string({ unit: "binary-ascii" }),
      fc.constantFrom("true", "null", "1.0", "- a", "a: b", "#x", "'q'", "", " lead", "trail ", "~"),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.string({ unit: "grapheme", maxLength: 8 }), tie("value"), {
        maxKeys: 4,
        noNullPrototype: true,
      }),
    ),
  })).value;

  test("property: parseYaml(emitYaml(v)) deep-equals v for JSON values", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        assert.deepStrictEqual(parseYaml(emitYaml(value)), value);
      }),
      { numRuns: 500 },
    );
  });
});
