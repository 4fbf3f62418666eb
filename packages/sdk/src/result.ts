import { errorFromResponse, FleetgateError } from "./errors";

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful openapi-fetch call; a typed FleetgateError otherwise. */
export async function ok<T>(call: Promise<Result<T>>): Promise<T> {
  const r = await call;
  if (!r.response.ok) throw errorFromResponse(r.response, r.error);
  if (r.data === undefined) throw new FleetgateError("Empty response", r.response.status, "empty_response");
  return r.data;
}
