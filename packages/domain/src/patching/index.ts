export * from "./health-checks.service";
export * from "./health-runs.service";
export * from "./inventory.service";
export * from "./maintenance-windows.service";
