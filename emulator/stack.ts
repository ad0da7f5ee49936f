/**
 * The embedded Session Manager stack: every provider behind one loopback HTTP (or HTTPS) endpoint, the
 * message gateway on the same port, and one built-in agent per managed node, connected over the real protocol.
 * `startStack(options)` returns a started handle; `stop()` ends sessions, kills shells, closes sockets.
 */
import { startAgentThread } from "./agent/agentThread";
import { type BuiltInAgentsConfig, startBuiltInAgents } from "./agent/builtInAgents";
import type { PipelineHooks } from "./agent/logging/uploader";
import type { Pacing } from "./agent/shell/outputPump";
import { DEFAULT_PRINCIPAL, type Principal } from "./api/credentials";
import { startApiServer } from "./api/server";
import { TimeScale } from "./clock";
import { type ActiveFault, activateFault, composeLogHooks, type FaultSpec } from "./faults";
import { createKmsProvider, type KmsKeyInfo, type KmsKeySeed } from "./kms";
import { createLogger, type LogLevel } from "./logger";
import { createLogsProvider } from "./logs";
import type { LogsStore } from "./logs/store";
import { MessageGateway } from "./messages/gateway";
import type { RelayPolicy } from "./messages/sessionRelay";
import { NodeRegistry } from "./nodes";
import { SessionRegistry } from "./sessions/registry";
import { createSsmProvider } from "./ssm";
import { DocumentStore, type InputStrictness } from "./ssm/documents";
import { createStsProvider } from "./sts";
import { createStackCertificates } from "./tls/authority";
import { writeCaFile } from "./tls/caFile";

export interface StackOptions {
  /** Port of the single endpoint (API, REST and WebSockets). Default 0: any free port. */
  port?: number;
  region?: string;
  /** `60` makes one configured minute of idle timeout or max duration last one second. Default 1. */
  timeScale?: number;
  /** Managed nodes served by built-in agents. Default: one `i-` and one `mi-` node. */
  nodes?: string[];
  /** Nodes registered but served by no built-in agent (a real amazon-ssm-agent may connect for them). */
  externalNodes?: string[];
  /** Principals the API accepts; the first one is the agents' identity. Default: test/test. */
  principals?: Principal[];
  strictSigV4?: boolean;
  logLevel?: LogLevel;
  /**
   * Where the agents ship session logs: any CloudWatch Logs endpoint (e.g. LocalStack's), or `"aws"` for
   * Amazon CloudWatch Logs in the stack's region with the SDK's default credential chain. Default: this stack's.
   */
  logsEndpoint?: string;
  kmsKeys?: KmsKeySeed[];
  /** Output pacing of the agents' shells: the agent's 1 ms sleep per chunk, or none. Default faithful. */
  pacing?: Pacing;
  /**
   * Most bytes of shell output per output_stream_data message. Default 1024, as the agent. Larger values are
   * not faithful; they cut the per-message cost of bulk output (the throughput benchmark's unpaced runs).
   */
  outputChunkBytes?: number;
  gatewayPolicy?: Partial<RelayPolicy>;
  /** The user shells run as without Run As (the real agent's `ssm-user`). Default: this process's user. */
  defaultShellUser?: string;
  /** Validation of Session document inputs AWS leaves undocumented. Default strict. */
  documentInputs?: InputStrictness;
  /** Hooks into the agents' log pipeline (fault profiles use them). */
  logHooks?: PipelineHooks;
  /** A fault profile (emulator/faults): `name` or `name:key=value,...`. Default none: AWS's behaviour. */
  fault?: string | FaultSpec;
  /**
   * Serve https and wss (on the same single port) with a certificate from a CA made at start (emulator/tls).
   * `caFile`: where the CA certificate is written. Default: a temporary file, removed by stop().
   */
  tls?: boolean | { caFile?: string };
  /**
   * Run the built-in agents on a worker thread of their own (agent/agentThread.ts), so that they use a second
   * core, as agents on their own machines would. Not with log hooks or a fault profile that hooks the agents.
   */
  agentThread?: boolean;
}

export interface StartedStack {
  /** http://127.0.0.1:<port> (https:// with `tls`): the endpoint of every service. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly nodeIds: readonly string[];
  readonly externalNodeIds: readonly string[];
  readonly kmsKeys: readonly KmsKeyInfo[];
  readonly timeScale: number;
  /** The fault profile the stack runs with, if any (its `hooks.account` is for whoever seeds the account). */
  readonly fault?: ActiveFault;
  /** With `tls`: the CA that signed the server certificate, as a file and as PEM text. */
  readonly tls?: { readonly caFile: string; readonly caPem: string };
  /** The environment a user pastes to point AWS tools at the stack (with `tls`, SSL_CERT_FILE and AWS_CA_BUNDLE). */
  env(): Record<string, string>;
  /** For tests and the harness's own checks; not part of any AWS API. */
  readonly internals: {
    sessions: SessionRegistry;
    nodes: NodeRegistry;
    gateway: MessageGateway;
    logs: LogsStore;
  };
  stop(): Promise<void>;
}

export const DEFAULT_NODE_IDS = ["i-0e5c1a2b3c4d5e6f7", "mi-0e5c1a2b3c4d5e6f8"];

export async function startStack(options: StackOptions = {}): Promise<StartedStack> {
  const region = options.region ?? "us-east-1";
  const logger = createLogger(options.logLevel ?? "warn");
  const principals = options.principals ?? [DEFAULT_PRINCIPAL];
  const agentPrincipal = principals[0]!;
  const credentials = {
    accessKeyId: agentPrincipal.accessKeyId,
    secretAccessKey: agentPrincipal.secretAccessKey,
  };
  const nodeIds = options.nodes ?? DEFAULT_NODE_IDS;
  const externalNodeIds = options.externalNodes ?? [];
  const timeScale = new TimeScale(options.timeScale ?? 1);
  const fault = options.fault === undefined ? undefined : activateFault(options.fault);
  const faults = fault?.hooks ?? {};
  const logHooks = composeLogHooks(options.logHooks, faults.logs);
  if (options.agentThread && (logHooks || faults.agent))
    throw new Error("agentThread: log hooks and agent fault profiles need the agents in-process");

  const nodes = new NodeRegistry();
  for (const id of [...nodeIds, ...externalNodeIds]) nodes.register(id);
  const sessions = new SessionRegistry();
  const documents = new DocumentStore({ inputs: options.documentInputs });
  const logs = createLogsProvider();
  const kms = createKmsProvider({ region, accountId: agentPrincipal.accountId, keys: options.kmsKeys });
  const gateway = new MessageGateway({
    sessions,
    nodes,
    timeScale,
    logger: logger.child("gateway"),
    policy: options.gatewayPolicy,
    faults: faults.relay,
  });
  let endpoint = "";
  const ssm = createSsmProvider({
    sessions,
    nodes,
    documents,
    gateway,
    streamBaseUrl: () => endpoint.replace(/^http/, "ws"),
    faults: faults.ssm,
  });
  const certificates = options.tls ? await createStackCertificates(region) : undefined;
  const caFile = certificates
    ? await writeCaFile(certificates.caPem, typeof options.tls === "object" ? options.tls.caFile : undefined)
    : undefined;
  const tls = certificates && caFile ? { caFile: caFile.path, caPem: certificates.caPem } : undefined;
  const api = await startApiServer({
    providers: [ssm, logs.provider, kms.provider, createStsProvider()],
    principals,
    strictSigV4: options.strictSigV4,
    defaultRegion: region,
    port: options.port ?? 0,
    routes: gateway.routes(),
    logger: logger.child("api"),
    tls: certificates,
  }).catch(async (error: unknown) => {
    await caFile?.remove();
    throw error;
  });
  endpoint = api.url;
  gateway.attach(api.server);

  const agentsConfig: BuiltInAgentsConfig = {
    nodeIds,
    endpoint,
    region,
    credentials,
    caPem: tls?.caPem,
    logsEndpoint: options.logsEndpoint,
    documentInputs: documents.inputs,
    defaultShellUser: options.defaultShellUser,
    pacing: options.pacing,
    outputChunkBytes: options.outputChunkBytes,
  };
  const agents = await (options.agentThread
    ? startAgentThread({ config: agentsConfig, logLevel: options.logLevel ?? "warn" })
    : startBuiltInAgents(agentsConfig, logger, { logHooks, preferences: faults.agent?.preferences })
  ).catch(async (error: unknown) => {
    await gateway.close();
    await api.close();
    await caFile?.remove();
    throw error;
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port: api.port,
    region,
    credentials,
    nodeIds,
    externalNodeIds,
    kmsKeys: kms.listKeys(),
    timeScale: timeScale.factor,
    fault,
    tls,
    env: () => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_SSM: endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
      AWS_ENDPOINT_URL_KMS: endpoint,
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      // Go programs (amazon-ssm-agent, session-manager-plugin) and OpenSSL read SSL_CERT_FILE; AWS tools
      // read AWS_CA_BUNDLE.
      ...(tls && { SSL_CERT_FILE: tls.caFile, AWS_CA_BUNDLE: tls.caFile }),
    }),
    internals: { sessions, nodes, gateway, logs: logs.store },
    stop: () => {
      stopping ??= (async () => {
        // Sessions end first (channel_closed to both sides), then the agents kill their shells and stop,
        // then the channels and the server close. Batches a fault holds back go out first.
        faults.stop?.();
        gateway.endAllSessions();
        await agents.stop();
        await gateway.close();
        await api.close();
        await caFile?.remove();
      })();
      return stopping;
    },
  };
}
