/**
 * The aws target: a real account, reached the way every AWS tool reaches it. Credentials and region come
 * from the SDK's default chains (environment, shared config and credentials files and `--profile`, SSO,
 * web identity, container and instance roles); endpoints from AWS's own or the standard overrides
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM, _CLOUDWATCH_LOGS, _STS, _KMS), which the SDK applies itself.
 * That is how this code is tested: against the embedded emulator through those overrides.
 *
 * Start-up: region, caller identity (sts:GetCallerIdentity), the managed node, then the preflight
 * (preflight.ts). What it creates: temporary Session documents named and tagged with the run id (deleted
 * by dispose(), also after Ctrl-C) and sessions whose Reason names the run (all terminated). It never
 * writes SSM-SessionManagerRunShell and never creates log groups: behaviour scenarios log to the group the
 * account's preferences name, or to existing groups given with --log-group.
 */
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { newRunId, TemporaryDocuments } from "../documents/sessionDocument";
import { assembleTarget } from "./assembleTarget";
import { describeError } from "./awsErrors";
import { createClients, destroyClients } from "./clients";
import { formatPreflight, runPreflight } from "./preflight";
import { SessionRecorder } from "./sessionRecorder";
import type { Target, TargetClients } from "./target";

/**
 * Tests only: the time scale of the local stack the standard endpoint overrides point at, so the aws code
 * path runs against the emulator in seconds. Refused unless AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL is
 * set: AWS itself always runs on real time.
 */
export const ASSUME_TIME_SCALE_ENV = "SSM_CONFORMANCE_ASSUME_TIME_SCALE";

/** A reason the aws target cannot start, as one line for the user. */
export class AwsTargetError extends Error {}

export interface AwsTargetOptions {
  /** Absent: the SDK's chain (AWS_REGION, then the profile's region). */
  region?: string;
  profile?: string;
  instances: readonly string[];
  instanceTags: readonly string[];
  /** Existing log groups for the behaviour scenarios, besides the one the account's preferences name. */
  logGroups: readonly string[];
  /** The `@needs:` capabilities of the selected scenarios (the CLI works them out); absent: all. */
  needs?: readonly string[];
  /** Read for the endpoint overrides and the test-only time scale. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where start-up and clean-up lines go. Default stderr. */
  log?: (line: string) => void;
}

export async function startAwsTarget(options: AwsTargetOptions): Promise<Target> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const endpoints = endpointOverrides(env);
  const timeScale = assumedTimeScale(env, endpoints.ssm);
  const clients = createClients({ region: options.region, profile: options.profile });
  let documents: TemporaryDocuments | undefined;
  try {
    const region = await resolveRegion(clients, options.profile);
    const caller = await readCaller(clients.sts, options.profile);
    const runId = newRunId();
    documents = new TemporaryDocuments(clients.ssm, runId);
    // Before the preflight: every StartSession from here on is recorded and ended by dispose().
    const recorder = new SessionRecorder(clients.ssm);
    const preflight = await runPreflight({
      clients,
      region,
      accountId: caller.accountId,
      callerArn: caller.arn,
      needs: options.needs,
      node: { instances: options.instances, instanceTags: options.instanceTags, region },
      logGroups: options.logGroups,
      documents,
    });
    const nodeId = preflight.node?.nodeId ?? "";

    log(`aws target: account ${caller.accountId} as ${caller.arn}, region ${region}`);
    if (endpoints.ssm) log(`  endpoint override ${endpoints.ssm} (AWS_ENDPOINT_URL*)`);
    if (timeScale !== 1)
      log(`  assuming the stack's time scale ${timeScale} (${ASSUME_TIME_SCALE_ENV}, tests only)`);
    if (preflight.node) {
      log(
        `  node ${nodeId} (${preflight.node.selectedBy}${preflight.node.platform ? `, ${preflight.node.platform}` : ""}${preflight.node.agentVersion ? `, agent ${preflight.node.agentVersion}` : ""})`,
      );
    }
    log(
      `  run id ${runId}: temporary documents ssm-conformance-${runId}-<n>, deleted at the end ` +
        `(leftovers after a hard stop: ssm-conformance cleanup --run-id ${runId})`,
    );
    for (const line of formatPreflight(preflight)) log(`  ${line}`);

    return assembleTarget(
      {
        description: {
          kind: "aws",
          region,
          ...(endpoints.ssm && { endpoint: endpoints.ssm }),
          logsBackend: endpoints.logs
            ? `CloudWatch Logs at ${endpoints.logs} (endpoint override)`
            : `Amazon CloudWatch Logs (${region})`,
          nodeIds: nodeId ? [nodeId] : [],
          ...(preflight.node?.agentVersion && {
            agentVersion: `amazon-ssm-agent ${preflight.node.agentVersion}`,
          }),
          timeScale,
          accountId: caller.accountId,
          callerArn: caller.arn,
          runId,
        },
        clients,
        nodeId,
        capabilities: {
          runAs: {
            available: false,
            reason: "Run As checks need an OS user on the node that the harness cannot create on AWS",
          },
          kmsKey: { ...preflight.capabilities.kms, keyId: preflight.kmsKeyId },
        },
        logGroups: preflight.logGroups,
        preflight,
      },
      {
        recorder,
        documents,
        timeScale,
        afterCleanUp: ({ sessions, leftDocuments }) => {
          if (sessions.ended.length > 0) log(`ended sessions still active: ${sessions.ended.join(", ")}`);
          const problems = [...sessions.failed, ...leftDocuments.map((name) => `document ${name}`)];
          if (problems.length > 0) {
            log(
              `could not clean up ${problems.join("; ")}: run \`ssm-conformance cleanup --run-id ${runId} --region ${region}\``,
            );
          }
        },
      },
    );
  } catch (error) {
    await documents?.deleteAll().catch(() => undefined);
    destroyClients(clients);
    throw error;
  }
}

/** The standard endpoint overrides the SDK applies, for the report (and the time-scale guard). */
export function endpointOverrides(env: NodeJS.ProcessEnv): { ssm?: string; logs?: string } {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true") return {};
  return {
    ssm: env.AWS_ENDPOINT_URL_SSM || env.AWS_ENDPOINT_URL || undefined,
    logs: env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS || env.AWS_ENDPOINT_URL || undefined,
  };
}

export function assumedTimeScale(env: NodeJS.ProcessEnv, ssmEndpoint: string | undefined): number {
  const raw = env[ASSUME_TIME_SCALE_ENV];
  if (raw === undefined || raw === "") return 1;
  if (!ssmEndpoint) {
    throw new AwsTargetError(
      `${ASSUME_TIME_SCALE_ENV} is for testing against a local stack and needs AWS_ENDPOINT_URL_SSM (or AWS_ENDPOINT_URL); AWS runs on real time`,
    );
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new AwsTargetError(`${ASSUME_TIME_SCALE_ENV} must be a positive number, not '${raw}'`);
  }
  return value;
}

export async function resolveRegion(clients: TargetClients, profile: string | undefined): Promise<string> {
  try {
    const region = await clients.ssm.config.region();
    if (region) return region;
  } catch {
    // Reported below.
  }
  throw new AwsTargetError(
    `no AWS region: give --region, set AWS_REGION, or set region in ${profile ? `profile '${profile}'` : "the default profile"} of ~/.aws/config`,
  );
}

export interface CallerIdentity {
  accountId: string;
  arn: string;
}

/** sts:GetCallerIdentity (allowed to every principal): proves the credentials and names the caller. */
export async function readCaller(sts: STSClient, profile?: string): Promise<CallerIdentity> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return { accountId: identity.Account ?? "", arn: identity.Arn ?? "" };
  } catch (error) {
    const name = (error as Error).name;
    const message = describeError(error);
    if (name === "CredentialsProviderError" || name === "TokenProviderError") {
      if (profile) throw new AwsTargetError(`no AWS credentials for profile '${profile}' (${message})`);
      if (/from any providers/.test(message)) {
        throw new AwsTargetError(
          "no AWS credentials found; looked in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), " +
            "the shared config and credentials files (~/.aws/config, ~/.aws/credentials; AWS_PROFILE or " +
            "the default profile, with SSO and credential_process), web identity (AWS_WEB_IDENTITY_TOKEN_FILE), " +
            "the container credentials endpoint and the EC2 instance metadata service; give --profile or set credentials",
        );
      }
      throw new AwsTargetError(`the AWS credentials cannot be used (${message})`);
    }
    throw new AwsTargetError(`cannot read the caller identity (sts:GetCallerIdentity): ${message}`);
  }
}
