/** What every logs operation handler shares: the store, the clock, the tunables, and resource lookups. */
import type { z } from "zod";
import type { OperationHandler, RequestContext } from "../../api/provider";
import { groupNotFound, nameAndIdentifier, neitherNameNorIdentifier, streamNotFound } from "../errors";
import type { LogGroupRecord, LogStreamRecord, LogsNamespace, LogsStore } from "../store";
import { parseInput } from "../validation";

export interface LogsRuntime {
  readonly store: LogsStore;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** FilterLogEvents examines at most this many events per call before returning a nextToken. */
  readonly filterScanBudget: number;
  /** Whether FilterLogEvents uses the streams' gram indexes for literal terms (see gramIndex.ts). */
  readonly literalIndex: boolean;
}

export function namespaceOf(rt: LogsRuntime, ctx: RequestContext): LogsNamespace {
  return rt.store.namespace(ctx.caller.accountId, ctx.region);
}

export function requireGroup(ns: LogsNamespace, name: string): LogGroupRecord {
  const group = ns.groups.get(name);
  if (!group) throw groupNotFound();
  return group;
}

/** For groupOperation: the group the input's logGroupName names. */
export function groupByName(ns: LogsNamespace, req: { logGroupName: string }): LogGroupRecord {
  return requireGroup(ns, req.logGroupName);
}

/**
 * A handler that acts on one log group: it parses the input, finds the group (`find`) and returns what
 * `act` returns, or an empty response.
 */
export function groupOperation<S extends z.ZodType>(
  rt: LogsRuntime,
  schema: S,
  find: (ns: LogsNamespace, req: z.output<S>) => LogGroupRecord,
  act: (group: LogGroupRecord, req: z.output<S>) => unknown,
): OperationHandler {
  return (input, ctx) => {
    const req = parseInput(schema, input, "InvalidParameterException");
    return act(find(namespaceOf(rt, ctx), req), req) ?? {};
  };
}

export function requireStream(group: LogGroupRecord, name: string): LogStreamRecord {
  const stream = group.streams.get(name);
  if (!stream) throw streamNotFound();
  return stream;
}

const GROUP_ARN = /^arn:[^:]+:logs:([^:]*):([^:]*):log-group:([^:]+)$/;

/**
 * The group named by `logGroupName` or `logGroupIdentifier` (a name or a log group ARN without `:*`);
 * exactly one of them must be given.
 */
export function resolveGroup(
  ns: LogsNamespace,
  input: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined },
): LogGroupRecord {
  const { logGroupName, logGroupIdentifier } = input;
  if (logGroupName !== undefined && logGroupIdentifier !== undefined) throw nameAndIdentifier();
  if (logGroupName !== undefined) return requireGroup(ns, logGroupName);
  if (logGroupIdentifier === undefined) throw neitherNameNorIdentifier();
  return requireGroup(ns, groupNameFromIdentifier(ns, logGroupIdentifier));
}

/** A log group name from a name or ARN; an ARN of another account or region names no group here. */
export function groupNameFromIdentifier(ns: LogsNamespace, identifier: string): string {
  if (!identifier.startsWith("arn:")) return identifier;
  const m = GROUP_ARN.exec(identifier);
  if (!m || m[1] !== ns.region || m[2] !== ns.accountId) throw groupNotFound();
  return m[3]!;
}
