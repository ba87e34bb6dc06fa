import type { Command } from 'commander';
import { monitoringV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { parseIntOption } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import { EnumChoice } from './proto-json.js';

const { MonitoringServiceDefinition } = monitoringV1;

const TYPE = new EnumChoice<monitoringV1.MonitorType>('type', monitoringV1.MonitorType, 'MONITOR_TYPE_');
const SOURCE = new EnumChoice<monitoringV1.MonitorSource>(
  '--source',
  monitoringV1.MonitorSource,
  'MONITOR_SOURCE_',
);
const KIND = new EnumChoice<monitoringV1.MonitorKind>('kind', monitoringV1.MonitorKind, 'MONITOR_KIND_');
const BASE = new EnumChoice<monitoringV1.MonitoringBase>(
  'base',
  monitoringV1.MonitoringBase,
  'MONITORING_BASE_',
);
const CRITERION = new EnumChoice<monitoringV1.MonitoringCriterion>(
  '--criterion',
  monitoringV1.MonitoringCriterion,
  'MONITORING_CRITERION_',
);
const SET_STATUS = new EnumChoice<monitoringV1.SetMonitoringStatus>(
  'status',
  monitoringV1.SetMonitoringStatus,
  'SET_MONITORING_STATUS_',
);
const CLEAR_STATUS = new EnumChoice<monitoringV1.ClearMonitoringStatus>(
  'status',
  monitoringV1.ClearMonitoringStatus,
  'CLEAR_MONITORING_STATUS_',
);
const DM_STATUS = new EnumChoice<monitoringV1.DeviceModelStatus>(
  'status',
  monitoringV1.DeviceModelStatus,
  'DEVICE_MODEL_STATUS_',
);
const LEVEL_STATUS = new EnumChoice<monitoringV1.SetMonitoringLevelStatus>(
  'status',
  monitoringV1.SetMonitoringLevelStatus,
  'SET_MONITORING_LEVEL_STATUS_',
);

type Ctx = () => CliContext;
const int32 = (name: string) => parseIntOption(name, 0, 2_147_483_647);

/** `monitoring list|set|clear|base|level|refresh`: variable monitors of OCPP 2.0.1 stations (MonitoringService). */
export function registerMonitoringCommands(program: Command, ctx: Ctx): void {
  const monitoring = program
    .command('monitoring')
    .description(
      'variable monitors of 2.0.1 stations: list the store, set, clear, refresh from the station; base and level',
    );
  addList(monitoring, ctx);
  addSet(monitoring, ctx);
  addClear(monitoring, ctx);
  addBase(monitoring, ctx);
  addLevel(monitoring, ctx);
  addRefresh(monitoring, ctx);
}

const HEAD = [
  'id',
  'component',
  'evse',
  'connector',
  'variable',
  'type',
  'value',
  'severity',
  'transaction',
  'source',
  'kind',
  'report',
];
const rowOf = (m: monitoringV1.Monitor) => [
  m.id,
  withInstance(m.variable?.componentName, m.variable?.componentInstance),
  m.variable?.evseId,
  m.variable?.connectorId,
  withInstance(m.variable?.variableName, m.variable?.variableInstance),
  TYPE.name(m.type),
  m.value,
  m.severity,
  m.transaction ? 'yes' : 'no',
  SOURCE.name(m.source),
  KIND.name(m.kind),
  m.requestId,
];
const withInstance = (name = '', instance = '') => (instance ? `${name}[${instance}]` : name);

interface ListOptions extends PageOptions {
  component?: string;
  variable?: string;
  evse?: number;
  type?: monitoringV1.MonitorType[];
  source?: monitoringV1.MonitorSource;
}

function addList(monitoring: Command, ctx: Ctx): void {
  withPageOptions(
    monitoring
      .command('list <station>')
      .description("the station's monitors as the CSMS knows them, with its base and level; does not ask it")
      .option('--component <name>', 'only monitors of this component')
      .option('--variable <name>', 'only monitors of this variable')
      .option('--evse <n>', 'only monitors of components of this EVSE', int32('--evse'))
      .option('--type <t>', `only this type (repeatable): ${TYPE.choices.join(', ')}`, TYPE.collect)
      .option('--source <s>', SOURCE.choices.join(', '), SOURCE.parse),
    'monitors',
  ).action(async (station: string, o: ListOptions) => {
    const c = ctx();
    const client = c.client(MonitoringServiceDefinition);
    let last: monitoringV1.ListMonitorsResponse | undefined;
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      last = await client.listMonitors(
        {
          stationId: station,
          componentName: o.component ?? '',
          variableName: o.variable ?? '',
          evseId: o.evse,
          types: o.type ?? [],
          source: o.source ?? 0,
          pageSize: o.pageSize,
          pageToken,
        },
        c.call(),
      );
      return { items: last.monitors, nextPageToken: last.nextPageToken };
    });
    const base = last?.monitoringBase ?? 0;
    const level = last?.monitoringLevel;
    printPage(
      c,
      monitoringV1.ListMonitorsResponse.toJSON({
        monitors: items,
        nextPageToken,
        monitoringBase: base,
        monitoringLevel: level,
      }),
      HEAD,
      items.map(rowOf),
      nextPageToken,
    );
    if (!c.options.json && (base !== 0 || level !== undefined))
      c.io.stderr.write(`base: ${BASE.name(base) || '-'}, level: ${level ?? '-'}\n`);
  });
}

interface SetOptions {
  severity: number;
  evse?: number;
  connector?: number;
  componentInstance?: string;
  variableInstance?: string;
  transaction?: boolean;
  id?: number;
}

function addSet(monitoring: Command, ctx: Ctx): void {
  monitoring
    .command('set <station> <component> <variable> <type> <value>')
    .description(
      `send SetVariableMonitoring for one monitor (type: ${TYPE.choices.join(', ')}); the CSMS stores it when the station accepts it`,
    )
    .option('--severity <n>', '0 (Danger) .. 9 (Debug)', parseIntOption('--severity', 0, 9), 5)
    .option('--evse <n>', 'the EVSE of the component', int32('--evse'))
    .option('--connector <n>', 'the connector of that EVSE', int32('--connector'))
    .option('--component-instance <s>', 'the component instance')
    .option('--variable-instance <s>', 'the variable instance')
    .option('--transaction', 'monitor only during a transaction')
    .option('--id <n>', 'replace the station monitor with this id', int32('--id'))
    .action(
      async (
        station: string,
        component: string,
        variable: string,
        typeArg: string,
        valueArg: string,
        o: SetOptions,
      ) => {
        const c = ctx();
        const value = Number(valueArg);
        if (valueArg.trim() === '' || !Number.isFinite(value))
          throw new UsageError(`value must be a number, got "${valueArg}"`);
        const monitor: monitoringV1.MonitorSetting = {
          id: o.id,
          variable: {
            componentName: component,
            componentInstance: o.componentInstance ?? '',
            evseId: o.evse,
            connectorId: o.connector,
            variableName: variable,
            variableInstance: o.variableInstance ?? '',
          },
          type: TYPE.parse(typeArg),
          value,
          severity: o.severity,
          transaction: o.transaction ?? false,
        };
        const r = await c
          .client(MonitoringServiceDefinition)
          .setVariableMonitoring({ stationId: station, monitors: [monitor] }, c.call(STATION_ANSWER_MS));
        c.out.table(
          monitoringV1.SetVariableMonitoringResponse.toJSON(r),
          ['status', 'id', 'reason'],
          r.results.map((x) => [SET_STATUS.name(x.status), x.id, x.statusReason]),
        );
      },
    );
}

function addClear(monitoring: Command, ctx: Ctx): void {
  monitoring
    .command('clear <station> <id...>')
    .description(
      'send ClearVariableMonitoring (split by the station limit); monitors answered Accepted or NotFound leave the store',
    )
    .action(async (station: string, idArgs: string[]) => {
      const c = ctx();
      const ids = idArgs.map((id) => int32('monitor id')(id));
      const r = await c
        .client(MonitoringServiceDefinition)
        .clearVariableMonitoring({ stationId: station, ids }, c.call(STATION_ANSWER_MS));
      c.out.table(
        monitoringV1.ClearVariableMonitoringResponse.toJSON(r),
        ['id', 'status', 'reason'],
        r.results.map((x) => [x.id, CLEAR_STATUS.name(x.status), x.statusReason]),
      );
    });
}

function addBase(monitoring: Command, ctx: Ctx): void {
  monitoring
    .command('base <station> <base>')
    .description(`send SetMonitoringBase (${BASE.choices.join(', ')}); recorded when the station accepts it`)
    .action(async (station: string, baseArg: string) => {
      const c = ctx();
      const r = await c
        .client(MonitoringServiceDefinition)
        .setMonitoringBase(
          { stationId: station, monitoringBase: BASE.parse(baseArg) },
          c.call(STATION_ANSWER_MS),
        );
      const removed = r.monitorsRemoved > 0 ? ` (${r.monitorsRemoved} monitors removed from the store)` : '';
      const reason = r.statusReason ? ` (${r.statusReason})` : '';
      c.out.line(
        monitoringV1.SetMonitoringBaseResponse.toJSON(r),
        `${DM_STATUS.name(r.status)}${reason}${removed}`,
      );
    });
}

function addLevel(monitoring: Command, ctx: Ctx): void {
  monitoring
    .command('level <station> <severity>')
    .description(
      'send SetMonitoringLevel: the station reports events of this severity (0-9) or more severe only',
    )
    .action(async (station: string, severityArg: string) => {
      const c = ctx();
      const severity = parseIntOption('severity', 0, 9)(severityArg);
      const r = await c
        .client(MonitoringServiceDefinition)
        .setMonitoringLevel({ stationId: station, severity }, c.call(STATION_ANSWER_MS));
      const reason = r.statusReason ? ` (${r.statusReason})` : '';
      c.out.line(
        monitoringV1.SetMonitoringLevelResponse.toJSON(r),
        `${LEVEL_STATUS.name(r.status)}${reason}`,
      );
    });
}

/** `Component[@evse[:connector]][.Variable]`, e.g. `EVSE@1.AvailabilityState`, `ChargingStation.Power`, `EVSE@1`. */
export function parseComponentVariable(text: string): monitoringV1.ComponentVariable {
  const match = /^([^@.:]+)(?:@(\d+)(?::(\d+))?)?(?:\.([^@.]+))?$/.exec(text);
  if (!match)
    throw new UsageError(
      `--component-variable must be Component[@evse[:connector]][.Variable], e.g. EVSE@1.AvailabilityState, got "${text}"`,
    );
  return {
    componentName: match[1]!,
    componentInstance: '',
    evseId: match[2] !== undefined ? Number(match[2]) : undefined,
    connectorId: match[3] !== undefined ? Number(match[3]) : undefined,
    variableName: match[4] ?? '',
    variableInstance: '',
  };
}

function addRefresh(monitoring: Command, ctx: Ctx): void {
  monitoring
    .command('refresh <station>')
    .description('ask the station for its monitors (GetMonitoringReport) and reconcile the store')
    .option(
      '--criterion <c>',
      `only monitors of this kind (repeatable): ${CRITERION.choices.join(', ')}`,
      CRITERION.collect,
    )
    .option(
      '--component-variable <cv>',
      'only monitors of Component[@evse[:connector]][.Variable] (repeatable)',
      (v: string, previous: monitoringV1.ComponentVariable[] = []) => [
        ...previous,
        parseComponentVariable(v),
      ],
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
          criterion?: monitoringV1.MonitoringCriterion[];
          componentVariable?: monitoringV1.ComponentVariable[];
          wait?: number;
        },
      ) => {
        const c = ctx();
        const r = await c.client(MonitoringServiceDefinition).refreshMonitors(
          {
            stationId: station,
            monitoringCriteria: o.criterion ?? [],
            componentVariables: o.componentVariable ?? [],
            reportWaitSeconds: o.wait,
          },
          c.call(STATION_ANSWER_MS + (o.wait ?? 30) * 1000),
        );
        c.out.table(monitoringV1.RefreshMonitorsResponse.toJSON(r), HEAD, r.monitors.map(rowOf));
        if (!c.options.json)
          c.io.stderr.write(
            `request ${r.requestId}: ${DM_STATUS.name(r.status)}${r.complete ? '' : ' (incomplete: the station did not finish in time)'}\n`,
          );
      },
    );
}
