import { recordMs, type ActionMetrics } from './metrics.js';
import type {
  Connector,
  MessageKind,
  MeterSample,
  Outgoing,
  SimulatedVersion,
  Transaction,
} from './model.js';
import type { Protocol, StationSettings } from './protocol.js';
import type { StationContext } from './station-context.js';
import type { TimeoutTarget } from './timeout-sweeper.js';

const MAX_QUEUED_MESSAGES = 64;
const MAX_RETRY_WAIT_MS = 60_000;

/** What the exchange needs from its station. */
export interface ExchangeHost {
  readonly version: SimulatedVersion;
  readonly ctx: StationContext;
  readonly protocol: Protocol;
  readonly settings: StationSettings;
  readonly maxQueuedTransactionMessages: number;
  isOpen(): boolean;
  isAccepted(): boolean;
  /** Writes a frame to the socket; false when there is none. */
  send(text: string): boolean;
  /** A CALLRESULT for `entry` (already removed from the queues). */
  acknowledged(entry: Outgoing, payload: Record<string, unknown>): void;
  /** Bookkeeping for a non-transaction message that will not be answered. */
  notDelivered(entry: Outgoing): void;
}

/** A non-transaction CALL to queue. */
export function callEntry(
  kind: MessageKind,
  action: string,
  payload: Record<string, unknown> | undefined,
  connector: Connector | undefined,
  beforeAccepted: boolean,
  detail?: string,
): Outgoing {
  return {
    kind,
    action,
    payload,
    messageId: undefined,
    transactional: false,
    beforeAccepted,
    attempts: 0,
    sentAt: 0,
    connector,
    tx: undefined,
    meter: undefined,
    seqNo: 0,
    offline: false,
    detail,
  };
}

/**
 * The station's side of the OCPP-J CALL exchange: one CALL in flight at a time (OCPP-J), a queue of
 * non-transaction messages and an ordered queue of transaction messages (1.6 §3.7: Start/StopTransaction
 * and periodic MeterValues; 2.0.1: TransactionEvent). After a timeout or a CALLERROR transaction messages
 * are retried with the same message id and payload after a growing wait (1.6 §3.7.1, 2.0.1 E13.FR.03);
 * when the socket drops they are sent again once reconnected; after `transactionMessageAttempts`
 * transmissions they are dropped. Other messages may overtake that queue (1.6 §3.7) and are dropped on
 * timeout, CALLERROR or disconnection.
 */
export class CallExchange implements TimeoutTarget {
  /** Non-transaction CALLs waiting (few: heartbeat, statuses, Authorize, requested messages). */
  readonly #queue: Outgoing[] = [];
  /** Transaction messages in order; the head stays here while in flight or waiting for its retry. */
  readonly #txQueue: Outgoing[] = [];
  #inflight: Outgoing | undefined;
  #deadline = 0;
  #txRetryTimer: NodeJS.Timeout | undefined;
  #messageCounter = 0;
  readonly #idleWaiters: (() => void)[] = [];

  constructor(private readonly host: ExchangeHost) {}

  /** Queues a non-transaction CALL; offline it is dropped (such messages are not kept, 1.6 §3.7). */
  enqueue(entry: Outgoing): void {
    if (!this.host.isOpen() || this.#queue.length >= MAX_QUEUED_MESSAGES) {
      this.host.ctx.metrics.droppedMessages++;
      this.host.notDelivered(entry);
      return;
    }
    this.#queue.push(entry);
    this.pump();
  }

  /** Queues a CALL before anything else that is waiting (BootNotification). */
  enqueueFirst(entry: Outgoing): void {
    this.#queue.unshift(entry);
    this.pump();
  }

  enqueueTransactional(
    kind: 'start' | 'meter' | 'stop',
    tx: Transaction,
    meter: MeterSample,
    seqNo: number,
    detail: string | undefined,
  ): void {
    const { protocol } = this.host;
    const action =
      kind === 'start' ? protocol.startAction : kind === 'meter' ? protocol.meterAction : protocol.stopAction;
    const entry: Outgoing = {
      ...callEntry(kind, action, undefined, tx.connector, false, detail),
      transactional: true,
      tx,
      meter,
      seqNo,
      offline: !this.host.isOpen(),
    };
    if (this.#txQueue.length >= this.host.maxQueuedTransactionMessages) {
      // Memory stays bounded during a long outage; the loss is visible in the ledger and the stats.
      this.host.ctx.metrics.droppedTransactionMessages++;
      tx.record.droppedMessages++;
      if (kind === 'start') tx.abandoned = true;
      return;
    }
    tx.record.pendingMessages++;
    this.#txQueue.push(entry);
    this.pump();
  }

  /** Transaction messages not yet acknowledged (of the transaction with this id, or of any). */
  hasPendingTransactionMessages(transactionId?: string): boolean {
    if (transactionId === undefined) return this.#txQueue.length > 0;
    return this.#txQueue.some((e) => e.tx?.record.transactionId === transactionId);
  }

  /** Sends the next CALL if none is in flight. */
  pump(): void {
    if (this.#inflight !== undefined || !this.host.isOpen()) return;
    const accepted = this.host.isAccepted();
    // Non-transaction messages first: 1.6 §3.7 lets them overtake queued transaction messages "so that
    // customers are not kept waiting". Before Accepted only BootNotification and requested messages go.
    if (this.#queue.length > 0) {
      const i = accepted ? 0 : this.#queue.findIndex((e) => e.beforeAccepted);
      if (i >= 0) {
        const [entry] = this.#queue.splice(i, 1);
        if (entry !== undefined) {
          this.#transmit(entry);
          return;
        }
      }
    }
    if (accepted && this.#txRetryTimer === undefined) {
      while (this.#txQueue.length > 0) {
        const head = this.#txQueue[0];
        if (head === undefined) break;
        if (head.payload === undefined) {
          const payload = head.tx?.abandoned ? undefined : this.host.protocol.transactionPayload(head);
          if (payload === undefined) {
            this.#dropTransactional(head);
            continue;
          }
          head.payload = payload;
        }
        this.#transmit(head);
        return;
      }
    }
    if (this.#txQueue.length === 0 && this.#queue.length === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Timeout check, called by the fleet's sweeper while a CALL is in flight. */
  checkTimeout(now: number): void {
    const entry = this.#inflight;
    if (entry === undefined) {
      this.host.ctx.timeouts.delete(this);
      return;
    }
    if (now < this.#deadline) return;
    this.#inflight = undefined;
    this.host.ctx.timeouts.delete(this);
    this.#metricsOf(entry.action).timeouts++;
    this.#failed(entry, 'timeout');
    this.pump();
  }

  onCallResult(id: string, payload: Record<string, unknown>): void {
    const entry = this.#inflight;
    if (entry !== undefined && entry.messageId === id) {
      this.#answered(entry);
      this.#acknowledged(entry, payload);
    } else {
      const head = this.#txQueue[0];
      if (head !== undefined && head !== entry && head.messageId === id) {
        // A late answer to a transaction message waiting for its retry: the retry would carry the same
        // id and payload, so this answer acknowledges it.
        if (this.#txRetryTimer !== undefined) clearTimeout(this.#txRetryTimer);
        this.#txRetryTimer = undefined;
        this.#acknowledged(head, payload);
      } else {
        this.host.ctx.metrics.lateResponses++;
        return;
      }
    }
    this.pump();
  }

  onCallError(id: string, code: unknown): void {
    const entry = this.#inflight;
    if (entry === undefined || entry.messageId !== id) {
      this.host.ctx.metrics.lateResponses++;
      return;
    }
    this.#answered(entry);
    this.host.ctx.metrics.callError(typeof code === 'string' ? code : 'invalid');
    this.#metricsOf(entry.action).errors++;
    this.#failed(entry, 'error');
    this.pump();
  }

  /** The socket closed: the CALL in flight failed; heartbeats, statuses and Authorize requests are stale. */
  disconnected(): void {
    const entry = this.#inflight;
    if (entry !== undefined) {
      this.#inflight = undefined;
      this.host.ctx.timeouts.delete(this);
      this.#failed(entry, 'closed');
    }
    // Stale by the next connection: not kept.
    if (this.#queue.length > 0) {
      for (const e of this.#queue.splice(0)) {
        this.host.ctx.metrics.droppedMessages++;
        this.host.notDelivered(e);
      }
    }
  }

  /** Resolves when nothing is queued or in flight, or after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.#txQueue.length === 0 && this.#queue.length === 0 && this.#inflight === undefined) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.#idleWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** The station stops: whatever is still queued will never be delivered; it is counted. */
  discard(): void {
    if (this.#txRetryTimer !== undefined) clearTimeout(this.#txRetryTimer);
    this.#txRetryTimer = undefined;
    for (const entry of this.#txQueue.splice(0)) {
      this.host.ctx.metrics.droppedTransactionMessages++;
      if (entry.tx !== undefined) {
        entry.tx.record.droppedMessages++;
        entry.tx.record.pendingMessages--;
      }
    }
    this.#inflight = undefined;
    this.host.ctx.timeouts.delete(this);
  }

  #transmit(entry: Outgoing): void {
    const { ctx, version } = this.host;
    entry.messageId ??= this.#nextMessageId();
    // Built by concatenation: the id and action are plain ASCII of our own, only the payload needs JSON.
    const text = `[2,"${entry.messageId}","${entry.action}",${JSON.stringify(entry.payload ?? {})}]`;
    entry.attempts++;
    const now = performance.now();
    entry.sentAt = now;
    this.#inflight = entry;
    this.#deadline = now + this.host.settings.callTimeoutMs;
    ctx.timeouts.add(this);
    const metrics = ctx.metrics;
    this.#metricsOf(entry.action).sent++;
    metrics.sent++;
    if (entry.attempts > 1) metrics.retried++;
    else if (entry.kind === 'start' && entry.tx?.remoteReceivedAt !== undefined) {
      recordMs(metrics.remoteStart[version], now - entry.tx.remoteReceivedAt);
    }
    this.host.send(text);
  }

  #nextMessageId(): string {
    this.#messageCounter++;
    return `${this.host.ctx.runTag}${this.#messageCounter.toString(36)}`;
  }

  #metricsOf(action: string): ActionMetrics {
    return this.host.ctx.metrics.action(this.host.version, action);
  }

  /** The in-flight CALL got an answer: record its response time. */
  #answered(entry: Outgoing): void {
    this.#inflight = undefined;
    this.host.ctx.timeouts.delete(this);
    recordMs(this.#metricsOf(entry.action).histogram, performance.now() - entry.sentAt);
  }

  #acknowledged(entry: Outgoing, payload: Record<string, unknown>): void {
    if (entry.transactional) {
      const i = this.#txQueue.indexOf(entry);
      if (i >= 0) this.#txQueue.splice(i, 1);
    }
    this.host.acknowledged(entry, payload);
  }

  /** A CALL failed: retried later (transaction messages) or dropped. */
  #failed(entry: Outgoing, why: 'error' | 'timeout' | 'closed'): void {
    if (!entry.transactional) {
      this.host.ctx.metrics.droppedMessages++;
      this.host.notDelivered(entry);
      return;
    }
    if (entry.attempts >= this.host.settings.transactionMessageAttempts) {
      this.#dropTransactional(entry);
      return;
    }
    // After a drop the message goes again as soon as the socket is back; after a failure to process
    // (CALLERROR, no answer) it waits RetryInterval × transmissions so far (1.6 §3.7.1, 2.0.1 E13.FR.03).
    if (why === 'closed') return;
    const wait = Math.min(
      MAX_RETRY_WAIT_MS,
      this.host.settings.transactionMessageRetryIntervalMs * entry.attempts,
    );
    this.#txRetryTimer = setTimeout(() => {
      this.#txRetryTimer = undefined;
      this.pump();
    }, wait);
  }

  #dropTransactional(entry: Outgoing): void {
    const i = this.#txQueue.indexOf(entry);
    if (i >= 0) this.#txQueue.splice(i, 1);
    this.host.ctx.metrics.droppedTransactionMessages++;
    const tx = entry.tx;
    if (tx === undefined) return;
    tx.record.droppedMessages++;
    tx.record.pendingMessages--;
    // 1.6: without StartTransaction.conf the transactionId is unknown; its other messages cannot be sent.
    if (entry.kind === 'start' && this.host.version === 'ocpp1.6') tx.abandoned = true;
  }
}
