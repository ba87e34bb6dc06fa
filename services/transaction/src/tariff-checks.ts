import type { Tariff, TariffChanges } from '@csms/db';
import { RequestViolations, type tariffV1 } from '@csms/grpc';
import { INT32_MAX } from '@csms/ocpp';

/** Tariff ids: chosen by the operator, safe in URLs and shells. */
const TARIFF_ID = /^[A-Za-z0-9._-]{1,36}$/;
/** OCPP MessageContentType.content: at most 512 characters (2.0.1 personalMessage). */
const MAX_TEXT = 512;
/** RFC 5646 language tags (OCPP MessageContentType.language: at most 8 characters). */
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

export function checkTariffId(v: RequestViolations, id: string, field = 'tariff_id'): void {
  v.check(TARIFF_ID.test(id), field, "must be 1 to 36 letters, digits, '.', '_' or '-'");
}

function checkCurrency(v: RequestViolations, field: string, currency: string): void {
  // The Currency variable of TariffCostCtrlr is an ISO 4217 code (maxLimit 3).
  v.check(/^[A-Z]{3}$/.test(currency), field, 'must be an ISO 4217 code: 3 capital letters (e.g. EUR)');
}

function checkPrice(v: RequestViolations, field: string, value: number): void {
  v.check(Number.isFinite(value) && value >= 0 && value <= 1e9, field, 'must be a number from 0 to 1e9');
}

function checkTax(v: RequestViolations, field: string, value: number): void {
  v.check(Number.isFinite(value) && value >= 0 && value <= 100, field, 'must be a percentage from 0 to 100');
}

function checkText(v: RequestViolations, field: string, text: string): void {
  v.check(text.trim() !== '' && text.length <= MAX_TEXT, field, `must be 1 to ${MAX_TEXT} characters`);
}

function checkTexts(v: RequestViolations, field: string, texts: Record<string, string>): void {
  for (const [language, text] of Object.entries(texts)) {
    v.check(
      LANGUAGE.test(language) && language.length <= 8,
      `${field}[${language}]`,
      'key must be a language tag (RFC 5646, at most 8 characters)',
    );
    checkText(v, `${field}[${language}]`, text);
  }
}

/** CreateTariff's tariff, checked (INVALID_ARGUMENT with every violation). */
export function tariffOfRequest(request: tariffV1.CreateTariffRequest): Tariff {
  const v = new RequestViolations();
  const t = request.tariff;
  if (!t) {
    v.add('tariff', 'required');
    v.throwIfAny('invalid CreateTariff request');
  }
  const tariff = t!;
  checkTariffId(v, tariff.tariffId, 'tariff.tariff_id');
  checkCurrency(v, 'tariff.currency', tariff.currency);
  checkPrice(v, 'tariff.price_per_kwh', tariff.pricePerKwh);
  checkPrice(v, 'tariff.price_per_hour', tariff.pricePerHour);
  checkPrice(v, 'tariff.flat_fee', tariff.flatFee);
  checkTax(v, 'tariff.tax_rate_percent', tariff.taxRatePercent);
  checkText(v, 'tariff.display_text', tariff.displayText);
  checkTexts(v, 'tariff.display_texts', tariff.displayTexts);
  if (tariff.stationId !== '') v.stationId('tariff.station_id', tariff.stationId);
  if (tariff.evseId !== undefined) {
    v.check(tariff.stationId !== '', 'tariff.evse_id', 'needs station_id');
    v.check(tariff.evseId >= 1 && tariff.evseId <= INT32_MAX, 'tariff.evse_id', 'must be 1 or more');
  }
  if (tariff.idTokenGroup !== '') {
    v.check(
      tariff.stationId === '',
      'tariff.id_token_group',
      'a tariff is scoped to a group or a station, not both',
    );
    v.check(tariff.idTokenGroup.length <= 36, 'tariff.id_token_group', 'must be at most 36 characters');
  }
  v.throwIfAny('invalid CreateTariff request');
  return {
    id: tariff.tariffId,
    currency: tariff.currency,
    pricePerKwh: tariff.pricePerKwh,
    pricePerHour: tariff.pricePerHour,
    flatFee: tariff.flatFee,
    taxRatePercent: tariff.taxRatePercent,
    displayText: tariff.displayText,
    displayTexts: tariff.displayTexts,
    stationId: tariff.stationId || null,
    evseId: tariff.evseId ?? null,
    idTokenGroup: tariff.idTokenGroup || null,
  };
}

/** UpdateTariff's changes, checked. */
export function changesOfRequest(request: tariffV1.UpdateTariffRequest): TariffChanges {
  const v = new RequestViolations();
  checkTariffId(v, request.tariffId);
  const r = request;
  if (r.currency !== undefined) checkCurrency(v, 'currency', r.currency);
  if (r.pricePerKwh !== undefined) checkPrice(v, 'price_per_kwh', r.pricePerKwh);
  if (r.pricePerHour !== undefined) checkPrice(v, 'price_per_hour', r.pricePerHour);
  if (r.flatFee !== undefined) checkPrice(v, 'flat_fee', r.flatFee);
  if (r.taxRatePercent !== undefined) checkTax(v, 'tax_rate_percent', r.taxRatePercent);
  if (r.displayText !== undefined) checkText(v, 'display_text', r.displayText);
  checkTexts(v, 'display_texts', r.displayTexts);
  v.throwIfAny('invalid UpdateTariff request');
  return {
    ...(r.currency !== undefined ? { currency: r.currency } : {}),
    ...(r.pricePerKwh !== undefined ? { pricePerKwh: r.pricePerKwh } : {}),
    ...(r.pricePerHour !== undefined ? { pricePerHour: r.pricePerHour } : {}),
    ...(r.flatFee !== undefined ? { flatFee: r.flatFee } : {}),
    ...(r.taxRatePercent !== undefined ? { taxRatePercent: r.taxRatePercent } : {}),
    ...(r.displayText !== undefined ? { displayText: r.displayText } : {}),
    ...(r.replaceDisplayTexts ? { displayTexts: r.displayTexts } : {}),
  };
}
