/**
 * The CloudWatch Logs provider of the emulator (`Logs_20140328`, signing name `logs`): the subset the
 * harness and the agent use, in memory, with the service's documented constraints and error messages.
 */
import type { ServiceProvider } from "../api/provider";
import { filterLogEventsOperations } from "./ops/filterLogEvents";
import { getLogEventsOperations } from "./ops/getLogEvents";
import { groupOperations } from "./ops/groups";
import { putLogEventsOperations } from "./ops/putLogEvents";
import type { LogsRuntime } from "./ops/runtime";
import { streamOperations } from "./ops/streams";
import { tagOperations } from "./ops/tags";
import { LogsStore } from "./store";

export interface LogsProviderOptions {
  /** Clock in epoch milliseconds (creation and ingestion times, too-old/too-new checks). Default Date.now. */
  now?: () => number;
  /** Events FilterLogEvents examines per call before it returns a nextToken. Default 250,000. */
  filterScanBudget?: number;
  /** Share an existing store (e.g. one seeded by a benchmark). Default: a new one. */
  store?: LogsStore;
  /** Literal terms searched through the gram index (default true); false scans every message (a baseline). */
  literalIndex?: boolean;
}

export const DEFAULT_FILTER_SCAN_BUDGET = 250_000;

export function createLogsProvider(options: LogsProviderOptions = {}): {
  provider: ServiceProvider;
  store: LogsStore;
} {
  const store = options.store ?? new LogsStore();
  const rt: LogsRuntime = {
    store,
    now: options.now ?? Date.now,
    filterScanBudget: Math.max(1, options.filterScanBudget ?? DEFAULT_FILTER_SCAN_BUDGET),
    literalIndex: options.literalIndex ?? true,
  };
  const operations = {
    ...groupOperations(rt),
    ...streamOperations(rt),
    ...putLogEventsOperations(rt),
    ...getLogEventsOperations(rt),
    ...filterLogEventsOperations(rt),
    ...tagOperations(rt),
  };
  const provider: ServiceProvider = {
    signingName: "logs",
    targetPrefix: "Logs_20140328",
    errorMessageKey: "message",
    operations,
  };
  return { provider, store };
}

export {
  type CompiledFilter,
  compileFilterPattern,
  FilterPatternError,
  parseFilterPattern,
} from "./filterPattern";
export { RETENTION_DAYS } from "./ops/groups";
export {
  EVENT_OVERHEAD_BYTES,
  MAX_AGE_MS,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_FUTURE_MS,
} from "./ops/putLogEvents";
export { LogGroupRecord, LogStreamRecord, LogsNamespace, LogsStore, type StoredEvent } from "./store";
