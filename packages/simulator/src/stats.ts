import { mergeHistograms, summarize, type LatencySummary, type SimulatorMetrics } from './metrics.js';
import { SIMULATED_VERSIONS, type SimulatedVersion } from './model.js';

/** Response times and counts of one action in one version (or over both: version 'all'). */
export interface ActionStats extends LatencySummary {
  readonly action: string;
  readonly version: SimulatedVersion | 'all';
  /** Transmissions, retries included (`count` is the number of answers). */
  readonly sent: number;
  /** Answers that were CALLERRORs. */
  readonly errors: number;
  readonly timeouts: number;
}

/** The KPI table of a run. */
export interface SimulatorStats {
  readonly elapsedMs: number;
  readonly stations: {
    readonly total: number;
    readonly byVersion: Readonly<Record<SimulatedVersion, number>>;
    readonly connected: number;
    readonly peakConnected: number;
    readonly booted: number;
    /** BootNotification answers Pending or Rejected in the window (the station boots again after the interval). */
    readonly bootsNotAccepted: number;
  };
  readonly connections: {
    readonly attempts: number;
    readonly failures: number;
    readonly reconnects: number;
    readonly disconnects: number;
  };
  readonly messages: {
    readonly sent: number;
    readonly received: number;
    readonly sentPerSecond: number;
    readonly receivedPerSecond: number;
    readonly retried: number;
    readonly droppedTransactionMessages: number;
    readonly droppedMessages: number;
    readonly lateResponses: number;
    readonly invalidFrames: number;
  };
  /** CALLERRORs received, by errorCode. */
  readonly callErrors: Readonly<Record<string, number>>;
  readonly timeouts: number;
  readonly transactions: {
    readonly started: number;
    readonly startAcknowledged: number;
    readonly stopped: number;
    readonly stopAcknowledged: number;
    readonly authorizeRejected: number;
  };
  /** Per (action, version), sorted by action then version. */
  readonly actions: readonly ActionStats[];
  /** Every station→CSMS CALL of both versions. */
  readonly all: LatencySummary;
  /** Authorize over both versions (the KPI drivers wait for at the charger). */
  readonly authorize: LatencySummary;
  /** RemoteStartTransaction / RequestStartTransaction received → StartTransaction / TransactionEvent(Started) sent. */
  readonly remoteStart: LatencySummary;
  /** CSMS-initiated CALLs answered, by "version action". */
  readonly csmsCalls: Readonly<Record<string, number>>;
}

/** Builds the KPI table from a fleet's metrics. */
export function buildStats(
  metrics: SimulatorMetrics,
  elapsedMs: number,
  byVersion: Readonly<Record<SimulatedVersion, number>>,
): SimulatorStats {
  const seconds = Math.max(elapsedMs / 1000, 1e-3);
  const rows = metrics
    .actions()
    .sort((a, b) => a.action.localeCompare(b.action) || a.version.localeCompare(b.version));
  const actions: ActionStats[] = rows.map((m) => ({
    action: m.action,
    version: m.version,
    sent: m.sent,
    errors: m.errors,
    timeouts: m.timeouts,
    ...summarize(m.histogram),
  }));
  const authorizeRows = rows.filter((m) => m.action === 'Authorize');
  return {
    elapsedMs: Math.round(elapsedMs),
    stations: {
      total: SIMULATED_VERSIONS.reduce((n, v) => n + byVersion[v], 0),
      byVersion,
      connected: metrics.connected,
      peakConnected: metrics.peakConnected,
      booted: metrics.booted,
      bootsNotAccepted: metrics.bootsNotAccepted,
    },
    connections: {
      attempts: metrics.connectAttempts,
      failures: metrics.connectFailures,
      reconnects: metrics.reconnects,
      disconnects: metrics.disconnects,
    },
    messages: {
      sent: metrics.sent,
      received: metrics.received,
      sentPerSecond: round1(metrics.sent / seconds),
      receivedPerSecond: round1(metrics.received / seconds),
      retried: metrics.retried,
      droppedTransactionMessages: metrics.droppedTransactionMessages,
      droppedMessages: metrics.droppedMessages,
      lateResponses: metrics.lateResponses,
      invalidFrames: metrics.invalidFrames,
    },
    callErrors: Object.fromEntries([...metrics.callErrors].sort()),
    timeouts: rows.reduce((n, m) => n + m.timeouts, 0),
    transactions: {
      started: metrics.transactionsStarted,
      startAcknowledged: metrics.startsAcknowledged,
      stopped: metrics.transactionsStopped,
      stopAcknowledged: metrics.stopsAcknowledged,
      authorizeRejected: metrics.authorizeRejected,
    },
    actions,
    all: summarize(mergeHistograms(rows.map((m) => m.histogram))),
    authorize: summarize(mergeHistograms(authorizeRows.map((m) => m.histogram))),
    remoteStart: summarize(mergeHistograms(SIMULATED_VERSIONS.map((v) => metrics.remoteStart[v]))),
    csmsCalls: Object.fromEntries([...metrics.csmsCalls].sort()),
  };
}

/** The KPI table as text (what the CLI prints). */
export function formatStats(stats: SimulatorStats): string {
  const s = stats.stations;
  const m = stats.messages;
  const c = stats.connections;
  const t = stats.transactions;
  const errors = Object.entries(stats.callErrors);
  const lines = [
    `stations      ${s.total} (ocpp1.6 ${s.byVersion['ocpp1.6']}, ocpp2.0.1 ${s.byVersion['ocpp2.0.1']}), ` +
      `connected ${s.connected} (peak ${s.peakConnected}), booted ${s.booted}` +
      `${s.bootsNotAccepted > 0 ? ` (${s.bootsNotAccepted} boots answered Pending / Rejected)` : ''}, run ${(stats.elapsedMs / 1000).toFixed(1)} s`,
    `connections   attempts ${c.attempts}, failures ${c.failures}, disconnects ${c.disconnects}, reconnects ${c.reconnects}`,
    `messages      sent ${m.sent} (${m.sentPerSecond}/s), received ${m.received} (${m.receivedPerSecond}/s), ` +
      `retried ${m.retried}, dropped ${m.droppedMessages} + ${m.droppedTransactionMessages} transaction, late ${m.lateResponses}`,
    `errors        timeouts ${stats.timeouts}, CALLERRORs ${errors.length === 0 ? '0' : errors.map(([k, v]) => `${k} ${v}`).join(', ')}` +
      (m.invalidFrames > 0 ? `, invalid frames ${m.invalidFrames}` : ''),
    `transactions  started ${t.started} (acknowledged ${t.startAcknowledged}), stopped ${t.stopped} ` +
      `(acknowledged ${t.stopAcknowledged}), Authorize not accepted ${t.authorizeRejected}`,
    '',
  ];
  const header = [
    'action',
    'version',
    'count',
    'errors',
    'timeouts',
    'min',
    'avg',
    'p50',
    'p95',
    'p99',
    'max',
  ];
  const table: string[][] = [header];
  const row = (action: string, version: string, x: LatencySummary, errs = '', touts = ''): string[] => [
    action,
    version,
    String(x.count),
    errs,
    touts,
    ms(x.minMs),
    ms(x.avgMs),
    ms(x.p50Ms),
    ms(x.p95Ms),
    ms(x.p99Ms),
    ms(x.maxMs),
  ];
  for (const a of stats.actions)
    table.push(row(a.action, a.version, a, String(a.errors), String(a.timeouts)));
  table.push(row('ALL', 'both', stats.all));
  table.push(row('* Authorize', 'both', stats.authorize));
  if (stats.remoteStart.count > 0) table.push(row('* RemoteStart→start sent', 'both', stats.remoteStart));
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const [i, r] of table.entries()) {
    lines.push(
      r.map((cell, j) => (j < 2 ? cell.padEnd(widths[j] ?? 0) : cell.padStart(widths[j] ?? 0))).join('  '),
    );
    if (i === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  lines.push('(response times in ms, as the stations saw them: CALL sent → CALLRESULT/CALLERROR received)');
  const calls = Object.entries(stats.csmsCalls);
  if (calls.length > 0)
    lines.push(`CSMS-initiated calls answered: ${calls.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines.join('\n');
}

function ms(value: number): string {
  return value.toFixed(value >= 100 ? 0 : 2);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
