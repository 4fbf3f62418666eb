export * from "./audit";
export * from "./fleet";
export * from "./identity";
export * from "./inventory";
export * from "./patching";
export * from "./pki";
export * from "./tasks";
export * from "./ziti";
