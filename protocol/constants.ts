/** Wire constants of the Session Manager data channel (session-manager-spec.md sections 4-6). */

/** MessageType strings carried in the 32-byte header field. */
export const MessageType = {
  InputStreamData: "input_stream_data",
  OutputStreamData: "output_stream_data",
  Acknowledge: "acknowledge",
  ChannelClosed: "channel_closed",
  StartPublication: "start_publication",
  PausePublication: "pause_publication",
  AgentSessionState: "agent_session_state",
  // Control channel (agent <-> gateway).
  InteractiveShell: "interactive_shell",
  AgentTaskComplete: "agent_task_complete",
  AgentTaskAcknowledge: "agent_task_acknowledge",
  AgentTaskReply: "agent_task_reply",
  AgentJob: "agent_job",
  AgentJobAck: "agent_job_ack",
  AgentJobReply: "agent_job_reply",
  AgentJobReplyAck: "agent_job_reply_ack",
} as const;
export type MessageTypeName = (typeof MessageType)[keyof typeof MessageType];

/** PayloadType values (uint32). */
export enum PayloadType {
  None = 0,
  Output = 1,
  Error = 2,
  Size = 3,
  Parameter = 4,
  HandshakeRequest = 5,
  HandshakeResponse = 6,
  HandshakeComplete = 7,
  EncChallengeRequest = 8,
  EncChallengeResponse = 9,
  Flag = 10,
  StdErr = 11,
  ExitCode = 12,
}

/** Values of a PayloadType.Flag payload (4-byte big-endian uint32). */
export enum PayloadTypeFlag {
  DisconnectToPort = 1,
  TerminateSession = 2,
  ConnectToPortError = 3,
}

/** Flags bitfield. Agent output seq 0 carries SYN; acks and agent_session_state carry SYN|FIN. */
export const Flags = {
  None: 0,
  Syn: 1,
  Fin: 2,
  SynFin: 3,
} as const;

export const SCHEMA_VERSION = 1;

/** Offsets and sizes of the binary header (big-endian). */
export const Layout = {
  HeaderLengthOffset: 0,
  MessageTypeOffset: 4,
  MessageTypeLength: 32,
  SchemaVersionOffset: 36,
  CreatedDateOffset: 40,
  SequenceNumberOffset: 48,
  FlagsOffset: 56,
  MessageIdOffset: 64,
  MessageIdLength: 16,
  PayloadDigestOffset: 80,
  PayloadDigestLength: 32,
  PayloadTypeOffset: 112,
  PayloadLengthOffset: 116,
  /** What writers put in HeaderLength: the offset of PayloadLength. */
  HeaderLength: 116,
  /** Header plus the PayloadLength field: where the payload starts in every frame we write. */
  PayloadOffset: 120,
} as const;

/** The agent's and the plugin's stream read buffer: at most this many bytes of output per message. */
export const STREAM_DATA_PAYLOAD_SIZE = 1024;
