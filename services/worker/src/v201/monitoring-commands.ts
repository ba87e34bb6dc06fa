import {
  acceptedMonitorsOf,
  recordMonitoringBase,
  recordMonitoringLevel,
  removeMonitors,
  storeSetMonitors,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { CommandContext } from '../handler.js';

// After-command hooks of the monitoring commands (N03-N06): the station's answer keeps the CSMS's monitoring store in
// step however the command was sent (MonitoringService, StationService/Call, Ocpp201Service, a queued command), one
// CALL at a time (a request split by the station's limits is seen part by part). The MonitoringService writes the
// same again: the writes are idempotent.

/** SetVariableMonitoring answered: each Accepted monitor is stored with the id the station gave it (N04.FR.08/11). */
export async function afterSetVariableMonitoring(
  ctx: CommandContext,
  request: V201.SetVariableMonitoringRequest,
  response: V201.SetVariableMonitoringResponse,
): Promise<void> {
  await storeSetMonitors(
    ctx.db,
    ctx.stationId,
    acceptedMonitorsOf(request.setMonitoringData, response.setMonitoringResult),
  );
}

/** ClearVariableMonitoring answered: Accepted (N06.FR.01) and NotFound (N06.FR.02) ids leave the store. */
export async function afterClearVariableMonitoring(
  ctx: CommandContext,
  _request: V201.ClearVariableMonitoringRequest,
  response: V201.ClearVariableMonitoringResponse,
): Promise<void> {
  const gone = response.clearMonitoringResult
    .filter((r) => r.status === 'Accepted' || r.status === 'NotFound')
    .map((r) => r.id);
  await removeMonitors(ctx.db, ctx.stationId, gone);
}

/** SetMonitoringBase answered Accepted: recorded, and the monitors the new base removes leave the store (N03). */
export async function afterSetMonitoringBase(
  ctx: CommandContext,
  request: V201.SetMonitoringBaseRequest,
  response: V201.SetMonitoringBaseResponse,
): Promise<void> {
  if (response.status !== 'Accepted') return;
  await ctx.db
    .transaction()
    .execute((trx) => recordMonitoringBase(trx, ctx.stationId, request.monitoringBase));
}

/** SetMonitoringLevel answered Accepted: recorded (N05.FR.01). */
export async function afterSetMonitoringLevel(
  ctx: CommandContext,
  request: V201.SetMonitoringLevelRequest,
  response: V201.SetMonitoringLevelResponse,
): Promise<void> {
  if (response.status === 'Accepted') await recordMonitoringLevel(ctx.db, ctx.stationId, request.severity);
}
