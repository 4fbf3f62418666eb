export * from "./audit";
export * from "./fleet";
export * from "./identity";
export * from "./patching";
export * from "./pki";
export * from "./reports";
export * from "./tasks";
export * from "./ziti";
