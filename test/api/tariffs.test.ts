/**
 * TariffService (csms.tariff.v1) over real gRPC against a whole embedded CSMS on PostgreSQL: the tariff CRUD, the
 * input checks (INVALID_ARGUMENT with field violations), the not-found / already-exists / scope-taken errors, and
 * GetTransactionCost of an active transaction (the running cost up to now) and of an unknown one.
 */
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { addIdToken, connect16, connect201, uniqueId } from '../support/scenario.js';
import { booted16, booted201, charging16 } from '../support/octt-states.js';
import { client, csms, periodic, stationWithTx, tariff, useTariffApi } from '../support/tariff-api.js';

useTariffApi();

describe('TariffService', () => {
  it('creates, gets, updates, lists and deletes tariffs', async () => {
    const cs = await connect201(csms, { id: uniqueId('TAPI') });
    expect((await booted201(cs)).status).toBe('Accepted');
    const id = `api-${cs.id}`;
    const created = await client.createTariff({
      tariff: tariff({
        tariffId: id,
        stationId: cs.id,
        evseId: 1,
        pricePerKwh: 0.35,
        taxRatePercent: 19,
        displayTexts: { de: '0,35 EUR/kWh' },
      }),
    });
    expect(created.tariff).toMatchObject({
      tariffId: id,
      currency: 'EUR',
      pricePerKwh: 0.35,
      taxRatePercent: 19,
      stationId: cs.id,
      evseId: 1,
      displayTexts: { de: '0,35 EUR/kWh' },
    });
    expect(created.tariff?.createTime).toBeInstanceOf(Date);
    const updated = await client.updateTariff({
      tariffId: id,
      flatFee: 0.99,
      displayTexts: {},
      replaceDisplayTexts: true,
    });
    expect(updated.tariff).toMatchObject({ flatFee: 0.99, pricePerKwh: 0.35, displayTexts: {} });
    expect((await client.getTariff({ tariffId: id })).tariff).toMatchObject({ tariffId: id, flatFee: 0.99 });
    const listed = await client.listTariffs({ stationId: cs.id, pageSize: 0, pageToken: '' });
    expect(listed.tariffs.map((t) => t.tariffId)).toEqual([id]);
    await client.deleteTariff({ tariffId: id });
    const gone = await rejection(client.getTariff({ tariffId: id }));
    expect(gone.code).toBe(Status.NOT_FOUND);
    expect((await rejection(client.deleteTariff({ tariffId: id }))).code).toBe(Status.NOT_FOUND);
  });

  it('pages ListTariffs by id', async () => {
    const prefix = `page-${Date.now()}`;
    for (const n of [1, 2, 3])
      await client.createTariff({
        tariff: tariff({ tariffId: `${prefix}-${n}`, idTokenGroup: `${prefix}-${n}` }),
      });
    const ids: string[] = [];
    let pageToken = '';
    do {
      const page = await client.listTariffs({ stationId: '', pageSize: 2, pageToken });
      ids.push(...page.tariffs.map((t) => t.tariffId));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(ids.filter((i) => i.startsWith(prefix))).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
    expect(
      (await rejection(client.listTariffs({ stationId: '', pageSize: 0, pageToken: 'junk!' }))).code,
    ).toBe(Status.INVALID_ARGUMENT);
  });

  it('refuses bad input with field violations', async () => {
    const bad = await rejection(
      client.createTariff({
        tariff: tariff({
          tariffId: 'bad id',
          currency: 'eur',
          pricePerKwh: -1,
          pricePerHour: Number.NaN,
          flatFee: -0.01,
          taxRatePercent: 101,
          displayText: '',
          displayTexts: { 'not a tag': 'x' },
          evseId: 1,
        }),
      }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).toEqual([
      'tariff.tariff_id',
      'tariff.currency',
      'tariff.price_per_kwh',
      'tariff.price_per_hour',
      'tariff.flat_fee',
      'tariff.tax_rate_percent',
      'tariff.display_text',
      'tariff.display_texts[not a tag]',
      'tariff.evse_id',
    ]);
    const both = await rejection(
      client.createTariff({ tariff: tariff({ tariffId: 'both', stationId: 'S-1', idTokenGroup: 'G' }) }),
    );
    expect(both.violations).toEqual([
      { field: 'tariff.id_token_group', description: 'a tariff is scoped to a group or a station, not both' },
    ]);
    const missing = await rejection(client.createTariff({ tariff: undefined }));
    expect(missing.violations).toEqual([{ field: 'tariff', description: 'required' }]);
    const update = await rejection(
      client.updateTariff({
        tariffId: 'x',
        taxRatePercent: -5,
        displayTexts: {},
        replaceDisplayTexts: false,
      }),
    );
    expect(update.violations.map((v) => v.field)).toEqual(['tax_rate_percent']);
    const cost = await rejection(client.getTransactionCost({ id: 'abc', stationId: '', transactionId: '' }));
    expect(cost.violations.map((v) => v.field)).toEqual(['id']);
  });

  it('ALREADY_EXISTS for a taken id, TARIFF_SCOPE_TAKEN for a taken scope, NOT_FOUND for an unknown station', async () => {
    const group = `scope-${Date.now()}`;
    await client.createTariff({ tariff: tariff({ tariffId: group, idTokenGroup: group }) });
    const again = await rejection(
      client.createTariff({ tariff: tariff({ tariffId: group, idTokenGroup: 'other' }) }),
    );
    expect(again.code).toBe(Status.ALREADY_EXISTS);
    const scope = await rejection(
      client.createTariff({ tariff: tariff({ tariffId: `${group}-2`, idTokenGroup: group }) }),
    );
    expect([scope.code, scope.reason, scope.metadata.tariffId]).toEqual([
      Status.FAILED_PRECONDITION,
      'TARIFF_SCOPE_TAKEN',
      `${group}-2`,
    ]);
    const station = await rejection(
      client.createTariff({ tariff: tariff({ tariffId: `${group}-3`, stationId: 'NO-SUCH-STATION' }) }),
    );
    expect(station.code).toBe(Status.NOT_FOUND);
    const update = await rejection(
      client.updateTariff({
        tariffId: 'no-such-tariff',
        flatFee: 1,
        displayTexts: {},
        replaceDisplayTexts: false,
      }),
    );
    expect(update.code).toBe(Status.NOT_FOUND);
  });

  it('GetTransactionCost: the running cost of an active transaction, NO_TARIFF, NOT_FOUND', async () => {
    const { cs, tx } = await stationWithTx();
    await tx.authorized();
    const t0 = tx.sent[0]!.timestamp;
    await tx.event('MeterValuePeriodic', {
      meterValue: [periodic(1000, t0), periodic(3500, new Date().toISOString())],
    });
    const key = { id: '', stationId: cs.id, transactionId: tx.transactionId };
    const none = await rejection(client.getTransactionCost(key));
    expect([none.code, none.reason]).toEqual([Status.FAILED_PRECONDITION, 'NO_TARIFF']);
    await client.createTariff({
      tariff: tariff({ tariffId: `run-${cs.id}`, stationId: cs.id, pricePerKwh: 0.4 }),
    });
    // 2.5 kWh × 0.40 = 1.00 (no time price: the cost does not depend on when it is asked).
    expect(await client.getTransactionCost(key)).toMatchObject({
      tariffId: `run-${cs.id}`,
      energyWh: 2500,
      total: 1,
      final: false,
    });
    const unknown = await rejection(client.getTransactionCost({ ...key, transactionId: 'no-such-tx' }));
    expect(unknown.code).toBe(Status.NOT_FOUND);
  });

  it('GetTransactionCost prices a 1.6 transaction too (nothing is sent to a 1.6 station)', async () => {
    const cp = await connect16(csms, { id: uniqueId('TAPI16') });
    expect((await booted16(cp)).status).toBe('Accepted');
    const idTag = await addIdToken(csms, 'T16');
    await client.createTariff({
      tariff: tariff({ tariffId: `v16-${cp.id}`, stationId: cp.id, pricePerKwh: 0.5, taxRatePercent: 10 }),
    });
    const start = await charging16(cp, idTag, 1, 1000);
    const stop = await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 5000,
      timestamp: new Date().toISOString(),
    });
    expect(stop).not.toHaveProperty('totalCost');
    // 4 kWh × 0.50 = 2.00, + 10 % = 2.20; computed from the recorded meter start and stop (no stored cost).
    expect(
      await client.getTransactionCost({
        id: '',
        stationId: cp.id,
        transactionId: String(start.transactionId),
      }),
    ).toMatchObject({ energyWh: 4000, subtotal: 2, tax: 0.2, total: 2.2, final: false });
  });
});
