export * from "./osv-feed";
export * from "./osv-import.service";
export * from "./osv-match.query";
export * from "./osv-record";
export * from "./osv-refresh.service";
export * from "./osv-severity";
