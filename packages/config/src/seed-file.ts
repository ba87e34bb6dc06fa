import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import YAML from 'yaml';
import { ConfigError } from './config-error.js';

/** A station declared in the seed file. */
export interface SeedStation {
  readonly id: string;
  /** Plain Basic-auth password (stored hashed). */
  readonly password?: string;
  /** 0 = none (development only), 1 = Basic, 2 = TLS + Basic, 3 = mTLS. Default 1. */
  readonly securityProfile?: 0 | 1 | 2 | 3;
  readonly bootPolicy?: 'Accepted' | 'Pending' | 'Rejected';
}

/** An id token declared in the seed file. */
export interface SeedIdToken {
  readonly idToken: string;
  readonly type?: string;
  readonly status?: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  /** ISO 8601 date-time. */
  readonly expiresAt?: string;
  readonly groupId?: string;
}

export interface Seed {
  readonly stations: readonly SeedStation[];
  readonly idTokens: readonly SeedIdToken[];
}

const seedSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          // OCPP 2.0.1 Part 4 §3.1.1: identity up to 48 characters, no ':' (it would break Basic auth).
          id: { type: 'string', minLength: 1, maxLength: 48, pattern: '^[^:\\s]+$' },
          // OCPP 2.0.1 A00.FR.205 / 1.6 security whitepaper: passwords are 16 to 40 characters.
          password: { type: 'string', minLength: 16, maxLength: 40 },
          securityProfile: { enum: [0, 1, 2, 3] },
          bootPolicy: { enum: ['Accepted', 'Pending', 'Rejected'] },
        },
      },
    },
    idTokens: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['idToken'],
        properties: {
          idToken: { type: 'string', minLength: 1, maxLength: 36 },
          type: { type: 'string', minLength: 1, maxLength: 20 },
          status: { enum: ['Accepted', 'Blocked', 'Expired', 'Invalid'] },
          expiresAt: { type: 'string', format: 'date-time' },
          groupId: { type: 'string', minLength: 1, maxLength: 36 },
        },
      },
    },
  },
} as const;

// ajv-formats is published as CommonJS; its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true }));
const validateSeed = ajv.compile(seedSchema);

/** Parses and validates seed file text (JSON or YAML: YAML is a superset of JSON). */
export function parseSeed(text: string, source = 'seed file'): Seed {
  let data: unknown;
  try {
    data = YAML.parse(text) ?? {};
  } catch (error) {
    throw new ConfigError([`${source}: not valid JSON or YAML: ${(error as Error).message}`]);
  }
  if (!validateSeed(data)) {
    throw new ConfigError(
      (validateSeed.errors ?? []).map(
        (e) => `${source}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
      ),
    );
  }
  const seed = data as { stations?: SeedStation[]; idTokens?: SeedIdToken[] };
  const problems: string[] = [];
  for (const s of seed.stations ?? []) {
    const profile = s.securityProfile ?? 1;
    if ((profile === 1 || profile === 2) && s.password === undefined) {
      problems.push(`${source}: station ${s.id} uses security profile ${profile} and needs a password`);
    }
  }
  const dupes = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);
  for (const id of dupes((seed.stations ?? []).map((s) => s.id)))
    problems.push(`${source}: station ${id} is declared twice`);
  for (const id of dupes((seed.idTokens ?? []).map((t) => t.idToken)))
    problems.push(`${source}: id token ${id} is declared twice`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { stations: seed.stations ?? [], idTokens: seed.idTokens ?? [] };
}

export async function readSeedFile(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `CSMS_SEED_FILE=${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    ]);
  }
  return parseSeed(text, path);
}
