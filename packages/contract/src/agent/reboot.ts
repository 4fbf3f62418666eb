import { z } from "zod";

/**
 * Reboots (docs/patching.md "Reboots"). A `reboot` job runs this built-in on each host
 * (`args` = [job id]); a `patch_apply` job with `allow_reboot` carries ALLOW_REBOOT_ARG and
 * reboots after a successful apply when the host then requires it. Before its reboot command
 * runs, the agent records what it expects (command, boot id, kernel) on disk and sends
 * `rebooting`; it reboots only once the server answered `reboot_confirmed` (the JobRun stored
 * the host as `rebooting`). After the boot its result's stdout carries `reboot` (RebootOutcome)
 * with the new boot id and kernel; the server completes the host only when the boot id changed.
 */
export const REBOOT_COMMAND = "fleetgate-reboot";

/** An argument of an apply command (after the job id): reboot after the apply when the host requires it. */
export const ALLOW_REBOOT_ARG = "--allow-reboot";

/** Linux boot ids (`/proc/sys/kernel/random/boot_id`) are UUIDs; anything up to 64 printable characters is accepted. */
export const BootId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/);

/** The boot the agent runs in: boot id, kernel (`uname -r`), when it booted (epoch ms). */
export const BootInfo = z.object({
  boot_id: BootId,
  kernel: z.string().min(1).max(255),
  booted_at: z.number().int().min(0),
});
export type BootInfo = z.infer<typeof BootInfo>;

/** What a reboot did: the boot before and after (`rebooted` false: the agent came back in the same boot). */
export const RebootOutcome = z.object({
  rebooted: z.boolean(),
  boot_id_before: BootId,
  kernel_before: z.string().max(255),
  boot_id: BootId,
  kernel: z.string().max(255),
  booted_at: z.number().int().min(0),
  requested_at: z.number().int().min(0),
});
export type RebootOutcome = z.infer<typeof RebootOutcome>;

/** The stdout of a `fleetgate-reboot` run (and the `reboot` field an apply report gains when it rebooted). */
export const RebootReport = z.object({
  ok: z.boolean(),
  error: z.string().max(4096).nullable(),
  reboot: RebootOutcome.nullable(),
});
export type RebootReport = z.infer<typeof RebootReport>;

/** agent → server: the agent is about to reboot for this command; the server stores the host as `rebooting` first. */
export const RebootingFrame = z.object({
  type: z.literal("rebooting"),
  command_id: z.string().min(1).max(64),
  boot_id: BootId,
  kernel: z.string().min(1).max(255),
});

/** server → agent: the host's `rebooting` state is stored (`confirmed` false: the job no longer runs; do not reboot). */
export const RebootConfirmedFrame = z.object({
  type: z.literal("reboot_confirmed"),
  command_id: z.string().min(1).max(64),
  confirmed: z.boolean(),
});
