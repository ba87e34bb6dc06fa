import type { V201 } from '@csms/ocpp';
import type { MonitorInput } from './monitors.js';

// Which monitors of a SetVariableMonitoringRequest the station accepted, and under which ids: what the MonitoringService
// and the worker's after-command hook store (N04).

/** Whether a result answers a monitor of the request (N04.FR.02: the same component and variable). */
function answers(data: V201.SetMonitoringDataType, r: V201.SetMonitoringResultType): boolean {
  return (
    data.component.name === r.component.name &&
    (data.component.evse?.id ?? null) === (r.component.evse?.id ?? null) &&
    data.variable.name === r.variable.name &&
    data.type === r.type &&
    data.severity === r.severity
  );
}

/**
 * The accepted monitors, each paired with the request's monitor it answers (by position, N04.FR.01, else the
 * first unanswered monitor of the same component variable, type and severity), with the id the station
 * assigned (or the id the request replaced).
 */
export function acceptedMonitorsOf(
  data: readonly V201.SetMonitoringDataType[],
  results: readonly V201.SetMonitoringResultType[],
): MonitorInput[] {
  const open = new Set(data.keys());
  const accepted: MonitorInput[] = [];
  results.forEach((r, i) => {
    const index = open.has(i) && answers(data[i]!, r) ? i : [...open].find((j) => answers(data[j]!, r));
    if (index === undefined) return;
    open.delete(index);
    const sent = data[index]!;
    const id = r.id ?? sent.id;
    if (r.status !== 'Accepted' || id === undefined) return;
    accepted.push({
      id,
      component: sent.component,
      variable: sent.variable,
      type: sent.type,
      value: sent.value,
      severity: sent.severity,
      transaction: sent.transaction ?? false,
    });
  });
  return accepted;
}
