import { documentedOperation, routerOf } from "../../../lib/route-set";
import { runScript } from "./run.handlers";
import { run } from "./run.routes";

export const runRouter = routerOf(documentedOperation(run, runScript));
