/** The Session Manager data-channel protocol, shared by the harness (client role) and the emulator. */
export * from "./constants";
export * from "./errors";
export * from "./frame";
export * from "./messages";
export * from "./payloads";
