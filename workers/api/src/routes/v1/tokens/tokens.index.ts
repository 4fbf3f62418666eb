import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./tokens.handlers";
import * as r from "./tokens.routes";

/** Mounted at /tokens: the caller's API tokens. */
export const tokensRouter = routerOf(
  op(r.listTokens, h.listTokens),
  op(r.createToken, h.createToken),
  op(r.deleteToken, h.deleteToken),
);

/** Mounted at /service-accounts: CI accounts and their tokens. */
export const serviceAccountsRouter = routerOf(
  op(r.listSa, h.listSa),
  op(r.createSa, h.createSa),
  op(r.deleteSa, h.deleteSa),
  op(r.createSaToken, h.createSaToken),
);
