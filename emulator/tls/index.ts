/**
 * PLACEHOLDER until the TLS branch (wt-tls) lands: that branch owns emulator/tls/ and exports the same
 * function from here. The names are the DNS SANs of the stack's server certificate.
 */
export function awsServiceHostNames(region: string): string[] {
  return [
    ...["ssmmessages", "ssm", "ec2messages", "logs", "kms", "s3", "sts"].map(
      (service) => `${service}.${region}.amazonaws.com`,
    ),
    "s3.amazonaws.com",
  ];
}
