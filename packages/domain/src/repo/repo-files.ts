/** Byte helpers shared by the apt and yum metadata builders (WebCrypto and CompressionStream: workerd and Node). */
export const utf8 = (text: string) => new TextEncoder().encode(text);

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A generated repository file: its path inside the repository and content. */
export interface RepoFile {
  path: string;
  body: Uint8Array;
  contentType: string;
}
