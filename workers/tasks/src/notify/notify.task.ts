import { DomainError, deliverNotification, NOTIFY_TASK, NotifyParams, SmtpError } from "@fleetgate/domain";
import { PermanentTaskError, registerTask } from "../registry";

/**
 * Sends one notification email (queued by `notify` in the domain). A refusal
 * by the server (5xx: bad credentials, rejected recipient) or settings that
 * cannot work fail the task at once; a timeout, a dropped connection or a
 * temporary refusal (4xx) is retried by the consumer with backoff, then
 * dead-lettered.
 */
registerTask({
  name: NOTIFY_TASK,
  params: NotifyParams,
  async run({ domain }, params) {
    try {
      const res = await deliverNotification(domain, params);
      return {
        result: { event: params.event.type, sent: res.sent, recipients: res.recipients },
        fileKey: null,
        headers: null,
        stats: { recipients: res.recipients },
      };
    } catch (err) {
      if (err instanceof DomainError) throw new PermanentTaskError(err.message);
      if (err instanceof SmtpError && err.replyCode !== undefined && err.replyCode >= 500)
        throw new PermanentTaskError(err.message);
      throw err;
    }
  },
});
