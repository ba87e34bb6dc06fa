/** The OCPP 2.0.1 TransactionEventRequest as the transactions domain records it (types only). */

/** OCPP 2.0.1 EVSEType. */
export interface EvseRef {
  readonly id: number;
  readonly connectorId?: number;
}

/** OCPP 2.0.1 IdTokenType (the parts the transaction row keeps). */
export interface IdTokenRef {
  readonly idToken: string;
  readonly type: string;
}

/** OCPP 2.0.1 SampledValueType (the parts the meter readings of the row need). */
export interface SampledValue201 {
  readonly value: number;
  readonly context?: string;
  readonly measurand?: string;
  readonly phase?: string;
  readonly location?: string;
  readonly unitOfMeasure?: { readonly unit?: string; readonly multiplier?: number };
}

export interface MeterValue201 {
  readonly timestamp: string;
  readonly sampledValue: readonly SampledValue201[];
}

/** A TransactionEventRequest (OCPP 2.0.1), schema-validated and with valid timestamps. */
export interface TransactionEvent201 {
  readonly eventType: string;
  readonly timestamp: string;
  readonly triggerReason: string;
  readonly seqNo: number;
  readonly offline?: boolean;
  readonly reservationId?: number;
  readonly transactionInfo: {
    readonly transactionId: string;
    readonly chargingState?: string;
    readonly stoppedReason?: string;
    readonly remoteStartId?: number;
  };
  readonly idToken?: IdTokenRef;
  readonly evse?: EvseRef;
  readonly meterValue?: readonly MeterValue201[];
}
