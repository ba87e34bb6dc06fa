/**
 * csmsctl's `monitoring` commands (MonitoringService) run in-process against a whole embedded CSMS with real OCPP
 * 1.6 and 2.0.1 stations (ocpp-rpc in strict mode: every CALL the CLI causes is schema-checked by the station): set,
 * list, refresh, clear, base and level as tables and as --json, an API error (exit 1) and usage errors (exit 2).
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { cp, cs, ctl, json, ok, rows, useCsmsctlDomain } from '../support/csmsctl-domain.js';
import { answerGetVariables, variableKey } from '../support/device-model-station.js';
import { at } from '../support/scenario.js';

useCsmsctlDomain();

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

describe('csmsctl monitoring (MonitoringService)', () => {
  it('sets, lists, refreshes and clears monitors of a 2.0.1 station; sets its base and level', async () => {
    let next = 7;
    cs.respond('SetVariableMonitoring', ({ setMonitoringData }) => ({
      setMonitoringResult: setMonitoringData.map((d): V201.SetMonitoringResultType => ({
        id: d.id ?? next++,
        status: 'Accepted',
        type: d.type,
        severity: d.severity,
        component: d.component,
        variable: d.variable,
      })),
    }));
    const set = ['monitoring', 'set', cs.id, 'EVSE', 'AvailabilityState', 'Delta', '1', '--evse', '1'];
    expect(rows(ok(await ctl(...set, '--severity', '8')))).toEqual([
      ['status', 'id', 'reason'],
      ['Accepted', '7', '-'],
    ]);
    expect(cs.requests('SetVariableMonitoring').at(-1)).toEqual({
      setMonitoringData: [
        {
          value: 1,
          type: 'Delta',
          severity: 8,
          component: { name: 'EVSE', evse: { id: 1 } },
          variable: { name: 'AvailabilityState' },
        },
      ],
    });
    const upper = ['monitoring', 'set', cs.id, 'ChargingStation', 'Power', 'upper-threshold', '22000.5'];
    expect(ok(await ctl(...upper, '--transaction'))).toContain('Accepted');
    expect(rows(ok(await ctl('monitoring', 'list', cs.id)))).toEqual([
      HEAD,
      ['7', 'EVSE', '1', '-', 'AvailabilityState', 'Delta', '1', '8', 'no', 'Csms', 'Custom', '-'],
      [
        '8',
        'ChargingStation',
        '-',
        '-',
        'Power',
        'UpperThreshold',
        '22000.5',
        '5',
        'yes',
        'Csms',
        'Custom',
        '-',
      ],
    ]);
    expect(
      json<{ monitors: { id: number }[] }>(
        await ctl('--json', 'monitoring', 'list', cs.id, '--type', 'UpperThreshold'),
      ).monitors.map((m) => m.id),
    ).toEqual([8]);

    cs.respond('SetMonitoringBase', { status: 'Accepted' });
    expect(ok(await ctl('monitoring', 'base', cs.id, 'All'))).toBe('Accepted\n');
    cs.respond('SetMonitoringLevel', { status: 'Accepted' });
    expect(ok(await ctl('monitoring', 'level', cs.id, '4'))).toBe('Accepted\n');
    const listed = await ctl('monitoring', 'list', cs.id, '--variable', 'Power');
    expect([listed.code, listed.stderr]).toEqual([0, 'base: All, level: 4\n']);

    // The station reports only monitor 8 for Power: nothing else is covered, so 7 stays.
    cs.respond('GetMonitoringReport', ({ requestId }) => {
      setTimeout(() => {
        const monitor = [
          {
            component: { name: 'ChargingStation' },
            variable: { name: 'Power' },
            variableMonitoring: [
              { id: 8, transaction: true, value: 23000, type: 'UpperThreshold' as const, severity: 5 },
            ],
          },
        ];
        void cs.call('NotifyMonitoringReport', { requestId, seqNo: 0, generatedAt: at(), monitor });
      }, 50);
      return { status: 'Accepted' };
    });
    const refreshed = await ctl(
      'monitoring',
      'refresh',
      cs.id,
      '--criterion',
      'threshold',
      '--component-variable',
      'ChargingStation.Power',
      '--wait',
      '10',
    );
    expect(refreshed.code).toBe(0);
    const request = cs.requests('GetMonitoringReport').at(-1)!;
    expect(request).toEqual({
      requestId: request.requestId,
      monitoringCriteria: ['ThresholdMonitoring'],
      componentVariable: [{ component: { name: 'ChargingStation' }, variable: { name: 'Power' } }],
    });
    expect(refreshed.stderr).toBe(`request ${request.requestId}: Accepted\n`);
    expect(rows(refreshed.stdout).slice(1)).toEqual([
      [
        '8',
        'ChargingStation',
        '-',
        '-',
        'Power',
        'UpperThreshold',
        '23000',
        '5',
        'yes',
        'Csms',
        'Custom',
        String(request.requestId),
      ],
    ]);

    answerGetVariables(cs, {
      [variableKey('MonitoringCtrlr', 'ItemsPerMessage', 'ClearVariableMonitoring')]: '10',
      [variableKey('MonitoringCtrlr', 'BytesPerMessage', 'ClearVariableMonitoring')]: '1000',
    });
    cs.respond('ClearVariableMonitoring', ({ id }) => ({
      clearMonitoringResult: id.map((i) => ({
        id: i,
        status: i === 7 ? ('Accepted' as const) : ('Rejected' as const),
      })),
    }));
    expect(rows(ok(await ctl('monitoring', 'clear', cs.id, '7', '8')))).toEqual([
      ['id', 'status', 'reason'],
      ['7', 'Accepted', '-'],
      ['8', 'Rejected', '-'],
    ]);
    expect(rows((await ctl('monitoring', 'list', cs.id)).stdout).map((r) => r[0])).toEqual(['id', '8']);
  });

  it('exit 1 for an API error, exit 2 for a usage error; nothing is sent', async () => {
    const v16 = await ctl('monitoring', 'level', cp.id, '4');
    expect(v16.code).toBe(1);
    expect(v16.stderr).toContain('OCPP_VERSION_UNSUPPORTED');
    const negative = await ctl('monitoring', 'set', cs.id, 'EVSE', 'AvailabilityState', 'Delta', '--', '-1');
    expect(negative.code).toBe(1);
    // As docs/cli.md prints it.
    expect(negative.stderr).toBe(
      [
        'csmsctl: INVALID_ARGUMENT: invalid SetVariableMonitoring request: monitors[0].value must be >= 0 for DELTA (N04.FR.14)',
        '  reason: INVALID_ARGUMENT',
        '  monitors[0].value: must be >= 0 for DELTA (N04.FR.14)',
        '',
      ].join('\n'),
    );
    expect((await ctl('monitoring', 'level', cs.id, '10')).code).toBe(2);
    expect((await ctl('monitoring', 'set', cs.id, 'EVSE', 'Power', 'Sideways', '1')).code).toBe(2);
    expect((await ctl('monitoring', 'set', cs.id, 'EVSE', 'Power', 'Delta', 'abc')).code).toBe(2);
    expect((await ctl('monitoring', 'base', cs.id, 'Some')).code).toBe(2);
    expect((await ctl('monitoring', 'refresh', cs.id, '--component-variable', 'EVSE@x')).code).toBe(2);
    expect((await ctl('monitoring', 'clear', cs.id, 'x')).code).toBe(2);
    expect(cp.received).toEqual([]);
  });
});
