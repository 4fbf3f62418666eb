export * from "./auto-apply.service";
export * from "./health-checks.service";
export * from "./health-gate.service";
export * from "./health-runs.service";
export * from "./inventory.service";
export * from "./last-patch.query";
export * from "./maintenance-windows.service";
export * from "./rollout.query";
