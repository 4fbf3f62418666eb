/** Pure patching logic shared by the Worker and the agent: version orderings and maintenance windows. */
export * from "./dpkg-version";
export * from "./inventory-hash";
export * from "./maintenance-window";
export * from "./rollout";
export * from "./rpm-version";
export { isValidTimeZone } from "./time-zone";
