import { operation as op, routerOf } from "../../../lib/route-set";
import {
  registerDiscoveredHandler,
  scanResultsHandler,
  scanStatusHandler,
  startScanHandler,
} from "./discovery.handlers";
import { registerDiscovered, scanResults, scanStatus, startScan } from "./discovery.routes";

/** Network discovery through agents (docs/agent-distribution.md, "Discovery"). */
export const discoveryRouter = routerOf(
  op(startScan, startScanHandler),
  op(scanStatus, scanStatusHandler),
  op(scanResults, scanResultsHandler),
  op(registerDiscovered, registerDiscoveredHandler),
);
