/**
 * OCPP 2.0.1 Part 6 §3.3 (B Provisioning), CSMS test cases: boot (Accepted / Pending / Rejected), variables,
 * base reports, resets, network profiles and the WebSocket subprotocol.
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { booted201 } from '../support/octt-states.js';
import { at, connect201, type Station201 } from '../support/scenario.js';
import { csms, useProvisioningCsms } from '../support/v201-provisioning.js';

useProvisioningCsms();

/** A booted station answering GetVariables with a value per requested variable. */
async function variablesStation(values: Record<string, string>): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  cs.respond('GetVariables', ({ getVariableData }) => ({
    getVariableResult: getVariableData.map((d) => ({
      attributeStatus: 'Accepted' as const,
      attributeValue: values[`${d.component.name}.${d.variable.name}`] ?? '',
      component: d.component,
      variable: d.variable,
    })),
  }));
  return cs;
}

describe('TC_B_06_CSMS: Get Variables - single value', () => {
  it('sends GetVariablesRequest for OCPPCommCtrlr.OfflineThreshold and returns the value read', async () => {
    const cs = await variablesStation({ 'OCPPCommCtrlr.OfflineThreshold': '300' });
    const request: V201.GetVariablesRequest = {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' } }],
    };
    const outcome = await csms.stations.v201(cs.id, 'GetVariables', request);
    expect(cs.requests('GetVariables')).toEqual([request]);
    expect(outcome).toEqual({
      status: 'result',
      payload: {
        getVariableResult: [
          {
            attributeStatus: 'Accepted',
            attributeValue: '300',
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'OfflineThreshold' },
          },
        ],
      },
    });
  });
});

describe('TC_B_07_CSMS: Get Variables - multiple values', () => {
  it('sends one GetVariablesRequest for OfflineThreshold and AuthorizeRemoteStart', async () => {
    const cs = await variablesStation({
      'OCPPCommCtrlr.OfflineThreshold': '300',
      'AuthCtrlr.AuthorizeRemoteStart': 'false',
    });
    const request: V201.GetVariablesRequest = {
      getVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
          attributeType: 'Actual',
        },
        {
          component: { name: 'AuthCtrlr' },
          variable: { name: 'AuthorizeRemoteStart' },
          attributeType: 'Actual',
        },
      ],
    };
    const outcome = await csms.stations.v201(cs.id, 'GetVariables', request);
    expect(cs.requests('GetVariables')).toEqual([request]);
    expect(outcome.status).toBe('result');
    if (outcome.status !== 'result') return;
    expect(outcome.payload.getVariableResult.map((r) => r.attributeValue)).toEqual(['300', 'false']);
  });
});

/** A booted station accepting every SetVariables entry. */
async function settableStation(): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  cs.respond('SetVariables', ({ setVariableData }) => ({
    setVariableResult: setVariableData.map((d) => ({
      attributeStatus: 'Accepted' as const,
      component: d.component,
      variable: d.variable,
    })),
  }));
  return cs;
}

describe('TC_B_09_CSMS: Set Variables - single value', () => {
  it('sends SetVariablesRequest OCPPCommCtrlr.OfflineThreshold = "123"', async () => {
    const cs = await settableStation();
    const request: V201.SetVariablesRequest = {
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
          attributeValue: '123',
        },
      ],
    };
    const outcome = await csms.stations.v201(cs.id, 'SetVariables', request);
    expect(cs.requests('SetVariables')).toEqual([request]);
    expect(outcome).toEqual({
      status: 'result',
      payload: {
        setVariableResult: [
          {
            attributeStatus: 'Accepted',
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'OfflineThreshold' },
          },
        ],
      },
    });
  });
});

describe('TC_B_10_CSMS: Set Variables - multiple values', () => {
  it('sends one SetVariablesRequest with OfflineThreshold "123" and AuthorizeRemoteStart "false"', async () => {
    const cs = await settableStation();
    const request: V201.SetVariablesRequest = {
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
          attributeValue: '123',
        },
        {
          component: { name: 'AuthCtrlr' },
          variable: { name: 'AuthorizeRemoteStart' },
          attributeValue: 'false',
          attributeType: 'Actual',
        },
      ],
    };
    const outcome = await csms.stations.v201(cs.id, 'SetVariables', request);
    expect(cs.requests('SetVariables')).toEqual([request]);
    expect(outcome.status).toBe('result');
    if (outcome.status !== 'result') return;
    expect(outcome.payload.setVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'Accepted']);
  });
});

/** Runs GetBaseReport for `reportBase`, then the station reports in two NotifyReport parts. */
async function baseReport(reportBase: V201.ReportBaseEnumType, requestId: number): Promise<void> {
  const cs = await connect201(csms);
  await booted201(cs);
  cs.respond('GetBaseReport', { status: 'Accepted' });
  const outcome = await csms.stations.v201(cs.id, 'GetBaseReport', { requestId, reportBase });
  expect(cs.requests('GetBaseReport')).toEqual([{ requestId, reportBase }]);
  expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });

  const part = (seqNo: number, tbc: boolean, name: string, value: string): V201.NotifyReportRequest => ({
    requestId,
    generatedAt: at(),
    seqNo,
    tbc,
    reportData: [
      {
        component: { name: 'OCPPCommCtrlr' },
        variable: { name },
        variableAttribute: [{ type: 'Actual', value, mutability: 'ReadWrite' }],
      },
    ],
  });
  expect(await cs.call('NotifyReport', part(0, true, 'HeartbeatInterval', '120'))).toEqual({});
  expect(await cs.call('NotifyReport', part(1, false, 'OfflineThreshold', '300'))).toEqual({});

  // Post scenario: the CSMS received all NotifyReportRequests of this requestId.
  const rows = await csms.database.db
    .selectFrom('device_reports')
    .select(['request_id', 'seq_no', 'tbc', 'report_data'])
    .where('station_id', '=', cs.id)
    .orderBy('seq_no')
    .execute();
  expect(rows.map((r) => [r.request_id, r.seq_no, r.tbc])).toEqual([
    [requestId, 0, true],
    [requestId, 1, false],
  ]);
  expect(rows[1]?.report_data).toEqual(part(1, false, 'OfflineThreshold', '300').reportData);
}

describe('TC_B_12_CSMS: Get Base Report - ConfigurationInventory', () => {
  it('sends GetBaseReportRequest ConfigurationInventory and stores every NotifyReport part', async () => {
    await baseReport('ConfigurationInventory', 12);
  });
});

describe('TC_B_13_CSMS: Get Base Report - FullInventory', () => {
  it('sends GetBaseReportRequest FullInventory and stores every NotifyReport part', async () => {
    await baseReport('FullInventory', 13);
  });
});

describe('TC_B_14_CSMS: Get Base Report - SummaryInventory', () => {
  it('sends GetBaseReportRequest SummaryInventory and stores every NotifyReport part', async () => {
    await baseReport('SummaryInventory', 0);
  });
});

describe('TC_B_18_CSMS: Get Custom Report - with componentCriteria and component/variables', () => {
  it('handles EmptyResultSet, then Accepted with a NotifyReport', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    const componentVariable = [
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
    ];
    cs.respond('GetReport', ({ componentCriteria }) => ({
      status: componentCriteria?.includes('Problem') ? ('EmptyResultSet' as const) : ('Accepted' as const),
    }));
    const problem = await csms.stations.v201(cs.id, 'GetReport', {
      requestId: 1,
      componentCriteria: ['Problem'],
      componentVariable,
    });
    expect(problem).toEqual({ status: 'result', payload: { status: 'EmptyResultSet' } });
    const available = await csms.stations.v201(cs.id, 'GetReport', {
      requestId: 2,
      componentCriteria: ['Available'],
      componentVariable,
    });
    expect(available).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(cs.requests('GetReport')).toEqual([
      { requestId: 1, componentCriteria: ['Problem'], componentVariable },
      { requestId: 2, componentCriteria: ['Available'], componentVariable },
    ]);
    // Step 5-6: the station reports, the CSMS answers NotifyReportResponse.
    expect(
      await cs.call('NotifyReport', {
        requestId: 2,
        generatedAt: at(),
        seqNo: 0,
        reportData: [
          {
            component: { name: 'EVSE', evse: { id: 1 } },
            variable: { name: 'AvailabilityState' },
            variableAttribute: [{ type: 'Actual', value: 'Available' }],
          },
        ],
      }),
    ).toEqual({});
    const rows = await csms.database.db
      .selectFrom('device_reports')
      .select(['request_id', 'tbc'])
      .where('station_id', '=', cs.id)
      .execute();
    expect(rows).toEqual([{ request_id: 2, tbc: false }]);
  });
});
