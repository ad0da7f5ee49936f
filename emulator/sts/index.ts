/** STS: just GetCallerIdentity, served over awsQuery (what the SDK client speaks) and JSON 1.0. */
import type { ServiceProvider } from "../api/provider";

export function createStsProvider(): ServiceProvider {
  return {
    signingName: "sts",
    targetPrefix: "AWSSecurityTokenServiceV20110615",
    errorMessageKey: "message",
    query: { version: "2011-06-15", xmlNamespace: "https://sts.amazonaws.com/doc/2011-06-15/" },
    operations: {
      GetCallerIdentity: (_input, { caller }) => ({
        UserId: caller.userId,
        Account: caller.accountId,
        Arn: caller.arn,
      }),
    },
  };
}
