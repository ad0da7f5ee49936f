/** What the CloudWatch Logs provider tests share: a fixed clock and the caller of every request. */
import type { RequestContext } from "../../emulator/api/provider";

export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

export const CTX: RequestContext = {
  caller: {
    accessKeyId: "test",
    accountId: "000000000000",
    arn: "arn:aws:iam::000000000000:user/tester",
    userId: "AIDAZEMULATORTESTER01",
  },
  region: "us-east-1",
  requestId: "req-1",
};

// biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field
export type Out = any;
