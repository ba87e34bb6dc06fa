import { createNoopMeter } from '@opentelemetry/api';
import type { Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';

/**
 * Bucket boundaries (seconds) of the latency histograms. OpenTelemetry's default buckets start at 5 (they are
 * meant for milliseconds), so every sub-second OCPP answer would land in `le="5"` (ecosystem-notes §5): the
 * boundaries must be explicit. 1 ms .. 10 s covers a local PGlite answer up to a station CALL retried across a
 * fail-over.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** `ocpp1.6` / `ocpp2.0.1`. */
type Version = { version: string };

export type OcppResponseAttributes = { action: string; outcome: 'result' | 'error' } & Version;
export type OcppCallAttributes = {
  action: string;
  /** `station`: a CALL the station sent; `csms`: a CALL the CSMS sent to the station. */
  direction: 'station' | 'csms';
  /** result | error (CALLERROR) | timeout | closed (socket gone before the answer) | invalid-response. */
  outcome: string;
} & Version;
export type CsmsCallAttributes = { action: string };
export type BootAttributes = { status: string } & Version;
export type OwnershipChangeAttributes = { change: 'acquired' | 'released' | 'lost' };
export type ValidationErrorAttributes = {
  /** The OCPP error code in the version's spelling (1.6 FormationViolation, 2.0.1 FormatViolation, ...). */
  code: string;
  /** `call`: a station CALL refused; `frame`: an unparsable frame; `response`: a station's invalid answer. */
  kind: 'call' | 'frame' | 'response';
} & Version;
export type BusRequestAttributes = {
  /** The kind of request: `ocpp.in` (station CALL to its actor), `ocpp.out` (CSMS CALL to the edge). */
  subject: string;
  /** ok | no-responders | timeout | remote-error | error. */
  outcome: string;
};
export type StationAlertAttributes = {
  /** The triggering monitor's severity, 0 (Danger) .. 9 (Debug), or `unknown` when the CSMS holds no such monitor. */
  severity: string;
  /** The event's trigger: Alerting, Delta or Periodic. */
  trigger: string;
};
export type ActorCallAttributes = { action: string; outcome: 'result' | 'error' | 'failed' } & Version;

/**
 * The CSMS's own instruments. Created once per process by `startTelemetry` (or {@link noopCsmsMetrics} when
 * telemetry is not started: tests, embedded runs without metrics) and passed to the services through their
 * options; the services never look them up globally.
 */
export interface CsmsMetrics {
  /** Edge: from receiving a station CALL frame to writing its CALLRESULT / CALLERROR. */
  readonly ocppResponseSeconds: Histogram<OcppResponseAttributes>;
  /** Edge: OCPP exchanges in both directions by outcome. */
  readonly ocppCallsTotal: Counter<OcppCallAttributes>;
  /** Edge: open station connections. */
  readonly connections: UpDownCounter<Version>;
  /** Edge: how long stations take to answer CSMS CALLs (from writing the CALL to its answer). */
  readonly csmsCallSeconds: Histogram<{ action: string; outcome: string } & Version>;
  /** Worker: CSMS CALLs sent to stations and waiting for their answer. */
  readonly csmsCallsInFlight: UpDownCounter<CsmsCallAttributes>;
  /** Worker: CSMS CALLs waiting behind the outstanding one (one outstanding CALL per direction). */
  readonly csmsCallsQueued: UpDownCounter<CsmsCallAttributes>;
  /** Worker: CSMS CALLs the station did not answer in time. */
  readonly csmsCallTimeoutsTotal: Counter<CsmsCallAttributes>;
  /** Worker: BootNotification answers by registration status. */
  readonly bootNotificationsTotal: Counter<BootAttributes>;
  /** Worker: partitions acquired, released (hand-over) or lost (lease expired / fenced). */
  readonly partitionOwnershipChangesTotal: Counter<OwnershipChangeAttributes>;
  /** Worker: partitions taken over from an owner that did not hand them over (crash, freeze, lost lease). */
  readonly failoversTotal: Counter;
  /** Edge: frames, CALLs and station answers refused, by OCPP error code. */
  readonly validationErrorsTotal: Counter<ValidationErrorAttributes>;
  /** Edge / worker: one bus request attempt (NATS or in-memory), by outcome. */
  readonly busRequestSeconds: Histogram<BusRequestAttributes>;
  /** Edge: station CALL attempts retried because no actor answered (fail-over, hand-over). */
  readonly stationCallRetriesTotal: Counter<{ failure: string }>;
  /** Worker: a station CALL in its actor, mailbox wait and database transaction included. */
  readonly actorCallSeconds: Histogram<ActorCallAttributes>;
  /**
   * Edge: station CALLs sent before the previous one was answered (OCPP-J §4.1.1 asks stations not to):
   * queued and processed in order, refused beyond the per-station FIFO, or a duplicate of one in flight.
   */
  readonly stationCallsOverlappingTotal: Counter<{ outcome: 'queued' | 'refused' | 'duplicate' } & Version>;
  /** Worker: monitor events of 2.0.1 NotifyEvents (N07 alerts, N08 periodic events), by severity and trigger. */
  readonly stationAlertsTotal: Counter<StationAlertAttributes>;
  /** Worker: station CALLs refused early because the worker was overloaded (BootNotification answered Pending). */
  readonly overloadRefusalsTotal: Counter<{ action: string } & Version>;
  /** Worker: 1 while this worker counts as overloaded (it refuses new stations), else 0. */
  readonly overloaded: UpDownCounter;
}

export type MetricKind = 'histogram' | 'counter' | 'gauge';

/** One entry of the metric catalogue: its Prometheus name and shape. */
export interface MetricDefinition {
  readonly name: string;
  readonly kind: MetricKind;
  readonly description: string;
  readonly labels: readonly string[];
  readonly unit?: string;
}

/**
 * The metric catalogue (Prometheus names: `csms_` prefix, unit in the name, `_total` on counters). The
 * dashboard test checks every query of deploy/grafana/csms-dashboard.json against it, and the telemetry test
 * checks that /metrics really exports these names, so neither can rot silently.
 */
export const CSMS_METRICS = Object.freeze({
  ocppResponseSeconds: {
    name: 'csms_ocpp_response_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Time from receiving a station CALL to writing its CALLRESULT or CALLERROR',
    labels: ['action', 'version', 'outcome'],
  },
  ocppCallsTotal: {
    name: 'csms_ocpp_calls_total',
    kind: 'counter',
    description: 'OCPP CALLs by direction (station, csms), action, version and outcome',
    labels: ['action', 'version', 'direction', 'outcome'],
  },
  connections: {
    name: 'csms_station_connections',
    kind: 'gauge',
    description: 'Open station WebSocket connections',
    labels: ['version'],
  },
  csmsCallSeconds: {
    name: 'csms_outbound_call_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Time a station takes to answer a CSMS-initiated CALL',
    labels: ['action', 'version', 'outcome'],
  },
  csmsCallsInFlight: {
    name: 'csms_outbound_calls_in_flight',
    kind: 'gauge',
    description: 'CSMS-initiated CALLs sent and waiting for the station',
    labels: ['action'],
  },
  csmsCallsQueued: {
    name: 'csms_outbound_calls_queued',
    kind: 'gauge',
    description: 'CSMS-initiated CALLs queued behind the outstanding one',
    labels: ['action'],
  },
  csmsCallTimeoutsTotal: {
    name: 'csms_outbound_call_timeouts_total',
    kind: 'counter',
    description: 'CSMS-initiated CALLs the station did not answer in time',
    labels: ['action'],
  },
  bootNotificationsTotal: {
    name: 'csms_boot_notifications_total',
    kind: 'counter',
    description: 'BootNotification answers by registration status',
    labels: ['status', 'version'],
  },
  partitionOwnershipChangesTotal: {
    name: 'csms_partition_ownership_changes_total',
    kind: 'counter',
    description: 'Partitions acquired, released (hand-over) or lost (lease expired or fenced)',
    labels: ['change'],
  },
  failoversTotal: {
    name: 'csms_failovers_total',
    kind: 'counter',
    description: 'Partitions taken over from an owner that did not hand them over',
    labels: [],
  },
  validationErrorsTotal: {
    name: 'csms_validation_errors_total',
    kind: 'counter',
    description: 'Refused frames, CALLs and station answers by OCPP error code',
    labels: ['code', 'kind', 'version'],
  },
  busRequestSeconds: {
    name: 'csms_bus_request_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'One bus request attempt (NATS or in-memory) by subject kind and outcome',
    labels: ['subject', 'outcome'],
  },
  stationCallRetriesTotal: {
    name: 'csms_station_call_retries_total',
    kind: 'counter',
    description: 'Station CALL attempts retried because no actor answered',
    labels: ['failure'],
  },
  actorCallSeconds: {
    name: 'csms_actor_call_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'A station CALL in its actor, mailbox wait and database transaction included',
    labels: ['action', 'version', 'outcome'],
  },
  stationCallsOverlappingTotal: {
    name: 'csms_station_calls_overlapping_total',
    kind: 'counter',
    description: 'Station CALLs sent before the previous one was answered: queued, refused or duplicate',
    labels: ['outcome', 'version'],
  },
  stationAlertsTotal: {
    name: 'csms_station_alerts_total',
    kind: 'counter',
    description:
      'Monitor events stations reported (NotifyEvent with a variableMonitoringId) by severity and trigger',
    labels: ['severity', 'trigger'],
  },
  overloadRefusalsTotal: {
    name: 'csms_overload_refusals_total',
    kind: 'counter',
    description:
      'Station CALLs refused early because the worker was overloaded (BootNotification answered Pending)',
    labels: ['action', 'version'],
  },
  overloaded: {
    name: 'csms_overloaded',
    kind: 'gauge',
    description:
      '1 while the worker counts as overloaded: every CALL of its recent windows waited longer than the target',
    labels: [],
  },
} satisfies Record<keyof CsmsMetrics, MetricDefinition>);

/**
 * Metrics of the runtime instrumentation (RuntimeNodeInstrumentation) the dashboard uses: event-loop delay
 * percentiles in seconds (gauges over the last scrape interval).
 */
export const RUNTIME_METRICS: readonly MetricDefinition[] = Object.freeze(
  (['p50', 'p90', 'p99', 'max'] as const).map((stat): MetricDefinition => ({
    name: `nodejs_eventloop_delay_${stat}`,
    kind: 'gauge',
    unit: 's',
    description: `Event-loop delay ${stat} (seconds)`,
    labels: [],
  })),
);

/** Every series name Prometheus sees for the catalogue (histograms as `_bucket`, `_sum`, `_count`). */
export function prometheusSeriesNames(
  definitions: readonly MetricDefinition[] = [...Object.values(CSMS_METRICS), ...RUNTIME_METRICS],
): string[] {
  return definitions.flatMap((d) =>
    d.kind === 'histogram' ? [`${d.name}_bucket`, `${d.name}_sum`, `${d.name}_count`] : [d.name],
  );
}

/** Creates the instruments on `meter` (once per process: see `startTelemetry`). */
export function createCsmsMetrics(meter: Meter): CsmsMetrics {
  const m = CSMS_METRICS;
  const histogram = (d: MetricDefinition) =>
    meter.createHistogram(d.name, {
      description: d.description,
      ...(d.unit !== undefined ? { unit: d.unit } : {}),
      advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
    });
  const counter = (d: MetricDefinition) => meter.createCounter(d.name, { description: d.description });
  const gauge = (d: MetricDefinition) => meter.createUpDownCounter(d.name, { description: d.description });
  return {
    ocppResponseSeconds: histogram(m.ocppResponseSeconds),
    ocppCallsTotal: counter(m.ocppCallsTotal),
    connections: gauge(m.connections),
    csmsCallSeconds: histogram(m.csmsCallSeconds),
    csmsCallsInFlight: gauge(m.csmsCallsInFlight),
    csmsCallsQueued: gauge(m.csmsCallsQueued),
    csmsCallTimeoutsTotal: counter(m.csmsCallTimeoutsTotal),
    bootNotificationsTotal: counter(m.bootNotificationsTotal),
    partitionOwnershipChangesTotal: counter(m.partitionOwnershipChangesTotal),
    failoversTotal: counter(m.failoversTotal),
    validationErrorsTotal: counter(m.validationErrorsTotal),
    busRequestSeconds: histogram(m.busRequestSeconds),
    stationCallRetriesTotal: counter(m.stationCallRetriesTotal),
    actorCallSeconds: histogram(m.actorCallSeconds),
    stationCallsOverlappingTotal: counter(m.stationCallsOverlappingTotal),
    stationAlertsTotal: counter(m.stationAlertsTotal),
    overloadRefusalsTotal: counter(m.overloadRefusalsTotal),
    overloaded: gauge(m.overloaded),
  };
}

let noop: CsmsMetrics | undefined;

/** Instruments that record nothing: the default of the services' `metrics` option. */
export function noopCsmsMetrics(): CsmsMetrics {
  noop ??= createCsmsMetrics(createNoopMeter());
  return noop;
}

/** Seconds elapsed since `startMs` (a `performance.now()` reading). */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}
