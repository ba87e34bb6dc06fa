import type { Tariff } from '@csms/db';
import type { tariffV1 } from '@csms/grpc';

/** A tariff as the API shows it. */
export function toApiTariff(t: Tariff): tariffV1.Tariff {
  return {
    tariffId: t.id,
    currency: t.currency,
    pricePerKwh: t.pricePerKwh,
    pricePerHour: t.pricePerHour,
    flatFee: t.flatFee,
    taxRatePercent: t.taxRatePercent,
    displayText: t.displayText,
    displayTexts: { ...t.displayTexts },
    stationId: t.stationId ?? '',
    ...(t.evseId !== null ? { evseId: t.evseId } : {}),
    idTokenGroup: t.idTokenGroup ?? '',
    createTime: t.createdAt,
    updateTime: t.updatedAt,
  };
}
