import type { DomainContext } from "../shared/context";

export type OutputStream = "stdout" | "stderr";

/** The R2 prefix of a host's full job output (`jobs/<job>/<host>`), defined once for the JobRun and the readers. */
export const jobOutputKey = (jobId: string, hostId: string) => `jobs/${jobId}/${hostId}`;

/** The R2 object of one stream under an output key (`<key>.stdout`, `<key>.stderr`). */
export const jobOutputObject = (outputKey: string, stream: OutputStream) => `${outputKey}.${stream}`;

/** Stores a host's full output (both streams) under its output key. */
export async function storeJobOutput(
  ctx: Pick<DomainContext, "files">,
  outputKey: string,
  output: Record<OutputStream, string>,
): Promise<void> {
  const type = "text/plain; charset=utf-8";
  await Promise.all([
    ctx.files.put(jobOutputObject(outputKey, "stdout"), output.stdout, type),
    ctx.files.put(jobOutputObject(outputKey, "stderr"), output.stderr, type),
  ]);
}

/** One stream of a host's output: R2 when it was longer than the preview kept in D1, else the preview. */
export async function readJobOutput(
  ctx: Pick<DomainContext, "files">,
  row: { outputKey: string | null; stdout: string; stderr: string },
  stream: OutputStream,
): Promise<string> {
  if (!row.outputKey) return row[stream];
  const file = await ctx.files.get(jobOutputObject(row.outputKey, stream));
  return file ? file.text() : row[stream];
}

/** Both streams of a host's output. */
export async function readFullOutput(
  ctx: Pick<DomainContext, "files">,
  row: { outputKey: string | null; stdout: string; stderr: string },
): Promise<Record<OutputStream, string>> {
  const [stdout, stderr] = await Promise.all([readJobOutput(ctx, row, "stdout"), readJobOutput(ctx, row, "stderr")]);
  return { stdout, stderr };
}
