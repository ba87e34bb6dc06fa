/**
 * csms.firmware.v1.FirmwareService against a whole embedded CSMS: real gRPC, real OCPP stations (ocpp-rpc in
 * strict mode, so every command the campaign sends is schema-checked by the station) of both versions. The
 * stations answer UpdateFirmware / SignedUpdateFirmware / GetLog / GetDiagnostics and then send their status
 * notifications; the campaign's per-station rows and counts must follow. The OCTT-named cases replay the
 * tool's steps (1.6 TestCaseDocument §3.15-3.16 and §3.21, 2.0.1 Part 6 L01 / N01) with the campaign API as
 * the CSMS operator.
 */
import type { V16, V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { booted16, booted201, notifyConnector, statusNotification16 } from '../support/octt-states.js';
import {
  CERTIFICATE,
  CampaignState,
  FIRMWARE_URL,
  S,
  SIGNATURE,
  counts,
  reaches,
  service,
  signed,
  startFirmware,
  station16,
  station201,
  useFirmwareApi,
} from '../support/firmware-api.js';

useFirmwareApi();

/** 1.6 UpdateFirmware (unsigned) through a one-station campaign; the station then reports `statuses`. */
async function update16(statuses: V16.FirmwareStatusNotificationRequest['status'][], reboot: boolean) {
  const cp = await station16();
  cp.respond('UpdateFirmware', {});
  const id = await startFirmware([cp.id]);
  await service.settled();
  expect(cp.requests('UpdateFirmware')).toEqual([
    { location: FIRMWARE_URL, retrieveDate: expect.any(String) as string },
  ]);
  for (const status of statuses) {
    if (status === 'Installing') await statusNotification16(cp, 0, 'Unavailable');
    expect(await cp.call('FirmwareStatusNotification', { status })).toEqual({});
    await reaches(id, cp.id, undefined, status);
    if (status === 'Installing' && reboot) {
      expect((await booted16(cp)).status).toBe('Accepted');
    }
  }
  return { id, cp };
}

describe('TC_044_1_CSMS: Firmware Update - Download and Install', () => {
  it('sends UpdateFirmware.req with the location and follows the station to Installed', async () => {
    const { id, cp } = await update16(['Downloading', 'Downloaded', 'Installing', 'Installed'], true);
    await reaches(id, cp.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
    expect((await counts(id)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
  });
});

describe('TC_044_2_CSMS: Firmware Update - Download Failed', () => {
  it('ends the station as failed on DownloadFailed', async () => {
    const { id, cp } = await update16(['Downloading', 'DownloadFailed'], false);
    expect(await reaches(id, cp.id, S.STATION_STATUS_FAILED, 'DownloadFailed')).toMatchObject({
      reason: 'DownloadFailed',
    });
  });
});

describe('TC_044_3_CSMS: Firmware Update - Installation Failed', () => {
  it('ends the station as failed on InstallationFailed after the reboot', async () => {
    const { id, cp } = await update16(
      ['Downloading', 'Downloaded', 'Installing', 'InstallationFailed'],
      true,
    );
    await reaches(id, cp.id, S.STATION_STATUS_FAILED, 'InstallationFailed');
  });
});

/** 1.6 SignedUpdateFirmware (security whitepaper L01) through a campaign with a signature. */
async function signed16(statuses: V201.FirmwareStatusEnumType[]) {
  const cp = await station16();
  cp.respond('SignedUpdateFirmware', { status: 'Accepted' });
  const id = await startFirmware([cp.id], signed());
  await service.settled();
  const [request] = cp.requests('SignedUpdateFirmware');
  expect(request).toEqual({
    requestId: expect.any(Number) as number,
    firmware: {
      location: FIRMWARE_URL,
      retrieveDateTime: expect.any(String) as string,
      signingCertificate: CERTIFICATE,
      signature: SIGNATURE,
    },
  });
  expect(cp.requests('UpdateFirmware')).toEqual([]);
  for (const status of statuses) {
    if (status === 'Installed') {
      expect((await booted16(cp)).status).toBe('Accepted');
      await cp.call('SecurityEventNotification', {
        type: 'FirmwareUpdated',
        timestamp: new Date().toISOString(),
      });
    }
    expect(
      await cp.call('SignedFirmwareStatusNotification', { status, requestId: request!.requestId }),
    ).toEqual({});
    await reaches(id, cp.id, undefined, status);
  }
  return { id, cp };
}

describe('TC_080_CSMS: Secure Firmware Update', () => {
  it('sends SignedUpdateFirmware.req with certificate and signature and follows it to Installed', async () => {
    const { id, cp } = await signed16([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallRebooting',
      'Installed',
    ]);
    await reaches(id, cp.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
  });
});

describe('TC_081_CSMS: Secure Firmware Update - Invalid Signature', () => {
  it('ends the station as failed on InvalidSignature', async () => {
    const { id, cp } = await signed16(['Downloading', 'Downloaded', 'InvalidSignature']);
    await reaches(id, cp.id, S.STATION_STATUS_FAILED, 'InvalidSignature');
  });
});

/** 2.0.1 UpdateFirmware with signing certificate (L01) through a campaign; then the notifications. */
async function update201(statuses: V201.FirmwareStatusEnumType[]) {
  const cs = await station201();
  cs.respond('UpdateFirmware', { status: 'Accepted' });
  const id = await startFirmware([cs.id], signed());
  await service.settled();
  const [request] = cs.requests('UpdateFirmware');
  expect(request).toEqual({
    requestId: expect.any(Number) as number,
    firmware: {
      location: FIRMWARE_URL,
      retrieveDateTime: expect.any(String) as string,
      signingCertificate: CERTIFICATE,
      signature: SIGNATURE,
    },
  });
  for (const status of statuses) {
    if (status === 'Installed' || status === 'InstallationFailed') {
      expect((await booted201(cs, [], 'FirmwareUpdate')).status).toBe('Accepted');
      await notifyConnector(cs, 1, 1, 'Available');
    }
    expect(await cs.call('FirmwareStatusNotification', { status, requestId: request!.requestId })).toEqual(
      {},
    );
    await reaches(id, cs.id, undefined, status);
    if (status === 'InvalidSignature')
      await cs.call('SecurityEventNotification', {
        type: 'InvalidFirmwareSignature',
        timestamp: new Date().toISOString(),
      });
  }
  return { id, cs };
}

describe('TC_L_01_CSMS: Secure Firmware Update - Installation successful', () => {
  it('sends UpdateFirmwareRequest with signingCertificate and signature and follows it to Installed', async () => {
    const { id, cs } = await update201([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallRebooting',
      'Installed',
    ]);
    await reaches(id, cs.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
    expect((await counts(id)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
  });
});

describe('TC_L_06_CSMS: Secure Firmware Update - InvalidSignature', () => {
  it('ends the station as failed on InvalidSignature', async () => {
    const { id, cs } = await update201(['Downloading', 'Downloaded', 'InvalidSignature']);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'InvalidSignature');
  });
});

describe('TC_L_07_CSMS: Secure Firmware Update - DownloadFailed', () => {
  it('ends the station as failed on DownloadFailed', async () => {
    const { id, cs } = await update201(['Downloading', 'DownloadFailed']);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'DownloadFailed');
  });
});

describe('TC_L_08_CSMS: Secure Firmware Update - InstallVerificationFailed', () => {
  it('ends the station as failed on InstallVerificationFailed', async () => {
    const { id, cs } = await update201([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallVerificationFailed',
    ]);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'InstallVerificationFailed');
  });
});

describe('TC_L_09_CSMS: Secure Firmware Update - InstallationFailed', () => {
  it('ends the station as failed on InstallationFailed after the reboot', async () => {
    const { id, cs } = await update201([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallRebooting',
      'InstallationFailed',
    ]);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'InstallationFailed');
  });
});
