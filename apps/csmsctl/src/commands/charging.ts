import type { Command } from 'commander';
import { smartChargingV1 } from '@csms/grpc';
import type { CliContext } from '../context.js';
import { parseIntOption } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import { addEvCharging } from './charging-ev.js';
import { addLimits } from './charging-limits.js';
import { addReport } from './charging-report.js';
import { addSites } from './charging-sites.js';
import { KIND, PURPOSE, SOURCE, UNIT, evseOption, schedules, type Ctx } from './charging-shared.js';
import { EnumChoice, parseMessage, readJsonArg } from './proto-json.js';

const { SmartChargingServiceDefinition, ChargingProfilePurpose, ChargingRateUnit } = smartChargingV1;

const SET_STATUS = new EnumChoice<smartChargingV1.ChargingProfileStatus>(
  'status',
  smartChargingV1.ChargingProfileStatus,
  'CHARGING_PROFILE_STATUS_',
);
const CLEAR_STATUS = new EnumChoice<smartChargingV1.ClearChargingProfileStatus>(
  'status',
  smartChargingV1.ClearChargingProfileStatus,
  'CLEAR_CHARGING_PROFILE_STATUS_',
);
const COMPOSITE_STATUS = new EnumChoice<smartChargingV1.CompositeScheduleStatus>(
  'status',
  smartChargingV1.CompositeScheduleStatus,
  'COMPOSITE_SCHEDULE_STATUS_',
);

function statusLines(
  c: CliContext,
  json: unknown,
  status: string,
  info: smartChargingV1.StatusInfo | undefined,
): void {
  const reason = info?.reasonCode
    ? ` (${info.reasonCode}${info.additionalInfo ? `: ${info.additionalInfo}` : ''})`
    : '';
  c.out.line(json, `${status}${reason}`);
}

/** `charging set|get|report|clear|composite|limits|ev|renegotiate|site-set|sites|site-delete`: csms.smart_charging.v1. */
export function registerChargingCommands(program: Command, ctx: Ctx): void {
  const charging = program
    .command('charging')
    .description('smart charging: charging profiles and composite schedules (SmartChargingService)');
  addSet(charging, ctx);
  addGet(charging, ctx);
  addReport(charging, ctx);
  addClear(charging, ctx);
  addComposite(charging, ctx);
  addLimits(charging, ctx);
  addEvCharging(charging, ctx);
  addSites(charging, ctx);
}

function addSet(charging: Command, ctx: Ctx): void {
  charging
    .command('set <station> <profile>')
    .description(
      'send SetChargingProfile: <profile> is a csms.smart_charging.v1.ChargingProfile in proto3 JSON (inline, @file or - for stdin)',
    )
    .requiredOption('--evse <n>', 'EVSE (1.6: connector); 0 = the whole station', evseOption)
    .action(async (station: string, profileArg: string, o: { evse: number }) => {
      const c = ctx();
      const profile = parseMessage(
        'profile',
        smartChargingV1.ChargingProfile,
        await readJsonArg('profile', profileArg, c.io),
      );
      const r = await c
        .client(SmartChargingServiceDefinition)
        .setChargingProfile({ stationId: station, evseId: o.evse, profile }, c.call(STATION_ANSWER_MS));
      statusLines(
        c,
        smartChargingV1.SetChargingProfileResponse.toJSON(r),
        SET_STATUS.name(r.status),
        r.statusInfo,
      );
    });
}

function addGet(charging: Command, ctx: Ctx): void {
  withPageOptions(
    charging
      .command('get <station>')
      .description(
        'the profiles the CSMS stored for a station (accepted and not cleared); does not ask the station',
      )
      .option('--evse <n>', 'only profiles on this EVSE (0 = station-wide)', evseOption)
      .option('--purpose <purpose>', PURPOSE.choices.join(', '), PURPOSE.parse)
      .option(
        '--stack-level <n>',
        'only this stack level',
        parseIntOption('--stack-level', 0, 2_147_483_647),
      ),
  ).action(
    async (
      station: string,
      o: PageOptions & {
        evse?: number;
        purpose?: smartChargingV1.ChargingProfilePurpose;
        stackLevel?: number;
      },
    ) => {
      const c = ctx();
      const client = c.client(SmartChargingServiceDefinition);
      const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
        const page = await client.getChargingProfiles(
          {
            stationId: station,
            evseId: o.evse,
            purpose: o.purpose ?? ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_UNSPECIFIED,
            stackLevel: o.stackLevel,
            pageSize: o.pageSize,
            pageToken,
          },
          c.call(),
        );
        return { items: page.profiles, nextPageToken: page.nextPageToken };
      });
      printPage(
        c,
        smartChargingV1.GetChargingProfilesResponse.toJSON({ profiles: items, nextPageToken }),
        ['id', 'evse', 'stack', 'purpose', 'kind', 'valid from', 'valid to', 'transaction', 'periods', 'set'],
        items.map((s) => [
          s.profile?.id,
          s.evseId,
          s.profile?.stackLevel,
          PURPOSE.name(s.profile?.purpose),
          KIND.name(s.profile?.kind),
          s.profile?.validFrom,
          s.profile?.validTo,
          s.profile?.transactionId,
          schedules(s.profile),
          s.updateTime,
        ]),
        nextPageToken,
      );
    },
  );
}

function addClear(charging: Command, ctx: Ctx): void {
  charging
    .command('clear <station>')
    .description('send ClearChargingProfile for one profile (--id) or the profiles matching the criteria')
    .option('--id <n>', 'the profile id', parseIntOption('--id', 1, 2_147_483_647))
    .option('--evse <n>', 'only profiles on this EVSE (0 = station-wide)', evseOption)
    .option('--purpose <purpose>', PURPOSE.choices.join(', '), PURPOSE.parse)
    .option('--stack-level <n>', 'only this stack level', parseIntOption('--stack-level', 0, 2_147_483_647))
    .action(
      async (
        station: string,
        o: {
          id?: number;
          evse?: number;
          purpose?: smartChargingV1.ChargingProfilePurpose;
          stackLevel?: number;
        },
      ) => {
        const c = ctx();
        const r = await c.client(SmartChargingServiceDefinition).clearChargingProfile(
          {
            stationId: station,
            profileId: o.id,
            evseId: o.evse,
            purpose: o.purpose ?? ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_UNSPECIFIED,
            stackLevel: o.stackLevel,
          },
          c.call(STATION_ANSWER_MS),
        );
        statusLines(
          c,
          smartChargingV1.ClearChargingProfileResponse.toJSON(r),
          CLEAR_STATUS.name(r.status),
          r.statusInfo,
        );
      },
    );
}

function addComposite(charging: Command, ctx: Ctx): void {
  charging
    .command('composite <station>')
    .description('ask the station for the composite schedule of an EVSE (0 = the whole station)')
    .requiredOption('--evse <n>', 'EVSE (1.6: connector)', evseOption)
    .requiredOption('--duration <s>', 'length in seconds', parseIntOption('--duration', 1, 2_147_483_647))
    .option('--unit <unit>', `${UNIT.choices.join(' or ')} (default: the station chooses)`, UNIT.parse)
    .action(
      async (
        station: string,
        o: { evse: number; duration: number; unit?: smartChargingV1.ChargingRateUnit },
      ) => {
        const c = ctx();
        const r = await c.client(SmartChargingServiceDefinition).getCompositeSchedule(
          {
            stationId: station,
            evseId: o.evse,
            durationSeconds: o.duration,
            chargingRateUnit: o.unit ?? ChargingRateUnit.CHARGING_RATE_UNIT_UNSPECIFIED,
          },
          c.call(STATION_ANSWER_MS),
        );
        const json = smartChargingV1.GetCompositeScheduleResponse.toJSON(r);
        const s = r.schedule;
        if (c.options.json || !s) {
          statusLines(c, json, COMPOSITE_STATUS.name(r.status), r.statusInfo);
          return;
        }
        c.out.record(json, [
          ['status', COMPOSITE_STATUS.name(r.status)],
          ['evse', s.evseId],
          ['start', s.scheduleStart],
          ['duration (s)', s.duration],
          ['unit', UNIT.name(s.chargingRateUnit)],
          ['min charging rate', s.minChargingRate],
        ]);
        c.out.table(
          json,
          ['start (s)', 'limit', 'phases', 'phase to use'],
          s.periods.map((p) => [p.startPeriod, p.limit, p.numberPhases, p.phaseToUse]),
        );
        // The stored external limits (2.0.1 NotifyChargingLimit) cut the station's schedule: shown when they do.
        const limited = r.limitedSchedule;
        if (limited && JSON.stringify(limited.periods) !== JSON.stringify(s.periods)) {
          const sources = r.externalLimits.map((l) => `${SOURCE[l.chargingLimitSource] ?? '?'}@${l.evseId}`);
          c.io.stdout.write(`with the external limits applied (${sources.join(', ')}):\n`);
          c.out.table(
            json,
            ['start (s)', 'limit', 'phases', 'phase to use'],
            limited.periods.map((p) => [p.startPeriod, p.limit, p.numberPhases, p.phaseToUse]),
          );
        }
      },
    );
}
