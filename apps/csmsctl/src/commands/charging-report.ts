import type { Command } from 'commander';
import { smartChargingV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import { parseIntOption } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { PURPOSE, SOURCE, evseOption, schedules, type Ctx } from './charging-shared.js';
import { EnumChoice } from './proto-json.js';

const { SmartChargingServiceDefinition, ChargingProfilePurpose, ChargingProfilesView } = smartChargingV1;

const RECONCILIATION = new EnumChoice<smartChargingV1.ProfileReconciliation>(
  'reconciliation',
  smartChargingV1.ProfileReconciliation,
  'PROFILE_RECONCILIATION_',
);
const REPORT_STATUS = new EnumChoice<smartChargingV1.GetChargingProfilesStatus>(
  'status',
  smartChargingV1.GetChargingProfilesStatus,
  'GET_CHARGING_PROFILES_STATUS_',
);

const profileId = parseIntOption('--id', -2_147_483_648, 2_147_483_647);
const SOURCES = new Map(Object.entries(SOURCE).map(([value, name]) => [name.toLowerCase(), Number(value)]));

/** `--id 1,2`: chargingProfileId criteria. */
function parseIds(value: string): number[] {
  return value.split(',').map((id) => profileId(id.trim()));
}

/** `--source EMS,SO`: chargingLimitSource criteria. */
function parseSources(value: string): smartChargingV1.ChargingLimitSource[] {
  return value.split(',').map((name) => {
    const source = SOURCES.get(name.trim().toLowerCase());
    if (source === undefined)
      throw new UsageError(`--source must be EMS, Other, SO or CSO (comma-separated), got "${name}"`);
    return source;
  });
}

/**
 * `charging report <station>`: the profiles a 2.0.1 station reports it has (GetChargingProfiles /
 * ReportChargingProfiles, K09), each marked against what the CSMS installed (GetChargingProfiles, station view).
 */
export function addReport(charging: Command, ctx: Ctx): void {
  charging
    .command('report <station>')
    .description(
      "ask a 2.0.1 station for its charging profiles and compare them with the CSMS's (or read an earlier report)",
    )
    .option('--evse <n>', 'only profiles on this EVSE (0 = station-wide)', evseOption)
    .option('--purpose <purpose>', PURPOSE.choices.join(', '), PURPOSE.parse)
    .option('--stack-level <n>', 'only this stack level', parseIntOption('--stack-level', 0, 2_147_483_647))
    .option('--id <ids>', 'only these profile ids (comma-separated; not with the other criteria)', parseIds)
    .option(
      '--source <sources>',
      'only profiles of these sources: EMS, Other, SO, CSO (comma-separated)',
      parseSources,
    )
    .option(
      '--request-id <n>',
      'read the report of this earlier request; ask nothing',
      parseIntOption('--request-id', -2_147_483_648, 2_147_483_647),
    )
    .option(
      '--wait <s>',
      'seconds to wait for the last part (0-120, default 30)',
      parseIntOption('--wait', 0, 120),
    )
    .action(
      async (
        station: string,
        o: {
          evse?: number;
          purpose?: smartChargingV1.ChargingProfilePurpose;
          stackLevel?: number;
          id?: number[];
          source?: smartChargingV1.ChargingLimitSource[];
          requestId?: number;
          wait?: number;
        },
      ) => {
        const c = ctx();
        const r = await c.client(SmartChargingServiceDefinition).getChargingProfiles(
          {
            stationId: station,
            evseId: o.evse,
            purpose: o.purpose ?? ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_UNSPECIFIED,
            stackLevel: o.stackLevel,
            pageSize: 0,
            pageToken: '',
            view: ChargingProfilesView.CHARGING_PROFILES_VIEW_STATION,
            requestId: o.requestId,
            reportWaitSeconds: o.wait,
            chargingProfileIds: o.id ?? [],
            chargingLimitSources: o.source ?? [],
          },
          c.call(STATION_ANSWER_MS + (o.wait ?? 30) * 1000),
        );
        const report = r.stationReport;
        const rows = (report?.profiles ?? []).map((p) => [
          p.profile?.id,
          p.evseId,
          SOURCE[p.chargingLimitSource] ?? '',
          p.profile?.stackLevel,
          PURPOSE.name(p.profile?.purpose),
          RECONCILIATION.name(p.reconciliation),
          schedules(p.profile),
        ]);
        c.out.table(
          smartChargingV1.GetChargingProfilesResponse.toJSON(r),
          ['id', 'evse', 'source', 'stack', 'purpose', 'reconciliation', 'periods'],
          rows,
        );
        if (!c.options.json && report)
          c.io.stderr.write(
            `request ${report.requestId}: ${REPORT_STATUS.name(report.status)}${report.complete ? '' : ' (incomplete: the station did not finish in time)'}` +
              `${report.missingProfileIds.length > 0 ? `; installed by the CSMS but not reported: ${report.missingProfileIds.join(', ')}` : ''}\n`,
          );
      },
    );
}
