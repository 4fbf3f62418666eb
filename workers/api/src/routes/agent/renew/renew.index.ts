import { documentedOperation, routerOf } from "../../../lib/route-set";
import { renewHandler } from "./renew.handlers";
import { renew } from "./renew.routes";

/** `POST /agent/v1/renew`: authenticated before its body is parsed, so a plain handler documented by its route. */
export const renewRouter = routerOf(documentedOperation(renew, renewHandler));
