import type { DomainContext, TaskRow } from "@fleetgate/domain";
import type { z } from "zod";
import type { TasksEnv } from "./env";

/** A failure that retrying cannot fix (bad parameters, creator gone): the task becomes FAILURE at once. */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentTaskError";
  }
}

export interface TaskOutput {
  /** Stored as the task result; `filepath` (the R2 key) is never shown to clients. */
  result: Record<string, unknown>;
  fileKey: string | null;
  headers: Record<string, string> | null;
  /** Figures for the log line (rows, bytes, …). */
  stats?: Record<string, number>;
}

export interface TaskRunContext {
  domain: DomainContext;
  env: TasksEnv;
  task: TaskRow;
}

/** A kind of task: its name (stored in the row), its parameter schema, and the work. */
export interface TaskDefinition<P> {
  name: string;
  params: z.ZodType<P>;
  run(ctx: TaskRunContext, params: P): Promise<TaskOutput>;
}

const definitions = new Map<string, TaskDefinition<unknown>>();

/** Registers a task kind; other modules (reports, scans, notifications) add theirs the same way. */
export function registerTask<P>(def: TaskDefinition<P>): void {
  if (definitions.has(def.name)) throw new Error(`task ${def.name} registered twice`);
  definitions.set(def.name, def as unknown as TaskDefinition<unknown>);
}

export const taskDefinition = (name: string) => definitions.get(name);
