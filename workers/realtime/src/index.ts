export { AuditSequencer, type SealReport } from "./audit-sequencer/audit-sequencer.do";
export { ALL_JOBS, ALL_JOBS_REDACTED, EventHub } from "./event-hub.do";
export { type ChannelStatus, HostChannel, type PingOutcome } from "./host-channel/host-channel.do";
export { type HostProgress, type JobProgress, JobRun } from "./job-run/job-run.do";
