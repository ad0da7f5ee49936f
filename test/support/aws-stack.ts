/**
 * An emulated account for testing the aws target: the embedded stack (time scale 60) seeded the way a
 * well-run account is (log groups, a KMS key, default preferences that stream encrypted logs and encrypt
 * sessions with that key), and the environment a user sets to point AWS tools at it.
 */
import { CreateDocumentCommand } from "@aws-sdk/client-ssm";
import { DEFAULT_PRINCIPAL, type Principal } from "../../emulator/api/credentials";
import { type StackOptions, type StartedStack, startStack } from "../../emulator/stack";
import { sessionDocumentContent } from "../../support/documents/sessionDocument";
import { createLogGroupFixtures, DEFAULT_PREFERENCES_DOCUMENT } from "../../support/targets/accountFixtures";
import { createClients, destroyClients } from "../../support/targets/clients";
import type { LogGroupFixtures, TargetClients } from "../../support/targets/target";

/** A second caller of the account, denied what the preflight reports as missing permissions. */
export const DENIED_PRINCIPAL: Principal = {
  accessKeyId: "denied",
  secretAccessKey: "denied-secret",
  accountId: DEFAULT_PRINCIPAL.accountId,
  arn: "arn:aws:iam::000000000000:user/denied",
  userId: "AIDAZEMULATORDENIED01",
  deniedOperations: ["ssm:StartSession", "logs:FilterLogEvents"],
};

export interface EmulatedAccount {
  stack: StartedStack;
  /** Clients with the stack's default credentials, for set-up and checks. */
  clients: TargetClients;
  logGroups: LogGroupFixtures;
  kmsKeyArn: string;
  /** The variables a user sets: the four endpoint overrides, region, credentials, and the test time scale. */
  env(principal?: Pick<Principal, "accessKeyId" | "secretAccessKey">): Record<string, string>;
  stop(): Promise<void>;
}

export async function startEmulatedAccount(options: StackOptions = {}): Promise<EmulatedAccount> {
  const stack = await startStack({ timeScale: 60, ...options });
  const clients = createClients({
    region: stack.region,
    endpoint: stack.endpoint,
    credentials: stack.credentials,
  });
  const kmsKeyArn = stack.kmsKeys[0]!.arn;
  const logGroups = await createLogGroupFixtures(clients.logs, kmsKeyArn);
  await clients.ssm.send(
    new CreateDocumentCommand({
      Name: DEFAULT_PREFERENCES_DOCUMENT,
      DocumentType: "Session",
      DocumentFormat: "JSON",
      Content: sessionDocumentContent({
        idleSessionTimeout: "15",
        maxSessionDuration: "720",
        cloudWatchLogGroupName: logGroups.encrypted,
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: true,
        kmsKeyId: kmsKeyArn,
      }),
    }),
  );
  return {
    stack,
    clients,
    logGroups,
    kmsKeyArn,
    env: (principal = stack.credentials) => ({
      AWS_ENDPOINT_URL_SSM: stack.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: stack.endpoint,
      AWS_ENDPOINT_URL_STS: stack.endpoint,
      AWS_ENDPOINT_URL_KMS: stack.endpoint,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: principal.accessKeyId,
      AWS_SECRET_ACCESS_KEY: principal.secretAccessKey,
      SSM_CONFORMANCE_ASSUME_TIME_SCALE: String(stack.timeScale),
    }),
    stop: async () => {
      destroyClients(clients);
      await stack.stop();
    },
  };
}

/**
 * The environment of a child process that sees only what `vars` sets of AWS: no AWS_* from the caller,
 * no shared config or credentials files, no instance metadata service.
 */
export function isolatedEnv(vars: Record<string, string>, home: string): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")));
  return {
    ...base,
    HOME: home,
    AWS_CONFIG_FILE: `${home}/.aws/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...vars,
  };
}
