// Entry point of the `fleetgate` binary (bundled to dist/fleetgate.mjs).
import { main } from "./main";

process.exitCode = await main(process.argv.slice(2));
