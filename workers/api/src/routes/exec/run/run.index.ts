import { serveDocumented } from "../../../lib/documented-route";
import { createRouter } from "../../../lib/router";
import { runScript } from "./run.handlers";
import { run } from "./run.routes";

export const runRouter = serveDocumented(createRouter(), run, runScript);
