/**
 * The preflight: before any scenario runs, check that the caller may do what the selected scenarios do and
 * that the resources they use exist, by calling each API harmlessly (a filter that matches nothing, a
 * document that does not exist, a log group read from now on). AccessDenied becomes a missing permission;
 * each `@needs:<capability>` a scenario carries is then available, or skipped with the reason.
 *
 * REQUIRED_PERMISSIONS is the one list of IAM actions the harness uses: docs/iam-policy.json is tested
 * against it.
 */
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  type LogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import { GenerateDataKeyCommand } from "@aws-sdk/client-kms";
import {
  DeleteDocumentCommand,
  DescribeSessionsCommand,
  GetDocumentCommand,
  InvalidDocument,
  ListDocumentsCommand,
  ResumeSessionCommand,
  StartSessionCommand,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import { resolveSessionPreferences, type SessionPreferences } from "../../emulator/ssm/documents";
import { DOCUMENT_PREFIX, RUN_ID_TAG, type TemporaryDocuments } from "../documents/sessionDocument";
import { DEFAULT_PREFERENCES_DOCUMENT } from "./accountFixtures";
import { deniedAction, describeError, isAccessDenied, PermissionDenied } from "./awsErrors";
import { type NodeSelection, type SelectedNode, selectNode } from "./nodeDiscovery";
import { isoSeconds } from "./sessionRecorder";
import type { Capability, LogGroupFixtures, TargetClients } from "./target";

/** The capabilities a scenario can ask for with `@needs:<name>` that the preflight decides. */
export const NEEDS = [
  "session",
  "logs-read",
  "log-group",
  "unencrypted-log-group",
  "encrypted-log-group",
  "preferences-read",
  "kms",
] as const;
export type Need = (typeof NEEDS)[number];

export interface PermissionSpec {
  /** The IAM action. */
  action: string;
  /** The capabilities that need it; `cleanup` for the cleanup command only. */
  needs: readonly (Need | "cleanup")[];
  purpose: string;
  /** How the preflight calls it without changing anything. */
  probe: string;
}

const LOG_GROUP_NEEDS = ["log-group", "unencrypted-log-group", "encrypted-log-group"] as const;

/** Every IAM action the harness calls on AWS (sts:GetCallerIdentity needs no permission). */
export const REQUIRED_PERMISSIONS: readonly PermissionSpec[] = [
  {
    action: "ssm:DescribeInstanceInformation",
    needs: ["session"],
    purpose: "find the managed node and check it is Online and Linux",
    probe: "node discovery itself",
  },
  {
    action: "ssm:GetConnectionStatus",
    needs: ["session"],
    purpose: "check the node is connected before starting sessions",
    probe: "node discovery itself",
  },
  {
    action: "ssm:StartSession",
    needs: ["session"],
    purpose: "start the scenarios' shell sessions",
    probe: "StartSession on the node with a document that does not exist (InvalidDocument, no session)",
  },
  {
    action: "ssm:TerminateSession",
    needs: ["session"],
    purpose: "end every session the run starts",
    probe: "TerminateSession of a session id that does not exist",
  },
  {
    action: "ssm:ResumeSession",
    needs: ["session"],
    purpose: "check that closed sessions cannot be resumed",
    probe: "ResumeSession of a session id that does not exist",
  },
  {
    action: "ssm:DescribeSessions",
    needs: ["session"],
    purpose: "read session status, owner and end date",
    probe: "DescribeSessions of active sessions invoked after now",
  },
  {
    action: "ssm:CreateDocument",
    needs: ["session"],
    purpose: "create the run's temporary Session documents",
    probe: "creates a tiny temporary Session document named and tagged with the run id",
  },
  {
    action: "ssm:AddTagsToResource",
    needs: ["session"],
    purpose: "tag the temporary documents with the run id (CreateDocument with Tags)",
    probe: "the same CreateDocument",
  },
  {
    action: "ssm:DeleteDocument",
    needs: ["session"],
    purpose: "delete the temporary documents",
    probe: "deletes that document",
  },
  {
    action: "ssm:GetDocument",
    needs: ["preferences-read", ...LOG_GROUP_NEEDS, "kms"],
    purpose: "read the account's default preferences (SSM-SessionManagerRunShell), never write them",
    probe: "GetDocument SSM-SessionManagerRunShell",
  },
  {
    action: "ssm:ListDocuments",
    needs: ["cleanup"],
    purpose: "find leftover temporary documents by tag (ssm-conformance cleanup)",
    probe: "ListDocuments filtered by this run's tag",
  },
  {
    action: "logs:DescribeLogGroups",
    needs: ["preferences-read", ...LOG_GROUP_NEEDS],
    purpose: "read the log groups' existence, KMS key and retention",
    probe: "DescribeLogGroups with each log group's name as prefix",
  },
  {
    action: "logs:FilterLogEvents",
    needs: ["logs-read"],
    purpose: "read the sessions' log streams",
    probe: "FilterLogEvents on the log group from now on",
  },
  {
    action: "kms:GenerateDataKey",
    needs: ["kms"],
    purpose: "KMS-encrypted sessions (the client's half of the data key)",
    probe: "GenerateDataKey with the KMS key (the key is thrown away)",
  },
];

export type PermissionStatus = "allowed" | "denied" | "error" | "not-checked";

export interface PermissionCheck {
  action: string;
  status: PermissionStatus;
  detail: string;
}

export interface ResourceCheck {
  kind: "node" | "preferences" | "log-group" | "kms-key";
  name: string;
  status: "ok" | "missing" | "unusable" | "not-checked";
  detail: string;
}

/** JSON-ready: the report's run metadata includes it. */
export interface PreflightResult {
  checkedAt: string;
  region: string;
  accountId: string;
  callerArn: string;
  /** The capabilities the selected scenarios need, or "all" when the selection was not known. */
  needs: string[] | "all";
  permissions: PermissionCheck[];
  /** Denied actions, sorted: what to add to the caller's policy (docs/iam-policy.json). */
  missingPermissions: string[];
  resources: ResourceCheck[];
  capabilities: Record<Need, Capability>;
  node?: SelectedNode;
  /** The log groups the behaviour scenarios use. */
  logGroups: LogGroupFixtures;
  /** The KMS key of KMS-encrypted sessions, when there is one. */
  kmsKeyId?: string;
}

export interface PreflightInput {
  clients: TargetClients;
  region: string;
  accountId: string;
  callerArn: string;
  /** Capabilities the selected scenarios need; undefined: all of them. */
  needs?: readonly string[];
  /** The node to find (by id or tag); needed when a selected scenario starts a session. */
  node: NodeSelection;
  /** Existing log groups to use besides the one the account's preferences name, in order of preference. */
  logGroups: readonly string[];
  /** The key for KMS-encrypted sessions; default: the `kmsKeyId` of the account's preferences. */
  kmsKeyId?: string;
  /** Where the run's temporary documents are made (the CreateDocument probe makes one and deletes it). */
  documents: TemporaryDocuments;
}

interface LogGroupFacts {
  name: string;
  exists: boolean;
  kmsKeyId?: string;
  /** Why it is a candidate, e.g. "named in SSM-SessionManagerRunShell" or "--log-group". */
  source: string;
}

/** Runs the preflight. Throws only when no usable node exists (NoUsableNodeError) and one is needed. */
export async function runPreflight(input: PreflightInput): Promise<PreflightResult> {
  const { clients, region } = input;
  const wanted = (need: Need) => input.needs === undefined || input.needs.includes(need);
  const checks = new Map<string, PermissionCheck>();
  const record = (check: PermissionCheck) => {
    const known = checks.get(check.action);
    // A denial found later (e.g. AddTagsToResource while probing CreateDocument) wins over "not checked".
    if (!known || known.status === "not-checked") checks.set(check.action, check);
  };
  const resources: ResourceCheck[] = [];
  const probeNeeded = (action: string) =>
    REQUIRED_PERMISSIONS.find((p) => p.action === action)!.needs.some(
      (need) => need === "cleanup" || wanted(need),
    );

  // The node first: no usable node is the one failure that stops the run.
  let node: SelectedNode | undefined;
  if (wanted("session")) {
    try {
      node = await selectNode(clients.ssm, input.node);
      record({ action: "ssm:DescribeInstanceInformation", status: "allowed", detail: "node discovery" });
      record({ action: "ssm:GetConnectionStatus", status: "allowed", detail: "node discovery" });
      resources.push({
        kind: "node",
        name: node.nodeId,
        status: "ok",
        detail: `${node.selectedBy}: Online, Linux${node.platform ? ` (${node.platform})` : ""}, connected`,
      });
    } catch (error) {
      if (!(error instanceof PermissionDenied)) throw error;
      record({ action: error.action, status: "denied", detail: describeError(error.cause) });
      resources.push({
        kind: "node",
        name: input.node.instances.join(", ") || input.node.instanceTags.join(", "),
        status: "not-checked",
        detail: `cannot look for the node: missing ${error.action}`,
      });
    }
  } else {
    resources.push({
      kind: "node",
      name: "-",
      status: "not-checked",
      detail: "no selected scenario starts a session",
    });
  }

  // The account's preferences: read only, never written.
  let preferences: SessionPreferences | undefined;
  if (probeNeeded("ssm:GetDocument")) {
    const check = await probe("ssm:GetDocument", async () => {
      try {
        const doc = await clients.ssm.send(
          new GetDocumentCommand({ Name: DEFAULT_PREFERENCES_DOCUMENT, DocumentVersion: "$LATEST" }),
        );
        try {
          preferences = resolveSessionPreferences(doc.Content ?? "", {}, { inputs: "lenient" });
          resources.push({
            kind: "preferences",
            name: DEFAULT_PREFERENCES_DOCUMENT,
            status: "ok",
            detail: `version ${doc.DocumentVersion ?? "?"}`,
          });
        } catch (error) {
          resources.push({
            kind: "preferences",
            name: DEFAULT_PREFERENCES_DOCUMENT,
            status: "unusable",
            detail: `cannot read its content: ${describeError(error)}`,
          });
        }
      } catch (error) {
        if (!(error instanceof InvalidDocument)) throw error;
        resources.push({
          kind: "preferences",
          name: DEFAULT_PREFERENCES_DOCUMENT,
          status: "missing",
          detail:
            "not found: the account never saved preferences, AWS's built-in defaults apply (no logging)",
        });
      }
    });
    record(check);
  }

  // Log groups: the one the preferences name, and any given; never created.
  const groups: LogGroupFacts[] = [];
  const preferred = preferences?.cloudWatchLogGroupName;
  for (const name of input.logGroups) groups.push({ name, exists: false, source: "--log-group" });
  if (preferred && !groups.some((g) => g.name === preferred)) {
    groups.push({ name: preferred, exists: false, source: `named in ${DEFAULT_PREFERENCES_DOCUMENT}` });
  }
  const describeGroups = LOG_GROUP_NEEDS.some(wanted) || wanted("preferences-read");
  if (describeGroups) {
    record(
      await probe("logs:DescribeLogGroups", async () => {
        if (groups.length === 0) {
          await clients.logs.send(
            new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ssm-conformance/preflight", limit: 1 }),
          );
        }
        for (const group of groups) {
          const found = await findLogGroup(clients.logs, group.name);
          group.exists = found !== undefined;
          group.kmsKeyId = found?.kmsKeyId;
        }
      }),
    );
    const described = checks.get("logs:DescribeLogGroups")?.status === "allowed";
    for (const group of groups) {
      resources.push({
        kind: "log-group",
        name: group.name,
        status: !described ? "not-checked" : group.exists ? "ok" : "missing",
        detail: !described
          ? `${group.source}; cannot describe it`
          : group.exists
            ? `${group.source}; ${group.kmsKeyId ? `encrypted with ${group.kmsKeyId}` : "not encrypted"}`
            : `${group.source}; does not exist (the harness never creates log groups)`,
      });
    }
  }
  const existing = groups.filter((g) => g.exists);
  const unencrypted = existing.find((g) => !g.kmsKeyId);
  const encrypted = existing.find((g) => g.kmsKeyId);
  const logGroups: LogGroupFixtures = {
    plain: (unencrypted ?? existing[0])?.name ?? "",
    encrypted: (encrypted ?? existing[0])?.name ?? "",
  };

  if (wanted("logs-read")) {
    const now = Date.now();
    const group = logGroups.plain || "/ssm-conformance/preflight-absent";
    record(
      await probe(
        "logs:FilterLogEvents",
        () =>
          clients.logs.send(
            new FilterLogEventsCommand({ logGroupName: group, startTime: now, endTime: now, limit: 1 }),
          ),
        (error) => (error.name === "ResourceNotFoundException" ? `${group} does not exist` : undefined),
      ),
    );
  }

  // Session permissions, on the node found, with nothing left behind.
  if (wanted("session")) {
    const fakeSessionId = `${callerName(input.callerArn)}-0000000000000000000000000`;
    if (node) {
      const absent = `${DOCUMENT_PREFIX}-${input.documents.runId}-preflight-absent`;
      record(
        await probe(
          "ssm:StartSession",
          async () => {
            const started = await clients.ssm.send(
              new StartSessionCommand({ Target: node!.nodeId, DocumentName: absent }),
            );
            // Not expected (the document does not exist); end it at once.
            if (started.SessionId) {
              await clients.ssm.send(new TerminateSessionCommand({ SessionId: started.SessionId }));
            }
          },
          (error) =>
            error.name === "InvalidDocument"
              ? "refused the absent probe document, as intended"
              : error.name === "TargetNotConnected"
                ? `${node!.nodeId} is not connected`
                : undefined,
        ),
      );
    } else {
      record({ action: "ssm:StartSession", status: "not-checked", detail: "no node to probe it with" });
    }
    const notFound = (error: Error) =>
      /DoesNotExist|InvalidParameters|BadRequest|Validation/.test(error.name)
        ? `${error.name} for a session that does not exist, as intended`
        : undefined;
    record(
      await probe(
        "ssm:TerminateSession",
        () => clients.ssm.send(new TerminateSessionCommand({ SessionId: fakeSessionId })),
        notFound,
      ),
    );
    record(
      await probe(
        "ssm:ResumeSession",
        () => clients.ssm.send(new ResumeSessionCommand({ SessionId: fakeSessionId })),
        notFound,
      ),
    );
    record(
      await probe("ssm:DescribeSessions", () =>
        clients.ssm.send(
          new DescribeSessionsCommand({
            State: "Active",
            MaxResults: 1,
            Filters: [{ key: "InvokedAfter", value: isoSeconds(new Date()) }],
          }),
        ),
      ),
    );
    const created = await probe("ssm:CreateDocument", async () => {
      const name = await input.documents.create({});
      record({ action: "ssm:AddTagsToResource", status: "allowed", detail: `tagged ${name}` });
      record(await probe("ssm:DeleteDocument", () => input.documents.delete(name)));
    });
    record(created);
    if (created.action !== "ssm:CreateDocument") {
      record({
        action: "ssm:CreateDocument",
        status: "not-checked",
        detail: `refused for ${created.action}`,
      });
    }
    if (created.status !== "allowed") {
      record({
        action: "ssm:AddTagsToResource",
        status: "not-checked",
        detail: "CreateDocument with Tags was refused",
      });
      record(
        await probe(
          "ssm:DeleteDocument",
          () =>
            clients.ssm.send(
              new DeleteDocumentCommand({ Name: `${DOCUMENT_PREFIX}-${input.documents.runId}-absent` }),
            ),
          (error) =>
            error.name === "InvalidDocument" ? "refused an absent document, as intended" : undefined,
        ),
      );
    }
  }

  record(
    await probe("ssm:ListDocuments", () =>
      clients.ssm.send(
        new ListDocumentsCommand({
          Filters: [
            { Key: "Owner", Values: ["Self"] },
            { Key: `tag:${RUN_ID_TAG}`, Values: [input.documents.runId] },
          ],
          MaxResults: 1,
        }),
      ),
    ),
  );

  // KMS: the key sessions are encrypted with.
  const kmsKeyId = input.kmsKeyId ?? (preferences?.kmsKeyId || undefined);
  let kmsProblem: string | undefined;
  if (wanted("kms") && kmsKeyId) {
    const check = await probe(
      "kms:GenerateDataKey",
      () =>
        clients.kms.send(
          new GenerateDataKeyCommand({
            KeyId: kmsKeyId,
            NumberOfBytes: 64,
            EncryptionContext: {
              "aws:ssm:SessionId": `${callerName(input.callerArn)}-preflight`,
              "aws:ssm:TargetId": node?.nodeId ?? "preflight",
            },
          }),
        ),
      (error) => {
        kmsProblem = `KMS key ${kmsKeyId} cannot be used: ${describeError(error)}`;
        return /NotFound|Disabled|InvalidState|InvalidKeyUsage/.test(error.name) ? kmsProblem : undefined;
      },
    );
    record(check);
    resources.push({
      kind: "kms-key",
      name: kmsKeyId,
      status:
        check.status === "allowed" && !kmsProblem
          ? "ok"
          : check.status === "denied"
            ? "not-checked"
            : "unusable",
      detail: kmsProblem ?? (check.status === "allowed" ? "GenerateDataKey works" : check.detail),
    });
  }

  for (const spec of REQUIRED_PERMISSIONS) {
    record({ action: spec.action, status: "not-checked", detail: "no selected scenario needs it" });
  }
  const permissions = REQUIRED_PERMISSIONS.map((spec) => checks.get(spec.action)!);
  const missingPermissions = permissions
    .filter((p) => p.status === "denied")
    .map((p) => p.action)
    .sort();

  const capability = (need: Need, resourceProblem?: string): Capability => {
    if (!wanted(need)) return { available: false, reason: "not checked: no selected scenario needs it" };
    const relevant = permissions.filter((p) =>
      REQUIRED_PERMISSIONS.find((s) => s.action === p.action)!.needs.includes(need),
    );
    const denied = relevant.filter((p) => p.status === "denied").map((p) => p.action);
    if (denied.length > 0) {
      return {
        available: false,
        reason: `missing permission${denied.length > 1 ? "s" : ""} ${denied.join(", ")} (docs/iam-policy.json lists what the harness needs)`,
      };
    }
    if (resourceProblem) return { available: false, reason: resourceProblem };
    // A probe that failed for another reason (throttled, a service error) does not skip anything: the
    // scenarios run and show what is wrong, rather than a broken deployment passing as "skipped".
    return { available: true };
  };
  const startProblem = checks.get("ssm:StartSession")?.detail;
  const noGroup =
    groups.length === 0
      ? `no log group: ${DEFAULT_PREFERENCES_DOCUMENT} names none and no --log-group was given`
      : existing.length === 0
        ? `no log group exists among ${groups.map((g) => g.name).join(", ")}`
        : undefined;
  const capabilities: Record<Need, Capability> = {
    session: capability(
      "session",
      !node
        ? "no usable managed node"
        : startProblem?.endsWith("is not connected")
          ? startProblem
          : undefined,
    ),
    "logs-read": capability("logs-read"),
    "log-group": capability("log-group", noGroup),
    "unencrypted-log-group": capability(
      "unencrypted-log-group",
      noGroup ??
        (unencrypted
          ? undefined
          : `every log group is encrypted (${existing.map((g) => g.name).join(", ")}); give an unencrypted one with --log-group`),
    ),
    "encrypted-log-group": capability(
      "encrypted-log-group",
      noGroup ??
        (encrypted
          ? undefined
          : `no log group is encrypted with a KMS key (${existing.map((g) => g.name).join(", ")}); give one with --log-group`),
    ),
    "preferences-read": capability("preferences-read"),
    kms: capability(
      "kms",
      kmsKeyId ? kmsProblem : `no KMS key: ${DEFAULT_PREFERENCES_DOCUMENT} names no kmsKeyId`,
    ),
  };

  return {
    checkedAt: new Date().toISOString(),
    region,
    accountId: input.accountId,
    callerArn: input.callerArn,
    needs: input.needs === undefined ? "all" : [...input.needs].sort(),
    permissions,
    missingPermissions,
    resources,
    capabilities,
    node,
    logGroups,
    kmsKeyId,
  };
}

/** Calls `call`; AccessDenied is a denial, `expected` turns other errors into an allowed detail. */
async function probe(
  action: string,
  call: () => Promise<unknown>,
  expected: (error: Error) => string | undefined = () => undefined,
): Promise<PermissionCheck> {
  try {
    await call();
    return { action, status: "allowed", detail: "ok" };
  } catch (error) {
    if (isAccessDenied(error)) {
      return { action: deniedAction(error, action), status: "denied", detail: describeError(error) };
    }
    const allowed = error instanceof Error ? expected(error) : undefined;
    if (allowed !== undefined) return { action, status: "allowed", detail: allowed };
    return { action, status: "error", detail: describeError(error) };
  }
}

async function findLogGroup(logs: CloudWatchLogsClient, name: string): Promise<LogGroup | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken }));
    const group = page.logGroups?.find((g) => g.logGroupName === name);
    if (group) return group;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** The name a session id starts with: the IAM user, or the role session name of an assumed role. */
export function callerName(arn: string): string {
  const last = arn.includes("/") ? arn.slice(arn.lastIndexOf("/") + 1) : "root";
  return last.replace(/[^A-Za-z0-9_.@-]/g, "-") || "caller";
}

/** A few lines for the console: what is missing and what will be skipped. */
export function formatPreflight(result: PreflightResult): string[] {
  const lines: string[] = [];
  if (result.missingPermissions.length > 0) {
    lines.push(`missing permissions: ${result.missingPermissions.join(", ")} (see docs/iam-policy.json)`);
  }
  for (const r of result.resources.filter((r) => r.status !== "ok" && r.status !== "not-checked")) {
    lines.push(`${r.kind} ${r.name}: ${r.status}: ${r.detail}`);
  }
  for (const p of result.permissions.filter((p) => p.status === "error")) {
    lines.push(`could not check ${p.action} (${p.detail}); the scenarios that need it run anyway`);
  }
  const unavailable = Object.entries(result.capabilities).filter(
    ([, c]) => !c.available && !c.reason.startsWith("not checked"),
  );
  for (const [need, c] of unavailable) {
    lines.push(`scenarios tagged @needs:${need} will be skipped: ${c.available ? "" : c.reason}`);
  }
  return lines;
}
