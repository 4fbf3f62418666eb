import { errorFromResponse, readBody } from "./errors";

/** POSTs JSON to one of the non-native faces and decodes the answer; error statuses become typed errors. */
export async function postJson(
  doFetch: (r: Request) => Promise<Response>,
  url: URL,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await doFetch(
    new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  );
  const data = await readBody(res);
  if (!res.ok) throw errorFromResponse(res, data);
  return data;
}

/** GETs JSON from a face; error statuses become typed errors. */
export async function getJson(
  doFetch: (r: Request) => Promise<Response>,
  url: URL,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await doFetch(new Request(url, { headers }));
  const data = await readBody(res);
  if (!res.ok) throw errorFromResponse(res, data);
  return data;
}
