/**
 * csmsctl's `tariffs` commands (TariffService) run in-process against a whole embedded CSMS with a real OCPP 2.0.1
 * station (ocpp-rpc in strict mode): create, update, get, list, delete as tables and as --json, the cost of a
 * transaction the station ended, an API error (exit 1) and a usage error (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { Tx201 } from '../support/octt-states.js';
import { cs, ctl, json, ok, record, rows, useCsmsctlDomain } from '../support/csmsctl-domain.js';

useCsmsctlDomain();

describe('csmsctl tariffs (TariffService)', () => {
  it('creates, updates, gets, lists and deletes a tariff', async () => {
    const created = record(
      ok(
        await ctl(
          'tariffs',
          'create',
          'ctl-evse',
          '--currency',
          'EUR',
          '--per-kwh',
          '0.3',
          '--per-hour',
          '1.2',
          '--flat-fee',
          '0.5',
          '--tax',
          '21',
          '--text',
          '0.30 EUR/kWh',
          '--text-lang',
          'nl=0,30 EUR/kWh',
          '--station',
          cs.id,
          '--evse',
          '2',
        ),
      ),
    );
    expect(created).toMatchObject({
      tariff: 'ctl-evse',
      currency: 'EUR',
      'per kWh': '0.3',
      'tax %': '21',
      scope: `${cs.id} EVSE 2`,
    });
    const updated = json<{ flatFee: number; displayTexts: Record<string, string> }>(
      await ctl('--json', 'tariffs', 'update', 'ctl-evse', '--flat-fee', '0.75'),
    );
    expect(updated).toMatchObject({ flatFee: 0.75, displayTexts: { nl: '0,30 EUR/kWh' } });
    expect(record(ok(await ctl('tariffs', 'get', 'ctl-evse')))).toMatchObject({ 'flat fee': '0.75' });
    expect(rows(ok(await ctl('tariffs', 'list', '--station', cs.id)))).toEqual([
      ['tariff', 'scope', 'currency', 'per kWh', 'per hour', 'flat fee', 'tax %'],
      ['ctl-evse', `${cs.id} EVSE 2`, 'EUR', '0.3', '1.2', '0.75', '21'],
    ]);
    expect(ok(await ctl('tariffs', 'delete', 'ctl-evse'))).toContain('deleted');
    const gone = await ctl('tariffs', 'get', 'ctl-evse');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('ctl-evse');
  });

  it("shows a transaction's final cost", async () => {
    ok(
      await ctl(
        'tariffs',
        'create',
        'ctl-station',
        '--currency',
        'EUR',
        '--flat-fee',
        '2',
        '--tax',
        '10',
        '--text',
        'x',
        '--station',
        cs.id,
      ),
    );
    cs.respond('CostUpdated', {});
    const tx = new Tx201(cs, { idToken: { idToken: '', type: 'NoAuthorization' } });
    await tx.authorized();
    expect(await tx.evDisconnected()).toEqual({ totalCost: 2.2 });
    expect(record(ok(await ctl('tariffs', 'cost', cs.id, tx.transactionId)))).toMatchObject({
      tariff: 'ctl-station',
      subtotal: '2 EUR',
      tax: '0.2 EUR',
      total: '2.2 EUR',
      final: 'yes',
    });
  });

  it('a bad price is exit 1 with the field; a missing transaction is a usage error (exit 2)', async () => {
    const bad = await ctl(
      'tariffs',
      'create',
      'ctl-bad',
      '--currency',
      'EUR',
      '--per-kwh',
      '-1',
      '--text',
      'x',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'invalid CreateTariff request: tariff.price_per_kwh must be a number from 0 to 1e9\n  reason: INVALID_ARGUMENT',
    );
    expect((await ctl('tariffs', 'create', 'ctl-bad', '--per-kwh', 'cheap')).code).toBe(2);
    expect((await ctl('tariffs', 'cost', cs.id)).code).toBe(2);
  });
});
