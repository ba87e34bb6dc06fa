import type { CommandOutcome, StationApi } from '@csms/bus';
import {
  findStation,
  reportedVariableValues,
  saveMessageLimits,
  storedMessageLimits,
  type Database,
  type DeviceVariableRef,
  type Kysely,
} from '@csms/db';
import type { OcppVersion } from '@csms/ocpp';
import type { Logger } from '@csms/telemetry';
import { allLimitDefs, limitDefsFor, type LimitDef } from './limit-catalog.js';
import {
  limitsFromConfiguration,
  limitsFromVariableResults,
  parseLimit,
  type LearnedLimit,
} from './limit-values.js';
import type { MessageLimits } from './split-items.js';

export interface StationLimitsDeps {
  readonly db: Kysely<Database>;
  readonly stations: StationApi;
  readonly logger: Logger;
}

/** A known limit: its value (null = the station gave none) and when it was learned. */
interface Known {
  readonly value: number | null;
  readonly at: Date;
}

/**
 * A station's per-message limits (2.0.1 ItemsPerMessage / BytesPerMessage, 1.6 GetConfigurationMaxKeys,
 * SendLocalListMaxLength, LocalAuthListMaxLength), so that the CSMS sends no larger requests than the
 * station takes (B06.FR.05, B05.FR.11, D01.FR.11, 1.6 §5.8 / §5.15). Learned from the station's stored
 * NotifyReport parts, from GetVariables / GetConfiguration answers that pass through the APIs
 * ({@link learnFromAnswer}), and otherwise by asking the station once ({@link limitsFor}); kept per station
 * in `station_message_limits`. A station that gives no usable value is remembered as such (logged once) and
 * gets its requests unsplit, as before the limits were learned. Nothing here throws: a failure to learn
 * means unsplit requests.
 */
export class StationLimits {
  readonly #deps: StationLimitsDeps;
  /** Asks in flight, per station and action: concurrent requests share one. */
  readonly #asking = new Map<string, Promise<readonly LearnedLimit[]>>();

  constructor(deps: StationLimitsDeps) {
    this.#deps = deps;
  }

  /**
   * The limits for sending `action` to the station. When its entries-per-message limit was never learned,
   * asks the station (one GetVariables / GetConfiguration) and stores the answer first.
   */
  async limitsFor(
    stationId: string,
    version: OcppVersion,
    action: string,
    options: { readonly timeoutMs?: number } = {},
  ): Promise<MessageLimits> {
    const defs = limitDefsFor(version, action);
    if (defs.length === 0) return {};
    try {
      const known = await this.#known(stationId, defs);
      const items = defs.find((d) => d.role === 'items');
      if (items !== undefined && !known.has(items.name)) {
        const now = new Date();
        for (const l of await this.#askOnce(stationId, version, action, defs, options))
          known.set(l.name, { value: l.value, at: now });
      }
      return limitsOf(defs, known);
    } catch (error) {
      this.#deps.logger.warn(
        { err: error, stationId, action },
        'message limits not available; sending unsplit',
      );
      return {};
    }
  }

  /**
   * Stores what a GetVariables (2.0.1) or GetConfiguration (1.6) answer says about limits; the action
   * names the version (each exists in one). Never throws.
   */
  async learnFromAnswer(stationId: string, action: string, answer: Record<string, unknown>): Promise<void> {
    let learned: LearnedLimit[];
    if (action === 'GetVariables')
      learned = limitsFromVariableResults(allLimitDefs('ocpp2.0.1'), answer.getVariableResult);
    else if (action === 'GetConfiguration')
      learned = limitsFromConfiguration(allLimitDefs('ocpp1.6'), answer);
    else return;
    if (learned.length === 0) return;
    try {
      await saveMessageLimits(
        this.#deps.db,
        stationId,
        learned.map((l) => ({ ...l, source: 'answer' as const })),
      );
    } catch (error) {
      this.#deps.logger.warn(
        { err: error, stationId, action },
        'could not store the message limits answered',
      );
    }
  }

  /**
   * Remembers that the station took `items` entries of `action` in one message after refusing more as too large
   * (a CALLERROR B06.FR.16 / B08.FR.17 / N06.FR.06 allows), so that the next requests are cut to that size without
   * being refused first. Only lowers what is known: a limit the station stated and that it keeps to stays. Ends,
   * like every learned limit, with a firmware change. Never throws.
   */
  async learnFromRefusal(
    stationId: string,
    version: OcppVersion,
    action: string,
    items: number,
  ): Promise<void> {
    const def = limitDefsFor(version, action).find((d) => d.role === 'items');
    if (def === undefined || items < 1) return;
    try {
      const current = (await this.#known(stationId, [def])).get(def.name)?.value;
      if (current !== undefined && current !== null && current <= items) return;
      await saveMessageLimits(this.#deps.db, stationId, [
        { name: def.name, value: items, source: 'refused' },
      ]);
      this.#deps.logger.info(
        { stationId, action, limit: def.name, stated: current ?? null, learned: items },
        'the station refused a larger message as too large; its requests are cut to the size it took',
      );
    } catch (error) {
      this.#deps.logger.warn({ err: error, stationId, action }, 'could not store the learned message limit');
    }
  }

  /**
   * The stored limits, and for 2.0.1 variables the stored reports' values where newer; only those learned since the
   * station's last firmware change (a new firmware may take more or less per message: it is asked again).
   */
  async #known(stationId: string, defs: readonly LimitDef[]): Promise<Map<string, Known>> {
    const { db } = this.#deps;
    const since = (await findStation(db, stationId))?.firmware_changed_at ?? undefined;
    const rows = await storedMessageLimits(
      db,
      stationId,
      defs.map((d) => d.name),
      since,
    );
    const known = new Map<string, Known>(rows.map((r) => [r.name, { value: r.value, at: r.updatedAt }]));
    const refs = defs.flatMap((d): DeviceVariableRef[] =>
      d.source.kind === 'variable'
        ? [
            {
              component: d.source.component,
              variable: d.source.variable,
              ...(d.source.instance !== undefined ? { instance: d.source.instance } : {}),
            },
          ]
        : [],
    );
    for (const reported of await reportedVariableValues(db, stationId, refs, since)) {
      const def = defs.find(
        (d) =>
          d.source.kind === 'variable' &&
          d.source.component === reported.ref.component &&
          d.source.variable === reported.ref.variable &&
          d.source.instance === reported.ref.instance,
      );
      const current = def && known.get(def.name);
      if (def && (current === undefined || current.at < reported.reportedAt))
        known.set(def.name, { value: parseLimit(reported.value), at: reported.reportedAt });
    }
    return known;
  }

  #askOnce(
    stationId: string,
    version: OcppVersion,
    action: string,
    defs: readonly LimitDef[],
    options: { readonly timeoutMs?: number },
  ): Promise<readonly LearnedLimit[]> {
    const key = `${stationId}\u0000${action}`;
    const pending = this.#asking.get(key);
    if (pending) return pending;
    const asking = this.#ask(stationId, version, defs, options).finally(() => this.#asking.delete(key));
    this.#asking.set(key, asking);
    return asking;
  }

  /**
   * Asks the station for the limits and stores the answer, also when it has no usable value (null: not asked
   * again, logged here once). Not stored when the station could not answer (offline, timeout, refused).
   */
  async #ask(
    stationId: string,
    version: OcppVersion,
    defs: readonly LimitDef[],
    options: { readonly timeoutMs?: number },
  ): Promise<readonly LearnedLimit[]> {
    const { action, payload } = limitQuery(version, defs);
    const outcome = await this.#deps.stations.call(stationId, action, payload, {
      ocppVersion: version,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const learned = learnedFromOutcome(defs, action, outcome);
    const names = defs.map((d) => d.name);
    if (learned === undefined) {
      this.#deps.logger.info(
        { stationId, limits: names, outcome: outcome.status },
        'could not ask the station for its message limits; sending unsplit',
      );
      return [];
    }
    await saveMessageLimits(
      this.#deps.db,
      stationId,
      learned.map((l) => ({ ...l, source: 'asked' as const })),
    );
    const missing = learned.filter((l) => l.value === null).map((l) => l.name);
    if (missing.length > 0)
      this.#deps.logger.info(
        { stationId, limits: missing, outcome: outcome.status },
        'the station gave no usable message limit; its requests are sent unsplit (not asked again)',
      );
    return learned;
  }
}

/** The GetConfiguration (1.6) or GetVariables (2.0.1) request asking for `defs`. */
function limitQuery(
  version: OcppVersion,
  defs: readonly LimitDef[],
): { action: string; payload: Record<string, unknown> } {
  if (version === 'ocpp1.6')
    return {
      action: 'GetConfiguration',
      payload: { key: defs.flatMap((d) => (d.source.kind === 'key' ? [d.source.key] : [])) },
    };
  const getVariableData = defs.flatMap((d) =>
    d.source.kind === 'variable'
      ? [
          {
            component: { name: d.source.component },
            variable: {
              name: d.source.variable,
              ...(d.source.instance !== undefined ? { instance: d.source.instance } : {}),
            },
          },
        ]
      : [],
  );
  return { action: 'GetVariables', payload: { getVariableData } };
}

/**
 * Every asked limit with its value (null when the answer lacks it or the station answered the question with a
 * CALLERROR: it will not tell); undefined when the station did not answer (not to be remembered).
 */
function learnedFromOutcome(
  defs: readonly LimitDef[],
  action: string,
  outcome: CommandOutcome,
): LearnedLimit[] | undefined {
  if (outcome.status === 'call-error' || outcome.status === 'invalid-response')
    return defs.map((d) => ({ name: d.name, value: null }));
  if (outcome.status !== 'result') return undefined;
  const answered =
    action === 'GetConfiguration'
      ? limitsFromConfiguration(defs, outcome.payload)
      : limitsFromVariableResults(defs, outcome.payload.getVariableResult);
  return defs.map((d) => ({ name: d.name, value: answered.find((l) => l.name === d.name)?.value ?? null }));
}

function limitsOf(defs: readonly LimitDef[], known: ReadonlyMap<string, Known>): MessageLimits {
  const limits: { items?: number; bytes?: number; listEntries?: number } = {};
  for (const def of defs) {
    const value = known.get(def.name)?.value;
    if (value !== undefined && value !== null) limits[def.role] = value;
  }
  return limits;
}
