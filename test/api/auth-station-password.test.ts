/**
 * csms.auth.v1.AuthService against a whole embedded CSMS: real gRPC server and client, real OCPP 1.6 and 2.0.1
 * stations (ocpp-rpc) through the edge and their actors. Checks the exact payloads the stations receive.
 */
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import {
  PASSWORD16,
  PASSWORD201,
  PW_STATIONS_16,
  PW_STATIONS_201,
  booted16Station,
  booted201Station,
  client,
  upgrade,
  useAuthApi,
} from '../support/auth-api.js';

useAuthApi();

describe('RotateStationPassword (A01)', () => {
  it('1.6: sends a generated AuthorizationKey; once Accepted only the new password opens a connection', async () => {
    const id = PW_STATIONS_16[0];
    const cp = await booted16Station(id, PASSWORD16);
    cp.respond('ChangeConfiguration', { status: 'Accepted' });
    const answer = await client.rotateStationPassword({ stationId: id });
    expect(answer).toMatchObject({ stationStatus: 'Accepted', changed: true });
    // 16 bytes as 32 hexadecimal digits (1.6 Security Whitepaper A00.FR.205).
    expect(answer.generatedPassword).toMatch(/^[0-9a-f]{32}$/);
    expect(cp.requests('ChangeConfiguration')).toEqual([
      { key: 'AuthorizationKey', value: answer.generatedPassword },
    ]);
    await cp.close();
    // A01.FR.03: the old credentials are no longer accepted.
    expect((await upgrade(id, 'ocpp1.6', PASSWORD16)).status).toBe(401);
    expect((await upgrade(id, 'ocpp1.6', answer.generatedPassword)).status).toBe(101);
    await (await booted16Station(id, answer.generatedPassword)).close();
  });

  it('1.6: a Rejected change keeps the old password (A01.FR.04)', async () => {
    const id = PW_STATIONS_16[1];
    const cp = await booted16Station(id, PASSWORD16);
    cp.respond('ChangeConfiguration', { status: 'Rejected' });
    const wanted = 'ffeeddccbbaa99887766554433221100';
    const answer = await client.rotateStationPassword({ stationId: id, password: wanted });
    expect(answer).toEqual({ stationStatus: 'Rejected', changed: false, generatedPassword: '' });
    expect(cp.requests('ChangeConfiguration')).toEqual([{ key: 'AuthorizationKey', value: wanted }]);
    await cp.close();
    expect((await upgrade(id, 'ocpp1.6', wanted)).status).toBe(401);
    expect((await upgrade(id, 'ocpp1.6', PASSWORD16)).status).toBe(101);
  });

  it('1.6: refuses a password that is not 32-40 hexadecimal digits without calling the station', async () => {
    const id = PW_STATIONS_16[2];
    const cp = await booted16Station(id, PASSWORD16);
    const bad = await rejection(
      client.rotateStationPassword({ stationId: id, password: 'not-hex-but-long-enough' }),
    );
    expect(bad).toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(bad.violations.map((v) => v.field)).toEqual(['password']);
    expect(cp.requests('ChangeConfiguration')).toEqual([]);
    await cp.close();
  });

  it('2.0.1: sends SecurityCtrlr.BasicAuthPassword with SetVariables; Accepted switches the password', async () => {
    const id = PW_STATIONS_201[0];
    const cs = await booted201Station(id, PASSWORD201);
    cs.respond('SetVariables', (request) => ({
      setVariableResult: request.setVariableData.map((d) => ({
        attributeStatus: 'Accepted' as const,
        component: d.component,
        variable: d.variable,
      })),
    }));
    const answer = await client.rotateStationPassword({ stationId: id });
    expect(answer).toMatchObject({ stationStatus: 'Accepted', changed: true });
    // A00.FR.205: a passwordString of 16-40 characters.
    expect(answer.generatedPassword).toMatch(/^[A-Za-z0-9*\-_=:+|@.]{32}$/);
    expect(cs.requests('SetVariables')).toEqual([
      {
        setVariableData: [
          {
            component: { name: 'SecurityCtrlr' },
            variable: { name: 'BasicAuthPassword' },
            attributeValue: answer.generatedPassword,
          },
        ],
      },
    ]);
    await cs.close();
    expect((await upgrade(id, 'ocpp2.0.1', PASSWORD201)).status).toBe(401);
    expect((await upgrade(id, 'ocpp2.0.1', answer.generatedPassword)).status).toBe(101);
  });

  it('2.0.1: a Rejected attribute keeps the old password', async () => {
    const id = PW_STATIONS_201[1];
    const cs = await booted201Station(id, PASSWORD201);
    cs.respond('SetVariables', (request) => ({
      setVariableResult: request.setVariableData.map((d) => ({
        attributeStatus: 'Rejected' as const,
        component: d.component,
        variable: d.variable,
      })),
    }));
    const answer = await client.rotateStationPassword({ stationId: id, password: 'New:Password-201.ok' });
    expect(answer).toEqual({ stationStatus: 'Rejected', changed: false, generatedPassword: '' });
    await cs.close();
    expect((await upgrade(id, 'ocpp2.0.1', 'New:Password-201.ok')).status).toBe(401);
    expect((await upgrade(id, 'ocpp2.0.1', PASSWORD201)).status).toBe(101);
  });
});
