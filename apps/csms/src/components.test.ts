import { loadConfig } from '@csms/config';
import { defaultWorkerConfig } from '@csms/worker';
import { describe, expect, it } from 'vitest';
import { workerConfigFrom } from './components.js';

// The worker keeps its own defaults (it is usable as a library, and services do not read the environment),
// and @csms/config holds the documented ones: each default lives twice. This test keeps the twins equal, so a
// default changed on one side only (as CSMS_OVERLOAD_BOOT_INTERVAL was, 15 -> 5, on both by hand) fails here.
describe('workerConfigFrom', () => {
  it('maps an empty environment to the worker defaults', () => {
    const fromEnv = workerConfigFrom(loadConfig({}));
    const defaults = Object.fromEntries(
      Object.keys(fromEnv).map((key) => [key, defaultWorkerConfig[key as keyof typeof defaultWorkerConfig]]),
    );
    expect(fromEnv).toEqual(defaults);
  });

  it('carries each setting from the environment', () => {
    const fromEnv = workerConfigFrom(
      loadConfig({
        CSMS_OVERLOAD_BOOT_INTERVAL: '42',
        CSMS_HEARTBEAT_INTERVAL: '77',
        CSMS_OVERLOAD_TARGET_MS: '0',
      }),
    );
    expect(fromEnv.overloadBootIntervalSec).toBe(42);
    expect(fromEnv.heartbeatIntervalSec).toBe(77);
    expect(fromEnv.overload?.targetMs).toBe(0);
  });
});
