/**
 * The process roles of the `csms` command: the one list that the command's usage and dispatch
 * (apps/csms), the local cluster launcher, `npm run cluster`, the benchmark and the Helm chart check
 * (`npm run check:helm`, which holds helm/csms against it) read. Names of gRPC services only: the
 * service code is wired in apps/csms/src/api.ts.
 */

/** The gRPC services a process can serve (`station` includes the typed OCPP command services). */
export const API_SERVICE_NAMES = [
  'station',
  'auth',
  'transaction',
  'firmware',
  'smart-charging',
  'reservation',
] as const;
export type ApiServiceName = (typeof API_SERVICE_NAMES)[number];

/** How the Helm chart runs a role: a Deployment, a pre-install/pre-upgrade hook Job, or not at all. */
export type RoleDeployment = 'deployment' | 'hook-job' | 'none';

export interface RoleSpec {
  /** One line for `csms --help`. */
  readonly description: string;
  /** The gRPC services it serves (none: no gRPC port). */
  readonly services: readonly ApiServiceName[];
  /** It also serves the admin HTTP endpoint. */
  readonly admin: boolean;
  readonly deployment: RoleDeployment;
  /** It needs CSMS_NATS_URL. */
  readonly nats: boolean;
  /** It needs CSMS_DATABASE_URL (PostgreSQL); the embedded role falls back to PGlite. */
  readonly postgres: boolean;
  /** It runs until stopped and serves /metrics, /healthz and /readyz (a one-shot role does not). */
  readonly longRunning: boolean;
  /** An old name kept working: the role it stands for (not listed in the usage, not deployed). */
  readonly aliasOf?: string;
}

/** Every role by its `csms` argument, in the order of `csms --help`. */
export const ROLES = {
  embedded: {
    description: 'every service in this process, PGlite or PostgreSQL, in-memory bus (default)',
    services: API_SERVICE_NAMES,
    admin: true,
    deployment: 'none',
    nats: false,
    postgres: false,
    longRunning: true,
  },
  edge: {
    description: 'station WebSockets, bridged to the workers over NATS',
    services: [],
    admin: false,
    deployment: 'deployment',
    nats: true,
    postgres: true,
    longRunning: true,
  },
  worker: {
    description: 'station actors of the partitions this worker leases',
    services: [],
    admin: false,
    deployment: 'deployment',
    nats: true,
    postgres: true,
    longRunning: true,
  },
  api: {
    description: 'the gRPC API on one address (station API here, domain services forwarded) + admin endpoint',
    services: ['station'],
    admin: true,
    deployment: 'deployment',
    nats: true,
    postgres: true,
    longRunning: true,
  },
  auth: grpcRole('auth', 'gRPC auth service (id tokens, station credentials, local lists, Authorize)'),
  transaction: grpcRole('transaction', 'gRPC transaction service (transactions, meter values, event stream)'),
  firmware: grpcRole('firmware', 'gRPC firmware service (firmware updates, log uploads, campaigns)'),
  'smart-charging': grpcRole(
    'smart-charging',
    'gRPC smart-charging service (charging profiles, composite schedules)',
  ),
  reservation: grpcRole(
    'reservation',
    'gRPC reservation service (ReserveNow, CancelReservation, reservations)',
  ),
  migrate: {
    description: 'migrate the database schema, then exit (a release job)',
    services: [],
    admin: false,
    deployment: 'hook-job',
    nats: false,
    postgres: true,
    longRunning: false,
  },
  // The name of the api role before the gRPC API existed; kept so that existing scripts keep working.
  admin: {
    description: 'the api role under its old name',
    services: ['station'],
    admin: true,
    deployment: 'none',
    nats: true,
    postgres: true,
    longRunning: true,
    aliasOf: 'api',
  },
} as const satisfies Readonly<Record<string, RoleSpec>>;

/** A domain service role: one gRPC service, nothing else. */
function grpcRole<const N extends ApiServiceName>(service: N, description: string) {
  return {
    description,
    services: [service],
    admin: false,
    deployment: 'deployment',
    nats: true,
    postgres: true,
    longRunning: true,
  } as const;
}

export type RoleName = keyof typeof ROLES;

/** The deployed roles that serve gRPC: api, auth, transaction, firmware, smart-charging. */
export type ServiceRole = {
  [K in RoleName]: (typeof ROLES)[K] extends {
    readonly deployment: 'deployment';
    readonly services: readonly [string];
  }
    ? K
    : never;
}[RoleName];

const ROLE_NAMES = Object.keys(ROLES) as RoleName[];

/** Whether `name` is a `csms` role (aliases included). */
export function isRoleName(name: string): name is RoleName {
  return Object.hasOwn(ROLES, name);
}

/** The roles of the usage text: every role but the aliases. */
export const LISTED_ROLES: readonly RoleName[] = ROLE_NAMES.filter((name) => !('aliasOf' in ROLES[name]));

/** The roles the Helm chart runs as Deployments, in registry order. */
export const DEPLOYED_ROLES: readonly RoleName[] = ROLE_NAMES.filter(
  (name) => ROLES[name].deployment === 'deployment',
);

/**
 * The gRPC service roles, in the order the local cluster gives them ports (basePort + index): the
 * deployed roles that serve gRPC.
 */
export const SERVICE_ROLES = DEPLOYED_ROLES.filter(
  (name) => ROLES[name].services.length > 0,
) as readonly ServiceRole[];
