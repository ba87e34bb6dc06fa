import { describe, expect, it } from 'vitest';
import {
  API_SERVICE_NAMES,
  DEPLOYED_ROLES,
  LISTED_ROLES,
  ROLES,
  SERVICE_ROLES,
  isRoleName,
} from './roles.js';

describe('role registry', () => {
  it('lists the roles of csms --help and the deployed and gRPC subsets in order', () => {
    expect(LISTED_ROLES).toEqual([
      'embedded',
      'edge',
      'worker',
      'api',
      'auth',
      'transaction',
      'firmware',
      'smart-charging',
      'reservation',
      'migrate',
    ]);
    expect(DEPLOYED_ROLES).toEqual([
      'edge',
      'worker',
      'api',
      'auth',
      'transaction',
      'firmware',
      'smart-charging',
      'reservation',
    ]);
    // The local cluster gives the gRPC roles ports in this order: api on the base port, auth next, ...
    expect(SERVICE_ROLES).toEqual([
      'api',
      'auth',
      'transaction',
      'firmware',
      'smart-charging',
      'reservation',
    ]);
  });

  it('keeps the old api name working without listing or deploying it', () => {
    expect(isRoleName('admin')).toBe(true);
    expect(LISTED_ROLES).not.toContain('admin');
    // The same process as api: same services, admin endpoint and needs; only the chart does not deploy it.
    const { aliasOf, description: _aliasText, deployment: _notDeployed, ...alias } = ROLES.admin;
    expect(aliasOf).toBe('api');
    const { description: _apiText, deployment: _deployed, ...api } = ROLES.api;
    expect(alias).toEqual(api);
    expect(isRoleName('toString')).toBe(false);
  });

  it('serves every gRPC service in some deployed role, and all of them in the embedded process', () => {
    const deployed = DEPLOYED_ROLES.flatMap((role) => ROLES[role].services);
    expect([...deployed].sort()).toEqual([...API_SERVICE_NAMES].sort());
    expect(ROLES.embedded.services).toEqual(API_SERVICE_NAMES);
  });

  it('runs the one-shot migration as a hook Job, without NATS', () => {
    expect(ROLES.migrate).toMatchObject({
      deployment: 'hook-job',
      longRunning: false,
      nats: false,
      postgres: true,
    });
  });
});
