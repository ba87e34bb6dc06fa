/**
 * OCPP 2.0.1 Part 6 §3.15 (N Diagnostics), Core CSMS test cases: log retrieval (GetLog +
 * LogStatusNotification) and customer information (CustomerInformation + NotifyCustomerInformation).
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201 } from '../support/octt-states.js';
import { addIdToken, at, connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms();
});
afterAll(() => csms.close());

async function bootedStation(): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

async function notifications(cs: Station201, action: string): Promise<unknown[]> {
  const rows = await csms.database.db
    .selectFrom('station_notifications')
    .select('payload')
    .where('station_id', '=', cs.id)
    .where('action', '=', action)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.payload);
}

function getLog(logType: V201.LogEnumType, requestId: number): V201.GetLogRequest {
  return { logType, requestId, log: { remoteLocation: 'https://octt.example.com/upload' } };
}

/** The operator asks for a log; the station answers `status`. */
async function requestLog(
  cs: Station201,
  request: V201.GetLogRequest,
  status: V201.LogStatusEnumType,
): Promise<void> {
  cs.respond('GetLog', { status, filename: 'log.zip' });
  const outcome = await csms.stations.v201(cs.id, 'GetLog', request);
  expect(cs.requests('GetLog').at(-1)).toEqual(request);
  expect(outcome).toEqual({ status: 'result', payload: { status, filename: 'log.zip' } });
}

/** GetLog of `logType`, then Uploading and Uploaded for its requestId. */
async function logUpload(logType: V201.LogEnumType): Promise<void> {
  const cs = await bootedStation();
  await requestLog(cs, getLog(logType, 25), 'Accepted');
  expect(await cs.call('LogStatusNotification', { status: 'Uploading', requestId: 25 })).toEqual({});
  expect(await cs.call('LogStatusNotification', { status: 'Uploaded', requestId: 25 })).toEqual({});
  expect(await notifications(cs, 'LogStatusNotification')).toEqual([
    { status: 'Uploading', requestId: 25 },
    { status: 'Uploaded', requestId: 25 },
  ]);
}

describe('TC_N_25_CSMS: Retrieve Log Information - Diagnostics Log - Success', () => {
  it('sends GetLogRequest DiagnosticsLog and answers Uploading and Uploaded', async () => {
    await logUpload('DiagnosticsLog');
  });
});

describe('TC_N_35_CSMS: Retrieve Log Information - Security Log - Success', () => {
  it('sends GetLogRequest SecurityLog and answers Uploading and Uploaded', async () => {
    await logUpload('SecurityLog');
  });
});

describe('TC_N_34_CSMS: Retrieve Log Information - Rejected', () => {
  it('handles a Rejected GetLogResponse', async () => {
    const cs = await bootedStation();
    await requestLog(cs, getLog('DiagnosticsLog', 34), 'Rejected');
    expect(await cs.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) as string });
  });
});

describe('TC_N_36_CSMS: Retrieve Log Information - Second Request', () => {
  it('handles AcceptedCanceled for a second GetLog and the notifications of both requests', async () => {
    const cs = await bootedStation();
    await requestLog(cs, getLog('DiagnosticsLog', 1), 'Accepted');
    expect(await cs.call('LogStatusNotification', { status: 'Uploading', requestId: 1 })).toEqual({});
    await requestLog(cs, getLog('DiagnosticsLog', 2), 'AcceptedCanceled');
    expect(await cs.call('LogStatusNotification', { status: 'AcceptedCanceled', requestId: 1 })).toEqual({});
    expect(await cs.call('LogStatusNotification', { status: 'Uploading', requestId: 2 })).toEqual({});
    expect(await cs.call('LogStatusNotification', { status: 'Uploaded', requestId: 2 })).toEqual({});
    expect(await notifications(cs, 'LogStatusNotification')).toEqual([
      { status: 'Uploading', requestId: 1 },
      { status: 'AcceptedCanceled', requestId: 1 },
      { status: 'Uploading', requestId: 2 },
      { status: 'Uploaded', requestId: 2 },
    ]);
  });
});

/**
 * The operator asks for (and/or clears) a customer's data; the station answers `status` and, when it reports,
 * sends NotifyCustomerInformation with `data`.
 */
async function customerInformation(
  request: (idToken: V201.IdTokenType) => V201.CustomerInformationRequest,
  status: V201.CustomerInformationStatusEnumType,
  data?: string,
): Promise<void> {
  const cs = await bootedStation();
  const idToken: V201.IdTokenType = {
    idToken: await addIdToken(csms, 'N', { type: 'ISO14443' }),
    type: 'ISO14443',
  };
  const payload = request(idToken);
  cs.respond('CustomerInformation', { status });
  const outcome = await csms.stations.v201(cs.id, 'CustomerInformation', payload);
  expect(cs.requests('CustomerInformation')).toEqual([payload]);
  expect(outcome).toEqual({ status: 'result', payload: { status } });
  if (data === undefined) return;
  const notify: V201.NotifyCustomerInformationRequest = {
    data,
    seqNo: 0,
    generatedAt: at(),
    requestId: payload.requestId,
  };
  expect(await cs.call('NotifyCustomerInformation', notify)).toEqual({});
  expect(await notifications(cs, 'NotifyCustomerInformation')).toEqual([notify]);
}

describe('TC_N_27_CSMS: Get Customer Information - Accepted + data', () => {
  it('sends CustomerInformationRequest report=true for the idToken and answers the data report', async () => {
    await customerInformation(
      (idToken) => ({ requestId: 27, report: true, clear: false, idToken }),
      'Accepted',
      'idToken cached; 3 transactions',
    );
  });
});

describe('TC_N_28_CSMS: Get Customer Information - Accepted + no data', () => {
  it('sends CustomerInformationRequest report=true and answers the empty report', async () => {
    await customerInformation(
      (idToken) => ({ requestId: 28, report: true, clear: false, idToken }),
      'Accepted',
      '',
    );
  });
});

describe('TC_N_29_CSMS: Get Customer Information - Not Accepted', () => {
  it('sends CustomerInformationRequest report=true and handles Rejected', async () => {
    await customerInformation(
      (idToken) => ({ requestId: 29, report: true, clear: false, idToken }),
      'Rejected',
    );
  });
});

describe('TC_N_30_CSMS: Clear Customer Information - Clear and report + data', () => {
  it('sends CustomerInformationRequest report=true clear=true and answers the data report', async () => {
    await customerInformation(
      (idToken) => ({ requestId: 30, report: true, clear: true, idToken }),
      'Accepted',
      'cleared: authorization cache entry',
    );
  });
});

describe('TC_N_31_CSMS: Clear Customer Information - Clear and report + no data', () => {
  it('sends CustomerInformationRequest report=true clear=true and answers the empty report', async () => {
    await customerInformation(
      (idToken) => ({ requestId: 31, report: true, clear: true, idToken }),
      'Accepted',
      '',
    );
  });
});

describe('TC_N_32_CSMS: Clear Customer Information - Clear and no report', () => {
  it('sends CustomerInformationRequest report=false clear=true and answers the notification', async () => {
    await customerInformation(
      (idToken) => ({ requestId: 32, report: false, clear: true, idToken }),
      'Accepted',
      'No data',
    );
  });
});

describe('TC_N_62_CSMS: Clear Customer Information - Clear and report - customerIdentifier', () => {
  it('sends CustomerInformationRequest with customerIdentifier "OpenChargeAlliance" only', async () => {
    await customerInformation(
      () => ({ requestId: 62, report: true, clear: true, customerIdentifier: 'OpenChargeAlliance' }),
      'Accepted',
      'customer OpenChargeAlliance cleared',
    );
  });
});
