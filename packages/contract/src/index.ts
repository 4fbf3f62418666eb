export * from "./agent/protocol";
export * from "./native/auth";
export * from "./native/common";
export * from "./native/tokens";
export * from "./native/users";
