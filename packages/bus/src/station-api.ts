import type { ActionsOf, OcppVersion, V16Actions, V201Actions } from '@csms/ocpp';
import type { Bus, Headers } from './bus.js';
import { RequestTimeoutError } from './errors.js';
import type { CommandOutcome, StationCommand } from './station-commands.js';
import { Subjects } from './subjects.js';

/** Actions the CSMS may send in a version (sender `csms` or `both`). */
export type CsmsAction<V extends OcppVersion> = {
  [A in keyof ActionsOf<V>]: ActionsOf<V>[A] extends { sender: 'csms' | 'both' } ? A : never;
}[keyof ActionsOf<V>] &
  string;

/** A command outcome whose CALLRESULT payload is typed by the action's response. */
export type TypedOutcome<R> =
  Exclude<CommandOutcome, { status: 'result' }> | { readonly status: 'result'; readonly payload: R };

export interface CallOptions {
  /** How long to wait for the station's answer once the CALL is sent (default: the worker's). */
  readonly timeoutMs?: number;
  /** `queue`: keep the command for an offline station and deliver it later (see {@link StationCommand}). */
  readonly whenOffline?: 'reject' | 'queue';
  /** With `whenOffline: 'queue'`: how long it may wait for the station (ms). */
  readonly queueTtlMs?: number;
  /** The OCPP version the payload is for: another version's station is refused (`version-mismatch`). */
  readonly ocppVersion?: OcppVersion;
}

export interface StationApiOptions {
  /**
   * Headers of the caller's context to send with every command, read at call time: the app passes the W3C
   * trace context of the active span (`traceHeaders` of `@csms/telemetry`), so the worker's `command <Action>`
   * span continues the trace of the gRPC or admin request that sent it. The bus package stays free of
   * OpenTelemetry.
   */
  readonly contextHeaders?: () => Headers;
}

/**
 * Sends CSMS-initiated commands to stations through their actors. Used in-process (embedded mode,
 * tests) and wrapped by the gRPC API. Every method resolves with a {@link CommandOutcome}; it rejects
 * only on a bus failure.
 */
export class StationApi {
  constructor(
    private readonly bus: Bus,
    private readonly defaults: { readonly queueWaitMs: number; readonly timeoutMs: number } = {
      queueWaitMs: 60_000,
      timeoutMs: 30_000,
    },
    private readonly options: StationApiOptions = {},
  ) {}

  /** Sends any CALL to the station and returns its answer ("send this CALL to this station"). */
  async call(
    stationId: string,
    action: string,
    payload: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<CommandOutcome> {
    const command: StationCommand = {
      action,
      payload,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.whenOffline !== undefined ? { whenOffline: options.whenOffline } : {}),
      ...(options.queueTtlMs !== undefined ? { queueTtlMs: options.queueTtlMs } : {}),
      ...(options.ocppVersion !== undefined ? { ocppVersion: options.ocppVersion } : {}),
    };
    const timeoutMs = (options.timeoutMs ?? this.defaults.timeoutMs) + this.defaults.queueWaitMs;
    try {
      const headers = this.options.contextHeaders?.();
      return await this.bus.request<CommandOutcome>(Subjects.command(stationId), command, {
        timeoutMs,
        ...(headers !== undefined ? { headers } : {}),
      });
    } catch (error) {
      // Waited for longer than the CALL timeout plus queueing: treat as a timeout, not a failure.
      if (error instanceof RequestTimeoutError) return { status: 'timeout' };
      throw error;
    }
  }

  /** Typed OCPP 1.6 command, e.g. `v16(id, 'RemoteStartTransaction', { idTag: 'TAG' })`. */
  v16<A extends CsmsAction<'ocpp1.6'>>(
    stationId: string,
    action: A,
    payload: V16Actions[A]['request'],
    options?: CallOptions,
  ): Promise<TypedOutcome<V16Actions[A]['response']>> {
    return this.call(stationId, action, payload as unknown as Record<string, unknown>, options);
  }

  /** Typed OCPP 2.0.1 command, e.g. `v201(id, 'GetVariables', { getVariableData: [...] })`. */
  v201<A extends CsmsAction<'ocpp2.0.1'>>(
    stationId: string,
    action: A,
    payload: V201Actions[A]['request'],
    options?: CallOptions,
  ): Promise<TypedOutcome<V201Actions[A]['response']>> {
    return this.call(stationId, action, payload as unknown as Record<string, unknown>, options);
  }
}
