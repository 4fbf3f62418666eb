export * from "./health-checks.service";
export * from "./maintenance-windows.service";
