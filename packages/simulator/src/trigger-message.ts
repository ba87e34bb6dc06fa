import type { Connector, Transaction } from './model.js';
import { result, type CallAnswer, type Protocol, type StationControl } from './protocol.js';

/** The TriggerMessage response (`TriggerMessageStatus` of both versions). */
interface TriggerResponse {
  status: 'Accepted' | 'Rejected' | 'NotImplemented';
}

/**
 * Answers TriggerMessage for either version: Accepted with the requested message(s) sent after the
 * CALLRESULT ("first respond, then send the message"), Rejected, or NotImplemented. `targets` are the
 * addressed connectors / EVSEs (all of them when the request names none: `wholeStation`).
 */
export function answerTriggerMessage(
  station: StationControl,
  protocol: Protocol,
  requestedMessage: string,
  targets: readonly Connector[],
  wholeStation: boolean,
): CallAnswer {
  if (targets.length === 0) return result<TriggerResponse>({ status: 'Rejected' });
  const send = followUp(station, protocol, requestedMessage, targets, wholeStation);
  if (typeof send === 'string') return result<TriggerResponse>({ status: send });
  return result<TriggerResponse>({ status: 'Accepted' }, send);
}

function followUp(
  station: StationControl,
  protocol: Protocol,
  requestedMessage: string,
  targets: readonly Connector[],
  wholeStation: boolean,
): (() => void) | 'Rejected' | 'NotImplemented' {
  const rules = protocol.trigger;
  switch (requestedMessage) {
    case 'BootNotification':
      if (rules.rejectBootWhenAccepted && station.accepted) return 'Rejected';
      return () => station.triggerBoot();
    case 'Heartbeat':
      return () => station.sendRequested('Heartbeat', {});
    case 'StatusNotification':
      return () => {
        if (wholeStation && rules.reportsChargePointStatus) {
          station.sendRequested('StatusNotification', protocol.statusPayload(0, 'Available'));
        }
        for (const c of targets) {
          station.sendRequested('StatusNotification', protocol.statusPayload(c.id, station.statusOf(c)));
        }
      };
    case 'MeterValues':
      return () => {
        for (const c of targets) {
          station.sendRequested('MeterValues', protocol.meterValuesPayload(c.id, station.readMeter(c)));
        }
      };
    case 'TransactionEvent': {
      if (!rules.transactionEvent) return 'NotImplemented';
      const txs = targets.flatMap((c): Transaction[] => (c.tx !== undefined && !c.tx.ended ? [c.tx] : []));
      if (txs.length === 0) return 'Rejected';
      return () => {
        for (const tx of txs) station.triggerTransactionEvent(tx);
      };
    }
    default:
      if (!rules.idleNotifications.includes(requestedMessage)) return 'NotImplemented';
      return () => station.sendRequested(requestedMessage, { status: 'Idle' });
  }
}
