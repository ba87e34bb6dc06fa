/**
 * csmsctl's `customers get|clear` (AuthService Get- / ClearCustomerInformation, 2.0.1 N09 / N10) run in-process
 * against a whole embedded CSMS with real stations (ocpp-rpc in strict mode): the request the station gets, the
 * report and the CSMS's data as a table and as --json, the local list update of a clear, a 1.6 station (exit 1)
 * and usage errors (exit 2).
 */
import { upsertIdToken } from '@csms/db';
import { describe, expect, it } from 'vitest';
import { cp, cs, csms, ctl, json, ok, record, useCsmsctlDomain } from '../support/csmsctl-domain.js';
import { customerRequestSent, notifyCustomerInformation } from '../support/customer-api.js';

useCsmsctlDomain();

describe('csmsctl customers (AuthService customer information)', () => {
  it("get: sends report=true for the id token and prints the station's report with the CSMS's data", async () => {
    await upsertIdToken(csms.database.db, {
      idToken: 'CTL-CUST-1',
      type: 'ISO14443',
      status: 'Accepted',
      groupId: 'CTL-CUST-GRP',
    });
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const { request, answer } = await customerRequestSent(cs, () =>
      ctl('customers', 'get', cs.id, '--id-token', 'CTL-CUST-1', '--wait', '60'),
    );
    expect(request).toEqual({
      requestId: expect.any(Number) as number,
      report: true,
      clear: false,
      idToken: { idToken: 'CTL-CUST-1', type: 'ISO14443' },
    });
    await notifyCustomerInformation(cs, request.requestId, ['cached: ', 'Accepted']);
    expect(record(ok(await answer))).toMatchObject({
      station: cs.id,
      'request id': String(request.requestId),
      'report complete': 'true',
      'report parts': '2',
      'station data': 'cached: Accepted',
      'csms id token': 'CTL-CUST-1 (ISO14443)',
      'csms status': 'Accepted',
      'csms group': 'CTL-CUST-GRP',
      'on local lists of': '-',
    });
  });

  it('clear --report --json: removes the token from the station local list after the report', async () => {
    cs.respond('SendLocalList', { status: 'Accepted' });
    ok(
      await ctl(
        'local-list',
        'send',
        cs.id,
        '[{"idToken":"CTL-CUST-2","type":"KeyCode","status":"AUTHORIZATION_STATUS_ACCEPTED"}]',
        '--full',
      ),
    );
    const listed = cs.requests('SendLocalList').length;
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const { request, answer } = await customerRequestSent(cs, () =>
      ctl('--json', 'customers', 'clear', cs.id, '--id-token', 'CTL-CUST-2', '--type', 'KeyCode', '--report'),
    );
    expect(request).toMatchObject({
      report: true,
      clear: true,
      idToken: { idToken: 'CTL-CUST-2', type: 'KeyCode' },
    });
    await notifyCustomerInformation(cs, request.requestId, ['cleared']);
    const out = json<{
      report: { data: string; complete: boolean };
      localListUpdate: { status: string; version: number };
    }>(await answer);
    expect(out.report).toMatchObject({ data: 'cleared', complete: true });
    expect(out.localListUpdate.status).toBe('LOCAL_LIST_STATUS_ACCEPTED');
    expect(cs.requests('SendLocalList').slice(listed)).toEqual([
      {
        versionNumber: out.localListUpdate.version,
        updateType: 'Differential',
        localAuthorizationList: [{ idToken: { idToken: 'CTL-CUST-2', type: 'KeyCode' } }],
      },
    ]);
  });

  it('clear --customer / --certificate send those references; the table says no list update was needed', async () => {
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const byCustomer = await customerRequestSent(cs, () =>
      ctl('customers', 'clear', cs.id, '--customer', 'OpenChargeAlliance'),
    );
    expect(byCustomer.request).toMatchObject({
      report: false,
      clear: true,
      customerIdentifier: 'OpenChargeAlliance',
    });
    await notifyCustomerInformation(cs, byCustomer.request.requestId, ['Cleared']);
    expect(record(ok(await byCustomer.answer))).toMatchObject({
      'local list update': 'not needed',
      'csms id token': 'not stored',
    });
    const byCertificate = await customerRequestSent(cs, () =>
      ctl('customers', 'get', cs.id, '--certificate', 'SHA256:AA11:BB22:0C33', '--wait', '0'),
    );
    expect(byCertificate.request.customerCertificate).toEqual({
      hashAlgorithm: 'SHA256',
      issuerNameHash: 'AA11',
      issuerKeyHash: 'BB22',
      serialNumber: '0C33',
    });
    expect(record(ok(await byCertificate.answer))).toMatchObject({ 'report complete': 'false' });
  });

  it('a 1.6 station is exit 1 (OCPP_VERSION_UNSUPPORTED); no or two references are usage errors', async () => {
    const v16 = await ctl('customers', 'get', cp.id, '--id-token', 'CTL-CUST-3');
    expect(v16.code).toBe(1);
    expect(v16.stderr).toContain('OCPP_VERSION_UNSUPPORTED');
    expect((await ctl('customers', 'get', cs.id)).code).toBe(2);
    expect((await ctl('customers', 'clear', cs.id, '--id-token', 'T', '--customer', 'C')).code).toBe(2);
    expect((await ctl('customers', 'get', cs.id, '--certificate', 'SHA256:AA')).code).toBe(2);
    expect((await ctl('customers', 'get', cs.id, '--customer', 'C', '--wait', '500')).code).toBe(2);
  });
});
