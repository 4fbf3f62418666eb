// Entry point of the `fleetgate-agent` binary (bundled to dist/fleetgate-agent.mjs).
import { main } from "./main";

process.exitCode = await main(process.argv.slice(2));
