export { EventHub } from "./event-hub.do";
export { HostChannel } from "./host-channel.do";
export { JobRun } from "./job-run.do";
