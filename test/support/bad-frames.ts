/** One bad frame: [name, frame text, the exact CALLERROR the CSMS answers]. */
export type BadFrame = readonly [name: string, text: string, answer: readonly unknown[]];

/**
 * Frames a station may send that the CSMS must refuse, with the exact CALLERROR of each OCPP version
 * (OCPP-J 1.6 §4.2.3 and OCPP-2.0.1 part 4 §4.3 error codes; the edge answers them before any actor sees them).
 * The connection survives every one of them. Used by the edge's own tests and the system-level bad-input scenario.
 */
export const BAD_FRAMES: Readonly<Record<'ocpp1.6' | 'ocpp2.0.1', readonly BadFrame[]>> = {
  'ocpp2.0.1': [
    [
      'malformed JSON',
      '[2,"m1","Heartbeat",{',
      [4, '-1', 'RpcFrameworkError', 'Message is not valid JSON', {}],
    ],
    ['not an array', '{"a":1}', [4, '-1', 'RpcFrameworkError', 'Message must be a JSON array', {}]],
    [
      'wrong message type id',
      '[7,"m2","Heartbeat",{}]',
      [4, 'm2', 'MessageTypeNotSupported', 'MessageTypeId 7 is not supported', {}],
    ],
    [
      'wrong frame length',
      '[2,"m3","Heartbeat"]',
      [4, 'm3', 'RpcFrameworkError', 'CALL must have 4 elements, got 3', {}],
    ],
    [
      'payload not an object',
      '[2,"m4","Heartbeat",[]]',
      [4, 'm4', 'ProtocolError', 'Payload must be a JSON object', {}],
    ],
    ['unknown action', '[2,"m5","FooBar",{}]', [4, 'm5', 'NotImplemented', "Unknown action 'FooBar'", {}]],
    [
      'CSMS-to-station action',
      '[2,"m6","Reset",{"type":"Immediate"}]',
      [4, 'm6', 'NotSupported', 'Reset is sent by the CSMS, not by the Charging Station', {}],
    ],
    [
      'schema: missing required field',
      '[2,"m7","BootNotification",{"chargingStation":{"model":"M","vendorName":"V"}}]',
      [
        4,
        'm7',
        'OccurrenceConstraintViolation',
        "must have required property 'reason'",
        {
          pointer: '',
          keyword: 'required',
          message: "must have required property 'reason'",
          schemaPath: '#/required',
        },
      ],
    ],
    [
      'schema: wrong type',
      '[2,"m8","BootNotification",{"reason":"PowerUp","chargingStation":{"model":5,"vendorName":"V"}}]',
      [
        4,
        'm8',
        'TypeConstraintViolation',
        '/chargingStation/model must be string',
        {
          pointer: '/chargingStation/model',
          keyword: 'type',
          message: 'must be string',
          schemaPath: '#/properties/model/type',
        },
      ],
    ],
  ],
  'ocpp1.6': [
    [
      'malformed JSON',
      '[2,"m1","Heartbeat",{',
      [4, '-1', 'FormationViolation', 'Message is not valid JSON', {}],
    ],
    ['not an array', '{"a":1}', [4, '-1', 'FormationViolation', 'Message must be a JSON array', {}]],
    [
      'wrong message type id',
      '[7,"m2","Heartbeat",{}]',
      [4, 'm2', 'NotImplemented', 'MessageTypeId 7 is not supported', {}],
    ],
    [
      'wrong frame length',
      '[2,"m3","Heartbeat"]',
      [4, 'm3', 'FormationViolation', 'CALL must have 4 elements, got 3', {}],
    ],
    [
      'payload not an object',
      '[2,"m4","Heartbeat",[]]',
      [4, 'm4', 'FormationViolation', 'Payload must be a JSON object', {}],
    ],
    ['unknown action', '[2,"m5","FooBar",{}]', [4, 'm5', 'NotImplemented', "Unknown action 'FooBar'", {}]],
    [
      'Central-System-to-Charge-Point action',
      '[2,"m6","RemoteStartTransaction",{"idTag":"ABC"}]',
      [
        4,
        'm6',
        'NotSupported',
        'RemoteStartTransaction is sent by the CSMS, not by the Charging Station',
        {},
      ],
    ],
    [
      'schema: missing required field',
      '[2,"m7","BootNotification",{"chargePointModel":"M"}]',
      [
        4,
        'm7',
        'OccurenceConstraintViolation',
        "must have required property 'chargePointVendor'",
        {
          pointer: '',
          keyword: 'required',
          message: "must have required property 'chargePointVendor'",
          schemaPath: '#/required',
        },
      ],
    ],
    [
      'schema: wrong type',
      '[2,"m8","BootNotification",{"chargePointModel":"M","chargePointVendor":5}]',
      [
        4,
        'm8',
        'TypeConstraintViolation',
        '/chargePointVendor must be string',
        {
          pointer: '/chargePointVendor',
          keyword: 'type',
          message: 'must be string',
          schemaPath: '#/properties/chargePointVendor/type',
        },
      ],
    ],
  ],
};
