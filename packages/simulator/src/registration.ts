import { callEntry, type CallExchange } from './call-exchange.js';
import type { Outgoing } from './model.js';
import {
  bootResult,
  type BootReason,
  type Protocol,
  type StationControl,
  type StationSettings,
} from './protocol.js';
import type { StationContext } from './station-context.js';
import type { ReconnectConfig } from './station-options.js';

type RegistrationStatus = 'none' | 'Pending' | 'Rejected' | 'Accepted';

/** What the registration needs from its station. */
export interface RegistrationHost {
  readonly ctx: StationContext;
  readonly protocol: Protocol;
  readonly settings: StationSettings;
  readonly config: ReconnectConfig;
  readonly exchange: CallExchange;
  /** The station as the protocol sees it (the BootNotification payload). */
  readonly control: StationControl;
  isOpen(): boolean;
  isStopping(): boolean;
  /** BootNotification was answered Accepted: report statuses, start the transaction cycle. */
  accepted(): void;
}

/**
 * A station's registration with the CSMS: BootNotification (at start, after a Reset, when triggered, and
 * again after `interval` while Pending or Rejected: 1.6 §4.2, 2.0.1 B02.FR.01 / B03.FR.01) and the
 * heartbeat timer that runs while it is Accepted.
 */
export class Registration {
  #status: RegistrationStatus = 'none';
  #needsBoot = true;
  #bootReason: BootReason = 'PowerUp';
  #bootQueued = false;
  #bootTimer: NodeJS.Timeout | undefined;
  #bootFailures = 0;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #heartbeatPending = false;
  readonly #bootWaiters: (() => void)[] = [];

  constructor(private readonly host: RegistrationHost) {}

  /** The last BootNotification was Accepted. */
  get accepted(): boolean {
    return this.#status === 'Accepted';
  }

  /** The socket opened: boot unless already registered (a reconnect is not a reboot). */
  connected(): void {
    if (this.#needsBoot && this.#bootTimer === undefined) this.queueBoot();
  }

  /** Forgets the registration: the next connection boots again with `reason`. */
  requireBoot(reason?: BootReason): void {
    this.#setStatus('none');
    this.#needsBoot = true;
    if (reason !== undefined) this.#bootReason = reason;
  }

  /** TriggerMessage(BootNotification): boot now with reason Triggered (allowed while Pending). */
  trigger(): void {
    this.#bootReason = 'Triggered';
    this.#needsBoot = true;
    this.queueBoot();
  }

  queueBoot(): void {
    if (this.#bootQueued || !this.host.isOpen()) return;
    if (this.#bootTimer !== undefined) {
      clearTimeout(this.#bootTimer);
      this.#bootTimer = undefined;
    }
    this.#bootQueued = true;
    const payload = this.host.protocol.bootPayload(this.host.control, this.#bootReason);
    // Before anything else that is waiting: nothing else may be sent until it is Accepted.
    this.host.exchange.enqueueFirst(callEntry('boot', 'BootNotification', payload, undefined, true));
  }

  onBootAnswer(payload: Record<string, unknown>): void {
    this.#bootQueued = false;
    const { status, interval } = bootResult(payload);
    if (status === 'Accepted') {
      this.#bootFailures = 0;
      this.#needsBoot = false;
      this.#bootReason = 'PowerUp';
      this.#setStatus('Accepted');
      this.host.settings.heartbeatIntervalSec = this.host.config.heartbeatOverride ?? interval;
      this.scheduleHeartbeat(true);
      this.host.accepted();
      for (const resolve of this.#bootWaiters.splice(0)) resolve();
      return;
    }
    // Pending / Rejected: boot again after `interval`.
    this.host.ctx.metrics.bootsNotAccepted++;
    this.#setStatus(status === 'Pending' ? 'Pending' : 'Rejected');
    this.#armBootTimer(Math.max(1, interval) * 1000);
  }

  /** No answer to the BootNotification (timeout, CALLERROR, socket closed). */
  bootNotDelivered(): void {
    this.#bootQueued = false;
    // Boot again after a growing wait, or at reconnect.
    if (!this.host.isOpen()) return;
    this.#bootFailures++;
    const { reconnectMinMs, reconnectMaxMs } = this.host.config;
    this.#armBootTimer(Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.#bootFailures, 10)));
  }

  /** Resolves true once Accepted, false after `timeoutMs` or when the station stops. */
  whenAccepted(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.#bootWaiters.indexOf(done);
        if (i >= 0) this.#bootWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.accepted);
      };
      this.#bootWaiters.push(done);
    });
  }

  scheduleHeartbeat(firstJittered: boolean): void {
    this.#clearHeartbeat();
    const intervalMs = this.host.settings.heartbeatIntervalSec * 1000;
    if (intervalMs <= 0 || this.host.isStopping()) return;
    // The first heartbeat at a random point of the interval: a fleet booted at once would otherwise
    // heartbeat in lockstep forever.
    const first = firstJittered ? Math.random() * intervalMs : intervalMs;
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeatTimer = setInterval(() => this.#heartbeat(), intervalMs);
      this.#heartbeat();
    }, first);
  }

  /** The Heartbeat was answered or will not be: the next one may go. */
  heartbeatDone(): void {
    this.#heartbeatPending = false;
  }

  /** Whether `entry` is this registration's and was handled as not delivered. */
  notDelivered(entry: Outgoing): boolean {
    if (entry.kind === 'boot') this.bootNotDelivered();
    else if (entry.kind === 'heartbeat') this.heartbeatDone();
    else return false;
    return true;
  }

  /** The station stops: no more boots or heartbeats; whoever waits for Accepted is answered. */
  stop(): void {
    if (this.#bootTimer !== undefined) clearTimeout(this.#bootTimer);
    this.#bootTimer = undefined;
    this.#clearHeartbeat();
    for (const resolve of this.#bootWaiters.splice(0)) resolve();
  }

  #heartbeat(): void {
    if (!this.host.isOpen() || !this.accepted || this.#heartbeatPending) return;
    this.#heartbeatPending = true;
    this.host.exchange.enqueue(callEntry('heartbeat', 'Heartbeat', {}, undefined, false));
  }

  #armBootTimer(delayMs: number): void {
    if (this.#bootTimer !== undefined) clearTimeout(this.#bootTimer);
    this.#bootTimer = setTimeout(() => {
      this.#bootTimer = undefined;
      if (this.#needsBoot) this.queueBoot();
    }, delayMs);
  }

  #setStatus(next: RegistrationStatus): void {
    const was = this.#status === 'Accepted';
    this.#status = next;
    const is = next === 'Accepted';
    if (was !== is) this.host.ctx.metrics.booted += is ? 1 : -1;
    if (!is) this.#clearHeartbeat();
  }

  #clearHeartbeat(): void {
    // clearTimeout also clears an interval (Node timers share one handle type).
    if (this.#heartbeatTimer !== undefined) clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }
}
