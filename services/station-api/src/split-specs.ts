import type { OcppVersion } from '@csms/ocpp';

/**
 * How a request the CSMS splits by the station's per-message limits is cut and how the answers of its parts
 * become one answer.
 */
export interface SplitSpec {
  /** The request's list that is cut. */
  readonly list: string;
  /**
   * `lists`: the answer's result lists are the parts' lists joined in order (one result per entry).
   * `status`: the answer is one status (GetReport, GetMonitoringReport): Accepted when a part is Accepted and
   * none failed, EmptyResultSet when every part is; the first Rejected / NotSupported part ends the request.
   */
  readonly join:
    { readonly kind: 'lists'; readonly results: readonly string[] } | { readonly kind: 'status' };
  /**
   * The request starts a report named by its `requestId` (B08.FR.04, N02.FR.xx): each part is its own report, so
   * part n (from 0) carries `requestId + n`; the station's NotifyReport / NotifyMonitoringReport parts of each
   * are stored under that id (one requestId shared by two reports would mix their seqNo sequences).
   */
  readonly requestIdPerPart?: true;
}

const lists = (list: string, ...results: string[]): SplitSpec => ({ list, join: { kind: 'lists', results } });
const report = (list: string): SplitSpec => ({ list, join: { kind: 'status' }, requestIdPerPart: true });

/**
 * The requests the CSMS splits: B06.FR.05 GetVariables, B05.FR.11 SetVariables, B08.FR.06 GetReport (and
 * GetMonitoringReport, bound by the same ItemsPerMessageGetReport), N04.FR.09 SetVariableMonitoring, N06.FR.04
 * ClearVariableMonitoring, 1.6 §5.8 GetConfiguration keys. SendLocalList is split by the auth service (a list
 * update has versions and a Full / Differential sequence, not a plain cut).
 */
const SPLITTABLE: Readonly<Record<string, SplitSpec>> = {
  'ocpp2.0.1/GetVariables': lists('getVariableData', 'getVariableResult'),
  'ocpp2.0.1/SetVariables': lists('setVariableData', 'setVariableResult'),
  'ocpp2.0.1/GetReport': report('componentVariable'),
  'ocpp2.0.1/GetMonitoringReport': report('componentVariable'),
  'ocpp2.0.1/SetVariableMonitoring': lists('setMonitoringData', 'setMonitoringResult'),
  'ocpp2.0.1/ClearVariableMonitoring': lists('id', 'clearMonitoringResult'),
  'ocpp1.6/GetConfiguration': lists('key', 'configurationKey', 'unknownKey'),
};

/** How `action` of `version` is split, or undefined when it is sent as it is. */
export function splitSpecOf(version: OcppVersion, action: string): SplitSpec | undefined {
  return SPLITTABLE[`${version}/${action}`];
}

/** Statuses of a report request's answer that let the next part go (B08.FR.01, B08.FR.15). */
const GOING = new Set(['Accepted', 'EmptyResultSet']);

/** Whether a part's answer lets the next part of the request go. */
export function partGoesOn(spec: SplitSpec, answer: Record<string, unknown>): boolean {
  return spec.join.kind === 'lists' || GOING.has(String(answer.status));
}

/** One answer of the parts' answers, per {@link SplitSpec.join}. */
export function joinAnswers(
  spec: SplitSpec,
  answers: readonly Record<string, unknown>[],
  total: number,
): Record<string, unknown> {
  if (spec.join.kind === 'status') {
    const stopped = answers.findIndex((a) => !GOING.has(String(a.status)));
    if (stopped >= 0) {
      const answer = answers[stopped]!;
      if (stopped === 0 || answer.statusInfo !== undefined) return answer;
      return {
        ...answer,
        statusInfo: {
          reasonCode: 'SplitRequest',
          additionalInfo: `message ${stopped + 1} of ${total}; the first ${stopped} were accepted`,
        },
      };
    }
    return answers.some((a) => a.status === 'Accepted') ? { status: 'Accepted' } : answers[0]!;
  }
  const payload: Record<string, unknown> = {};
  for (const field of spec.join.results) {
    if (!answers.some((a) => Array.isArray(a[field]))) continue;
    payload[field] = answers.flatMap((a) => (Array.isArray(a[field]) ? (a[field] as unknown[]) : []));
  }
  return payload;
}
