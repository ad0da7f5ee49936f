/**
 * How a real, unmodified amazon-ssm-agent is pointed at a stack for one external node: its
 * amazon-ssm-agent.json, its environment, and the host names that must resolve to 127.0.0.1 for the calls
 * it has no endpoint setting for (CloudWatch Logs). What worked with agent 3.3.1142.0
 * (real-agent-observations.md sections 0 and 6, mgs-agent-side.md section 7). One place for the stack's
 * banner (emulator/cli.ts) and the amazon-agent container (support/targets/amazonAgent.ts).
 */
import { awsServiceHostNames } from "../tls/authority";

/** Where the Linux package reads its configuration (mgs-agent-side.md 7.2). */
export const AMAZON_AGENT_CONFIG_PATH = "/etc/amazon/ssm/amazon-ssm-agent.json";

/**
 * The agent sends PutLogEvents to `logs.<region>.amazonaws.com:443` whatever its configuration says, so
 * with the names below mapped to 127.0.0.1 something on 127.0.0.1:443 must forward to the stack.
 */
export const AWS_HTTPS_PORT = 443;

export interface AmazonAgentSetup {
  /** The stack's endpoint: `https://127.0.0.1:<port>` (the agent dials only https:// and wss://). */
  endpoint: string;
  region: string;
  nodeId: string;
}

export interface AmazonAgentConfig {
  Agent: { ContainerMode: true; SelfUpdate: false };
  Identity: {
    ConsumptionOrder: ["CustomIdentity"];
    CustomIdentities: { InstanceID: string; Region: string; CredentialsProvider: "DEFAULT" }[];
  };
  Mgs: { Region: string; Endpoint: string };
  Ssm: { Endpoint: string };
  Mds: { Endpoint: string };
  Kms: { Endpoint: string };
  S3: { Endpoint: string; Region: string };
}

/**
 * amazon-ssm-agent.json. ContainerMode: the agent talks only to MGS (no health ping, no hibernation, no
 * ec2messages); CustomIdentity: no IMDS, no registration, keys from the environment. The other services'
 * endpoints point at the stack too: in container mode with logging off none is called.
 */
export function amazonAgentConfig({ endpoint, region, nodeId }: AmazonAgentSetup): AmazonAgentConfig {
  const url = parseEndpoint(endpoint);
  // Mgs.Endpoint as `IP:port` without a scheme falls back to AWS's host (mgs-agent-side.md 7.2): keep it.
  const https = `https://${url.host}`;
  return {
    Agent: { ContainerMode: true, SelfUpdate: false },
    Identity: {
      ConsumptionOrder: ["CustomIdentity"],
      CustomIdentities: [{ InstanceID: nodeId, Region: region, CredentialsProvider: "DEFAULT" }],
    },
    Mgs: { Region: region, Endpoint: https },
    Ssm: { Endpoint: https },
    Mds: { Endpoint: https },
    Kms: { Endpoint: https },
    S3: { Endpoint: https, Region: region },
  };
}

/**
 * The agent's environment: keys to sign with (the stack's test keys; any keys do unless the stack checks
 * SigV4 strictly) and the stack's CA, which replaces the system bundle for Go's TLS (SSL_CERT_FILE).
 */
export function amazonAgentEnv(input: {
  credentials: { accessKeyId: string; secretAccessKey: string };
  caFile: string;
}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
    SSL_CERT_FILE: input.caFile,
  };
}

/** The names to map to 127.0.0.1 where the agent runs: every AWS name the stack's certificate carries. */
export function amazonAgentHostNames(region: string): string[] {
  return awsServiceHostNames(region);
}

/** Lines for the stack's banner: the file, the environment and the host mapping, ready to paste. */
export function amazonAgentInstructions(
  setup: AmazonAgentSetup & {
    credentials: { accessKeyId: string; secretAccessKey: string };
    caFile: string;
    port: number;
  },
): string[] {
  const env = amazonAgentEnv(setup);
  return [
    `# A real amazon-ssm-agent as ${setup.nodeId}: ${AMAZON_AGENT_CONFIG_PATH}`,
    JSON.stringify(amazonAgentConfig(setup), null, 2),
    "# and in the agent's environment:",
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
    `# Session logs go to logs.${setup.region}.amazonaws.com:${AWS_HTTPS_PORT}: map these names to 127.0.0.1 in`,
    "# the agent's /etc/hosts and forward 127.0.0.1:443 to the stack (docker/README.md, the amazon-agent image):",
    `127.0.0.1 ${amazonAgentHostNames(setup.region).join(" ")}`,
    `# e.g. socat TCP-LISTEN:${AWS_HTTPS_PORT},bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:${setup.port}`,
  ];
}

function parseEndpoint(endpoint: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:")
    throw new Error(`the real agent dials only https:// and wss://; the stack endpoint is "${endpoint}"`);
  return url;
}
