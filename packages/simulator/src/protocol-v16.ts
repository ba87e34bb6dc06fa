import type { V16 } from '@csms/ocpp';
import type { MeterSample, Outgoing } from './model.js';
import {
  asRecord,
  notImplemented,
  applyInt,
  result,
  type CallAnswer,
  type Protocol,
  type StationControl,
} from './protocol.js';
import { answerTriggerMessage } from './trigger-message.js';

const VENDOR = 'CsmsSimulator';
const MODEL = 'Sim-16';
const REGISTER = 'Energy.Active.Import.Register';

/** A 1.6 configuration key (§9.1) the simulator reports; `set` is absent for read-only keys. */
interface ConfigKey {
  readonly key: string;
  get(station: StationControl): string;
  /** Applies a value; false when it is not acceptable (answered Rejected). */
  set?(station: StationControl, value: string): boolean;
}

/** A small fixed set of Core keys (§9.1), enough for GetConfiguration/ChangeConfiguration scenarios. */
const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: 'HeartbeatInterval',
    get: (s) => String(s.settings.heartbeatIntervalSec),
    set: (s, v) => applyInt(v, 0, (n) => s.setHeartbeatInterval(n)),
  },
  {
    key: 'MeterValueSampleInterval',
    get: (s) => String(Math.round(s.settings.meterValueIntervalMs / 1000)),
    set: (s, v) => applyInt(v, 1, (n) => (s.settings.meterValueIntervalMs = n * 1000)),
  },
  { key: 'NumberOfConnectors', get: (s) => String(s.connectors.length) },
  {
    key: 'TransactionMessageAttempts',
    get: (s) => String(s.settings.transactionMessageAttempts),
    set: (s, v) => applyInt(v, 1, (n) => (s.settings.transactionMessageAttempts = n)),
  },
  {
    key: 'TransactionMessageRetryInterval',
    get: (s) => String(Math.round(s.settings.transactionMessageRetryIntervalMs / 1000)),
    set: (s, v) => applyInt(v, 0, (n) => (s.settings.transactionMessageRetryIntervalMs = n * 1000)),
  },
  { key: 'ConnectionTimeOut', get: (s) => String(Math.ceil(s.settings.callTimeoutMs / 1000)) },
  // Remote starts begin the transaction without Authorize (§5.11 with AuthorizeRemoteTxRequests=false).
  { key: 'AuthorizeRemoteTxRequests', get: () => 'false' },
  { key: 'LocalAuthorizeOffline', get: () => 'false' },
  { key: 'LocalPreAuthorize', get: () => 'false' },
  { key: 'StopTransactionOnInvalidId', get: () => 'true' },
  { key: 'MeterValuesSampledData', get: () => REGISTER },
  { key: 'SupportedFeatureProfiles', get: () => 'Core,RemoteTrigger' },
];

/** OCPP 1.6-J: Core profile messages and the Core + RemoteTrigger CALLs a Central System sends. */
export const protocolV16: Protocol = {
  version: 'ocpp1.6',
  startAction: 'StartTransaction',
  meterAction: 'MeterValues',
  stopAction: 'StopTransaction',

  bootPayload(station) {
    const request: V16.BootNotificationRequest = {
      chargePointVendor: VENDOR,
      chargePointModel: MODEL,
      chargePointSerialNumber: station.identity.slice(0, 25),
      firmwareVersion: '1.0.0',
    };
    return request as unknown as Record<string, unknown>;
  },

  statusPayload(connectorId, status) {
    const request: V16.StatusNotificationRequest = {
      connectorId,
      errorCode: 'NoError',
      status: status === 'Occupied' ? 'Charging' : status,
      timestamp: new Date().toISOString(),
    };
    return request as unknown as Record<string, unknown>;
  },

  authorizePayload(idToken) {
    return { idTag: idToken } satisfies V16.AuthorizeRequest;
  },

  transactionPayload(entry: Outgoing) {
    const tx = entry.tx;
    const meter = entry.meter;
    if (tx === undefined || meter === undefined) return undefined;
    switch (entry.kind) {
      case 'start': {
        const request: V16.StartTransactionRequest = {
          connectorId: tx.connector.id,
          idTag: tx.idToken,
          meterStart: meter.valueWh,
          timestamp: meter.timestamp,
        };
        return request as unknown as Record<string, unknown>;
      }
      case 'meter': {
        // The CSMS-issued id is known once StartTransaction was answered; a start that was given up on
        // leaves the transaction unaddressable, so its later messages are dropped (counted in the ledger).
        const id = tx.record.transactionId;
        if (id === undefined) return undefined;
        const request: V16.MeterValuesRequest = {
          connectorId: tx.connector.id,
          transactionId: Number(id),
          meterValue: [meterValue(meter)],
        };
        return request as unknown as Record<string, unknown>;
      }
      case 'stop': {
        const id = tx.record.transactionId;
        if (id === undefined) return undefined;
        const reason = (entry.detail ?? 'Local') as NonNullable<V16.StopTransactionRequest['reason']>;
        const request: V16.StopTransactionRequest = {
          transactionId: Number(id),
          meterStop: meter.valueWh,
          timestamp: meter.timestamp,
          reason,
          // The token that stopped it (a local stop is the driver presenting the same card).
          ...(reason === 'Local' ? { idTag: tx.idToken } : {}),
        };
        return request as unknown as Record<string, unknown>;
      }
      case 'boot':
      case 'heartbeat':
      case 'status':
      case 'authorize':
      case 'notify':
        return undefined;
    }
  },

  startResult(payload) {
    const id = payload.transactionId;
    const status = asRecord(payload.idTagInfo).status;
    return {
      transactionId: typeof id === 'number' && Number.isInteger(id) ? String(id) : undefined,
      status: typeof status === 'string' ? status : undefined,
    };
  },

  authorizeStatus(payload) {
    const status = asRecord(payload.idTagInfo).status;
    return typeof status === 'string' ? status : undefined;
  },

  meterValuesPayload(connectorId, sample) {
    // Not transaction-related (§3.7 lists periodic and clock-aligned ones only): sent once, without
    // transactionId, so it never adds to a transaction's meter values behind the ledger's back.
    const request: V16.MeterValuesRequest = { connectorId, meterValue: [meterValue(sample)] };
    return request as unknown as Record<string, unknown>;
  },

  trigger: {
    rejectBootWhenAccepted: false,
    reportsChargePointStatus: true,
    transactionEvent: false,
    idleNotifications: ['DiagnosticsStatusNotification', 'FirmwareStatusNotification'],
  },

  handleCall(station, action, payload): CallAnswer {
    switch (action) {
      case 'RemoteStartTransaction':
        return remoteStart(station, payload as unknown as V16.RemoteStartTransactionRequest);
      case 'RemoteStopTransaction': {
        const request = payload as unknown as V16.RemoteStopTransactionRequest;
        const tx = station.findTransaction(String(request.transactionId));
        if (tx === undefined) return result<V16.RemoteStopTransactionResponse>({ status: 'Rejected' });
        return result<V16.RemoteStopTransactionResponse>({ status: 'Accepted' }, () =>
          station.endTransaction(tx, 'Remote'),
        );
      }
      case 'Reset': {
        const request = payload as unknown as V16.ResetRequest;
        // §5.13: the Charge Point stops its transactions (reason SoftReset/HardReset), then reboots.
        const reason = request.type === 'Hard' ? 'HardReset' : 'SoftReset';
        return result<V16.ResetResponse>({ status: 'Accepted' }, () => station.reset(reason, false));
      }
      case 'ChangeAvailability': {
        const request = payload as unknown as V16.ChangeAvailabilityRequest;
        const targets =
          request.connectorId === 0
            ? station.connectors
            : station.connectors.filter((c) => c.id === request.connectorId);
        if (targets.length === 0) return result<V16.ChangeAvailabilityResponse>({ status: 'Rejected' });
        const operative = request.type === 'Operative';
        // §5.2: a connector with a transaction changes when it ends ("Scheduled").
        const busy = !operative && targets.some((c) => c.tx !== undefined);
        return result<V16.ChangeAvailabilityResponse>({ status: busy ? 'Scheduled' : 'Accepted' }, () =>
          station.changeAvailability(targets, operative),
        );
      }
      case 'UnlockConnector': {
        const request = payload as unknown as V16.UnlockConnectorRequest;
        const connector = station.connectors.find((c) => c.id === request.connectorId);
        if (connector === undefined) return result<V16.UnlockConnectorResponse>({ status: 'NotSupported' });
        // §5.17: a transaction on the connector is stopped (reason UnlockCommand) before unlocking.
        const tx = connector.tx;
        return result<V16.UnlockConnectorResponse>({ status: 'Unlocked' }, () => {
          if (tx !== undefined) station.endTransaction(tx, 'UnlockCommand');
        });
      }
      case 'GetConfiguration':
        return result(getConfiguration(station, payload as unknown as V16.GetConfigurationRequest));
      case 'ChangeConfiguration': {
        const request = payload as unknown as V16.ChangeConfigurationRequest;
        const key = findKey(request.key);
        if (key === undefined) return result<V16.ChangeConfigurationResponse>({ status: 'NotSupported' });
        if (key.set === undefined) return result<V16.ChangeConfigurationResponse>({ status: 'Rejected' });
        const ok = key.set(station, String(request.value));
        return result<V16.ChangeConfigurationResponse>({ status: ok ? 'Accepted' : 'Rejected' });
      }
      case 'ClearCache':
        return result<V16.ClearCacheResponse>({ status: 'Accepted' });
      case 'TriggerMessage':
        return triggerMessage(station, payload as unknown as V16.TriggerMessageRequest);
      case 'DataTransfer':
        // No vendor extensions: §4.3 / §5.6 "UnknownVendorId" for a vendorId the receiver does not know.
        return result<V16.DataTransferResponse>({ status: 'UnknownVendorId' });
      default:
        return notImplemented(action);
    }
  },
};

function remoteStart(station: StationControl, request: V16.RemoteStartTransactionRequest): CallAnswer {
  // connectorId 0 is not allowed (§6.33); without one the Charge Point picks a connector.
  const connector =
    request.connectorId === undefined
      ? station.freeConnector()
      : station.connectors.find((c) => c.id === request.connectorId);
  if (connector === undefined || connector.tx !== undefined || !connector.operative || !station.accepted) {
    return result<V16.RemoteStartTransactionResponse>({ status: 'Rejected' });
  }
  return result<V16.RemoteStartTransactionResponse>({ status: 'Accepted' }, () =>
    station.remoteStart(connector, request.idTag, 'ISO14443', undefined),
  );
}

function getConfiguration(station: StationControl, request: V16.GetConfigurationRequest) {
  const response: V16.GetConfigurationResponse = {};
  if (request.key === undefined || request.key.length === 0) {
    response.configurationKey = CONFIG_KEYS.map((k) => configEntry(station, k));
    return response;
  }
  const known: NonNullable<V16.GetConfigurationResponse['configurationKey']> = [];
  const unknown: string[] = [];
  for (const name of request.key) {
    const key = findKey(name);
    if (key === undefined) unknown.push(name);
    else known.push(configEntry(station, key));
  }
  if (known.length > 0) response.configurationKey = known;
  if (unknown.length > 0) response.unknownKey = unknown;
  return response;
}

function configEntry(station: StationControl, key: ConfigKey) {
  return { key: key.key, readonly: key.set === undefined, value: key.get(station) };
}

function findKey(name: string): ConfigKey | undefined {
  const lower = name.toLowerCase();
  return CONFIG_KEYS.find((k) => k.key.toLowerCase() === lower);
}

function triggerMessage(station: StationControl, request: V16.TriggerMessageRequest): CallAnswer {
  const wholeStation = request.connectorId === undefined || request.connectorId === 0;
  const targets = wholeStation
    ? station.connectors
    : station.connectors.filter((c) => c.id === request.connectorId);
  return answerTriggerMessage(station, protocolV16, request.requestedMessage, targets, wholeStation);
}

function meterValue(sample: MeterSample): V16.MeterValuesRequest['meterValue'][number] {
  return {
    timestamp: sample.timestamp,
    sampledValue: [
      {
        value: String(sample.valueWh),
        context: sample.context as NonNullable<
          V16.MeterValuesRequest['meterValue'][number]['sampledValue'][number]['context']
        >,
        measurand: REGISTER,
        location: 'Outlet',
        unit: 'Wh',
      },
    ],
  };
}

/** Exported for tests: the configuration keys GetConfiguration reports. */
export const V16_CONFIGURATION_KEYS: readonly string[] = CONFIG_KEYS.map((k) => k.key);
