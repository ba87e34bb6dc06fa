import type { V201 } from '@csms/ocpp';
import type { Connector, MeterSample, Outgoing } from './model.js';
import {
  asRecord,
  notImplemented,
  result,
  type CallAnswer,
  type Protocol,
  type StationControl,
  type StopReason,
} from './protocol.js';
import { getVariables, notifyReport, setVariables } from './device-model-v201.js';
import { answerTriggerMessage } from './trigger-message.js';

const VENDOR = 'CsmsSimulator';
const MODEL = 'Sim-201';
const REGISTER = 'Energy.Active.Import.Register';

/** Version-neutral stop reasons → TransactionEvent(Ended) triggerReason and stoppedReason. */
const ENDED: Readonly<
  Record<StopReason, { trigger: V201.TriggerReasonEnumType; reason: V201.ReasonEnumType }>
> = {
  // A driver ending the session with their card: E06 "StopAuthorized", stoppedReason Local.
  Local: { trigger: 'StopAuthorized', reason: 'Local' },
  Remote: { trigger: 'RemoteStop', reason: 'Remote' },
  DeAuthorized: { trigger: 'Deauthorized', reason: 'DeAuthorized' },
  SoftReset: { trigger: 'ResetCommand', reason: 'ImmediateReset' },
  HardReset: { trigger: 'ResetCommand', reason: 'ImmediateReset' },
  UnlockCommand: { trigger: 'UnlockCommand', reason: 'Other' },
};

/** OCPP 2.0.1: the Core messages of a charging station and the CSMS requests of blocks B, C, E, F, G. */
export const protocolV201: Protocol = {
  version: 'ocpp2.0.1',
  startAction: 'TransactionEvent',
  meterAction: 'TransactionEvent',
  stopAction: 'TransactionEvent',

  bootPayload(station, reason) {
    const request: V201.BootNotificationRequest = {
      reason,
      chargingStation: {
        model: MODEL,
        vendorName: VENDOR,
        serialNumber: station.identity.slice(0, 25),
        firmwareVersion: '1.0.0',
      },
    };
    return request as unknown as Record<string, unknown>;
  },

  statusPayload(connectorId, status) {
    const request: V201.StatusNotificationRequest = {
      timestamp: new Date().toISOString(),
      connectorStatus: status,
      evseId: connectorId,
      connectorId: 1,
    };
    return request as unknown as Record<string, unknown>;
  },

  authorizePayload(idToken) {
    const request: V201.AuthorizeRequest = { idToken: { idToken, type: 'ISO14443' } };
    return request as unknown as Record<string, unknown>;
  },

  transactionPayload(entry: Outgoing) {
    const tx = entry.tx;
    const meter = entry.meter;
    const transactionId = tx?.record.transactionId;
    if (tx === undefined || meter === undefined || transactionId === undefined) return undefined;
    const base = {
      timestamp: meter.timestamp,
      seqNo: entry.seqNo,
      // E04: events that happened while offline are flagged as such when finally delivered.
      ...(entry.offline ? { offline: true } : {}),
      meterValue: [meterValue(meter)],
    };
    let request: V201.TransactionEventRequest;
    switch (entry.kind) {
      case 'start':
        request = {
          eventType: 'Started',
          triggerReason: (entry.detail ?? 'Authorized') as V201.TriggerReasonEnumType,
          ...base,
          transactionInfo: {
            transactionId,
            chargingState: 'Charging',
            ...(tx.remoteStartId !== undefined ? { remoteStartId: tx.remoteStartId } : {}),
          },
          idToken: { idToken: tx.idToken, type: tx.idTokenType as V201.IdTokenEnumType },
          evse: { id: tx.connector.id, connectorId: 1 },
        };
        break;
      case 'meter':
        request = {
          eventType: 'Updated',
          triggerReason: (entry.detail ?? 'MeterValuePeriodic') as V201.TriggerReasonEnumType,
          ...base,
          transactionInfo: { transactionId },
        };
        break;
      case 'stop': {
        const ended = ENDED[(entry.detail ?? 'Local') as StopReason];
        request = {
          eventType: 'Ended',
          triggerReason: ended.trigger,
          ...base,
          transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: ended.reason },
          // E06/E07: the token that stopped the transaction accompanies StopAuthorized.
          ...(ended.trigger === 'StopAuthorized'
            ? { idToken: { idToken: tx.idToken, type: tx.idTokenType as V201.IdTokenEnumType } }
            : {}),
        };
        break;
      }
      case 'boot':
      case 'heartbeat':
      case 'status':
      case 'authorize':
      case 'notify':
        return undefined;
    }
    return request as unknown as Record<string, unknown>;
  },

  startResult(payload) {
    const status = asRecord(payload.idTokenInfo).status;
    return { transactionId: undefined, status: typeof status === 'string' ? status : undefined };
  },

  authorizeStatus(payload) {
    const status = asRecord(payload.idTokenInfo).status;
    return typeof status === 'string' ? status : undefined;
  },

  meterValuesPayload(evseId, sample) {
    const request: V201.MeterValuesRequest = { evseId, meterValue: [meterValue(sample)] };
    return request as unknown as Record<string, unknown>;
  },

  trigger: {
    rejectBootWhenAccepted: true,
    reportsChargePointStatus: false,
    transactionEvent: true,
    // No certificates and no local controller here: the Sign* and PublishFirmware triggers are NotImplemented.
    idleNotifications: ['FirmwareStatusNotification', 'LogStatusNotification'],
  },

  handleCall(station, action, payload): CallAnswer {
    switch (action) {
      case 'RequestStartTransaction':
        return requestStart(station, payload as unknown as V201.RequestStartTransactionRequest);
      case 'RequestStopTransaction': {
        const request = payload as unknown as V201.RequestStopTransactionRequest;
        const tx = station.findTransaction(request.transactionId);
        if (tx === undefined) return result<V201.RequestStopTransactionResponse>({ status: 'Rejected' });
        return result<V201.RequestStopTransactionResponse>({ status: 'Accepted' }, () =>
          station.endTransaction(tx, 'Remote'),
        );
      }
      case 'Reset':
        return reset(station, payload as unknown as V201.ResetRequest);
      case 'ChangeAvailability': {
        const request = payload as unknown as V201.ChangeAvailabilityRequest;
        const targets = selectEvses(station, request.evse);
        if (targets.length === 0) return result<V201.ChangeAvailabilityResponse>({ status: 'Rejected' });
        const operative = request.operationalStatus === 'Operative';
        // G03.FR.05: an EVSE with a transaction changes when it ends ("Scheduled").
        const busy = !operative && targets.some((c) => c.tx !== undefined);
        return result<V201.ChangeAvailabilityResponse>({ status: busy ? 'Scheduled' : 'Accepted' }, () =>
          station.changeAvailability(targets, operative),
        );
      }
      case 'UnlockConnector': {
        const request = payload as unknown as V201.UnlockConnectorRequest;
        const connector = station.connectors.find((c) => c.id === request.evseId);
        let status: V201.UnlockStatusEnumType;
        if (connector === undefined || request.connectorId !== 1) status = 'UnknownConnector';
        // F05.FR.02: an authorized transaction keeps the cable locked.
        else if (connector.tx !== undefined) status = 'OngoingAuthorizedTransaction';
        else status = 'Unlocked';
        return result<V201.UnlockConnectorResponse>({ status });
      }
      case 'GetVariables':
        return result(getVariables(station, payload as unknown as V201.GetVariablesRequest));
      case 'SetVariables':
        return result(setVariables(station, payload as unknown as V201.SetVariablesRequest));
      case 'GetBaseReport': {
        const request = payload as unknown as V201.GetBaseReportRequest;
        // B07: answer Accepted, then send the report in NotifyReport parts (one part is enough here).
        return result<V201.GetBaseReportResponse>({ status: 'Accepted' }, () =>
          station.sendRequested('NotifyReport', notifyReport(station, request)),
        );
      }
      case 'ClearCache':
        return result<V201.ClearCacheResponse>({ status: 'Accepted' });
      case 'TriggerMessage':
        return triggerMessage(station, payload as unknown as V201.TriggerMessageRequest);
      case 'GetTransactionStatus': {
        const request = payload as unknown as V201.GetTransactionStatusRequest;
        const response: V201.GetTransactionStatusResponse =
          request.transactionId === undefined
            ? { messagesInQueue: station.hasPendingTransactionMessages() }
            : {
                ongoingIndicator: station.findTransaction(request.transactionId) !== undefined,
                messagesInQueue: station.hasPendingTransactionMessages(request.transactionId),
              };
        return result(response);
      }
      case 'DataTransfer':
        return result<V201.DataTransferResponse>({ status: 'UnknownVendorId' });
      default:
        return notImplemented(action);
    }
  },
};

function requestStart(station: StationControl, request: V201.RequestStartTransactionRequest): CallAnswer {
  const connector =
    request.evseId === undefined
      ? station.freeConnector()
      : station.connectors.find((c) => c.id === request.evseId);
  if (connector === undefined || connector.tx !== undefined || !connector.operative || !station.accepted) {
    return result<V201.RequestStartTransactionResponse>({ status: 'Rejected' });
  }
  const { idToken, type } = request.idToken;
  return result<V201.RequestStartTransactionResponse>({ status: 'Accepted' }, () =>
    station.remoteStart(connector, idToken, type, request.remoteStartId),
  );
}

function reset(station: StationControl, request: V201.ResetRequest): CallAnswer {
  const busy = station.connectors.some((c) => c.tx !== undefined);
  if (request.evseId !== undefined) {
    // B11/B12 for one EVSE: only its transaction is affected; the station stays connected.
    const connector = station.connectors.find((c) => c.id === request.evseId);
    if (connector === undefined) return result<V201.ResetResponse>({ status: 'Rejected' });
    const tx = connector.tx;
    if (tx !== undefined && request.type === 'OnIdle')
      return result<V201.ResetResponse>({ status: 'Scheduled' });
    return result<V201.ResetResponse>({ status: 'Accepted' }, () => {
      if (tx !== undefined) station.endTransaction(tx, 'HardReset');
    });
  }
  // B11.FR.01 / B12.FR.01: OnIdle with a transaction running → Scheduled, reset once idle.
  const whenIdle = request.type === 'OnIdle';
  const status = whenIdle && busy ? 'Scheduled' : 'Accepted';
  return result<V201.ResetResponse>({ status }, () => station.reset('HardReset', whenIdle));
}

function selectEvses(station: StationControl, evse: V201.EVSEType | undefined): readonly Connector[] {
  if (evse === undefined) return station.connectors;
  if (evse.connectorId !== undefined && evse.connectorId !== 1) return [];
  return station.connectors.filter((c) => c.id === evse.id);
}

function triggerMessage(station: StationControl, request: V201.TriggerMessageRequest): CallAnswer {
  const targets = selectEvses(station, request.evse);
  return answerTriggerMessage(
    station,
    protocolV201,
    request.requestedMessage,
    targets,
    request.evse === undefined,
  );
}

function meterValue(sample: MeterSample): V201.MeterValueType {
  return {
    timestamp: sample.timestamp,
    sampledValue: [
      {
        value: sample.valueWh,
        context: sample.context as V201.ReadingContextEnumType,
        measurand: REGISTER,
        location: 'Outlet',
        unitOfMeasure: { unit: 'Wh' },
      },
    ],
  };
}
