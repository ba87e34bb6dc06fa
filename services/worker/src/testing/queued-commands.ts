import { Subjects, type CommandOutcome, type StationCommand } from '@csms/bus';
import { listStationQueuedCommands, upsertStation, type BootPolicy } from '@csms/db';
import type { OcppVersion } from '@csms/ocpp';
import type { Responder, WorkerHarness } from './worker-harness.js';

/** Tools of the queued-command tests (`whenOffline: 'queue'`), shared by their files. */

export const BOOT: Record<OcppVersion, Record<string, unknown>> = {
  'ocpp1.6': { chargePointVendor: 'VendorX', chargePointModel: 'ModelY' },
  'ocpp2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'VendorX', model: 'ModelY' } },
  'ocpp2.1': {},
};

export const GET_VARIABLES = (name: string) => ({
  getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name } }],
});

export const accepted: Responder = () => ({ type: 'result', payload: { status: 'Accepted' } });

/** Polls `check` until it returns something other than undefined / false. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function commandId(outcome: CommandOutcome): string {
  if (outcome.status !== 'queued') throw new Error(`expected queued, got ${JSON.stringify(outcome)}`);
  return outcome.commandId;
}

/** Helpers over the file's harness (read when called: the harness starts in `beforeAll`). */
export function queuedCommandTools(harness: () => WorkerHarness) {
  /** A registered station that connected and booted (with its boot policy), then went offline. */
  async function seenOffline(
    id: string,
    version: OcppVersion,
    policy: BootPolicy | null = null,
  ): Promise<void> {
    const h = harness();
    await upsertStation(h.database.db, { id, securityProfile: 0, bootPolicy: policy });
    const station = await h.connect(id, version);
    const boot = await station.ok<{ status: string }>('BootNotification', BOOT[version]);
    if (boot.status !== (policy ?? 'Accepted')) throw new Error(`${id} booted ${boot.status}`);
    await station.disconnect();
  }

  function command(
    id: string,
    action: string,
    payload: Record<string, unknown>,
    extra: Partial<StationCommand> = {},
  ): Promise<CommandOutcome> {
    return harness().bus.request<CommandOutcome>(
      Subjects.command(id),
      { action, payload, ...extra },
      { timeoutMs: 10_000 },
    );
  }

  function queue(
    id: string,
    action: string,
    payload: Record<string, unknown>,
    extra: Partial<StationCommand> = {},
  ): Promise<CommandOutcome> {
    return command(id, action, payload, { whenOffline: 'queue', ...extra });
  }

  /** The station's commands in queue order, with the columns the tests compare. */
  async function rows(id: string) {
    const stored = await listStationQueuedCommands(harness().database.db, id);
    return stored.map(({ action, payload, ocpp_version, timeout_ms, status, outcome }) => ({
      action,
      payload,
      ocpp_version,
      timeout_ms,
      status,
      outcome,
    }));
  }

  /** The `command-completed` events of a station, as they arrive. */
  async function completions(id: string): Promise<Record<string, unknown>[]> {
    const events: Record<string, unknown>[] = [];
    await harness().bus.subscribe<Record<string, unknown>>(Subjects.event(id, 'command-completed'), (m) => {
      const { at: _at, ...rest } = m.data;
      events.push(rest);
    });
    return events;
  }

  return { seenOffline, command, queue, rows, completions };
}
