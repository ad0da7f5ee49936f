/**
 * The CA bundle AWS tools are told to trust: AWS_CA_BUNDLE (the AWS CLI and SDKs), else SSL_CERT_FILE
 * (OpenSSL, Go programs such as amazon-ssm-agent and session-manager-plugin). The JavaScript SDK reads
 * neither, so the harness's clients take it from here, for https and wss endpoints. As in those tools, the
 * bundle replaces Node's built-in roots for those clients.
 */
import { readFileSync } from "node:fs";

export class CaBundleError extends Error {
  override readonly name = "CaBundleError";
}

/** The bundle's PEM text, or undefined when neither variable is set (or set empty). */
export function caBundleFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = ["AWS_CA_BUNDLE", "SSL_CERT_FILE"].find((key) => env[key]);
  if (name === undefined) return undefined;
  const file = env[name]!;
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    throw new CaBundleError(`cannot read the CA bundle ${file} named by ${name} (${code ?? "error"})`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----"))
    throw new CaBundleError(`the CA bundle ${file} named by ${name} holds no PEM certificate`);
  return pem;
}
