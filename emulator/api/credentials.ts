/** The principals the emulator knows: static access keys mapped to IAM identities. */
import type { CallerIdentity } from "./provider";

export interface Principal {
  accessKeyId: string;
  secretAccessKey: string;
  /** 12-digit account id. */
  accountId: string;
  /** IAM ARN, e.g. arn:aws:iam::000000000000:user/tester. */
  arn: string;
  /** Stable principal id (AIDA... for users). */
  userId: string;
  /** `<signing name>:<Operation>` (or `<signing name>:*`) this principal may not call, e.g. `ssm:StartSession`. */
  deniedOperations?: string[];
}

export const DEFAULT_PRINCIPAL: Readonly<Principal> = Object.freeze({
  accessKeyId: "test",
  secretAccessKey: "test",
  accountId: "000000000000",
  arn: "arn:aws:iam::000000000000:user/tester",
  userId: "AIDAZEMULATORTESTER01",
});

export function findPrincipal(principals: readonly Principal[], accessKeyId: string): Principal | undefined {
  return principals.find((p) => p.accessKeyId === accessKeyId);
}

export function callerIdentity(p: Principal): CallerIdentity {
  return { accessKeyId: p.accessKeyId, accountId: p.accountId, arn: p.arn, userId: p.userId };
}

export function isDenied(p: Principal, service: string, operation: string): boolean {
  const denied = p.deniedOperations ?? [];
  return denied.includes(`${service}:${operation}`) || denied.includes(`${service}:*`);
}
