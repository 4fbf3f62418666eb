// Entry point of the self-contained `fleetgate` executable (Node single-executable application).
// SEA runs a CommonJS main script, which cannot use top-level await (cli.ts does).
import { main } from "./main";

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
