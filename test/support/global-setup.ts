import type { TestProject } from 'vitest/node';
import { startNatsServer, startPostgres, type NatsServer, type PostgresServer } from '@csms/test-servers';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server the tests create their databases on. */
    pgUrl: string;
    /**
     * URL of the shared NATS server (>= 2.11, JetStream on), or '' when none could be started; then
     * `natsError` says why. Tests use unique subject prefixes, since they all share it.
     */
    natsUrl: string;
    natsError: string;
  }
}

let server: PostgresServer | undefined;
let nats: NatsServer | undefined;

/**
 * Starts the shared NATS server unless CSMS_TEST_NATS_URL points at one. A failure does not abort the
 * run: only the tests that need NATS fail (with the reason), the others still run.
 */
async function setupNats(project: TestProject): Promise<void> {
  const external = process.env.CSMS_TEST_NATS_URL;
  if (external) {
    project.provide('natsUrl', external);
    project.provide('natsError', '');
    return;
  }
  try {
    nats = await startNatsServer({ jetstream: true });
    project.provide('natsUrl', nats.url);
    project.provide('natsError', '');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(`[global-setup] no NATS server for the tests: ${reason}`);
    project.provide('natsUrl', '');
    project.provide('natsError', reason);
  }
}

/**
 * Runs once per test run: starts a private PostgreSQL server unless CSMS_TEST_PG_URL points at one.
 * Tests create their own database on it (see `createTestDatabase`).
 */
export async function setup(project: TestProject): Promise<void> {
  await setupNats(project);
  const external = process.env.CSMS_TEST_PG_URL;
  if (external) {
    project.provide('pgUrl', external);
    return;
  }
  server = await startPostgres();
  project.provide('pgUrl', server.url);
}

export async function teardown(): Promise<void> {
  await nats?.stop();
  await server?.stop();
}
