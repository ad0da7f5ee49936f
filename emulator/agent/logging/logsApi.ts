import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  type CreateLogStreamRequest,
  DescribeLogGroupsCommand,
  type DescribeLogGroupsRequest,
  type DescribeLogGroupsResponse,
  DescribeLogStreamsCommand,
  type DescribeLogStreamsRequest,
  type DescribeLogStreamsResponse,
  PutLogEventsCommand,
  type PutLogEventsRequest,
  type PutLogEventsResponse,
} from "@aws-sdk/client-cloudwatch-logs";

/**
 * The four CloudWatch Logs operations the agent uses for session logging, shaped like the SDK's inputs and
 * outputs. Failures are thrown as errors whose `name` is the AWS error code, as the SDK does.
 */
export interface LogsApi {
  describeLogGroups(
    input: Pick<DescribeLogGroupsRequest, "logGroupNamePrefix" | "nextToken">,
  ): Promise<DescribeLogGroupsResponse>;
  createLogStream(input: CreateLogStreamRequest): Promise<unknown>;
  describeLogStreams(input: DescribeLogStreamsRequest): Promise<DescribeLogStreamsResponse>;
  putLogEvents(input: PutLogEventsRequest): Promise<PutLogEventsResponse>;
}

/** The LogsApi over a real SDK client: the agent ships logs through the real CloudWatch Logs API. */
export function sdkLogsApi(client: CloudWatchLogsClient): LogsApi {
  return {
    describeLogGroups: (input) => client.send(new DescribeLogGroupsCommand(input)),
    createLogStream: (input) => client.send(new CreateLogStreamCommand(input)),
    describeLogStreams: (input) => client.send(new DescribeLogStreamsCommand(input)),
    putLogEvents: (input) => client.send(new PutLogEventsCommand(input)),
  };
}

/** The AWS error code of a thrown SDK error (its `name`), if any. */
export function awsErrorCode(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}
