/**
 * The stack's own certificate authority: a fresh CA and a server certificate signed by it, made at every
 * start, so https/wss clients (the real amazon-ssm-agent and session-manager-plugin included) can verify
 * the emulator once they trust the CA (SSL_CERT_FILE, AWS_CA_BUNDLE).
 *
 * Library: `selfsigned` 5.x. It builds on @peculiar/x509 and WebCrypto (no hand-written ASN.1), can sign a
 * leaf with a given CA, and makes EC P-256 keys: a CA and a server certificate take about 30-110 ms
 * together (RSA 2048 would add a prime search of up to seconds per key). node-forge 1.x only makes RSA keys.
 */
import { generate } from "selfsigned";

export interface StackCertificates {
  /** The CA certificate (PEM): what clients trust. */
  caPem: string;
  /** The server's certificate (PEM), signed by the CA. */
  certPem: string;
  /** The server's private key (PEM). A secret: never logged. */
  keyPem: string;
}

const KEY = { keyType: "ec", curve: "P-256", algorithm: "sha256" } as const;
const VALID_DAYS = 30;

/**
 * The AWS host names the real agent (and AWS tools) dial in `region`: ssmmessages (MGS), ssm,
 * ec2messages, CloudWatch Logs, KMS, S3 (regional and global) and STS. The server certificate covers
 * them, so DNS or /etc/hosts entries pointing them at the emulator verify.
 */
export function awsServiceHostNames(region: string): string[] {
  return [
    `ssmmessages.${region}.amazonaws.com`,
    `ssm.${region}.amazonaws.com`,
    `ec2messages.${region}.amazonaws.com`,
    `logs.${region}.amazonaws.com`,
    `kms.${region}.amazonaws.com`,
    `s3.${region}.amazonaws.com`,
    "s3.amazonaws.com",
    `sts.${region}.amazonaws.com`,
  ];
}

/** A new CA, and a server certificate for loopback (127.0.0.1, ::1, localhost) and the region's hosts. */
export async function createStackCertificates(region: string): Promise<StackCertificates> {
  const { notBeforeDate, notAfterDate } = validity();
  const ca = await generate([{ name: "commonName", value: "ssm-conformance emulator CA" }], {
    ...KEY,
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    ...KEY,
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
          { type: 2, value: "localhost" },
          ...awsServiceHostNames(region).map((value) => ({ type: 2 as const, value })),
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}

/** Valid from an hour ago (clock skew between the stack and a container), for VALID_DAYS. */
function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  const now = Date.now();
  return {
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + VALID_DAYS * 86_400_000),
  };
}
