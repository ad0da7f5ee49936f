/**
 * The session operations of the SSM API: StartSession, ResumeSession, TerminateSession, DescribeSessions,
 * GetConnectionStatus and DescribeInstanceInformation (session-manager-spec.md section 2).
 */
import { z } from "zod";
import { AwsServiceError, type OperationHandler } from "../api/provider";
import { parseInput } from "../api/validate";
import type { SsmFaults } from "../faults/types";
import type { MessageGateway } from "../messages/gateway";
import { type NodeRegistry, resourceTypeOf } from "../nodes";
import { newSessionId, type SessionRegistry } from "../sessions/registry";
import { isActive, type SessionRecord, type SessionStatus } from "../sessions/session";
import { builtInDocumentContent, DEFAULT_SESSION_DOCUMENT } from "./defaultDocument";
import { type DocumentScope, type DocumentStore, resolveSessionPreferences } from "./documents";
import { decodePageToken, encodePageToken } from "./paging";

export interface SessionOperationsOptions {
  sessions: SessionRegistry;
  nodes: NodeRegistry;
  documents: DocumentStore;
  gateway: MessageGateway;
  /** The data-channel base URL, e.g. ws://127.0.0.1:4566: known once the server listens. */
  streamBaseUrl(): string;
  /** Fault profile hooks (emulator/faults); none: AWS's behaviour. */
  faults?: SsmFaults;
}

const VALIDATION = "ValidationException";
const toEpochSeconds = (date: Date) => date.getTime() / 1000;

const StartSessionInput = z.object({
  Target: z.string().min(1).max(400),
  DocumentName: z
    .string()
    .regex(/^[a-zA-Z0-9_\-.:/]{3,128}$/)
    .optional(),
  Parameters: z.record(z.string(), z.array(z.string())).optional(),
  Reason: z.string().min(1).max(256).optional(),
});
const SessionIdInput = z.object({ SessionId: z.string().min(1).max(96) });
const DescribeSessionsInput = z.object({
  State: z.enum(["Active", "History"]),
  MaxResults: z.number().int().min(1).max(200).optional(),
  NextToken: z.string().optional(),
  Filters: z
    .array(z.object({ key: z.string(), value: z.string().min(1).max(400) }))
    .min(1)
    .max(6)
    .optional(),
});
const TargetInput = z.object({ Target: z.string().min(1).max(400) });
const DescribeInstanceInformationInput = z.object({
  InstanceInformationFilterList: z
    .array(z.object({ key: z.string(), valueSet: z.array(z.string()).min(1) }))
    .optional(),
  Filters: z.array(z.object({ Key: z.string(), Values: z.array(z.string()).min(1) })).optional(),
  MaxResults: z.number().int().min(5).max(50).optional(),
  NextToken: z.string().optional(),
});

export function createSessionOperations(options: SessionOperationsOptions): Record<string, OperationHandler> {
  const { sessions, nodes, documents, gateway } = options;
  const faults = options.faults ?? {};

  const streamUrl = (sessionId: string) =>
    `${options.streamBaseUrl()}/v1/data-channel/${encodeURIComponent(sessionId)}?role=publish_subscribe`;

  /** The latest version of the named document is used, as users report AWS does (spec 2.2). */
  const sessionDocument = (
    scope: DocumentScope,
    name: string | undefined,
  ): { name: string; content: Record<string, unknown> } => {
    const documentName = name ?? DEFAULT_SESSION_DOCUMENT;
    const found = documents.latest(scope, documentName);
    if (!found) {
      if (name === undefined) return { name: documentName, content: builtInDocumentContent() };
      throw new AwsServiceError("InvalidDocument", "The specified SSM document doesn't exist");
    }
    if (found.document.type !== "Session") {
      throw new AwsServiceError(
        "InvalidDocument",
        `Document type: '${found.document.type}' is not supported. Only type: 'Session' is supported for Session Manager.`,
      );
    }
    return { name: documentName, content: found.version.body };
  };

  const StartSession: OperationHandler = (input, ctx) => {
    const request = parseInput(StartSessionInput, input, VALIDATION);
    if (!gateway.isConnected(request.Target) && !faults.acceptsUnconnectedTarget) {
      throw new AwsServiceError("TargetNotConnected", `${request.Target} is not connected.`);
    }
    const document = sessionDocument(
      { accountId: ctx.caller.accountId, region: ctx.region },
      request.DocumentName,
    );
    const preferences = resolveSessionPreferences(document.content, request.Parameters ?? {}, {
      inputs: documents.inputs,
    });
    const session: SessionRecord = {
      sessionId: newSessionId(ctx.caller.arn),
      target: request.Target,
      documentName: document.name,
      owner: faults.sessionOwner ? faults.sessionOwner(ctx.caller.arn, ctx.caller.accountId) : ctx.caller.arn,
      reason: request.Reason,
      status: "Connecting",
      startDate: new Date(),
      preferences,
      documentContent: document.content,
      parameters: request.Parameters ?? {},
      lastActivityAt: Date.now(),
    };
    sessions.add(session);
    gateway.startSession(session);
    return {
      SessionId: session.sessionId,
      TokenValue: gateway.issueClientToken(session.sessionId),
      StreamUrl: streamUrl(session.sessionId),
    };
  };

  const ResumeSession: OperationHandler = (input) => {
    const { SessionId } = parseInput(SessionIdInput, input, VALIDATION);
    const session = sessions.get(SessionId);
    if (!session)
      throw new AwsServiceError("DoesNotExistException", `Session with id ${SessionId} does not exist.`);
    // A terminated or timed-out session comes back without a token: the plugin then prints
    // "Session: <id> timed out." and exits 0 (spec 2.3).
    if (!isActive(session)) {
      if (!faults.resumesEnded?.(session)) return { SessionId };
      return { SessionId, TokenValue: gateway.issueClientToken(SessionId), StreamUrl: streamUrl(SessionId) };
    }
    return { SessionId, TokenValue: gateway.resume(SessionId), StreamUrl: streamUrl(SessionId) };
  };

  const TerminateSession: OperationHandler = (input) => {
    const { SessionId } = parseInput(SessionIdInput, input, VALIDATION);
    if (!faults.ignoresTerminate) gateway.endSession(SessionId, "terminate-api");
    return { SessionId };
  };

  const DescribeSessions: OperationHandler = (input) => {
    const request = parseInput(DescribeSessionsInput, input, VALIDATION);
    const matchers = (request.Filters ?? []).map((f) => sessionFilter(f.key, f.value));
    const wanted = sessions
      .list()
      .filter((s) => (request.State === "Active" ? isActive(s) : !isActive(s)))
      .filter((s) => matchers.every((m) => m(s)))
      .sort(
        (a, b) => b.startDate.getTime() - a.startDate.getTime() || a.sessionId.localeCompare(b.sessionId),
      );
    const { items, nextToken } = page(wanted, request.MaxResults ?? 20, request.NextToken);
    return { Sessions: items.map(describeSession), ...(nextToken ? { NextToken: nextToken } : {}) };
  };

  const GetConnectionStatus: OperationHandler = (input) => {
    const { Target } = parseInput(TargetInput, input, VALIDATION);
    return { Target, Status: gateway.isConnected(Target) ? "connected" : "notconnected" };
  };

  const DescribeInstanceInformation: OperationHandler = (input) => {
    const request = parseInput(DescribeInstanceInformationInput, input, VALIDATION);
    const filters = [
      ...(request.InstanceInformationFilterList ?? []).map((f) => ({ key: f.key, values: f.valueSet })),
      ...(request.Filters ?? []).map((f) => ({ key: f.Key, values: f.Values })),
    ].map((f) => instanceFilter(f.key, f.values));
    const matching = nodes.list().filter((node) => filters.every((f) => f(node)));
    const { items, nextToken } = page(matching, request.MaxResults ?? 50, request.NextToken);
    return {
      InstanceInformationList: items.map((node) => ({
        InstanceId: node.instanceId,
        PingStatus: node.pingStatus,
        LastPingDateTime: toEpochSeconds(node.lastPingDateTime),
        AgentVersion: node.agentVersion,
        IsLatestVersion: false,
        PlatformType: node.platformType,
        PlatformName: node.platformName,
        PlatformVersion: node.platformVersion,
        ResourceType: resourceTypeOf(node.instanceId),
        IPAddress: node.ipAddress,
        ComputerName: node.computerName,
        RegistrationDate: toEpochSeconds(node.registrationDate),
        SourceId: node.instanceId,
        SourceType: node.instanceId.startsWith("mi-") ? "AWS::SSM::ManagedInstance" : "AWS::EC2::Instance",
      })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  };

  return {
    StartSession,
    ResumeSession,
    TerminateSession,
    DescribeSessions,
    GetConnectionStatus,
    DescribeInstanceInformation,
  };
}

function describeSession(session: SessionRecord): Record<string, unknown> {
  const max = session.preferences.maxSessionDurationMinutes;
  return {
    SessionId: session.sessionId,
    Target: session.target,
    Status: session.status,
    StartDate: toEpochSeconds(session.startDate),
    ...(session.endDate ? { EndDate: toEpochSeconds(session.endDate) } : {}),
    DocumentName: session.documentName,
    Owner: session.owner,
    ...(session.reason ? { Reason: session.reason } : {}),
    ...(max !== null ? { MaxSessionDuration: String(max) } : {}),
    OutputUrl: {},
  };
}

const SESSION_STATUSES: readonly SessionStatus[] = [
  "Connecting",
  "Connected",
  "Disconnected",
  "Terminating",
  "Terminated",
  "Failed",
];

function sessionFilter(key: string, value: string): (session: SessionRecord) => boolean {
  switch (key) {
    case "InvokedAfter":
      return (s) => s.startDate.getTime() >= parseFilterDate(key, value);
    case "InvokedBefore":
      return (s) => s.startDate.getTime() <= parseFilterDate(key, value);
    case "Target":
      return (s) => s.target === value;
    case "Owner":
      return (s) => s.owner === value;
    case "SessionId":
      return (s) => s.sessionId === value;
    case "Status":
      if (!SESSION_STATUSES.includes(value as SessionStatus)) {
        throw new AwsServiceError(VALIDATION, `Invalid value ${value} for filter key Status.`);
      }
      return (s) => s.status === value;
    case "AccessType":
      return () => value === "Standard";
    default:
      throw new AwsServiceError("InvalidFilterKey", `The specified filter key ${key} is not valid.`);
  }
}

function parseFilterDate(key: string, value: string): number {
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new AwsServiceError(VALIDATION, `Invalid value ${value} for filter key ${key}.`);
  return at;
}

type NodeLike = ReturnType<NodeRegistry["list"]>[number];

function instanceFilter(key: string, values: string[]): (node: NodeLike) => boolean {
  if (key.startsWith("tag:")) {
    const tag = key.slice(4);
    return (n) => n.tags[tag] !== undefined && values.includes(n.tags[tag]!);
  }
  switch (key) {
    case "InstanceIds":
      return (n) => values.includes(n.instanceId);
    case "PingStatus":
      return (n) => values.includes(n.pingStatus);
    case "PlatformTypes":
      return (n) => values.includes(n.platformType);
    case "ResourceType":
      return (n) => values.includes(resourceTypeOf(n.instanceId));
    case "AgentVersion":
      return (n) => values.includes(n.agentVersion);
    case "tag-key":
      return (n) => values.some((k) => n.tags[k] !== undefined);
    default:
      throw new AwsServiceError(
        "InvalidInstanceInformationFilterValue",
        `The specified filter key ${key} is not valid.`,
      );
  }
}

function page<T>(items: T[], limit: number, token: string | undefined): { items: T[]; nextToken?: string } {
  const start = token === undefined ? 0 : decodePageToken(token);
  const slice = items.slice(start, start + limit);
  const end = start + slice.length;
  return { items: slice, ...(end < items.length ? { nextToken: encodePageToken(end) } : {}) };
}
