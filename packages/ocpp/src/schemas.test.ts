import { readdirSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ACTION_SENDERS, actionsOf } from './actions.js';
import { V21_SEND_MESSAGES } from './gen/v21.js';
import { OCPP_VERSIONS } from './version.js';
import type { OcppVersion } from './version.js';

function files(version: OcppVersion): string[] {
  return readdirSync(new URL(`../schemas/${version}/`, import.meta.url)).filter((f) => f.endsWith('.json'));
}

describe('vendored OCA schemas', () => {
  it('have the expected file counts', () => {
    // 1.6: 56 core (schemas/json) + 22 security whitepaper; 2.0.1: 128; 2.1: 181 (90 pairs + 1 SEND message).
    expect(files('ocpp1.6')).toHaveLength(78);
    expect(files('ocpp2.0.1')).toHaveLength(128);
    expect(files('ocpp2.1')).toHaveLength(181);
  });

  it('have a request and a response schema for every action in the direction tables, and nothing else', () => {
    for (const version of OCPP_VERSIONS) {
      const expected = actionsOf(version).flatMap((action) => [
        version === 'ocpp1.6' ? `${action}.json` : `${action}Request.json`,
        `${action}Response.json`,
      ]);
      if (version === 'ocpp2.1')
        expected.push(...Object.keys(V21_SEND_MESSAGES).map((name) => `${name}.json`));
      expect(files(version).sort()).toEqual(expected.sort());
    }
  });

  it('have plausible direction tables', () => {
    expect(actionsOf('ocpp1.6')).toHaveLength(39);
    expect(actionsOf('ocpp2.0.1')).toHaveLength(64);
    expect(actionsOf('ocpp2.1')).toHaveLength(90);
    for (const version of OCPP_VERSIONS) {
      const both = Object.entries(ACTION_SENDERS[version]).filter(([, sender]) => sender === 'both');
      expect(both.map(([action]) => action)).toEqual(['DataTransfer']);
    }
  });
});
