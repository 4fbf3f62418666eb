import { documentedOperation, routerOf } from "../../../lib/route-set";
import { uuidPath } from "../responses";
import { tokenExchange } from "./token-exchange.handlers";
import { exchangeToken } from "./token-exchange.routes";

export const tokenExchangeRouter = routerOf(
  documentedOperation(exchangeToken, tokenExchange, uuidPath(exchangeToken.path)),
);
