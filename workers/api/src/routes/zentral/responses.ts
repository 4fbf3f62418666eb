import { json, ZentralErrorResponse } from "@fleetgate/contract";
import { UUID_PARAM } from "./drf";

/** Response entries of the Zentral routes' OpenAPI definitions (the contract's `json` entry). */
export const drfError = (description: string) => json(ZentralErrorResponse, description);

export const drfOk = json;

/** Django's `<uuid:…>` path converter, in the Hono path of a documented `{name}` parameter. */
export const uuidPath = (path: string) => path.replace(/\{(\w+)\}/g, `:$1{${UUID_PARAM}}`);
