import { serveDocumented } from "../../../lib/documented-route";
import { createRouter } from "../../../lib/router";
import { uuidPath } from "../responses";
import { tokenExchange } from "./token-exchange.handlers";
import { exchangeToken } from "./token-exchange.routes";

export const tokenExchangeRouter = serveDocumented(
  createRouter(),
  exchangeToken,
  tokenExchange,
  uuidPath(exchangeToken.path),
);
