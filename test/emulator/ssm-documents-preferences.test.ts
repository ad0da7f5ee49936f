import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AwsServiceError } from "../../emulator/api/provider";
import {
  BUILT_IN_PREFERENCES,
  DocumentStore,
  resolveSessionPreferences,
  type SessionPreferences,
} from "../../emulator/ssm/documents";

const doc = (inputs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  schemaVersion: "1.0",
  sessionType: "Standard_Stream",
  inputs,
  ...extra,
});

describe("resolveSessionPreferences: defaults", () => {
  test("BUILT_IN_PREFERENCES: idle 20, no maximum, logging off", () => {
    assert.deepEqual(BUILT_IN_PREFERENCES, {
      sessionType: "Standard_Stream",
      idleSessionTimeoutMinutes: 20,
      maxSessionDurationMinutes: null,
      cloudWatchLogGroupName: "",
      cloudWatchEncryptionEnabled: false,
      cloudWatchStreamingEnabled: false,
      s3BucketName: "",
      s3KeyPrefix: "",
      s3EncryptionEnabled: false,
      kmsKeyId: "",
      runAsEnabled: false,
      runAsDefaultUser: "",
      shellProfileLinux: "",
      properties: {},
    });
    assert.ok(Object.isFrozen(BUILT_IN_PREFERENCES));
  });

  test("empty inputs resolve to the built-in preferences", () => {
    assert.deepEqual(resolveSessionPreferences(doc({})), { ...BUILT_IN_PREFERENCES });
  });

  test('"" timeouts mean the defaults', () => {
    const p = resolveSessionPreferences(doc({ idleSessionTimeout: "", maxSessionDuration: "" }));
    assert.equal(p.idleSessionTimeoutMinutes, 20);
    assert.equal(p.maxSessionDurationMinutes, null);
  });

  test("the documented preferences document, from JSON text", () => {
    const content = JSON.stringify(
      doc({
        s3BucketName: "bucket",
        s3KeyPrefix: "prefix",
        s3EncryptionEnabled: "true",
        cloudWatchLogGroupName: "/ssm/sessions",
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: true,
        idleSessionTimeout: "5",
        maxSessionDuration: "60",
        kmsKeyId: "alias/ssm",
        runAsEnabled: false,
        runAsDefaultUser: "ec2-user",
        shellProfile: { windows: "date", linux: "exec bash" },
      }),
    );
    const expected: SessionPreferences = {
      sessionType: "Standard_Stream",
      idleSessionTimeoutMinutes: 5,
      maxSessionDurationMinutes: 60,
      cloudWatchLogGroupName: "/ssm/sessions",
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      s3BucketName: "bucket",
      s3KeyPrefix: "prefix",
      s3EncryptionEnabled: true,
      kmsKeyId: "alias/ssm",
      runAsEnabled: false,
      runAsDefaultUser: "ec2-user",
      shellProfileLinux: "exec bash",
      properties: {},
    };
    assert.deepEqual(resolveSessionPreferences(content), expected);
  });

  test("YAML text", () => {
    const yaml = "schemaVersion: '1.0'\nsessionType: Standard_Stream\ninputs:\n  idleSessionTimeout: '7'\n";
    assert.equal(resolveSessionPreferences(yaml).idleSessionTimeoutMinutes, 7);
  });

  test("a stored version's parsed body", () => {
    const store = new DocumentStore();
    const scope = { accountId: "000000000000", region: "us-east-1" };
    store.create(scope, {
      name: "Stored",
      type: "Session",
      format: "JSON",
      content: JSON.stringify(doc({ maxSessionDuration: "1440" })),
    });
    const found = store.latest(scope, "Stored")!;
    assert.equal(found.document.type, "Session");
    assert.equal(resolveSessionPreferences(found.version.body).maxSessionDurationMinutes, 1440);
    assert.equal(store.latest(scope, "Missing"), undefined);
  });

  test("properties pass through", () => {
    const p = resolveSessionPreferences({
      schemaVersion: "1.0",
      sessionType: "Port",
      properties: { portNumber: "22", type: "LocalPortForwarding" },
    });
    assert.equal(p.sessionType, "Port");
    assert.deepEqual(p.properties, { portNumber: "22", type: "LocalPortForwarding" });
  });

  test("an invalid document is refused as at CreateDocument", () => {
    assert.throws(() => resolveSessionPreferences(doc({ idleSessionTimeout: "90" })), {
      code: "InvalidDocumentContent",
    });
    assert.throws(() => resolveSessionPreferences({ ...doc({}), schemaVersion: "2.0" }), {
      code: "InvalidDocumentSchemaVersion",
    });
  });
});

describe("resolveSessionPreferences: lenient inputs", () => {
  const lenient = { inputs: "lenient" as const };
  for (const [value, expected] of [
    ["0", 1],
    ["61", 60],
    [45, 45],
    [2.6, 3],
    ["abc", 20],
    ["", 20],
  ] as const) {
    test(`idleSessionTimeout ${JSON.stringify(value)} -> ${expected}`, () => {
      assert.equal(
        resolveSessionPreferences(doc({ idleSessionTimeout: value }), {}, lenient).idleSessionTimeoutMinutes,
        expected,
      );
    });
  }
  test("maxSessionDuration is clamped to 1440, unreadable means no maximum", () => {
    assert.equal(
      resolveSessionPreferences(doc({ maxSessionDuration: "9999" }), {}, lenient).maxSessionDurationMinutes,
      1440,
    );
    assert.equal(
      resolveSessionPreferences(doc({ maxSessionDuration: "x" }), {}, lenient).maxSessionDurationMinutes,
      null,
    );
  });
  test('cloudWatchStreamingEnabled "true" is true', () => {
    assert.equal(
      resolveSessionPreferences(doc({ cloudWatchStreamingEnabled: "true" }), {}, lenient)
        .cloudWatchStreamingEnabled,
      true,
    );
  });
});

describe("resolveSessionPreferences: parameter substitution", () => {
  const parameterised = doc(
    {
      s3BucketName: "{{bucket}}",
      s3KeyPrefix: "sessions/{{ env }}/{{hosts}}",
      cloudWatchStreamingEnabled: "{{streaming}}",
      runAsEnabled: "{{runAs}}",
      idleSessionTimeout: "{{idle}}",
      maxSessionDuration: "{{max}}",
      cloudWatchLogGroupName: "{{ssm:/log/group}}",
      shellProfile: { linux: "cd {{dir}} && exec bash" },
    },
    {
      parameters: {
        bucket: { type: "String", default: "default-bucket" },
        env: { type: "String", allowedValues: ["dev", "prod"], default: "dev" },
        hosts: { type: "StringList", default: ["a", "b"] },
        streaming: { type: "Boolean", default: "true" },
        runAs: { type: "Boolean", default: false },
        idle: { type: "String", default: "20", allowedPattern: "^[0-9]{1,2}$" },
        max: { type: "String", default: "" },
        dir: { type: "String", default: "~", maxChars: 20 },
      },
    },
  );

  test("defaults fill every reference; typed values replace whole references", () => {
    const p = resolveSessionPreferences(parameterised);
    assert.equal(p.s3BucketName, "default-bucket");
    assert.equal(p.s3KeyPrefix, "sessions/dev/a,b");
    assert.equal(p.cloudWatchStreamingEnabled, true);
    assert.equal(p.runAsEnabled, false);
    assert.equal(p.idleSessionTimeoutMinutes, 20);
    assert.equal(p.maxSessionDurationMinutes, null);
    assert.equal(
      p.cloudWatchLogGroupName,
      "{{ssm:/log/group}}",
      "Parameter Store references stay as written",
    );
    assert.equal(p.shellProfileLinux, "cd ~ && exec bash");
  });

  test("given values win over defaults", () => {
    const p = resolveSessionPreferences(parameterised, {
      bucket: ["mine"],
      env: ["prod"],
      hosts: ["x"],
      streaming: ["false"],
      idle: ["5"],
      max: ["30"],
      dir: ["/tmp"],
    });
    assert.equal(p.s3BucketName, "mine");
    assert.equal(p.s3KeyPrefix, "sessions/prod/x");
    assert.equal(p.cloudWatchStreamingEnabled, false);
    assert.equal(p.idleSessionTimeoutMinutes, 5);
    assert.equal(p.maxSessionDurationMinutes, 30);
    assert.equal(p.shellProfileLinux, "cd /tmp && exec bash");
  });

  test("substitution reaches properties", () => {
    const p = resolveSessionPreferences(
      {
        schemaVersion: "1.0",
        sessionType: "Port",
        parameters: { portNumber: { type: "String", default: "80" } },
        properties: { portNumber: "{{ portNumber }}", type: "LocalPortForwarding" },
      },
      { portNumber: ["8080"] },
    );
    assert.deepEqual(p.properties, { portNumber: "8080", type: "LocalPortForwarding" });
  });

  const refusals: [string, Record<string, string[]>, RegExp][] = [
    ["an undeclared parameter", { nope: ["1"] }, /^Parameters nope are not defined in the document\.$/],
    [
      "a value outside allowedValues",
      { env: ["test"] },
      /Parameter env value "test" is not one of the allowed values \[dev, prod\]/,
    ],
    ["a value not matching allowedPattern", { idle: ["abc"] }, /Parameter idle value "abc" does not match/],
    ["two values for a String", { bucket: ["a", "b"] }, /Parameter bucket takes exactly one value/],
    ["a non-boolean Boolean", { streaming: ["yes"] }, /Parameter streaming must be "true" or "false"/],
    ["too many characters", { dir: ["x".repeat(21)] }, /Parameter dir must have at most 20 characters/],
    [
      "a substituted value outside the input's range",
      { idle: ["99"] },
      /^Input idleSessionTimeout must be a string .* got "99"\.$/,
    ],
  ];
  for (const [why, given, message] of refusals) {
    test(`InvalidParameters: ${why}`, () => {
      assert.throws(
        () => resolveSessionPreferences(parameterised, given),
        (err: AwsServiceError) => {
          assert.equal(err.code, "InvalidParameters");
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  test("InvalidParameters: a required parameter without a value", () => {
    const content = doc({ s3BucketName: "{{bucket}}" }, { parameters: { bucket: { type: "String" } } });
    assert.throws(() => resolveSessionPreferences(content), {
      code: "InvalidParameters",
      message: "Parameter bucket is required: it has no default value.",
    });
    assert.equal(resolveSessionPreferences(content, { bucket: ["b"] }).s3BucketName, "b");
  });

  test("a String parameter feeding cloudWatchStreamingEnabled is refused in strict mode only", () => {
    const content = doc(
      { cloudWatchStreamingEnabled: "{{s}}" },
      { parameters: { s: { type: "String", default: "true" } } },
    );
    assert.throws(() => resolveSessionPreferences(content), { code: "InvalidParameters" });
    assert.equal(
      resolveSessionPreferences(content, {}, { inputs: "lenient" }).cloudWatchStreamingEnabled,
      true,
    );
  });

  test("StringList minItems/maxItems", () => {
    const content = doc(
      { s3KeyPrefix: "p/{{l}}" },
      { parameters: { l: { type: "StringList", default: ["a"], minItems: 1, maxItems: 2 } } },
    );
    assert.throws(() => resolveSessionPreferences(content, { l: [] }), { code: "InvalidParameters" });
    assert.throws(() => resolveSessionPreferences(content, { l: ["a", "b", "c"] }), {
      code: "InvalidParameters",
    });
    assert.equal(resolveSessionPreferences(content, { l: ["a", "b"] }).s3KeyPrefix, "p/a,b");
  });

  test("a whole StringList reference in a string input is refused", () => {
    const content = doc(
      { s3KeyPrefix: "{{l}}" },
      { parameters: { l: { type: "StringList", default: ["a"] } } },
    );
    assert.throws(() => resolveSessionPreferences(content), {
      code: "InvalidParameters",
      message: 'Input s3KeyPrefix must be a string; got ["a"].',
    });
  });
});
