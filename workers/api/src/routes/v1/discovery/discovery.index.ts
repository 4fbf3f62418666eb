import { createRouter } from "../../../lib/router";
import {
  registerDiscoveredHandler,
  scanResultsHandler,
  scanStatusHandler,
  startScanHandler,
} from "./discovery.handlers";
import { registerDiscovered, scanResults, scanStatus, startScan } from "./discovery.routes";

/** Network discovery through agents (docs/agent-distribution.md, "Discovery"). */
export const discoveryRouter = createRouter()
  .openapi(startScan, startScanHandler)
  .openapi(scanStatus, scanStatusHandler)
  .openapi(scanResults, scanResultsHandler)
  .openapi(registerDiscovered, registerDiscoveredHandler);
