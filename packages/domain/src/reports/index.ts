export * from "./ca-health.service";
export * from "./compliance-history.service";
export * from "./fleet-status.query";
export * from "./host-crl.service";
export * from "./host-signals";
export * from "./report-rows.query";
export * from "./report-scope";
export * from "./vulnerability-rows.query";
