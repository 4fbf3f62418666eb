import type { Schemas } from "@fleetgate/sdk";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { z } from "zod";
import { api, endpointExists, ok, requestJson } from "../api/client";
import { Confirm } from "../ui/confirm";
import { ErrorState } from "../ui/states";

type Detail = Schemas["JobDetail"];

/** Host states worth another attempt. */
const RETRYABLE = new Set(["failed", "timed_out", "offline_expired"]);
/** Job kinds POST /jobs/{id}/rollback can undo (exact previous package versions). */
const ROLLBACK_KINDS = new Set(["patch_apply"]);

/** The hosts of a finished job that did not succeed (retry targets). */
export function failedHosts(hosts: Detail["hosts"]): string[] {
  return hosts.filter((h) => RETRYABLE.has(h.status)).map((h) => h.host_id);
}

const RollbackCreated = z.object({ id: z.string(), parent_job_id: z.string().optional(), message: z.string() });

/**
 * Cancel lives in the page head; these are the actions of a finished job: run the same script
 * again on the hosts that failed, and roll a patch job back (when the server offers rollback).
 */
export function JobActions({ detail }: { detail: Detail }) {
  const navigate = useNavigate();
  const { job, hosts } = detail;
  const [retryOpen, setRetryOpen] = useState(false);
  const [rollbackOpen, setRollbackOpen] = useState(false);
  const failed = failedHosts(hosts);
  const canRetry = job.kind === "script" && job.script !== null && failed.length > 0;
  const hasRollback = useQuery({
    queryKey: ["probe", "jobs-rollback"],
    queryFn: () => endpointExists(/^\/jobs\/\{[^}]+\}\/rollback$/),
    staleTime: Number.POSITIVE_INFINITY,
    enabled: ROLLBACK_KINDS.has(job.kind),
  });
  const canRollback = ROLLBACK_KINDS.has(job.kind) && hasRollback.data === true;

  const retry = useMutation({
    mutationFn: () => {
      const opt = job.options;
      const num = (k: string) => (typeof opt[k] === "number" ? (opt[k] as number) : undefined);
      return ok(
        api.POST("/jobs", {
          body: {
            kind: "script",
            script: job.script ?? "",
            args: job.args,
            host_ids: failed,
            ...(num("max_parallel") !== undefined ? { max_parallel: num("max_parallel") } : {}),
            ...(num("timeout_seconds") !== undefined ? { timeout_seconds: num("timeout_seconds") } : {}),
            notes: `Retry of ${job.reqid} on ${failed.length} failed host(s)`,
          },
        }),
      );
    },
    onSuccess: (created) => {
      setRetryOpen(false);
      void navigate({ to: "/jobs/$jobId", params: { jobId: created.id } });
    },
    onError: () => setRetryOpen(false),
  });
  const rollback = useMutation({
    mutationFn: async () =>
      RollbackCreated.parse(await requestJson(`/api/v1/jobs/${encodeURIComponent(job.id)}/rollback`, "POST")),
    onSuccess: (created) => {
      setRollbackOpen(false);
      void navigate({ to: "/jobs/$jobId", params: { jobId: created.id } });
    },
    onError: () => setRollbackOpen(false),
  });

  if (!canRetry && !canRollback) return null;
  return (
    <section className="toolbar" aria-label="Job actions">
      {canRetry && (
        <button type="button" onClick={() => setRetryOpen(true)}>
          Retry {failed.length} failed host(s)
        </button>
      )}
      {canRollback && (
        <button type="button" className="danger" onClick={() => setRollbackOpen(true)}>
          Roll back
        </button>
      )}
      {retry.isError && <ErrorState error={retry.error} />}
      {rollback.isError && <ErrorState error={rollback.error} />}
      <Confirm
        open={retryOpen}
        onOpenChange={setRetryOpen}
        title={`Run ${job.script ?? ""} again on ${failed.length} host(s)?`}
        description="A new job with the same script and arguments, on the hosts that failed, timed out or stayed offline."
        action="Retry"
        busy={retry.isPending}
        onConfirm={() => retry.mutate()}
      />
      <Confirm
        open={rollbackOpen}
        onOpenChange={setRollbackOpen}
        title="Roll this patch job back?"
        description="A rollback job reinstalls the exact package versions the hosts had before."
        action="Roll back"
        busy={rollback.isPending}
        onConfirm={() => rollback.mutate()}
      />
    </section>
  );
}
