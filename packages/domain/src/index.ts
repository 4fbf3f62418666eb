export * from "./db";
export * from "./log";
export * from "./principal";
export * as schema from "./schema";
