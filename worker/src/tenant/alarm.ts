// The tenant object's one alarm: runs every due timer through the handler of its kind, then
// re-arms for the earliest timer left. Expiry and reminders are synchronous and run first;
// webhook attempts are started, not awaited, so a bot's slow endpoint never holds the alarm
// (and with it the next expiry, reminder or D1 flush); each attempt re-arms when it ends.
import { sendDue, type ChannelSending } from "./channel-outbox";
import type { TenantCore } from "./core";
import { housekeep } from "./housekeeping";
import { expire, remind } from "./lifecycle";
import { noReply, offlineGraceEnded } from "./reassign";
import { sendReminderEmails, type MailSettings } from "./reminder-emails";
import { sweepRetention } from "./retention";
import type { TimerKind } from "./timers";
import type { DeliveryOutcome } from "./webhooks";

/** How long a timer is held while its (async) work runs; if the object dies, it runs again. */
const LEASE_MS = 60_000;

export interface AlarmHost {
  readonly core: TenantCore;
  readonly db: D1Database;
  readonly mail: MailSettings;
  readonly sending: ChannelSending;
  /** Arms the alarm for the earliest timer. */
  schedule(): Promise<void>;
  /** Runs one step as a transaction; a failure is rolled back and logged, and the others go on. */
  step(what: string, work: (now: number) => void): void;
  /** Ends a session and closes its sockets. */
  endSession(sessionId: string): void;
}

interface TimerHandler {
  /**
   * null: the timer is cleared before the handler runs (synchronous work whose handler checks
   * state first). A number: the timer is held that long while the work runs, then the work sets
   * or clears it; if the object dies meanwhile, the work runs again.
   */
  leaseMs: number | null;
  /** Runs the due timers of its kind; what it returns, the alarm awaits. */
  run(runner: AlarmRunner, refs: string[], now: number): void | Promise<void>;
}

/** One entry per timer kind, run in this order. */
const HANDLERS: { readonly [K in TimerKind]: TimerHandler } = {
  expire: {
    leaseMs: null,
    run: (r, refs, now) =>
      refs.forEach((id) => r.host.step(`expire ${id}`, () => expire(r.host.core, id, now))),
  },
  remind: {
    leaseMs: null,
    run: (r, refs, now) =>
      refs.forEach((id) => r.host.step(`remind ${id}`, () => remind(r.host.core, id, now))),
  },
  // Back to the queue: a silent assignee, an agent gone past their grace.
  noreply: {
    leaseMs: null,
    run: (r, refs, now) =>
      refs.forEach((id) => r.host.step(`no reply ${id}`, () => noReply(r.host.core, id, now))),
  },
  offline: {
    leaseMs: null,
    run: (r, refs, now) =>
      refs.forEach((id) =>
        r.host.step(`offline ${id}`, () => offlineGraceEnded(r.host.core, id, now)),
      ),
  },
  session: { leaseMs: null, run: (r, refs) => refs.forEach((id) => r.host.endSession(id)) },
  webhook: { leaseMs: LEASE_MS, run: (r, refs) => r.inBackground(deliverWebhooks(r, refs)) },
  // Texts to channel contacts, per conversation (ref), in order.
  send: {
    leaseMs: LEASE_MS,
    run: (r, refs) =>
      r.inBackground(sendDue(r.host.core, r.host.sending, refs, () => r.host.schedule())),
  },
  email: { leaseMs: LEASE_MS, run: (r, refs) => r.inBackground(sendReminderEmails(r.host, refs)) },
  mirror: { leaseMs: LEASE_MS, run: (r) => flushMirror(r.host) },
  retention: {
    leaseMs: LEASE_MS,
    run: (r, _refs, now) => sweepRetention(r.host.core, r.host.db, now),
  },
  // Closed handoffs leave the object after 3 days, or sooner under a shorter retention.
  housekeeping: {
    leaseMs: null,
    run: (r) =>
      void r.host.step(
        "housekeeping",
        (at) =>
          void housekeep(r.host.core, at, {
            keepClosedDays: r.host.core.settings.settings.retention_days,
          }),
      ),
  },
};

const isTimerKind = (kind: string): kind is TimerKind => kind in HANDLERS;

export class AlarmRunner {
  /** Alarm runs in progress and the work they left running. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(readonly host: AlarmHost) {}

  async run(now: number): Promise<void> {
    const run = this.runDue(now);
    this.track(run);
    await run;
  }

  /** Keeps work running after the alarm returns; a failure is logged, its timer's lease retries it. */
  inBackground(work: Promise<void>): void {
    this.track(work.catch((error: unknown) => console.error("Timer work failed:", error)));
  }

  /** Resolves once every alarm run and the background work started so far (or by it) has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** A timer kind's work failed unexpectedly: logged with the tenant; its lease brings it back. */
  private failed(kind: TimerKind, error: unknown): void {
    console.error(`Tenant ${this.host.core.tenant()?.id ?? "?"}: timer ${kind} failed:`, error);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.finally(() => this.running.delete(tracked));
    tracked.catch(() => undefined); // Whoever started the work sees its error.
    this.running.add(tracked);
  }

  private async runDue(now: number): Promise<void> {
    const due = new Map<string, string[]>();
    for (const timer of this.host.core.timers.due(now))
      due.set(timer.kind, [...(due.get(timer.kind) ?? []), timer.ref]);
    const awaited: Promise<void>[] = [];
    for (const kind of Object.keys(HANDLERS).filter(isTimerKind)) {
      const handler = HANDLERS[kind];
      const refs = due.get(kind);
      due.delete(kind);
      if (!refs) continue;
      for (const ref of refs) {
        if (handler.leaseMs === null) this.host.core.timers.clear(kind, ref);
        else this.host.core.timers.set(kind, ref, now + handler.leaseMs);
      }
      try {
        const work = handler.run(this, refs, now);
        if (work) awaited.push(work.catch((error: unknown) => this.failed(kind, error)));
      } catch (error) {
        this.failed(kind, error);
      }
    }
    for (const [kind, refs] of due) {
      // Written by a newer version of this code and read by an older one: keep, check back later.
      console.warn(`No handler for timer kind ${kind}; postponed`);
      for (const ref of refs)
        this.host.core.sql.run(
          `UPDATE timers SET due_at = ? WHERE kind = ? AND ref = ?`,
          now + LEASE_MS,
          kind,
          ref,
        );
    }
    await Promise.all(awaited);
    await this.host.schedule();
  }
}

async function deliverWebhooks(runner: AlarmRunner, ids: string[]): Promise<void> {
  const { core } = runner.host;
  await core.outbox.deliver(
    ids,
    (id) => core.bot(id),
    async (outcome: DeliveryOutcome) => {
      if (outcome.messageId && outcome.delivery) {
        const now = Date.now();
        const message = core.setDelivery(outcome.messageId, outcome.delivery, now);
        if (message) core.emit({ type: "message.updated", data: { message } }, now);
      }
      await runner.host.schedule();
    },
  );
}

async function flushMirror(host: AlarmHost): Promise<void> {
  const tenant = host.core.tenant();
  if (!tenant) return host.core.timers.clear("mirror", "");
  await host.core.mirror.flush(host.db, tenant.id);
}
