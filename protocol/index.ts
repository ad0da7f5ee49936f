/** The Session Manager data-channel protocol, shared by the harness (client role) and the emulator. */

export * from "./clock";
export * from "./coalesce";
export * from "./constants";
export * from "./errors";
export * from "./frame";
export * from "./handshake";
export * from "./handshakeAgent";
export * from "./handshakeClient";
export * from "./messages";
export * from "./payloads";
export * from "./reliable";
export * from "./rto";
export * from "./sessionCipher";
export * from "./trace";
