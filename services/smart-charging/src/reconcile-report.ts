import type { ChargingProfileRow, ChargingProfilesReport, ReportedChargingProfileRow } from '@csms/db';
import { smartChargingV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { fromOcpp, neutralPurpose, type LimitSource, type Purpose } from './ocpp-enums.js';
import { fromV201Profile } from './profile-v201.js';
import { typedStoredProfile } from './stored-profile.js';

const { ProfileReconciliation: R } = api;

/** The filter of a GetChargingProfiles request (K09.FR.04, K09.FR.05, K09.FR.06 for the station's view). */
export interface ReportFilter {
  readonly evseId?: number;
  readonly purpose?: Purpose;
  readonly stackLevel?: number;
  /** Only these profile ids (K09.FR.03: then none of purpose, stackLevel, limitSources). */
  readonly profileIds?: readonly number[];
  /** Only profiles installed by these sources. */
  readonly limitSources?: readonly LimitSource[];
}

/** A station's report compared with the profiles the CSMS installed. */
export interface ReconciledReport {
  readonly complete: boolean;
  readonly profiles: api.ReportedChargingProfile[];
  readonly missingProfileIds: number[];
}

/**
 * Compares what a station reported with what the CSMS installed (`stored`: every stored profile of the station)
 * without changing either. A reported profile is the CSMS's when the station says a CSO installed it and the
 * CSMS stored a profile with its id on its EVSE with the same content; a profile from another source (EMS, SO,
 * Other: external constraints, K11.FR.06, K12.FR.05) or with an id the CSMS never stored is not the CSMS's, and
 * stays only in the report. When the report is whole, the stored profiles matching `filter` that the station
 * did not report are listed as missing.
 */
export function reconcileReport(
  report: ChargingProfilesReport,
  stored: readonly ChargingProfileRow[],
  filter: ReportFilter,
): ReconciledReport {
  const byId = new Map(stored.map((row) => [row.profile_id, row]));
  const profiles = report.profiles.map((row) => toReportedProfile(row, byId.get(row.profile_id)));
  const reportedIds = new Set(report.profiles.map((row) => row.profile_id));
  const missingProfileIds = report.complete
    ? stored
        .filter((row) => matches(row, filter) && !reportedIds.has(row.profile_id))
        .map((r) => r.profile_id)
    : [];
  return { complete: report.complete, profiles, missingProfileIds };
}

function toReportedProfile(
  row: ReportedChargingProfileRow,
  installed: ChargingProfileRow | undefined,
): api.ReportedChargingProfile {
  const profile = fromV201Profile(row.profile as unknown as V201.ChargingProfileType);
  let reconciliation: api.ProfileReconciliation = R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS;
  if (row.charging_limit_source === 'CSO' && installed) {
    const same = installed.evse_id === row.evse_id && sameProfile(typedStoredProfile(installed), profile);
    reconciliation = same
      ? R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS
      : R.PROFILE_RECONCILIATION_DIFFERS_FROM_CSMS;
  }
  return {
    evseId: row.evse_id,
    chargingLimitSource: fromOcpp.limitSource(row.charging_limit_source),
    profile,
    reconciliation,
    receiveTime: new Date(row.received_at),
  };
}

/**
 * Equal as typed profiles: the same fields and values once dates are instants, so that a station echoing
 * `2030-01-01T00:00:00Z` for the `2030-01-01T00:00:00.000Z` it was sent still matches.
 */
function sameProfile(a: api.ChargingProfile, b: api.ChargingProfile): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

function matches(row: ChargingProfileRow, filter: ReportFilter): boolean {
  return (
    // The CSMS installs its profiles as the CSO.
    (filter.limitSources === undefined || filter.limitSources.includes('CSO')) &&
    (filter.profileIds === undefined || filter.profileIds.includes(row.profile_id)) &&
    (filter.evseId === undefined || row.evse_id === filter.evseId) &&
    (filter.purpose === undefined || neutralPurpose(row.purpose) === filter.purpose) &&
    (filter.stackLevel === undefined || row.stack_level === filter.stackLevel)
  );
}
